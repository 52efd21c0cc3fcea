"""Stage 1 of a model's summary, document → plan: the summary when no call is needed
(offline, or a draft the cache holds), else the :class:`Request` the model is to answer
(one call, or one per part of a report longer than the context, each told where it
sits). Also the finer cut when the server counts a part longer than its context."""

from __future__ import annotations

import math
import time
from bisect import bisect_right
from collections.abc import Callable

from summarizer.batchfiles import custom_id
from summarizer.budget import (
    TokenScale,
    estimate_tokens,
    reply_limit,
    reply_room,
    request_tokens,
    room,
)
from summarizer.cache import Claim, SummaryCache, cache_key, exact_key
from summarizer.chunks import HEADING_CHARS, Chunk, split
from summarizer.errors import ContextLengthError, InputError
from summarizer.grounding import verify
from summarizer.offline import section_ranges, summarize_offline
from summarizer.offline.header import title_of
from summarizer.offline.sections import STRENGTH, Label
from summarizer.prompts import Part, build_messages, prompt_version
from summarizer.read import Document
from summarizer.schemas import ReportSummary
from summarizer.settings import Settings
from summarizer.source import GroundedSource
from summarizer.steps import Call, Done, Drafted, Request, run_meta

__all__ = ["MIN_CHUNK_TOKENS", "OfflinePoints", "Planner"]

#: A chunk of a long report gets at least this many tokens of text, or the report is
#: refused: smaller parts would be mostly instructions.
MIN_CHUNK_TOKENS = 500
#: The deepest heading path a chunk is told (一、 > （一） > 1. > （1）).
_DEEPEST = 4


