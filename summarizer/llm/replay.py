"""Replay: a call whose first answer comes from a batch engine's results file, and
requests that are written down instead of sent.

A provider's Batch API or ``vllm run-batch`` answers the very request the online path
would send. To treat that answer *exactly* as the online path treats its own (reply
repair, validation, re-asks with the validators' messages, truncation, usage), the
answer is handed to the real openai client and instructor at the HTTP layer: the
client's transport serves the recorded reply to the call's first request, and every
request after it (a re-ask) goes to the endpoint, or, when there is none, is *held*:
its body is kept and the call stops. ``summarizer batch --export`` holds every call's
first request, so the lines it writes are, byte for byte, the bodies the client would
have sent.

What a call is to do is a :data:`Replay` (:class:`ServeFirst` | :class:`HoldFirst`),
chosen by the asking stage; how far it got is a :data:`Progress` (:class:`Pending` →
:class:`Replied` → :class:`HeldBody`). Both live in a :class:`ReplayRun` in a context
variable, since the transport that serves and holds sits below instructor and the openai
client; concurrent calls of an async batch each see their own.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from summarizer.batchfiles import Answered

if TYPE_CHECKING:
    import httpx

__all__ = [
    "REPLAY",
    "HeldBody",
    "HoldFirst",
    "Pending",
    "Progress",
    "Replay",
    "ReplayRun",
    "Replied",
    "ServeFirst",
    "quiet_when_held",
    "replay_transport",
]

#: instructor's loggers that report a failed request as an error: a held one is none.
_RETRY_LOGGERS = ("instructor.v2.retry", "instructor.core.retry", "instructor.retry")


@dataclass(frozen=True)
class ServeFirst:
    """The call's first request is answered by ``reply`` (a batch engine's answer); the
    requests after it (re-asks) go to the endpoint when ``forward``, else the first of
    them is held. ``reasks``: the re-asks left, when earlier rounds spent some (None: the
    setting)."""

    reply: Answered
    forward: bool
    reasks: int | None = None


@dataclass(frozen=True)
class HoldFirst:
    """The call's first request is held, never sent; ``why`` is said for it."""

    why: str = "no endpoint is configured to send this request"


Replay = ServeFirst | HoldFirst


@dataclass(frozen=True)
class Pending:
    """Nothing served or held yet."""


@dataclass(frozen=True)
class Replied:
    """The recorded reply answered the call's first request."""


@dataclass(frozen=True)
class HeldBody:
    """A request that may not be sent was held back: its JSON body."""

    body: dict[str, Any]


Progress = Pending | Replied | HeldBody


@dataclass
class ReplayRun:
    """One call's replay and how far it got (the one thing that changes: ``progress``)."""

    replay: Replay
    progress: Progress = Pending()

    @property
    def held(self) -> HeldBody | None:
        return self.progress if isinstance(self.progress, HeldBody) else None


#: The replay of the call running in this context (None: an ordinary online call).
REPLAY: ContextVar[ReplayRun | None] = ContextVar("summarizer_replay", default=None)


class _Holding(Exception):
    """Stops the client at a held request (the HTTP layer must answer or raise)."""


def _intercept(request: httpx.Request, *, sends: bool) -> httpx.Response | None:
    """The recorded answer for this request, or None to send it; a held request stops
    the call (its body kept in the run's progress)."""
    import httpx

    run = REPLAY.get()
    if run is None:
        if sends:
            return None
        run = ReplayRun(HoldFirst())  # nowhere to send it: held (never reached in practice)
    match run.replay, run.progress:
        case ServeFirst(reply=reply), Pending():
            run.progress = Replied()
            return httpx.Response(200, json=reply.body, request=request)
        case ServeFirst(forward=True), _ if sends:
            return None
    run.progress = HeldBody(json.loads(request.content or b"{}"))
    raise _Holding("request held back (nothing may be sent)")


def replay_transport(inner: Any) -> Any:
    """An async httpx transport that replays and holds per :data:`REPLAY`, and sends the
    rest through ``inner`` (None: nothing is ever sent, every other request is held)."""
    import httpx

    class AsyncReplayTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            answered = _intercept(request, sends=inner is not None)
            if answered is not None:
                return answered
            response: httpx.Response = await inner.handle_async_request(request)
            return response

        async def aclose(self) -> None:
            if inner is not None:
                await inner.aclose()

    return AsyncReplayTransport()


class _QuietWhenHeld(logging.Filter):
    """Drops a library's record of a request that was held back on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        run = REPLAY.get()
        return run is None or run.held is None


_QUIET = _QuietWhenHeld()


def quiet_when_held() -> None:
    """Keep instructor from logging each held request as a failed call (an export of
    10,000 documents would log 20,000 errors)."""
    for name in _RETRY_LOGGERS:
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)
