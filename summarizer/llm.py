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

401/403/404 fail at once with the setting to fix. openai and instructor are
imported lazily: ``summarizer --help`` and the offline engine never load them.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import random
import re
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from summarizer.errors import (
    ConfigError,
    EndpointError,
    SummarizationError,
    SummarizerError,
    TransportError,
    TruncationError,
)
from summarizer.schemas import GROUNDING_SOURCE, DraftSummary, Usage
from summarizer.settings import Settings
from summarizer.throttle import MAX_RETRY_AFTER, Throttle

__all__ = [
    "INSTRUCTOR_MODES",
    "CallRecord",
    "LLMBackend",
    "retry_after_seconds",
    "strip_reasoning",
]

log = logging.getLogger(__name__)

#: Our mode names → instructor.Mode members.
INSTRUCTOR_MODES = {
    "tools": "TOOLS",
    "json": "JSON",
    "json_schema": "JSON_SCHEMA",
    "md_json": "MD_JSON",
}

#: Placeholder for servers that need no key (vLLM, Ollama): the client insists on one.
_NO_KEY = "no-key-configured"
_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_BACKOFF_FIRST, _BACKOFF_MAX = 0.5, 20.0
_THINK_END = "</think>"
_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


def strip_reasoning(content: str, *, want_json: bool) -> str:
    """Drop ``<think>…</think>`` that reasoning models emit before their answer;
    with ``want_json``, also unwrap a fenced or prose-wrapped JSON object."""
    if _THINK_END in content:
        content = content.rsplit(_THINK_END, 1)[1]
    content = content.strip()
    if want_json and not content.startswith("{"):
        fenced = _FENCED_JSON.search(content)
        if fenced:
            content = fenced.group(1)
        elif "{" in content and "}" in content:
            content = content[content.index("{") : content.rindex("}") + 1]
    return content


@dataclass
class CallRecord:
    """What one summarize call cost: filled by instructor hooks, one per call."""

    mode: str
    attempts: int = 0
    transport_tries: int = 0
    usage: Usage = field(default_factory=Usage)
    #: The last reply's JSON text (tool arguments or content): what is salvaged when
    #: every re-ask failed validation.
    last_reply: str | None = None
    _prompt_chars: int = 0
    _tool: str | None = None

    def hooks(self) -> Any:
        from instructor.core.hooks import Hooks

        hooks = Hooks()
        hooks.on("completion:kwargs", self._on_request)
        hooks.on("completion:response", self._on_response)
        return hooks

    def _on_request(self, *args: Any, **kwargs: Any) -> None:
        messages = kwargs.get("messages") or []
        self._prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
        tools = kwargs.get("tools") or []
        self._tool = tools[0]["function"]["name"] if tools else None

    def _on_response(self, response: Any) -> None:
        """Count the attempt, add its usage, and clean reasoning text before parsing."""
        self.attempts += 1
        choices = getattr(response, "choices", None) or []
        reply_chars = 0
        for choice in choices:
            message = choice.message
            if isinstance(message.content, str):
                message.content = strip_reasoning(message.content, want_json=self.mode != "tools")
                reply_chars += len(message.content)
                if self.mode == "tools" and not message.tool_calls:
                    _content_as_tool_call(message, self._tool)
            for call in message.tool_calls or []:
                reply_chars += len(call.function.arguments or "")
            if message.tool_calls:
                self.last_reply = message.tool_calls[0].function.arguments
            elif isinstance(message.content, str):
                self.last_reply = strip_reasoning(message.content, want_json=True)
        usage = getattr(response, "usage", None)
        if usage is not None and usage.prompt_tokens is not None:
            prompt = usage.prompt_tokens or 0
            completion = usage.completion_tokens or 0
            self.usage += Usage(
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=usage.total_tokens or prompt + completion,
            )
        else:  # the server reported nothing: estimate (~1.5 chars per token for Chinese)
            prompt, completion = round(self._prompt_chars / 1.5), round(reply_chars / 1.5)
            self.usage += Usage(
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=prompt + completion,
                estimated=True,
            )


@cache
def _response_model() -> type[DraftSummary]:
    """DraftSummary wrapped for instructor once: left to itself, instructor wraps it anew
    on every call, which also defeats its schema cache (~7 ms of CPU per request)."""
    import instructor

    return instructor.response_schema(DraftSummary)