class Planner:
    """Plans a document's calls with one configuration. ``scale``: how many tokens the
    server counts per estimated one, learned from the answers (shared with the asking
    stage, which learns it). ``imported``: the calls' answers come from a batch engine's
    files, whose parts were cut once and cannot be cut again."""

    def __init__(
        self,
        settings: Settings,
        scale: TokenScale,
        cache: SummaryCache,
        *,
        imported: bool,
    ) -> None:
        self.settings = settings
        self._scale = scale
        self._cache = cache
        self._imported = imported

    def plan(self, doc: Document, started: float) -> Done | Drafted | Request:
        """The summary when no model call is needed (offline, or finished in the cache),
        the draft the cache holds (to be grounded), else the request the model is to
        answer."""
        if self.settings.resolved_backend == "offline":
            return Done(self.offline(doc, started))
        exact = self.exact_key(doc)
        hit = self.cached(doc, started, exact)
        return Done(hit) if hit is not None else self.uncached(doc, exact)

    def uncached(self, doc: Document, exact: str) -> Drafted | Request:
        """The plan of a document whose finished summary (key ``exact``) is not cached:
        the draft the cache holds, else the request the model is to answer."""
        # one grounding source: validation, cache, output
        reading = OfflinePoints(doc)
        source = GroundedSource(doc.normalized, points=reading.within(), places=reading.place)
        key = cache_key(doc.normalized.text, self.settings, prompt_version())
        entry = self._cache.get(key, source)
        if entry is not None:
            request = Request((), source, key, exact, doc)
            return Drafted(request, entry.draft, entry.meta.model_copy(update={"cached": True}))
        return Request(self._calls(doc, source, key), source, key, exact, doc)

    def cached(self, doc: Document, started: float, exact: str) -> ReportSummary | None:
        """The finished summary the cache holds for exactly this raw text (key ``exact``),
        if its spans still read its quotes here (a summary that does not is never served)."""
        summary = self._cache.get_summary(exact)
        if summary is None or summary.meta.backend != "llm" or verify(summary, doc.raw):
            return None
        meta = summary.meta.model_copy(update=run_meta(doc, started, cached=True))
        return summary.model_copy(update={"doc_id": doc.doc_id, "meta": meta})

    @staticmethod
    def offline(doc: Document, started: float) -> ReportSummary:
        """The offline engine's summary: no model call, nothing to cache."""
        summary = summarize_offline(doc)
        summary.meta.seconds = round(time.perf_counter() - started, 3)
        return summary

    def claim(self, request: Request) -> Claim | None:
        """The claim that makes this caller the one to pay for the document; None while
        another caller holds it (no cache: nothing is shared, the claim is this caller's)."""
        s = self.settings
        per_call = s.transport_deadline + s.timeout * (s.max_retries + 1)
        # a report in parts may ask them one after another (the sync path)
        return self._cache.claim(request.key, per_call * max(1, len(request.calls)))

    def exact_key(self, doc: Document) -> str:
        """The finished summary's key: the raw text exactly, and what shapes the answer."""
        return exact_key(doc.raw, self.settings, prompt_version())

    def finer(self, request: Request) -> Request:
        """The request cut into parts half as large, after the server said one was longer
        than its context; the error again once parts are already an eighth as large, or
        when a batch engine's answers are for the parts as they were cut."""
        if self._imported:
            raise ContextLengthError(
                f"{self.settings.host} refused a request of this report as longer than the "
                "model's context; its batch lines were cut for a larger one: set "
                "SUMMARIZER_CONTEXT_TOKENS (--context-tokens) to the context the server runs "
                "with, then --export and run the batch again"
            )
        if not self._scale.refused():
            raise ContextLengthError(
                f"{self.settings.host} refused parts of this report as longer than the "
                f"model's context even at {1 / self._scale.factor:.0%} of the estimate; set "
                "SUMMARIZER_CONTEXT_TOKENS (--context-tokens) to the context the server runs "
                "with, or lower --max-tokens"
            )
        calls = self._calls(request.doc, request.source, request.key)
        return Request(calls, request.source, request.key, request.exact, request.doc)

    def _calls(self, doc: Document, source: GroundedSource, key: str) -> tuple[Call, ...]:
        """One call for a report that fits the model's context; else one per chunk, cut
        on the report's structure (:mod:`summarizer.chunks`), each told where it sits."""
        said = build_messages(doc.normalized.text, doc.doc_id)
        whole = self._call(said, source, key, custom_id(doc.doc_id, 1, 1))
        limit = self._scale.limit(room(self.settings))
        if whole.tokens <= limit:
            return (whole,)
        text = doc.normalized.text
        title = title_of(text)

        def header(headings: tuple[str, ...]) -> int:
            return request_tokens(
                build_messages("", doc.doc_id, Part(len(text), len(text), title, headings))
            )

        fullest = limit - header(())
        if fullest < MIN_CHUNK_TOKENS:
            s = self.settings
            raise InputError(
                f"the model's context is too small for this report: {s.context_tokens:,} "
                f"tokens (SUMMARIZER_CONTEXT_TOKENS) less {reply_room(s):,} kept for the answer "
                f"and the instructions leave {max(fullest, 0):,} for each part of it, and a part "
                f"needs {MIN_CHUNK_TOKENS:,}; lower --max-tokens, use a model with a larger "
                "context (and set SUMMARIZER_CONTEXT_TOKENS), or use --backend offline"
            )
        # Cut as if no part had headings to be told, and keep that cut when every part
        # fits with its own; else cut leaving room for the deepest, longest heading path.
        deepest = max(MIN_CHUNK_TOKENS, limit - header(("字" * HEADING_CHARS,) * _DEEPEST))
        points = OfflinePoints(doc)
        for budget in (fullest, deepest):
            calls = self._parts(doc, title, points, split(text, budget, estimate_tokens))
            if all(call.tokens <= limit for call in calls):
                break
        return calls

    def _parts(
        self, doc: Document, title: str | None, points: OfflinePoints, chunks: list[Chunk]
    ) -> tuple[Call, ...]:
        """One call per chunk, told the title and the headings it sits under, grounded in
        the whole document and hinted with the chunk's own points."""
        text = doc.normalized.text
        calls = []
        for n, chunk in enumerate(chunks, 1):
            part = Part(n, len(chunks), title, chunk.headings)
            said = build_messages(text[chunk.start : chunk.end], doc.doc_id, part)
            within = doc.normalized.view.raw_span(chunk.start, chunk.end)
            hinted = GroundedSource(
                doc.normalized, points=points.within(within), places=points.place
            )
            key = cache_key(said[1]["content"], self.settings, prompt_version())
            calls.append(self._call(said, hinted, key, custom_id(doc.doc_id, n, len(chunks))))
        return tuple(calls)

    def _call(
        self, messages: list[dict[str, str]], source: GroundedSource, key: str, custom: str
    ) -> Call:
        """A call, its prompt estimated once and its ``max_tokens`` what the context leaves
        after that prompt as the server counts it."""
        tokens = request_tokens(messages)
        server_tokens = math.ceil(tokens * self._scale.factor)
        limit = reply_limit(self.settings, server_tokens)
        return Call(messages, source, key, tokens, limit, custom)


class OfflinePoints:
    """The points the offline engine reads in a document: what an empty answer missed.
    Read only when asked for, and once for all the chunks of a report."""

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._found: list[tuple[int, str]] | None = None
        self._clear: list[Label] | None = None
        self._starts: list[int] = []

    def place(self, span: tuple[int, int]) -> tuple[str, str] | None:
        """Where the document clearly puts the raw ``span``: the section of the reader's
        heading, turn or lead-in over its start, and that label's reason (read once, on
        first use); None where only cues, tense or order place it."""
        if self._clear is None:
            clear = STRENGTH["turn"]
            labels = section_ranges(self._doc)
            found = [x for x in labels if x.strength >= clear and x.files_under]
            self._starts = [x.start for x in found]  # both set before either is read
            self._clear = found
        n = bisect_right(self._starts, span[0]) - 1
        if n < 0 or self._clear[n].end <= span[0]:
            return None
        label = self._clear[n]
        return (label.files_under or label.section), label.reason

    def within(self, span: tuple[int, int] | None = None) -> Callable[[], list[str]]:
        """The points whose first quote lies in the raw ``span`` (all of them: None)."""

        def points() -> list[str]:
            if self._found is None:
                summary = summarize_offline(self._doc)
                items = summary.achievements + summary.problems + summary.plans
                self._found = [(i.spans[0][0] if i.spans else 0, i.text) for i in items]
            if span is None:
                return [text for _, text in self._found]
            return [text for at, text in self._found if span[0] <= at < span[1]]

        return points
