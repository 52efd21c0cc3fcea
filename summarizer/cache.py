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

Beside each draft, a second entry keyed by the exact raw text (:func:`exact_key`)
holds the finished summary, so a rerun over the same files skips normalizing and
re-grounding: it only checks that every span still reads its quote in the raw
text (``grounding.verify``) — a rerun of a batch is served at disk speed.
diskcache is SQLite underneath, so several processes may share one cache folder.
A caller about to pay for a document first *claims* its key (:meth:`SummaryCache.claim`);
another process (or coroutine) that meets the claim waits for the entry instead of
paying twice. A claim expires, and one held by a dead process on this host is taken over
at once, so a crash never blocks a rerun.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.extracted import Extracted
from summarizer.schemas import DraftSummary, Meta, ReportSummary, SourceText
from summarizer.settings import Settings

__all__ = [
    "CacheUsage",
    "CachedDraft",
    "Claim",
    "Resend",
    "SummaryCache",
    "cache_key",
    "clear",
    "exact_key",
    "kept_texts",
    "schema_fingerprint",
    "usage",
]

log = logging.getLogger(__name__)

#: Bump when the stored format changes.
FORMAT = 1
#: Keys of the claims (:meth:`SummaryCache.claim`) start with this; they hold no result.
_CLAIM = "claim:"
#: Key prefix of a request kept for a batch engine to answer (see ``get_resend``).
_RESEND = "resend:"
#: Entries holding the text extracted from a Word, PDF or scanned file (by its bytes).
_TEXT = "text:"


