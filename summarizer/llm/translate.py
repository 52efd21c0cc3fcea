"""What openai and instructor raise, translated into our errors: what went wrong and
what to do, one line. Each rule is a small function that builds a new error; the
message is redacted (a server that echoes the API key does not get it printed) before
the error is made, never patched afterwards.
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.errors import (
    ConfigError,
    ContextLengthError,
    EndpointError,
    SummarizationError,
    SummarizerError,
    TransportError,
    TruncationError,
    UnreachableError,
)
from summarizer.llm.accounting import CallRecord
from summarizer.llm.reply import json_object, partial_object
from summarizer.settings import MODE_SPECS, Settings

__all__ = [
    "api_cause",
    "describe",
    "is_transient",
    "retry_after",
    "retry_after_seconds",
    "translate",
]

_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
#: What a server's error says when it cannot do the structured-output mode asked for.
_MODE_FIELDS = re.compile(r"response_format|json_schema|tool_choice|\btools?\b", re.IGNORECASE)
#: What servers say when a request is longer than the context: OpenAI and vLLM ("maximum
#: context length is 8192 tokens"), llama.cpp ("exceed context window", n_ctx), others.
_OVER_CONTEXT = re.compile(
    r"context[ _]length|context[ _]window|maximum context|n_ctx|too many tokens|"
    r"prompt is too long|input is too long|exceeds? the model",
    re.IGNORECASE,
)
#: A server's error text is cut to this many characters in a message.
_SERVER_TEXT_CHARS = 240
#: Lines of a validation error quoted in the message.
_VALIDATION_LINES = 6


def api_cause(exc: BaseException) -> BaseException:
    """The API error inside instructor's wrapper, or ``exc`` itself."""
    from instructor.core.exceptions import InstructorRetryException

    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def is_transient(exc: BaseException) -> bool:
    """Whether the same request may succeed if tried again (tenacity's retry test)."""
    import openai

    cause = api_cause(exc)
    if isinstance(cause, openai.APIConnectionError) and _caused_by(
        cause, socket.gaierror, _NO_SUCH_HOST
    ):
        return False  # a name that does not resolve will not resolve a second later
    if isinstance(cause, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return (
        isinstance(cause, openai.APIStatusError)
        and (cause.status_code in _RETRYABLE_STATUS or cause.status_code >= 500)
        and not _rejects_mode(cause)
        and not _over_context(cause)
    )


def is_refused(exc: BaseException) -> bool:
    """Whether the endpoint refused the connection: nothing listens there, so one quick
    retry at most (a server restarting) rather than the backoff a busy server gets."""
    import openai

    cause = api_cause(exc)
    return isinstance(cause, openai.APIConnectionError) and _caused_by(
        cause, ConnectionRefusedError, _REFUSED_TEXT
    )


def _over_context(exc: BaseException) -> bool:
    """Whether an HTTP error says the request is longer than the model's context (the same
    request retried meets it again; a smaller one does not)."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code in (401, 403, 404, 429):
        return False
    text = exc.message if isinstance(exc.message, str) else ""
    return bool(_OVER_CONTEXT.search(text + " " + _body_text(exc)))


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


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``/``retry-after-ms``), if any."""
    response = getattr(api_cause(exc), "response", None)
    return retry_after_seconds(getattr(response, "headers", None))


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
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


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class _Call:
    """What the rules know of the failed call."""

    settings: Settings
    record: CallRecord
    #: The last reply's JSON text, kept for salvage.
    last_reply: str | None

    def say(self, message: str) -> str:
        """``message`` as it may be shown: without the API key, should a server echo it."""
        key = self.settings.api_key
        return message.replace(key, "***") if key else message


#: How far down an exception's causes the socket's own error is looked for.
_CHAIN_DEPTH = 8
_NO_SUCH_HOST = re.compile(
    r"Name or service not known|nodename nor servname|getaddrinfo failed|"
    r"Temporary failure in name resolution|No address associated with hostname",
    re.IGNORECASE,
)
_REFUSED_TEXT = re.compile(r"Connection refused|actively refused", re.IGNORECASE)

#: (what was raised, the call) → our error, or None when the rule does not apply.
Rule = Callable[[BaseException, _Call], SummarizerError | None]


def _truncated(cause: BaseException, call: _Call) -> SummarizerError | None:
    from instructor.core.exceptions import IncompleteOutputException

    if not isinstance(cause, IncompleteOutputException):
        return None
    s, record = call.settings, call.record
    sent, got = record.max_tokens, record.last_completion_tokens
    # cut short of the limit only when the server says so: with no max_tokens sent, or no
    # usage reported, nothing shows that asking again would not cut the same reply
    at_limit = not sent or not got or got >= 0.95 * sent
    if not sent:
        limit, fix = "the server's default output limit (no max_tokens sent)", "set --max-tokens"
    elif not at_limit:
        limit = (
            f"{got:,} tokens, below the max_tokens={sent:,} sent: the server's own output or "
            "context limit"
        )
        fix = "raise the server's limit (its context size or max output)"
    elif s.max_tokens and sent < s.max_tokens:
        limit = (
            f"max_tokens={sent}, what the {s.context_tokens:,}-token context left after the prompt"
        )
        fix = "raise --context-tokens if the server runs a larger one"
    else:
        limit, fix = f"max_tokens={sent}", "raise it with --max-tokens or SUMMARIZER_MAX_TOKENS"
    return TruncationError(
        f"the model's reply was cut off at {limit} before the summary was complete; {fix}",
        at_limit=at_limit,
        attempts=record.attempts,
        reply=partial_object(call.last_reply),
        usage=record.usage,
    )


def _invalid(cause: BaseException, call: _Call) -> SummarizerError | None:
    from instructor.core.exceptions import ResponseParsingError
    from pydantic import ValidationError

    if not isinstance(cause, (ValidationError, json.JSONDecodeError, ResponseParsingError)):
        return None
    s, record = call.settings, call.record
    detail = _first_lines(str(cause), _VALIDATION_LINES)
    return SummarizationError(
        call.say(
            f"the model's summary failed validation on all {record.attempts} attempt(s) "
            f"({s.max_retries} re-ask(s)); nothing was returned. Last errors: {detail}"
        ),
        attempts=record.attempts,
        errors=str(cause),
        reply=json_object(call.last_reply),
        usage=record.usage,
    )


#: What a refused key, a denied model and an unknown model each call for, by HTTP status.
_REFUSED = {
    401: "{host} rejected the API key (HTTP 401): set OPENAI_API_KEY (or SUMMARIZER_API_KEY) "
    "to a valid key for this endpoint",
    403: "{host} denied access (HTTP 403) to model {model!r}: use a key allowed to call it, "
    "or set SUMMARIZER_MODEL to a model the key may use",
    404: "{host} answered 404 for model {model!r}: set SUMMARIZER_MODEL to a model the "
    "endpoint serves, and check OPENAI_BASE_URL (it usually ends in /v1)",
}


def _refused_key(cause: BaseException, call: _Call) -> SummarizerError | None:
    import openai

    if not isinstance(cause, openai.APIStatusError) or cause.status_code not in _REFUSED:
        return None
    s = call.settings
    return ConfigError(_REFUSED[cause.status_code].format(host=s.host, model=s.model))


def _tries(record: CallRecord) -> str:
    tries = max(record.transport_tries, 1)
    return f"{tries} tr{'y' if tries == 1 else 'ies'}"


def _unreachable(cause: BaseException, call: _Call) -> SummarizerError | None:
    import openai

    s, record = call.settings, call.record
    if isinstance(cause, openai.APITimeoutError):
        return TransportError(
            f"no answer from {s.host} within {s.timeout:g}s, {_tries(record)}; "
            "raise --timeout (SUMMARIZER_TIMEOUT) or try a faster model"
        )
    if not isinstance(cause, openai.APIConnectionError):
        return None
    offline = " (or use --backend offline)" if s.backend == "auto" else ""
    if _caused_by(cause, socket.gaierror, _NO_SUCH_HOST):
        return UnreachableError(
            f"cannot resolve the host {s.host} (DNS lookup failed: {_chain_text(cause)}); "
            f"check the host name in OPENAI_BASE_URL{offline}"
        )
    refused = _caused_by(cause, ConnectionRefusedError, _REFUSED_TEXT)
    kind, what = (
        (UnreachableError, "connection refused") if refused else (TransportError, describe(cause))
    )
    return kind(
        call.say(
            f"cannot reach {s.base_url or s.host} ({what}) after {_tries(record)}; "
            f"check OPENAI_BASE_URL and that the server is running{offline}"
        )
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, outermost first (httpx and httpcore wrap the
    socket's own error)."""
    seen: list[BaseException] = []
    at: BaseException | None = exc
    while at is not None and all(at is not e for e in seen) and len(seen) < _CHAIN_DEPTH:
        seen.append(at)
        at = at.__cause__ or at.__context__
    return seen


def _chain_text(exc: BaseException) -> str:
    return next((str(e) for e in reversed(_chain(exc)) if str(e)), type(exc).__name__)


def _caused_by(exc: BaseException, kind: type[BaseException], says: re.Pattern[str]) -> bool:
    """Whether ``exc`` or anything it was raised from is a ``kind``, or says so in words
    (the socket's error may reach us only as text in a wrapper)."""
    return any(isinstance(e, kind) or says.search(str(e)) for e in _chain(exc))


def _too_long(cause: BaseException, call: _Call) -> SummarizerError | None:
    if not _over_context(cause):
        return None
    s, record = call.settings, call.record
    if record.attempts and call.last_reply is not None:
        # A re-ask carries the last answer and its errors: it may not fit where the first
        # request did. The report's parts are not too long; the re-asks are over.
        return SummarizationError(
            call.say(
                f"a re-ask was longer than the model's context after {record.attempts} "
                f"answer(s) ({describe(cause)}); the last answer's grounded items are kept"
            ),
            attempts=record.attempts,
            errors="the re-ask did not fit the model's context",
            reply=json_object(call.last_reply),
            usage=record.usage,
        )
    return ContextLengthError(
        call.say(
            f"{s.host} says the request is longer than the model's context ({describe(cause)}); "
            "set SUMMARIZER_CONTEXT_TOKENS (--context-tokens) to the context the server runs "
            "with, or lower --max-tokens"
        )
    )


def _refused(cause: BaseException, call: _Call) -> SummarizerError | None:
    import openai

    if not isinstance(cause, openai.APIStatusError):
        return None
    s, record, say = call.settings, call.record, call.say
    if _rejects_mode(cause):
        others = " or ".join(f"--mode {m}" for m in MODE_SPECS[s.mode].to_try)
        return ConfigError(
            say(f"{s.host} does not support --mode {s.mode} ({describe(cause)}); try {others}")
        )
    if is_transient(cause):
        return TransportError(
            say(
                f"{s.host} still failing after {_tries(record)} ({describe(cause)}); try again "
                "later or raise SUMMARIZER_TRANSPORT_RETRIES / SUMMARIZER_TRANSPORT_DEADLINE"
            )
        )
    tried = " or ".join(f"--mode {m}" for m in MODE_SPECS[s.mode].to_try)
    hint = (
        f"; if the server does not support forced tool calls, try {tried}"
        if MODE_SPECS[s.mode].forces
        else ""
    )
    return EndpointError(say(f"{s.host} refused the request ({describe(cause)}){hint}"))


#: Tried in order; the first that applies makes the error.
RULES: tuple[Rule, ...] = (
    _truncated,
    _invalid,
    _refused_key,
    _unreachable,
    _too_long,
    _refused,
)


def translate(
    exc: BaseException, settings: Settings, record: CallRecord, last_reply: str | None
) -> BaseException:
    """Our error for what openai/instructor raised (``exc`` itself when no rule applies)."""
    if isinstance(exc, SummarizerError):
        return exc
    call = _Call(settings, record, last_reply)
    cause = api_cause(exc)
    for rule in RULES:
        for raised in dict.fromkeys((cause, exc)):  # the cause first, then the wrapper
            error = rule(raised, call)
            if error is not None:
                return error
    return exc


def describe(exc: BaseException | None) -> str:
    """An exception in a few words: ``HTTP 500: <the server's own message>``."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {_first_lines(_server_message(exc), 1)}"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


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
