"""The LLM backend: instructor over the openai client, three retry budgets kept apart.

* **Transport** (429, 5xx, timeouts, dropped connections): tenacity around the
  whole instructor call, exponential backoff with jitter, ``Retry-After``
  honoured, bounded in tries and in time. The openai client's own retries are
  off (``max_retries=0``) so the two never multiply. instructor ≥ 1.17 does not
  re-ask on API errors; it wraps them in ``InstructorRetryException`` with the
  cause in ``__cause__``, which is what we classify. A transport error therefore
  never reaches the model as a "validation error".
* **Validation**: instructor re-asks with the validators' messages
  (``max_retries`` re-asks, i.e. ``max_retries + 1`` attempts).
* **Truncation** (``finish_reason == "length"``): not re-asked by instructor (the same
  limit would cut the same reply); a :class:`TruncationError` names the limit that was
  hit and holds what was complete before the cut. The asking stage asks once more when
  the server cut the reply below the ``max_tokens`` sent, and otherwise keeps the
  complete points (``summarizer.pipeline.ask``).

401/403/404 fail at once with the setting to fix (:mod:`.translate`). Replies
are repaired before parsing (:mod:`.reply`) and counted (:mod:`.accounting`). openai
and instructor are imported lazily: ``summarizer --help`` and the offline engine
never load them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from summarizer.errors import ConfigError
from summarizer.llm.accounting import CallRecord
from summarizer.llm.replay import (
    REPLAY,
    HoldFirst,
    Replay,
    ReplayRun,
    ServeFirst,
    quiet_when_held,
    replay_transport,
)
from summarizer.llm.reply import ReplyRepair, response_model
from summarizer.llm.translate import (
    api_cause,
    describe,
    is_refused,
    is_transient,
    retry_after,
    translate,
)
from summarizer.llm.transport import plain_transport, throttled_transport
from summarizer.schemas import GROUNDING_SOURCE, DraftSummary, SourceText
from summarizer.settings import MODE_SPECS, Settings
from summarizer.throttle import MAX_RETRY_AFTER, Throttle

__all__ = ["CallRecord", "Held", "HoldFirst", "LLMBackend", "Replay", "ServeFirst"]

log = logging.getLogger(__name__)
#: instructor logs each failed call at ERROR ("API call failed on attempt 1: Connection
#: error."); with no handler of the application's, Python prints that on stderr, five lines
#: for one refused connection. Our error already says it, once: a handler here keeps it
#: quiet unless the application logs (``--debug`` configures the root logger: shown then).
logging.getLogger("instructor").addHandler(logging.NullHandler())

M = TypeVar("M", bound=BaseModel)

#: Placeholder for servers that need no key (vLLM, Ollama): the client insists on one.
_NO_KEY = "no-key-configured"
#: The base URL of a client with no endpoint (``replays`` without one): it never sends.
_NOWHERE = "http://no-endpoint.invalid/v1"
#: Exponential backoff between transport tries, in seconds: the first wait, the longest.
_BACKOFF_FIRST, _BACKOFF_MAX = 0.5, 20.0
#: A refused connection (nothing listening) is tried this many times, this far apart.
_REFUSED_TRIES, _REFUSED_WAIT = 2, 0.3
#: A failed batch answer's first validation error is told in at most this many characters.
_REASON_CHARS = 200


@dataclass(frozen=True)
class Held:
    """A call that stopped at a request it may not send: the request's body (for the
    batch engine to answer), why it was held, and the answers spent before it."""

    body: dict[str, Any]
    why: str
    attempts: int


class LLMBackend:
    """Summarize through an OpenAI-compatible endpoint. One instance per settings; one
    async implementation (the sync API runs it on a loop of its own).

    ``replays``: calls may be answered from a batch engine's results and their requests
    held back (:mod:`.replay`); such a backend needs no endpoint, and without one it
    sends nothing at all.
    """

    def __init__(
        self, settings: Settings, *, throttle: Throttle | None = None, replays: bool = False
    ) -> None:
        self.sends = bool(settings.api_key or settings.base_url)
        if not self.sends and not replays:
            raise ConfigError(
                "no LLM endpoint configured: set OPENAI_API_KEY (or SUMMARIZER_API_KEY), "
                "or OPENAI_BASE_URL for a local server, or use --backend offline"
            )
        self.settings = settings
        self.throttle = throttle
        self.replays = replays
        #: One client per event loop: a client's connection pool belongs to its loop.
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}

    @property
    def connected(self) -> bool:
        """Whether a client (and its connection pool) is open."""
        return bool(self._clients)

    async def aclose(self) -> None:
        """Close the connections of this event loop's client."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.client.close()

    # ------------------------------------------------------------------ clients

    def client(self) -> Any:
        """The instructor client of the running event loop, made on first use: importing
        openai and instructor takes ~1 s, which `summarizer --help` and the offline engine
        never pay."""
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            for gone in [other for other in self._clients if other.is_closed()]:
                del self._clients[gone]
            self._clients[loop] = self._new_client()
        return self._clients[loop]

    def _new_client(self) -> Any:
        import instructor
        import openai

        s = self.settings
        extra: dict[str, Any] = {}
        transport: Any = None
        if self.throttle is not None:
            transport = throttled_transport(self.throttle)
        if self.replays:
            quiet_when_held()
            if transport is None and self.sends:
                transport = plain_transport()
            transport = replay_transport(transport if self.sends else None)
        if transport is not None:
            extra["http_client"] = openai.DefaultAsyncHttpxClient(
                transport=transport, timeout=s.timeout
            )
        raw = openai.AsyncOpenAI(
            base_url=s.base_url if self.sends else _NOWHERE,
            api_key=s.api_key or _NO_KEY,
            timeout=s.timeout,
            max_retries=0,  # transport retries are ours (tenacity), not the client's
            **extra,
        )
        mode = getattr(instructor.Mode, MODE_SPECS[s.mode].instructor)
        return instructor.from_openai(raw, mode=mode)

    def _create_kwargs(
        self,
        messages: list[dict[str, str]],
        model: type[M],
        max_tokens: int | None,
        replay: Replay | None,
    ) -> dict[str, Any]:
        s = self.settings
        reasks = s.max_retries
        if isinstance(replay, ServeFirst) and replay.reasks is not None:
            reasks = replay.reasks
        kwargs: dict[str, Any] = {
            "response_model": model,
            "messages": [dict(m) for m in messages],
            "model": s.model,
            "temperature": s.temperature,
            "max_retries": reasks,
            "strict": False,  # let "2000" and 2000 both be a value; the validators decide
        }
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        return kwargs

    def _retry_policy(self, record: CallRecord) -> dict[str, Any]:
        import openai
        from tenacity import retry_if_exception, stop_after_attempt, stop_after_delay
        from tenacity.stop import stop_base

        s = self.settings

        def wait(state: Any) -> float:
            """The server's Retry-After when it gives one, else exponential backoff with jitter."""
            exc = state.outcome.exception() if state.outcome else None
            asked = retry_after(exc) if exc else None
            if asked is not None:
                return min(float(asked), MAX_RETRY_AFTER)
            if exc is not None and is_refused(exc):
                return _REFUSED_WAIT
            tries: int = state.attempt_number
            backoff = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2.0 ** (tries - 1))
            return backoff + random.uniform(0, _BACKOFF_FIRST)

        def before(state: Any) -> None:
            record.transport_tries = state.attempt_number

        def before_sleep(state: Any) -> None:
            exc = state.outcome.exception()
            # a server that answers slowly or says 429/5xx is worth a line; no connection at
            # all is said once, by the error at the end (a batch would print one per try)
            silent = isinstance(api_cause(exc), openai.APIConnectionError)
            level = logging.INFO if silent else logging.WARNING
            log.log(
                level,
                "transport error (%s); retry %d/%d in %.1fs",
                describe(api_cause(exc)),
                state.attempt_number,
                s.transport_retries,
                state.next_action.sleep if state.next_action else 0.0,
            )

        class RefusedAgain(stop_base):
            """Nothing listens: one quick retry, then the error (not the backoff's 12 s)."""

            def __call__(self, state: Any) -> bool:
                exc = state.outcome.exception() if state.outcome else None
                tried = state.attempt_number >= _REFUSED_TRIES
                return tried and exc is not None and is_refused(exc)

        return {
            "stop": stop_after_attempt(s.transport_retries + 1)
            | stop_after_delay(s.transport_deadline)
            | RefusedAgain(),
            "wait": wait,
            "retry": retry_if_exception(_worth_retrying),
            "before": before,
            "before_sleep": before_sleep,
            "reraise": True,
        }

    # ------------------------------------------------------------------ calls

    def _hooks(self, record: CallRecord, repair: ReplyRepair) -> Any:
        """The hooks that fill a call's records (repair first, so that what is counted is
        the reply as parsed)."""
        from instructor.core.hooks import Hooks

        hooks = Hooks()
        for handler in (repair, record):
            hooks.on("completion:kwargs", handler.on_request)
            hooks.on("completion:response", handler.on_response)
        return hooks

    async def complete(
        self,
        messages: list[dict[str, str]],
        source: SourceText,
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[DraftSummary, CallRecord] | Held:
        """One validated draft for ``messages``, grounded in ``source`` (``replay``: see
        :meth:`ask`)."""
        grounding = GROUNDING_SOURCE.set(source)  # this task's copy only
        try:
            return await self.ask(messages, response_model(), max_tokens, replay)
        finally:
            GROUNDING_SOURCE.reset(grounding)

    def _log_prompt(self, messages: list[dict[str, str]]) -> None:
        """The prompt, whole, once per call (``--debug``): the libraries' own records of
        each request are cut short by the command."""
        if log.isEnabledFor(logging.DEBUG):
            s = self.settings
            text = "\n".join(f"[{m['role']}] {m['content']}" for m in messages)
            log.debug("prompt to %s, model %s, mode %s:\n%s", s.host, s.model, s.mode, text)

    async def ask(
        self,
        messages: list[dict[str, str]],
        model: type[M],
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[M, CallRecord] | Held:
        """One answer to ``messages`` validated as ``model``, through the retry budgets and
        the reply repair, or a :class:`~summarizer.errors.SummarizerError` raised.
        ``replay`` (a backend made with ``replays``): the first request answered from a
        batch engine's results, or held; a call that stops at a held request is
        :class:`Held`, a value."""
        from tenacity import AsyncRetrying

        self._log_prompt(messages)
        client = self.client()
        record, repair = CallRecord(), ReplyRepair(mode=self.settings.mode)
        hooks = self._hooks(record, repair)
        if replay is None and self.replays and not self.sends:
            replay = HoldFirst()  # a backend that may not send holds every request
        run = None if replay is None else ReplayRun(replay)
        token = REPLAY.set(run)
        try:
            async for attempt in AsyncRetrying(**self._retry_policy(record)):
                with attempt:
                    answer: M = await client.create(
                        **self._create_kwargs(messages, model, max_tokens, replay), hooks=hooks
                    )
        except Exception as exc:
            if run is not None and run.held is not None:
                return Held(run.held.body, _held_why(run), record.attempts)
            raise translate(exc, self.settings, record, repair.last_reply) from exc
        finally:
            REPLAY.reset(token)
        return answer, record

    async def request_body(
        self, messages: list[dict[str, str]], max_tokens: int | None
    ) -> dict[str, Any]:
        """The JSON body the online path would send first for ``messages``, in the mode in
        force, built by the client itself and held back (``summarizer batch --export``)."""
        held = await self.ask(messages, response_model(), max_tokens, HoldFirst())
        if not isinstance(held, Held):  # pragma: no cover - a held request is never answered
            raise AssertionError("a held request was answered")
        return held.body


def _held_why(run: ReplayRun) -> str:
    """Why a call stopped at a held request: a served answer failed validation with no
    endpoint to re-ask, or the first request itself may not be sent."""
    if isinstance(run.replay, HoldFirst):
        return run.replay.why
    body = run.held.body if run.held is not None else {}
    return (
        f"the batch answer failed validation ({_first_error(body)}) and no endpoint is "
        "configured to re-ask"
    )


def _first_error(reask: dict[str, Any]) -> str:
    """The first validation error a held re-ask tells the model, in a few words: instructor
    puts pydantic's report in the last message (``N validation error(s) for Model``, then
    the field's path, when the error has one, and its message)."""
    messages = reask.get("messages") or [{}]
    lines = [line.strip() for line in str(messages[-1].get("content") or "").splitlines()]
    lines = [line for line in lines if line]
    for n, line in enumerate(lines):
        if "validation error" in line and n + 1 < len(lines):
            field, message = None, lines[n + 1]
            if " " not in message and n + 2 < len(lines):  # a path: the message follows
                field, message = message, lines[n + 2]
            message = message.split(" [type=")[0].removeprefix("Value error, ")
            said = f"{field}: {message}" if field else message
            return said if len(said) <= _REASON_CHARS else said[:_REASON_CHARS] + "…"
    return "see the re-ask it led to"


def _worth_retrying(exc: BaseException) -> bool:
    """tenacity's retry test: a transient error, unless a request was held back (sending
    it again would hold it again)."""
    run = REPLAY.get()
    if run is not None and run.held is not None:
        return False
    return is_transient(exc)
