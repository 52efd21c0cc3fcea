"""What an endpoint can do, asked before a long run (``summarizer check``): the models it
serves, and which instructor modes bring back a structured answer.

Each mode gets one tiny request through the same client, reply repair and error
translation as a report does, with no re-ask and no transport retry: the question is
whether the mode works at all, and a batch of 10,000 reports should learn that in
seconds, not after its first failures.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from pydantic import BaseModel, Field

from summarizer.errors import SummarizationError, SummarizerError, UnreachableError
from summarizer.llm import Held, LLMBackend
from summarizer.llm.accounting import CallRecord
from summarizer.llm.translate import describe, translate
from summarizer.settings import MODES, Settings

__all__ = [
    "ModeFails",
    "ModeWorks",
    "Served",
    "Unlisted",
    "Unreachable",
    "list_models",
    "probe",
    "probe_all",
]

#: The output-token limit of a probe: a reasoning model thinks before its few words.
PROBE_REPLY_TOKENS = 512
#: The word the probe asks for; a reply that carries it was understood, not just parsed.
PROBE_WORD = "你好"
#: How much of a validation error a failed probe quotes: its heading and first error.
_REASON_LINES, _REASON_CHARS = 3, 200


class Greeting(BaseModel):
    """The answer to the connection check."""

    word: str = Field(description=f"the word {PROBE_WORD}, exactly as given")


_MESSAGES = [
    {"role": "system", "content": "You answer with the requested structure only."},
    {"role": "user", "content": f"Fill in the field word with the word {PROBE_WORD}."},
]


@dataclass(frozen=True)
class Served:
    """The endpoint listed its models."""

    models: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Unlisted:
    """The endpoint answered but listed no models (some servers have no ``/models``)."""

    reason: str
    seconds: float


@dataclass(frozen=True)
class Unreachable:
    """No connection to the endpoint at all: no mode is worth trying."""

    reason: str


ModelList = Served | Unlisted | Unreachable


@dataclass(frozen=True)
class ModeWorks:
    """A mode brought back the structure asked for."""

    mode: str
    seconds: float
    #: Whether the reply carried :data:`PROBE_WORD` (a model that parses but does not
    #: follow the instruction is a warning sign for the real prompt).
    followed: bool


@dataclass(frozen=True)
class ModeFails:
    """A mode did not: the server refused it, or the reply did not parse."""

    mode: str
    seconds: float
    reason: str


ModeProbe = ModeWorks | ModeFails


def _backend(settings: Settings) -> LLMBackend:
    return LLMBackend(settings.replace(max_retries=0, transport_retries=0))


def list_models(settings: Settings) -> ModelList:
    """``GET /models``: the model ids the endpoint serves."""
    return asyncio.run(_list_models(_backend(settings)))


async def _list_models(backend: LLMBackend) -> ModelList:
    client = backend.client()  # made (openai imported) before the clock starts
    start = time.perf_counter()
    try:
        page = await client.client.models.list()
        models = tuple(sorted(str(m.id) for m in page.data))
    except Exception as exc:
        error = translate(exc, backend.settings, CallRecord(), None)
        if isinstance(error, UnreachableError):
            return Unreachable(str(error))
        # the status as the server gave it: the translated 404 speaks of the model
        return Unlisted(describe(exc), time.perf_counter() - start)
    finally:
        await backend.aclose()
    return Served(models, time.perf_counter() - start)


def probe(settings: Settings, mode: str) -> ModeProbe:
    """One tiny structured request in ``mode``, timed."""
    return asyncio.run(_probe(_backend(settings.replace(mode=mode)), mode))


async def _probe(backend: LLMBackend, mode: str) -> ModeProbe:
    backend.client()
    start = time.perf_counter()
    try:
        replied = await backend.ask(_MESSAGES, Greeting, PROBE_REPLY_TOKENS)
    except Exception as exc:
        return ModeFails(mode, time.perf_counter() - start, _reason(exc))
    finally:
        await backend.aclose()
    if isinstance(replied, Held):  # pragma: no cover - a backend that sends holds nothing
        return ModeFails(mode, time.perf_counter() - start, replied.why)
    return ModeWorks(mode, time.perf_counter() - start, PROBE_WORD in replied[0].word)


def probe_all(settings: Settings) -> list[ModeProbe]:
    """:func:`probe` for every mode, the one in force first."""
    order = [settings.mode, *(m for m in MODES if m != settings.mode)]
    return [probe(settings, mode) for mode in order]


def _reason(exc: BaseException) -> str:
    """Why a probe failed, in one line."""
    if isinstance(exc, SummarizationError):  # the reply came back but did not parse
        lines = [line.strip() for line in exc.errors.splitlines() if line.strip()]
        said = " | ".join(lines[:_REASON_LINES])
        return f"the reply did not fit the schema ({said[:_REASON_CHARS]})"
    if isinstance(exc, SummarizerError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
