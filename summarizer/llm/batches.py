"""A provider's Files and Batches API (OpenAI's, and those that copy it), through the
openai client: upload a request file, create a batch, look at it, download its output,
cancel it. Each call's failure comes back as our one-line error (:mod:`.translate`).

Creating a batch is never retried: a create that timed out may still have made one, and
a second would be paid for twice. Looking and downloading are retried by the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.llm.accounting import CallRecord
from summarizer.llm.translate import translate
from summarizer.settings import Settings

__all__ = ["FINAL_STATES", "BatchAPI", "RemoteBatch"]

#: The states a batch stays in once it reached them.
FINAL_STATES = frozenset({"completed", "failed", "expired", "cancelled"})
#: The one completion window the Batch API offers.
_WINDOW = "24h"
#: Tries of an idempotent call (a look, a download) through a flaky connection.
_LOOK_RETRIES = 3


@dataclass(frozen=True)
class RemoteBatch:
    """A batch as the provider reports it: its state and its own counts."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    #: Why the provider refused the batch (state ``failed``), one line each.
    errors: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATES

    @classmethod
    def of(cls, batch: Any) -> RemoteBatch:
        counts = batch.request_counts
        errors = batch.errors.data if batch.errors is not None and batch.errors.data else []
        return cls(
            id=batch.id,
            status=batch.status,
            total=counts.total if counts else 0,
            completed=counts.completed if counts else 0,
            failed=counts.failed if counts else 0,
            output_file_id=batch.output_file_id,
            error_file_id=batch.error_file_id,
            errors=tuple(
                f"line {e.line}: {e.message}" if e.line else str(e.message) for e in errors
            ),
        )


class BatchAPI:
    """The provider's batch endpoints at the configured base URL, with the configured key."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None

    def _openai(self) -> Any:
        if self._client is None:
            import openai

            s = self.settings
            self._client = openai.OpenAI(
                base_url=s.base_url, api_key=s.api_key or "no-key-configured", timeout=s.timeout
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _call(self, what: Any, *, retries: int = _LOOK_RETRIES) -> Any:
        try:
            return what(self._openai().with_options(max_retries=retries))
        except Exception as exc:
            raise translate(exc, self.settings, CallRecord(), None) from exc

    def upload(self, path: Path) -> str:
        """The file id of the uploaded request file."""
        with open(path, "rb") as handle:
            made = self._call(lambda c: c.files.create(file=handle, purpose="batch"), retries=0)
        return str(made.id)

    def create(self, file_id: str, metadata: dict[str, str]) -> RemoteBatch:
        """A new batch over the uploaded file (never retried: see the module)."""
        return RemoteBatch.of(
            self._call(
                lambda c: c.batches.create(
                    input_file_id=file_id,
                    endpoint="/v1/chat/completions",
                    completion_window=_WINDOW,
                    metadata=metadata,
                ),
                retries=0,
            )
        )

    def get(self, batch_id: str) -> RemoteBatch:
        return RemoteBatch.of(self._call(lambda c: c.batches.retrieve(batch_id)))

    def cancel(self, batch_id: str) -> RemoteBatch:
        return RemoteBatch.of(self._call(lambda c: c.batches.cancel(batch_id)))

    def download(self, file_id: str, to: Path) -> None:
        """The file's content, written to ``to``."""
        content = self._call(lambda c: c.files.content(file_id))
        to.write_bytes(content.read())
