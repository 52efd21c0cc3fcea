"""Replay: a call whose first answer comes from a batch engine's results file, and
requests that are written down instead of sent.

A provider's Batch API or ``vllm run-batch`` answers the very request the online path
would send. To treat that answer *exactly* as the online path treats its own (reply
repair, validation, re-asks with the validators' messages, truncation, usage), the
answer is handed to the real openai client and instructor at the HTTP layer: the
client's transport serves the recorded reply to the call's first request, and every
request after it (a re-ask) goes to the endpoint, or, when there is none, is *held*:
its body is kept and the call stops with :class:`Held`. ``summarizer batch --export``
holds every call's first request, so the lines it writes are, byte for byte, the
bodies the client would have sent.

The state of one call is a :class:`Replay` in a context variable, so concurrent calls
of an async batch each see their own.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["REPLAY", "Held", "Recorded", "Replay", "quiet_when_held", "replay_transport"]

#: instructor's loggers that report a failed request as an error: a held one is none.
_RETRY_LOGGERS = ("instructor.v2.retry", "instructor.core.retry", "instructor.retry")


@dataclass(frozen=True)
class Recorded:
    """An answer a batch engine gave: the chat completion's JSON body."""

    body: dict[str, Any]


@dataclass
class Replay:
    """How one call meets the network.

    ``reply``: served to the call's first request instead of sending it (None: the first
    request is not answered from a file). ``forward``: whether the requests after it may
    go to the endpoint; when not, the first of them is held (``held``) and the call stops.
    """

    reply: Recorded | None = None
    forward: bool = False
    #: Why the first request has no recorded answer (said when it is held).
    why: str = "no endpoint is configured to send this request"
    #: The re-asks left to this call, when earlier rounds spent some (None: the setting).
    reasks: int | None = None
    #: The body of the request that was held back, once one was.
    held: dict[str, Any] | None = None
    #: Whether ``reply`` was served (it answers the call's first request, so it is the
    #: call's first answer).
    served: bool = False


#: The replay of the call running in this context (None: an ordinary online call).
REPLAY: ContextVar[Replay | None] = ContextVar("summarizer_replay", default=None)


class Held(Exception):
    """A request that may not be sent was held back; its body is in ``Replay.held``."""


def _intercept(request: httpx.Request, *, sends: bool) -> httpx.Response | None:
    """The recorded answer for this request, or None to send it; raises :class:`Held`
    when it may not be sent (the call's replay says so, or there is nowhere to send it)."""
    import httpx

    state = REPLAY.get()
    if state is not None and state.reply is not None and not state.served:
        state.served = True
        return httpx.Response(200, json=state.reply.body, request=request)
    if sends and (state is None or state.forward):
        return None
    if state is not None:
        state.held = json.loads(request.content or b"{}")
    raise Held("request held back (nothing may be sent)")


def replay_transport(inner: Any, *, is_async: bool) -> Any:
    """An httpx transport that replays and holds per :data:`REPLAY`, and sends the rest
    through ``inner`` (None: nothing is ever sent, every other request is held)."""
    import httpx

    if is_async:

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

    class ReplayTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            answered = _intercept(request, sends=inner is not None)
            if answered is not None:
                return answered
            response: httpx.Response = inner.handle_request(request)
            return response

        def close(self) -> None:
            if inner is not None:
                inner.close()

    return ReplayTransport()


class _QuietWhenHeld(logging.Filter):
    """Drops a library's record of a request that was held back on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        state = REPLAY.get()
        return state is None or state.held is None


_QUIET = _QuietWhenHeld()


def quiet_when_held() -> None:
    """Keep instructor from logging each held request as a failed call (an export of
    10,000 documents would log 20,000 errors)."""
    for name in _RETRY_LOGGERS:
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)