@cache
def schema_fingerprint() -> str:
    """sha256 of the model-facing JSON schema."""
    schema = json.dumps(DraftSummary.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()


def cache_key(normalized_text: str, settings: Settings, prompt_version: str) -> str:
    """The draft's key: what the model saw, and everything else that shapes its answer."""
    return _key("document", normalized_text, settings, prompt_version)


def exact_key(raw: str, settings: Settings, prompt_version: str) -> str:
    """The finished summary's key: the raw text exactly as read (offsets depend on it)."""
    return _key("raw", raw, settings, prompt_version)


def _key(kind: str, text: str, settings: Settings, prompt_version: str) -> str:
    parts = {
        "format": FORMAT,
        kind: text,
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


class Resend(BaseModel):
    """A request a batch engine is to answer, kept after its answer could not be used
    and no endpoint could ask again: ``--export`` writes it, and the next ``--import``
    goes on where this round stopped, so that the re-ask budget spans the rounds."""

    #: The request: the re-ask (the failed answer and its errors), or the first request.
    body: dict[str, Any]
    #: The engine's answers already spent on this draft (each a failed attempt).
    answers: int = 0
    #: Whether the model was already told the report makes points (it is told once).
    hinted: bool = False


def kept_texts(settings: Settings | None = None) -> SummaryCache | None:
    """The cache's extracted texts, for commands that read a file without summarizing it
    (``summarizer text``, ``review``): they show the very text the summary's spans index."""
    settings = settings if settings is not None else Settings.load()
    return SummaryCache(settings.resolved_cache_dir) if settings.cache else None


class SummaryCache:
    """Validated drafts on disk, keyed by :func:`cache_key`.

    A cache is an optimization, so it never fails a run: a folder that cannot be
    opened (unwritable, or a damaged database), or a write that fails (disk full),
    logs one warning and the run goes on uncached. What is read back is validated
    against the schema and the document before it is used.

    ``directory=None`` is no cache at all (``--no-cache``), as an object rather than a
    ``None`` every caller tests: every look is a miss, every write a no-op, and a claim is
    the caller's alone.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._cache: Any = None
        self._warned = False
        #: Opened on first use, by whichever thread of a batch looks first: a run that
        #: never looks (every document offline) never opens it.
        self._opened = directory is None
        self._lock = threading.Lock()

    @property
    def _store(self) -> Any:
        """The database, opened on first use; None when there is none (no cache, or one
        that could not be opened: warned once)."""
        if not self._opened:
            with self._lock:
                if not self._opened:
                    self._cache = self._open()
                    self._opened = True
        return self._cache

    def _open(self) -> Any:
        import diskcache

        assert self.directory is not None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return diskcache.Cache(str(self.directory))
        except Exception as exc:
            self._warn(
                f"cannot use the cache folder {self.directory} ({_first_line(exc)}); running "
                "uncached. Set SUMMARIZER_CACHE_DIR to a writable folder, delete the damaged "
                "one, or pass --no-cache"
            )
            return None

    @property
    def is_open(self) -> bool:
        """Whether a database is open (what :meth:`close` releases)."""
        return self._cache is not None

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("%s", message)

    def get(self, key: str, source: SourceText) -> CachedDraft | None:
        """The entry for ``key``, re-validated (grounding included) against ``source``."""
        if self._store is None:
            return None
        try:
            blob = self._store.get(key)
            if blob is None:
                return None
            entry = CachedDraft.model_validate_json(blob, context={"source": source})
            return entry if entry.format == FORMAT else None
        except Exception as exc:  # a damaged, stale or foreign entry is a miss
            log.warning("ignoring unusable cache entry %s: %s", key[:12], _first_line(exc))
            return None

    def set(self, key: str, draft: DraftSummary, meta: Meta) -> None:
        self._put(key, CachedDraft(draft=draft, meta=meta).model_dump_json())

    def _put(self, key: str, blob: str) -> None:
        if self._store is None:
            return
        try:
            self._store.set(key, blob)
        except Exception as exc:  # disk full, read-only, damaged: the result is still good
            self._warn(f"cannot write to the cache ({_first_line(exc)}); results are not cached")

    def get_summary(self, key: str) -> ReportSummary | None:
        """The finished summary stored under an :func:`exact_key`, schema-validated."""
        if self._store is None:
            return None
        try:
            blob = self._store.get(key)
            return None if blob is None else ReportSummary.model_validate_json(blob)
        except Exception as exc:  # damaged or foreign: a miss
            log.warning("ignoring unusable cache entry %s: %s", key[:12], _first_line(exc))
            return None

    def set_summary(self, key: str, summary: ReportSummary) -> None:
        self._put(key, summary.model_dump_json())

    def get_text(self, key: str) -> Extracted | None:
        """The text once extracted from a file (:func:`summarizer.read.extraction_key`):
        a rerun, or a batch after it, reads the very text its spans index (an OCR'd scan
        is not recognized again)."""
        if self._store is None:
            return None
        try:
            blob = self._store.get(_TEXT + key)
            if blob is None:
                return None
            entry = json.loads(blob)
            return Extracted(entry["text"], entry["reader"], tuple(entry["warnings"]))
        except Exception as exc:  # damaged or foreign: a miss
            log.warning("ignoring unusable cache entry %s: %s", key[:12], _first_line(exc))
            return None

    def set_text(self, key: str, extracted: Extracted) -> None:
        entry = {"text": extracted.text, "reader": extracted.reader, "warnings": extracted.warnings}
        self._put(_TEXT + key, json.dumps(entry, ensure_ascii=False))

    def get_resend(self, key: str) -> Resend | None:
        """What a batch engine is to answer next for the draft ``key``, or None."""
        if self._store is None:
            return None
        try:
            blob = self._store.get(_RESEND + key)
            return None if blob is None else Resend.model_validate_json(blob)
        except Exception as exc:  # damaged or foreign: a miss
            log.warning("ignoring unusable cache entry %s: %s", key[:12], _first_line(exc))
            return None

    def set_resend(self, key: str, resend: Resend) -> None:
        self._put(_RESEND + key, resend.model_dump_json())

    def claim(self, key: str, ttl: float) -> Claim | None:
        """The right to summarize ``key`` now; None while another live caller holds it."""
        name, token = _CLAIM + key, f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        mine = Claim(self, key, token)
        if self._store is None:
            return mine
        try:
            if self._store.add(name, token, expire=ttl):
                return mine
            with self._store.transact():
                holder = self._store.get(name)
                if holder is None or _holder_is_dead(holder):
                    self._store.set(name, token, expire=ttl)
                    return mine
            return None
        except Exception as exc:  # a broken cache must never block the work
            log.warning("cache claim failed (%s); going ahead", _first_line(exc))
            return mine

    def release(self, key: str, token: str) -> None:
        name = _CLAIM + key
        if self._store is None:
            return
        try:
            with self._store.transact():
                if self._store.get(name) == token:
                    self._store.delete(name)
        except Exception as exc:
            log.warning("cache release failed (%s)", _first_line(exc))

    def close(self) -> None:
        """Close the database; a later look opens it again."""
        with self._lock:
            if self._cache is not None:
                with contextlib.suppress(Exception):
                    self._cache.close()
            self._cache = None
            self._opened = self.directory is None


@dataclass(frozen=True)
class Claim:
    """The right to pay for one document, so that a concurrent caller waits for the entry
    instead of paying twice; :meth:`release` gives it back (a no-op without a cache)."""

    cache: SummaryCache | None
    key: str
    token: str

    @classmethod
    def unshared(cls, key: str) -> Claim:
        """The claim when there is no cache to coordinate through: nobody else to tell."""
        return cls(None, key, "")

    def release(self) -> None:
        if self.cache is not None:
            self.cache.release(self.key, self.token)


@dataclass(frozen=True)
class CacheUsage:
    """What a cache folder holds (``summarizer cache``)."""

    directory: Path
    #: Stored results: a draft per normalized document and a summary per raw file.
    entries: int
    #: Disk taken: the database's pages and the files of large values.
    bytes: int


def usage(directory: Path) -> CacheUsage:
    """What ``directory`` holds; a folder with no cache in it is left uncreated."""
    import diskcache
    from diskcache.core import DBNAME

    if not (directory / DBNAME).is_file():
        return CacheUsage(directory, 0, 0)
    with diskcache.Cache(str(directory)) as store:
        entries = sum(1 for key in store.iterkeys() if not str(key).startswith(_CLAIM))
        return CacheUsage(directory, entries, int(store.volume()))


def clear(directory: Path) -> CacheUsage:
    """Remove every entry of the cache in ``directory`` (and only the cache's own files:
    a folder shared with other files keeps them); returns what was there."""
    import sqlite3

    import diskcache
    from diskcache.core import DBNAME

    before = usage(directory)
    if before.bytes:
        with diskcache.Cache(str(directory)) as store:
            store.clear()
        with contextlib.closing(sqlite3.connect(directory / DBNAME)) as db:
            db.execute("VACUUM")  # give the freed pages back to the disk
    return before


def _holder_is_dead(holder: Any) -> bool:
    """True when the claim's holder was a process on this host that no longer runs."""
    try:
        host, pid, _ = str(holder).split(":", 2)
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError, OSError):
        return False
    return False


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
