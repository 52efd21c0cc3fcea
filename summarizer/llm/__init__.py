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
* **Truncation** (``finish_reason == "length"``): not re-asked (the same limit
  would cut the same reply); a :class:`TruncationError` names the limit.

401/403/404 fail at once with the setting to fix (:mod:`.translate`). Replies
are repaired before parsing (:mod:`.reply`) and counted (:mod:`.accounting`). openai
and instructor are imported lazily: ``summarizer --help`` and the offline engine
never load them.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from summarizer.errors import ConfigError, ResendError
from summarizer.llm.accounting import CallRecord
from summarizer.llm.replay import REPLAY, Recorded, Replay, quiet_when_held, replay_transport
from summarizer.llm.reply import ReplyRepair, response_model
from summarizer.llm.translate import api_cause, describe, is_transient, retry_after, translate
from summarizer.llm.transport import plain_transport, throttled_transport
from summarizer.schemas import GROUNDING_SOURCE, DraftSummary, SourceText
from summarizer.settings import MODE_SPECS, Settings
from summarizer.throttle import MAX_RETRY_AFTER, Throttle

__all__ = ["CallRecord", "LLMBackend", "Recorded", "Replay"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: Placeholder for servers that need no key (vLLM, Ollama): the client insists on one.
_NO_KEY = "no-key-configured"
#: The base URL of a client with no endpoint (``replays`` without one): it never sends.
_NOWHERE = "http://no-endpoint.invalid/v1"
#: Exponential backoff between transport tries, in seconds: the first wait, the longest.
_BACKOFF_FIRST, _BACKOFF_MAX = 0.5, 20.0
#: A failed batch answer's first validation error is told in at most this many characters.
_REASON_CHARS = 200


class LLMBackend:
    """Summarize through an OpenAI-compatible endpoint. One instance per settings.

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
        self._clients: dict[bool, Any] = {}

    def close(self) -> None:
        """Close the sync client's connections."""
        client = self._clients.pop(False, None)
        if client is not None:
            client.client.close()

    @property
    def connected(self) -> bool:
        """Whether a client (and its connection pool) is open."""
        return bool(self._clients)

    async def aclose(self) -> None:
        """Close the async client's connections (call it in the event loop that used them)."""
        client = self._clients.pop(True, None)
        if client is not None:
            await client.client.close()

    # ------------------------------------------------------------------ clients

    def client(self, is_async: bool) -> Any:
        """The instructor client (sync or async), made on first use: importing openai and
        instructor takes ~1 s, which `summarizer --help` and the offline engine never pay."""
        if is_async not in self._clients:
            import instructor
            import openai

            s = self.settings
            cls = openai.AsyncOpenAI if is_async else openai.OpenAI
            extra: dict[str, Any] = {}
            transport: Any = None
            if is_async and self.throttle is not None:
                transport = throttled_transport(self.throttle)
            if self.replays:
                quiet_when_held()
                if transport is None and self.sends:
                    transport = plain_transport(is_async)
                transport = replay_transport(transport if self.sends else None, is_async=is_async)
            if transport is not None:
                http = openai.DefaultAsyncHttpxClient if is_async else openai.DefaultHttpxClient
                extra["http_client"] = http(transport=transport, timeout=s.timeout)
            raw = cls(
                base_url=s.base_url if self.sends else _NOWHERE,
                api_key=s.api_key or _NO_KEY,
                timeout=s.timeout,
                max_retries=0,  # transport retries are ours (tenacity), not the client's
                **extra,
            )
            mode = getattr(instructor.Mode, MODE_SPECS[s.mode].instructor)
            self._clients[is_async] = instructor.from_openai(raw, mode=mode)
        return self._clients[is_async]

    def _create_kwargs(
        self,
        messages: list[dict[str, str]],
        model: type[M],
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> dict[str, Any]:
        s = self.settings
        reasks = s.max_retries if replay is None or replay.reasks is None else replay.reasks
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

        s = self.settings

        def wait(state: Any) -> float:
            """The server's Retry-After when it gives one, else exponential backoff with jitter."""
            exc = state.outcome.exception() if state.outcome else None
            asked = retry_after(exc) if exc else None
            if asked is not None:
                return min(float(asked), MAX_RETRY_AFTER)
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

        return {
            "stop": stop_after_attempt(s.transport_retries + 1)
            | stop_after_delay(s.transport_deadline),
            "wait": wait,
            "retry": retry_if_exception(_worth_retrying),
            "before": before,
            "before_sleep": before_sleep,
            "reraise": True,
        }

    # ------------------------------------------------------------------ calls

    def _start(self, is_async: bool) -> tuple[Any, CallRecord, ReplyRepair, Any]:
        """The client, fresh records of this call, and the hooks that fill them (repair
        first, so that what is counted is the reply as parsed)."""
        from instructor.core.hooks import Hooks

        record, repair = CallRecord(), ReplyRepair(mode=self.settings.mode)
        hooks = Hooks()
        for handler in (repair, record):
            hooks.on("completion:kwargs", handler.on_request)
            hooks.on("completion:response", handler.on_response)
        return self.client(is_async), record, repair, hooks

    def complete(
        self,
        messages: list[dict[str, str]],
        source: SourceText,
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[DraftSummary, CallRecord]:
        """One validated draft for ``messages``, grounded in ``source``, or a
        :class:`~summarizer.errors.SummarizerError` (``replay``: see :meth:`ask`)."""
        grounding = GROUNDING_SOURCE.set(source)
        try:
            return self.ask(messages, response_model(), max_tokens, replay)
        finally:
            GROUNDING_SOURCE.reset(grounding)

    async def acomplete(
        self,
        messages: list[dict[str, str]],
        source: SourceText,
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[DraftSummary, CallRecord]:
        """Async :meth:`complete` (same budgets, same errors)."""
        grounding = GROUNDING_SOURCE.set(source)  # this task's copy only
        try:
            return await self.aask(messages, response_model(), max_tokens, replay)
        finally:
            GROUNDING_SOURCE.reset(grounding)

    def _log_prompt(self, messages: list[dict[str, str]]) -> None:
        """The prompt, whole, once per call (``--debug``): the libraries' own records of
        each request are cut short by the command."""
        if log.isEnabledFor(logging.DEBUG):
            s = self.settings
            text = "\n".join(f"[{m['role']}] {m['content']}" for m in messages)
            log.debug("prompt to %s, model %s, mode %s:\n%s", s.host, s.model, s.mode, text)

    def ask(
        self,
        messages: list[dict[str, str]],
        model: type[M],
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[M, CallRecord]:
        """One answer to ``messages`` validated as ``model``, through the retry budgets and
        the reply repair, or a :class:`~summarizer.errors.SummarizerError`. ``replay``
        (a backend made with ``replays``): answer the first request from a batch
        engine's results, and hold back what may not be sent (:class:`ResendError`)."""
        from tenacity import Retrying

        self._log_prompt(messages)
        client, record, repair, hooks = self._start(is_async=False)
        with self._scope(replay, record, repair):
            for attempt in Retrying(**self._retry_policy(record)):
                with attempt:
                    answer: M = client.create(
                        **self._create_kwargs(messages, model, max_tokens, replay), hooks=hooks
                    )
        return answer, record

    async def aask(
        self,
        messages: list[dict[str, str]],
        model: type[M],
        max_tokens: int | None,
        replay: Replay | None = None,
    ) -> tuple[M, CallRecord]:
        """Async :meth:`ask` (same budgets, same errors)."""
        from tenacity import AsyncRetrying

        self._log_prompt(messages)
        client, record, repair, hooks = self._start(is_async=True)
        with self._scope(replay, record, repair):  # the replay is this task's copy only
            async for attempt in AsyncRetrying(**self._retry_policy(record)):
                with attempt:
                    answer: M = await client.create(
                        **self._create_kwargs(messages, model, max_tokens, replay), hooks=hooks
                    )
        return answer, record

    @contextlib.contextmanager
    def _scope(
        self, replay: Replay | None, record: CallRecord, repair: ReplyRepair
    ) -> Iterator[None]:
        """One call: its replay state in force (a backend that may not send holds every
        request), and what it raises made our error (:meth:`_error`)."""
        if replay is None and self.replays and not self.sends:
            replay = Replay()
        token = REPLAY.set(replay)
        try:
            yield
        except Exception as exc:
            raise self._error(exc, record, repair) from exc
        finally:
            REPLAY.reset(token)

    def _error(self, exc: Exception, record: CallRecord, repair: ReplyRepair) -> BaseException:
        """Our error for a failed call: a held request as :class:`ResendError`, the rest
        translated (:mod:`.translate`)."""
        state = REPLAY.get()
        if state is not None and state.held is not None:
            return ResendError(
                f"the batch answer failed validation ({_first_error(state.held)}) and no "
                "endpoint is configured to re-ask"
                if state.served
                else state.why,
                body=state.held,
                attempts=record.attempts,
            )
        return translate(exc, self.settings, record, repair.last_reply)

    def request_body(
        self, messages: list[dict[str, str]], max_tokens: int | None
    ) -> dict[str, Any]:
        """The JSON body the online path would send first for ``messages``, in the mode in
        force, built by the client itself and held back (``summarizer batch --export``)."""
        replay = Replay()
        try:
            self.ask(messages, response_model(), max_tokens, replay)
        except ResendError as exc:
            return exc.body
        raise AssertionError("a held request was answered")  # pragma: no cover


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
    state = REPLAY.get()
    if state is not None and state.held is not None:
        return False
    return is_transient(exc)
