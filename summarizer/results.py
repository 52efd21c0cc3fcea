"""A results file read back: what ``summarizer batch`` wrote (JSONL), one summary's JSON,
or ``summarize --format json``'s array. ``review`` and ``export`` read through here.

Each record is a :class:`Summarized` (validated as a :class:`ReportSummary`) or a
:class:`Failed` (an error record, :mod:`summarizer.records`). A line that is neither
costs only itself: it becomes a notice naming the file and line. A ``doc_id`` seen
twice keeps its last record, as a resumed batch means it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.read import STDIN
from summarizer.records import error_message, is_error_record
from summarizer.schemas import ReportSummary

__all__ = ["Failed", "Result", "Summarized", "load_results"]


@dataclass(frozen=True)
class Summarized:
    """A document's summary, and where in the results it was read."""

    summary: ReportSummary
    origin: str

    @property
    def doc_id(self) -> str:
        return self.summary.doc_id


@dataclass(frozen=True)
class Failed:
    """A document that failed, as its error record says."""

    doc_id: str
    path: str | None
    message: str
    origin: str


Result = Summarized | Failed


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
        path = record.get("path")
        return Failed(record["doc_id"], str(path) if path else None, error_message(record), origin)
    try:
        return Summarized(ReportSummary.model_validate(record), origin)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{origin}: not a valid summary ({where}: {first['msg']}); skipped"
