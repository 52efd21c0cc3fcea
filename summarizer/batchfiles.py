"""The JSONL files of a batch engine: the OpenAI Batch API's, which Azure OpenAI,
DashScope and ``vllm run-batch`` read and write too.

A request line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions",
"body"}``; nothing else, since the providers refuse unknown keys. An output line is
``{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``
with ``body`` a chat completion, or ``error`` set (or a non-200 status) when the
engine could not answer. Reading them, a line that is not such a line costs only
itself, as a notice naming ``file:line``.

``custom_id`` is the document's ``doc_id``, or ``doc_id#k`` for the k-th part of a
report sent in parts (:func:`custom_id`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import InputError

__all__ = [
    "CHAT_URL",
    "Answered",
    "Errored",
    "Outcome",
    "custom_id",
    "read_results",
    "request_line",
]

#: The one endpoint the lines name (the Batch API wants the path, not a full URL).
CHAT_URL = "/v1/chat/completions"


def custom_id(doc_id: str, part: int, parts: int) -> str:
    """The line's id: the ``doc_id``, or ``doc_id#k`` for part k of a report in parts."""
    return doc_id if parts == 1 else f"{doc_id}#{part}"


def request_line(custom: str, body: dict[str, Any]) -> str:
    """One request line (no newline)."""
    line = {"custom_id": custom, "method": "POST", "url": CHAT_URL, "body": body}
    return json.dumps(line, ensure_ascii=False)


@dataclass(frozen=True)
class Answered:
    """The engine answered: ``body`` is the chat completion."""

    body: dict[str, Any]


@dataclass(frozen=True)
class Errored:
    """The engine could not answer the request: why, in its words."""

    reason: str


Outcome = Answered | Errored


def read_results(
    paths: Iterable[str | os.PathLike[str]], notice: Callable[[str], None]
) -> dict[str, Outcome]:
    """The outcome of each ``custom_id`` over the output files, in order. An answer
    replaces an error (a resent request that succeeded); of two answers, the later one
    counts (the newer round)."""
    outcomes: dict[str, Outcome] = {}
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read the batch results ({exc.strerror or exc}); pass the output "
                "file the batch engine wrote",
                path=os.fspath(path),
            ) from None
        for number, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            parsed = _parse(line)
            if isinstance(parsed, str):
                notice(f"{os.fspath(path)}:{number}: {parsed}; line skipped")
                continue
            custom, outcome = parsed
            if isinstance(outcome, Answered) or not isinstance(outcomes.get(custom), Answered):
                outcomes[custom] = outcome
    return outcomes


def _parse(line: bytes) -> tuple[str, Outcome] | str:
    """A line's ``custom_id`` and outcome, or why it is not an output line."""
    try:
        record = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(record, dict) or not isinstance(record.get("custom_id"), str):
        return 'not a batch output line (no "custom_id")'
    custom = record["custom_id"]
    error = record.get("error")
    response = record.get("response")
    if error:
        return custom, Errored(_message(error))
    if not isinstance(response, dict):
        return custom, Errored('the line has neither "response" nor "error"')
    status, body = response.get("status_code"), response.get("body")
    if status != 200:
        why = _message(body.get("error", body)) if isinstance(body, dict) else str(body)
        return custom, Errored(f"HTTP {status}: {why}")
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list):
        return custom, Errored("the response body is not a chat completion")
    return custom, Answered(body)


def _message(error: Any) -> str:
    """An engine's error in a few words."""
    if isinstance(error, dict):
        text = error.get("message") or error.get("code") or json.dumps(error, ensure_ascii=False)
        return str(text)[:300]
    return str(error)[:300]
