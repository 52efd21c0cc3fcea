"""A disk cache of validated summaries (diskcache), so the same call twice costs one request.

The key is a sha256 over everything that can change the answer: the normalized
document, model, mode, temperature, prompt version, the draft schema and the
endpoint's host. Never the API key.

The value is the model's validated summary (the draft) with the ``meta`` of the
call that made it, so a cached run still reports what it cost. The draft, not
the final summary, because two raw files can share a normalized text (a
Traditional and a Simplified copy, a GBK and a UTF-8 one): spans are recomputed
against the raw text at hand, and the draft is re-validated against it. A
damaged entry is a miss, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.errors import ConfigError
from summarizer.schemas import DraftSummary, Meta
from summarizer.settings import Settings

__all__ = ["CachedDraft", "SummaryCache", "cache_key", "schema_fingerprint"]

log = logging.getLogger(__name__)

#: Bump when the stored format changes.
FORMAT = 1


@cache
def schema_fingerprint() -> str:
    """sha256 of the model-facing JSON schema."""
    schema = json.dumps(DraftSummary.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()


def cache_key(normalized_text: str, settings: Settings, prompt_version: str) -> str:
    parts = {
        "format": FORMAT,
        "document": normalized_text,
        "model": settings.model,
        "mode": settings.mode,
        "temperature": settings.temperature,
        "prompt_version": prompt_version,
        "schema": schema_fingerprint(),
        "host": settings.host,
    }
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class CachedDraft(BaseModel):
    """One cache entry: the validated draft and the meta of the call that made it."""

    format: int = FORMAT
    draft: DraftSummary
    meta: Meta


class SummaryCache:
    """Validated drafts on disk, keyed by :func:`cache_key`."""

    def __init__(self, directory: Path) -> None:
        import diskcache

        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._cache: Any = diskcache.Cache(str(directory))
        except OSError as exc:
            raise ConfigError(
                f"cannot use cache directory {directory} ({exc.strerror or exc}); "
                "set SUMMARIZER_CACHE_DIR to a writable folder or pass --no-cache"
            ) from None
        self.directory = directory

    def get(self, key: str, context: dict[str, Any]) -> CachedDraft | None:
        """The entry for ``key``, re-validated (grounding included) with ``context``."""
        try:
            blob = self._cache.get(key)
            if blob is None:
                return None
            entry = CachedDraft.model_validate_json(blob, context=context)
            return entry if entry.format == FORMAT else None
        except Exception as exc:  # a damaged, stale or foreign entry is a miss
            log.warning("ignoring unusable cache entry %s: %s", key[:12], _first_line(exc))
            return None

    def set(self, key: str, draft: DraftSummary, meta: Meta) -> None:
        self._cache.set(key, CachedDraft(draft=draft, meta=meta).model_dump_json())

    def close(self) -> None:
        self._cache.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
