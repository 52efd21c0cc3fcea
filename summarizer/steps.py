"""The per-document plan, as types: what is left to do for a document once it is read.

:class:`Done` (no model call needed), :class:`Drafted` (the cache holds the draft, to be
grounded), :class:`Ask` (a model call, with the claim that makes this caller the one to
pay for it) or :class:`Wait` (another caller holds the claim); a :class:`Request` is
everything one model call needs, built whole, and an :class:`Answer` what the call left
(or :class:`TooLong`, to be cut finer). The :data:`Engine` says how calls meet the
network.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.batchfiles import Outcome
from summarizer.cache import Claim
from summarizer.llm import CallRecord
from summarizer.prompts import prompt_version
from summarizer.read import Document
from summarizer.schemas import DraftSummary, Dropped, Meta, ReportSummary, Usage
from summarizer.settings import Settings
from summarizer.source import GroundedSource

__all__ = [
    "ONLINE",
    "Answer",
    "Ask",
    "Call",
    "Done",
    "Drafted",
    "Engine",
    "ExportOnly",
    "Imported",
    "Online",
    "Request",
    "Step",
    "TooLong",
    "Wait",
    "run_meta",
]


@dataclass(frozen=True)
class Online:
    """Every call is asked of the endpoint (the default)."""


@dataclass(frozen=True)
class Imported:
    """A batch engine's answers (``replies``, by ``custom_id``: :mod:`summarizer.batchfiles`)
    are each call's first answer, treated exactly as online ones (repair, validation,
    grounding, cache). A call without a good one is asked online when an endpoint is
    configured; else its document fails with the request to resend kept for ``--export``."""

    replies: Mapping[str, Outcome] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportOnly:
    """Requests are planned and their bodies built, never sent (``batch --export``)."""


#: How a summarizer's calls meet the network, chosen once when it is made.
Engine = Online | Imported | ExportOnly
#: The default engine (one value: it holds nothing).
ONLINE = Online()


@dataclass(frozen=True)
class Call:
    """One model request: its messages, the document its answer is grounded in (all of
    it; for a chunk, hinted with the chunk's own points), its draft's cache key, its
    prompt's estimated tokens (counted once: a whole report's estimate reads every
    character), the ``max_tokens`` it sends (what the context leaves after its prompt;
    None sends none), and its ``custom_id`` in a batch engine's files
    (:func:`summarizer.batchfiles.custom_id`)."""

    messages: list[dict[str, str]]
    source: GroundedSource
    key: str
    tokens: int
    max_tokens: int | None
    custom_id: str


@dataclass(frozen=True)
class Request:
    """What a document's summary needs from the model, built whole: one call, or one per
    chunk of a report longer than the context; the document the merged answer is grounded
    in, and the cache keys its summary is stored under."""

    calls: tuple[Call, ...]
    source: GroundedSource
    #: The draft's key (the normalized text and everything that shapes the answer).
    key: str
    #: The finished summary's key (the raw text exactly).
    exact: str
    #: The document, to cut into smaller parts should the server count more tokens.
    doc: Document


@dataclass(frozen=True)
class Done:
    """No model call is needed: here is the summary (offline, or from a cached draft)."""

    summary: ReportSummary


@dataclass(frozen=True)
class Drafted:
    """The cache holds this document's validated draft: it is grounded, not asked for."""

    request: Request
    draft: DraftSummary
    meta: Meta


@dataclass(frozen=True)
class Ask:
    """Ask the model; ``claim`` makes this caller the one to pay for the document."""

    request: Request
    claim: Claim


@dataclass(frozen=True)
class Wait:
    """Another caller is paying for this document: look again in a moment."""


Step = Done | Drafted | Ask | Wait


@dataclass(frozen=True)
class Answer:
    """What the model calls left: the draft to ground, what it cost, what was dropped,
    and what a reader should know (a chunk that failed)."""

    draft: DraftSummary
    usage: Usage
    attempts: int
    dropped: list[Dropped]
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, draft: DraftSummary, record: CallRecord) -> Answer:
        return cls(draft, record.usage, record.attempts, [])

    def meta(self, settings: Settings) -> Meta:
        """What the answer was: who gave it, what it cost, what it left out."""
        return Meta(
            backend="llm",
            model=settings.model,
            mode=settings.mode,
            prompt_version=prompt_version(),
            usage=self.usage,
            attempts=self.attempts,
            dropped=self.dropped,
            warnings=list(self.warnings),
        )


@dataclass(frozen=True)
class TooLong:
    """The server counted a call of ``request`` longer than its context: plan it finer
    and ask again."""

    request: Request


def run_meta(doc: Document, started: float, *, cached: bool) -> dict[str, Any]:
    """What a run records of one document in its meta (an update to ``Meta``): whether
    it came from the cache, the seconds it took, the file and its encoding."""
    return {
        "cached": cached,
        "seconds": round(time.perf_counter() - started, 3),
        "source": doc.source,
        "encoding": doc.encoding,
        "extracted_with": doc.extracted_with,
    }
