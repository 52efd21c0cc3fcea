"""Every error the product raises on purpose.

One base class, so callers (the CLI, a batch run) can catch "ours" and print one
line instead of a traceback. Each message says what went wrong *and* what to do
about it; ``path`` names the input file when there is one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module first: pydantic loads only when needed
    from summarizer.schemas import Usage


class SummarizerError(Exception):
    """Base class: an error the user can act on, printed as one line by the CLI."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else os.fspath(path)

    def with_path(self, path: str | None) -> SummarizerError:
        """Attach the input file this error is about (keeps an existing one)."""
        if self.path is None:
            self.path = path
        return self

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def describe(exc: BaseException, path: str | None) -> str:
    """One line for a document that failed: ours as they are, anything else as a bug."""
    if isinstance(exc, SummarizerError):
        return str(exc.with_path(path))
    return f"{path}: internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"


class UsageError(SummarizerError):
    """The command line asks for something that cannot be done: the CLI exits 2."""


class InputError(SummarizerError):
    """The input cannot be read as a text document (missing, binary, undecodable, empty)."""


class DoubtfulInputError(InputError):
    """Left out on request (``--skip-doubtful``): the file does not look like a work report
    (a README, a list of sources). Not a failure: a batch counts it apart."""


class ConfigError(SummarizerError):
    """A setting is wrong: a bad value, or the endpoint refused our key, model or URL."""


class EndpointError(SummarizerError):
    """The endpoint refused a well-formed request (HTTP 400/422 and kin)."""


class ContextLengthError(EndpointError):
    """The endpoint says the request is longer than the model's context (its tokenizer
    counts more than the estimate did): the report is cut into smaller parts and asked
    again."""


class TransportError(SummarizerError):
    """The endpoint stayed unreachable, overloaded or too slow after every transport retry."""


class UnreachableError(TransportError):
    """No connection to the endpoint at all: its name does not resolve, or nothing
    listens there. A batch stops sending after this (see ``summarizer.batch``)."""


class NotAttemptedError(SummarizerError):
    """A batch's document never sent: the endpoint was unreachable for the ones before."""


class SummarizationError(SummarizerError):
    """The model never produced a grounded summary within the re-ask budget.

    Raised instead of returning a summary that failed validation: a summary with
    one invented figure is worse than none.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        attempts: int = 0,
        errors: str = "",
        reply: dict[str, object] | None = None,
        usage: Usage | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.attempts = attempts
        self.errors = errors
        #: The model's last answer as parsed JSON, for salvage; None when it was not JSON.
        self.reply = reply
        #: Tokens the failed attempts cost (a salvaged summary still reports them).
        self.usage = usage


class TruncationError(SummarizationError):
    """The model's reply was cut off (finish_reason == "length"). ``reply`` holds what was
    complete before the cut (for salvage); ``at_limit`` says whether the cut came at the
    ``max_tokens`` sent (asking again with the same limit cuts the same reply) or earlier
    (the server's own limit: asking again may complete it)."""

    def __init__(self, message: str, *, at_limit: bool = True, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.at_limit = at_limit


class EmptySummaryError(SummarizationError):
    """The model answered with no point for a report that makes points, even when asked again."""

    @classmethod
    def for_report(cls, points: int, attempts: int, usage: Usage) -> EmptySummaryError:
        """The error of an answer with nothing in it for a report that makes ``points``."""
        return cls(
            f"the model returned nothing for a report with {points} "
            f"point{'s' * (points != 1)}; try a stronger model or --backend offline "
            "(or --fallback offline)",
            attempts=attempts,
            usage=usage,
        )


class ResendError(SummarizerError):
    """A call needs a request this run may not send: a batch engine's results have no
    usable answer for it and no endpoint is configured. ``body`` is that request (for a
    failed answer, the re-ask the online path would send), to be answered by the engine
    (``summarizer batch --export`` writes it)."""

    def __init__(
        self,
        message: str,
        *,
        body: dict[str, object],
        path: str | os.PathLike[str] | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, path=path)
        self.body = body
        #: The engine's answers this call spent (0 or 1): the resend goes on from there.
        self.attempts = attempts
