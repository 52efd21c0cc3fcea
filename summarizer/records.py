"""The error record: the JSON line a document that failed leaves in a results file.

``{"doc_id": ..., "path": ..., "error": {"type": ..., "message": ...}}``. A batch
writes it, a resumed batch recognizes it (to retry the document), and the evaluator
scores it as an empty summary; all three go through this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from summarizer.errors import describe

__all__ = ["error_message", "error_record", "is_error_record"]


def error_record(doc_id: str, path: str | None, exc: BaseException) -> dict[str, Any]:
    """The JSON line for a document that failed (its message names the file)."""
    error = {"type": type(exc).__name__, "message": describe(exc, path)}
    return {"doc_id": doc_id, "path": path, "error": error}


def is_error_record(record: Mapping[str, Any]) -> bool:
    """Whether a results line records a failure rather than a summary (which always
    has ``meta``)."""
    return "error" in record and "meta" not in record


def error_message(record: Mapping[str, Any]) -> str:
    """The message of an error record (older files wrote the error as a bare string)."""
    error = record.get("error")
    return str(error.get("message") if isinstance(error, Mapping) else error)