def _content_as_tool_call(message: Any, tool: str | None) -> None:
    """Servers that ignore a forced ``tool_choice`` answer with JSON as plain content;
    take it as the tool call rather than spend a re-ask on the server's quirk."""
    content = strip_reasoning(message.content or "", want_json=True)
    if tool is None or not content.startswith("{"):
        return
    from openai.types.chat import ChatCompletionMessageFunctionToolCall as ToolCall

    arguments = {"name": tool, "arguments": content}
    message.tool_calls = [
        ToolCall.model_validate(
            {"id": "call_from_content", "type": "function", "function": arguments}
        )
    ]
    message.content = None


def _api_cause(exc: BaseException) -> BaseException:
    """The API error inside instructor's wrapper, or ``exc`` itself."""
    from instructor.core.exceptions import InstructorRetryException

    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def _is_transient(exc: BaseException) -> bool:
    import openai

    cause = _api_cause(exc)
    if isinstance(cause, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return (
        isinstance(cause, openai.APIStatusError)
        and (cause.status_code in _RETRYABLE_STATUS or cause.status_code >= 500)
        and not _rejects_mode(cause)
    )


#: What a server's error says when it cannot do the structured-output mode asked for.
_MODE_FIELDS = re.compile(r"response_format|json_schema|tool_choice|\btools?\b", re.IGNORECASE)
#: Modes to suggest when a server rejects one (md_json asks the server for nothing).
_MODES_TO_TRY = {
    "tools": ("json", "md_json"),
    "json_schema": ("json", "md_json"),
    "json": ("md_json",),
    "md_json": ("json",),
}


def _rejects_mode(exc: BaseException) -> bool:
    """Whether an HTTP error names the request's mode fields: a configuration error, which
    the same request retried will meet again (llama-cpp-python answers 500, vLLM 400)."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code in (401, 403, 404, 429):
        return False
    text = exc.message if isinstance(exc.message, str) else ""
    return bool(_MODE_FIELDS.search(text + " " + _body_text(exc)))


def _body_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    try:
        return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    except (TypeError, ValueError):
        return ""


def _json_object(text: str | None) -> dict[str, Any] | None:
    """The JSON object in a reply's text, or None."""
    if not text:
        return None
    try:
        value = json.loads(strip_reasoning(text, want_json=True))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``/``retry-after-ms``), if any."""
    response = getattr(_api_cause(exc), "response", None)
    return retry_after_seconds(getattr(response, "headers", None))


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) from response headers."""
    if headers is None:
        return None
    try:
        if ms := headers.get("retry-after-ms"):
            return float(ms) / 1000
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _throttled_transport(throttle: Throttle) -> Any:
    """An httpx transport that takes a :class:`Throttle` slot around every request."""
    import httpx

    class ThrottledTransport(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await throttle.acquire()
            status: int | None = None
            retry_after = None
            try:
                response = await super().handle_async_request(request)
                status = response.status_code
                retry_after = retry_after_seconds(response.headers)
                return response
            finally:
                await throttle.release(status, retry_after)

    # openai's own defaults: many connections, so the throttle (not the pool) is the bound
    return ThrottledTransport(
        verify=_tls_context(),
        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
    )


@functools.cache
def _tls_context() -> Any:
    """httpx's default TLS context, made once per process: loading the CA bundle costs
    ~35 ms, which every batch (and every ``asummarize`` call) would otherwise pay again
    before its first request."""
    import httpx

    return httpx.create_ssl_context()


class LLMBackend:
    """Summarize through an OpenAI-compatible endpoint. One instance per settings."""

    def __init__(self, settings: Settings, *, throttle: Throttle | None = None) -> None:
        if not settings.api_key and not settings.base_url:
            raise ConfigError(
                "no LLM endpoint configured: set OPENAI_API_KEY (or SUMMARIZER_API_KEY), "
                "or OPENAI_BASE_URL for a local server, or use --backend offline"
            )
        self.settings = settings
        self.throttle = throttle
        self._clients: dict[bool, Any] = {}

    def close(self) -> None:
        """Close the sync client's connections."""
        client = self._clients.pop(False, None)
        if client is not None:
            client.client.close()

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
            if is_async and self.throttle is not None:
                extra["http_client"] = openai.DefaultAsyncHttpxClient(
                    transport=_throttled_transport(self.throttle), timeout=s.timeout
                )
            raw = cls(
                base_url=s.base_url,
                api_key=s.api_key or _NO_KEY,
                timeout=s.timeout,
                max_retries=0,  # transport retries are ours (tenacity), not the client's
                **extra,
            )
            mode = getattr(instructor.Mode, INSTRUCTOR_MODES[s.mode])
            self._clients[is_async] = instructor.from_openai(raw, mode=mode)
        return self._clients[is_async]

    def _create_kwargs(self, messages: list[dict[str, str]]) -> dict:
        s = self.settings
        kwargs: dict[str, Any] = {
            "response_model": _response_model(),
            "messages": [dict(m) for m in messages],
            "model": s.model,
            "temperature": s.temperature,
            "max_retries": s.max_retries,
            "strict": False,  # let "2000" and 2000 both be a value; the validators decide
        }
        if s.max_tokens:
            kwargs["max_tokens"] = s.max_tokens
        return kwargs

    def _retry_policy(self, record: CallRecord) -> dict[str, Any]:
        from tenacity import retry_if_exception, stop_after_attempt, stop_after_delay

        s = self.settings

        def wait(state: Any) -> float:
            """The server's Retry-After when it gives one, else exponential backoff with jitter."""
            exc = state.outcome.exception() if state.outcome else None
            asked = _retry_after(exc) if exc else None
            if asked is not None:
                return min(asked, MAX_RETRY_AFTER)
            return min(
                _BACKOFF_MAX, _BACKOFF_FIRST * 2 ** (state.attempt_number - 1)
            ) + random.uniform(0, _BACKOFF_FIRST)

        def before(state: Any) -> None:
            record.transport_tries = state.attempt_number

        def before_sleep(state: Any) -> None:
            exc = state.outcome.exception()
            log.warning(
                "transport error (%s); retry %d/%d in %.1fs",
                _describe(_api_cause(exc)),
                state.attempt_number,
                s.transport_retries,
                state.next_action.sleep if state.next_action else 0.0,
            )

        return {
            "stop": stop_after_attempt(s.transport_retries + 1)
            | stop_after_delay(s.transport_deadline),
            "wait": wait,
            "retry": retry_if_exception(_is_transient),
            "before": before,
            "before_sleep": before_sleep,
            "reraise": True,
        }

    # ------------------------------------------------------------------ calls

    def _start(self, is_async: bool) -> tuple[Any, CallRecord, Any]:
        """The client, a fresh record of this call, and the hooks that fill it."""
        record = CallRecord(mode=self.settings.mode)
        return self.client(is_async), record, record.hooks()

    def complete(
        self, messages: list[dict[str, str]], context: dict[str, Any]
    ) -> tuple[DraftSummary, CallRecord]:
        """One validated draft for ``messages``, or a :class:`SummarizerError`."""
        from tenacity import Retrying

        client, record, hooks = self._start(is_async=False)
        grounding = GROUNDING_SOURCE.set(context["source"])
        try:
            for attempt in Retrying(**self._retry_policy(record)):
                with attempt:
                    draft = client.create(**self._create_kwargs(messages), hooks=hooks)
        except Exception as exc:
            raise self._translate(exc, record) from exc
        finally:
            GROUNDING_SOURCE.reset(grounding)
        return draft, record

    async def acomplete(
        self, messages: list[dict[str, str]], context: dict[str, Any]
    ) -> tuple[DraftSummary, CallRecord]:
        """Async :meth:`complete` (same budgets, same errors)."""
        from tenacity import AsyncRetrying

        client, record, hooks = self._start(is_async=True)
        grounding = GROUNDING_SOURCE.set(context["source"])  # this task's copy only
        try:
            async for attempt in AsyncRetrying(**self._retry_policy(record)):
                with attempt:
                    kwargs = self._create_kwargs(messages)
                    draft = await client.create(**kwargs, hooks=hooks)
        except Exception as exc:
            raise self._translate(exc, record) from exc
        finally:
            GROUNDING_SOURCE.reset(grounding)
        return draft, record

    # ------------------------------------------------------------------ errors

    def _translate(self, exc: BaseException, record: CallRecord) -> BaseException:
        """Map what openai/instructor raised to one of our errors, with what to do; a
        server that echoes the API key in its error text does not get it printed."""
        error = self._classify(exc, record)
        key = self.settings.api_key
        if key and isinstance(error, SummarizerError) and key in error.message:
            error.message = error.message.replace(key, "***")
            error.args = (error.message,)
        return error

    def _classify(self, exc: BaseException, record: CallRecord) -> BaseException:
        import openai
        from instructor.core.exceptions import IncompleteOutputException, ResponseParsingError
        from pydantic import ValidationError

        if isinstance(exc, SummarizerError):
            return exc
        s = self.settings
        cause = _api_cause(exc)
        host = s.host
        tries = max(record.transport_tries, 1)
        if isinstance(cause, IncompleteOutputException) or isinstance(
            exc, IncompleteOutputException
        ):
            limit = (
                f"max_tokens={s.max_tokens}"
                if s.max_tokens
                else "the server's default output limit (no max_tokens sent)"
            )
            return TruncationError(
                f"the model's reply was cut off at {limit} before the summary was complete; "
                "raise it with --max-tokens or SUMMARIZER_MAX_TOKENS"
            )
        if isinstance(cause, (ValidationError, json.JSONDecodeError, ResponseParsingError)):
            detail = _first_lines(str(cause), 6)
            return SummarizationError(
                f"the model's summary failed validation on all {record.attempts} attempt(s) "
                f"({s.max_retries} re-ask(s)); nothing was returned. Last errors: {detail}",
                attempts=record.attempts,
                errors=str(cause),
                reply=_json_object(record.last_reply),
                usage=record.usage,
            )
        if isinstance(cause, openai.AuthenticationError):
            return ConfigError(
                f"{host} rejected the API key (HTTP 401): set OPENAI_API_KEY "
                "(or SUMMARIZER_API_KEY) to a valid key for this endpoint"
            )
        if isinstance(cause, openai.PermissionDeniedError):
            return ConfigError(
                f"{host} denied access (HTTP 403) to model {s.model!r}: use a key allowed to "
                "call it, or set SUMMARIZER_MODEL to a model the key may use"
            )
        if isinstance(cause, openai.NotFoundError):
            return ConfigError(
                f"{host} answered 404 for model {s.model!r}: set SUMMARIZER_MODEL to a model "
                "the endpoint serves, and check OPENAI_BASE_URL (it usually ends in /v1)"
            )
        times = f"{tries} tr{'y' if tries == 1 else 'ies'}"
        if isinstance(cause, openai.APITimeoutError):
            return TransportError(
                f"no answer from {host} within {s.timeout:g}s, {times}; "
                "raise --timeout (SUMMARIZER_TIMEOUT) or try a faster model"
            )
        if isinstance(cause, openai.APIConnectionError):
            return TransportError(
                f"cannot reach {s.base_url or host} after {times} "
                f"({_describe(cause)}); check OPENAI_BASE_URL and that the server is running"
            )
        if isinstance(cause, openai.APIStatusError):
            if _rejects_mode(cause):
                others = " or ".join(f"--mode {m}" for m in _MODES_TO_TRY[s.mode])
                return ConfigError(
                    f"{host} does not support --mode {s.mode} ({_describe(cause)}); try {others}"
                )
            if _is_transient(cause):
                return TransportError(
                    f"{host} still failing after {times} ({_describe(cause)}); try again "
                    "later or raise SUMMARIZER_TRANSPORT_RETRIES / SUMMARIZER_TRANSPORT_DEADLINE"
                )
            hint = (
                "; if the server does not support forced tool calls, "
                "try --mode json or --mode md_json"
                if s.mode in ("tools", "json_schema")
                else ""
            )
            return EndpointError(f"{host} refused the request ({_describe(cause)}){hint}")
        return exc


def _describe(exc: BaseException | None) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {_first_lines(_server_message(exc), 1)}"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


#: A server's error text is cut to this many characters in a message.
_SERVER_TEXT_CHARS = 240


def _server_message(exc: Any) -> str:
    """The server's own error text: ``error.message`` of the body when there is one (the
    client's ``message`` is ``Error code: N - {repr of the body}``, escapes and all)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return exc.message if isinstance(exc.message, str) else ""


def _first_lines(text: str, n: int) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    short = " | ".join(lines[:n])
    if len(short) > _SERVER_TEXT_CHARS * n:
        short = short[: _SERVER_TEXT_CHARS * n] + "…"
    return short if len(lines) <= n else short + " | …"
