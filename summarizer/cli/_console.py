"""What the command says besides its results: one-line errors and notices on stderr, log
lines through the same stream, and the API key kept out of all of them."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from typing import Any

from summarizer.errors import SummarizerError

__all__ = ["PROG", "fail", "logging_to_stderr", "notice", "print_traceback", "write"]

PROG = "summarizer"
#: Loggers that chatter at INFO and below; silenced unless --debug.
_NOISY = ("instructor", "httpx", "httpcore", "openai")

#: A library's log record is cut to this many characters. openai logs every request's
#: body, the whole report in it, once per try; the LLM backend logs each prompt once.
DEBUG_RECORD_CHARS = 800

_SECRETS: list[str] = []


def _redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is now (not the one at setup time)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _Redacting(logging.Filter):
    """Keeps the API key out of every log line, --debug included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = _redact(record.getMessage())
            record.args = None
        return True


class _Cut(logging.Filter):
    """Cuts a library's long record (after :class:`_Redacting`, so no part of a key is
    left at the cut), so ``--debug`` shows the report once, not once per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in _NOISY:
            text = record.getMessage()
            if len(text) > DEBUG_RECORD_CHARS:
                cut = len(text) - DEBUG_RECORD_CHARS
                record.msg = f"{text[:DEBUG_RECORD_CHARS]} … [{cut:,} more characters cut]"
                record.args = None
        return True


def print_traceback() -> None:
    sys.stderr.write(_redact(traceback.format_exc()))


def fail(message: str) -> None:
    print(f"{PROG}: error: {_redact(message)}", file=sys.stderr)


def notice(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


def write(text: str, output: str | None) -> None:
    """Results: to ``output`` when given, else to stdout."""
    if output:
        try:
            os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise SummarizerError(
                f"cannot write output ({exc.strerror or exc})", path=output
            ) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@contextlib.contextmanager
def logging_to_stderr(debug: bool, secrets: list[str]) -> Iterator[None]:
    """Log lines on stderr, redacted, while a command runs; logging is left as it was
    found (``main()`` may be called many times in one process)."""
    root = logging.getLogger()
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    handler.addFilter(_Redacting())
    handler.addFilter(_Cut())  # after the redaction
    noisy = [logging.getLogger(n) for n in _NOISY]
    saved = (root.level, [n.level for n in noisy])
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    for logger in noisy:
        logger.setLevel(logging.NOTSET if debug else logging.CRITICAL)
    _SECRETS[:] = secrets
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for logger, level in zip(noisy, saved[1], strict=True):
            logger.setLevel(level)
