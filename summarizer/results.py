"""A results line, the one type that batch writes and that review, export and eval read:
a :class:`Summarized` (a :class:`ReportSummary`) or a :class:`Failed` (the document's
error record). A results file is what ``summarizer batch`` wrote (JSONL), one summary's
JSON, or ``summarize --format json``'s array.

The error record is ``{"doc_id": ..., "path": ..., "error": {"type": ..., "message": ...}}``:
a batch writes it, a resumed batch recognizes it (to retry the document), the evaluator
scores it as an empty summary. Reading a file, a line that is neither costs only itself:
it becomes a notice naming the file and line. A ``doc_id`` seen twice keeps its last
record, as a resumed batch means it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from summarizer.errors import InputError, describe
from summarizer.read import STDIN
from summarizer.schemas import ReportSummary

__all__ = [
    "Failed",
    "Result",
    "Summarized",
    "error_record",
    "is_error_record",
    "load_results",
]


@dataclass(frozen=True)
class Summarized:
    """A document's summary; ``origin``: where in a results file it was read ("" when
    made in this run)."""

    summary: ReportSummary
    path: str | None = None
    origin: str = ""

    @property
    def doc_id(self) -> str:
        return self.summary.doc_id

    @property
    def ok(self) -> Literal[True]:
        return True

    @property
    def error(self) -> None:
        return None

    @property
    def exception(self) -> None:
        return None

    @property
    def cached(self) -> bool:
        return self.summary.meta.cached

    def line(self) -> str:
        """The JSONL line: the summary's JSON."""
        return self.summary.model_dump_json()


@dataclass(frozen=True)
class Failed:
    """A document that failed: its error record (``error``: type and message, the
    message naming the file), and in this run the exception itself."""

    doc_id: str
    path: str | None
    error: dict[str, str]
    origin: str = ""
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, doc_id: str, path: str | None, exc: BaseException) -> Failed:
        """The failure of ``doc_id`` by ``exc``."""
        error = {"type": type(exc).__name__, "message": describe(exc, path)}
        return cls(doc_id, path, error, exception=exc)

    @property
    def ok(self) -> Literal[False]:
        return False

    @property
    def summary(self) -> None:
        return None

    @property
    def cached(self) -> Literal[False]:
        return False

    @property
    def message(self) -> str:
        return self.error["message"]

    def record(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "path": self.path, "error": self.error}

    def line(self) -> str:
        """The JSONL line: the error record."""
        return json.dumps(self.record(), ensure_ascii=False)


Result = Summarized | Failed


def error_record(doc_id: str, path: str | None, exc: BaseException) -> dict[str, Any]:
    """The JSON record of a document that failed (its message names the file)."""
    return Failed.of(doc_id, path, exc).record()


def is_error_record(record: Mapping[str, Any]) -> bool:
    """Whether a results line records a failure rather than a summary (which always
    has ``meta``)."""
    return "error" in record and "meta" not in record


def failed_from(record: Mapping[str, Any], origin: str) -> Failed:
    """An error record read back (older files wrote the error as a bare string)."""
    error = record.get("error")
    if isinstance(error, Mapping):
        said = {"type": str(error.get("type") or ""), "message": str(error.get("message"))}
    else:
        said = {"type": "", "message": str(error)}
    path = record.get("path")
    return Failed(str(record["doc_id"]), str(path) if path else None, said, origin)


def load_results(path: str | Path) -> tuple[list[Result], list[str]]:
    """Every record of a results file, in order, and the notices for what was skipped."""
    name = str(path)
    try:
        text = sys.stdin.read() if name == STDIN else Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise InputError(f"cannot read results ({reason})", path=name) from None
    records = _records(text, name)
    if not records:
        raise InputError("no results in this file (batch JSONL or a summary's JSON)", path=name)
    found: dict[str, Result] = {}
    notices: list[str] = []
    for origin, record in records:
        result = _result(record, origin)
        if isinstance(result, str):
            notices.append(result)
            continue
        if result.doc_id in found:
            notices.append(f"{origin}: {result.doc_id} seen before; the last one counts")
            del found[result.doc_id]  # keep it where it was last written
        found[result.doc_id] = result
    return list(found.values()), notices


def _records(text: str, name: str) -> list[tuple[str, Any]]:
    """(where, parsed JSON) for the whole text as one JSON value, else for each line."""
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict):
        return [(name, whole)]
    if isinstance(whole, list):
        return [(f"{name}[{n}]", r) for n, r in enumerate(whole)]
    lines = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                lines.append((f"{name}:{n}", json.loads(line)))
            except ValueError:
                lines.append((f"{name}:{n}", None))
    return lines


def _result(record: Any, origin: str) -> Result | str:
    """The record as a result, or a notice saying why it is skipped."""
    if not isinstance(record, Mapping) or not isinstance(record.get("doc_id"), str):
        return f"{origin}: not a summary or an error record with a doc_id; skipped"
    if is_error_record(record):
        return failed_from(record, origin)
    try:
        summary = ReportSummary.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{origin}: not a valid summary ({where}: {first['msg']}); skipped"
    return Summarized(summary, summary.meta.source, origin)
