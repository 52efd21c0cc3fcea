"""The pipeline, one document at a time: read → normalize → prompt → LLM → ground → cache,
or read → normalize → offline engine when no endpoint is configured.

:class:`Summarizer` holds the settings, the LLM client and the cache, so a
caller summarizing many documents reuses them. :func:`summarize` and
:func:`asummarize` are the one-call API.

Each document goes through the same steps, sync or async: read it; look for its
finished summary in the cache (:meth:`Summarizer._cached_summary`); then
:meth:`Summarizer._next_step` says what is left, as a type: :class:`Done` (offline,
or a cached draft), :class:`Ask` (a model call, with the claim that makes this
caller the one to pay for it) or :class:`Wait` (another caller holds the claim).
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from summarizer.batchfiles import Answered, custom_id
from summarizer.budget import (
    TokenScale,
    estimate_tokens,
    reply_limit,
    reply_room,
    request_tokens,
    room,
)
from summarizer.cache import Claim, Resend, SummaryCache, cache_key, exact_key
from summarizer.chunks import HEADING_CHARS, Chunk, split
from summarizer.doubt import doubts
from summarizer.errors import (
    ConfigError,
    ContextLengthError,
    EmptySummaryError,
    InputError,
    ResendError,
    SummarizationError,
    SummarizerError,
)
from summarizer.grounding import GroundedSource, ground, salvage, verify
from summarizer.llm import LLMBackend, Recorded, Replay
from summarizer.merge import merge
from summarizer.offline import summarize_offline
from summarizer.offline.header import title_of
from summarizer.prompts import Part, build_messages, prompt_version
from summarizer.read import Document, load
from summarizer.schemas import SECTIONS, DraftSummary, Dropped, Meta, ReportSummary, Usage
from summarizer.settings import Settings, settings_doc
from summarizer.steps import (
    ONLINE,
    Answer,
    Ask,
    Call,
    Done,
    Engine,
    ExportOnly,
    Imported,
    Online,
    Request,
    Step,
    Wait,
)
from summarizer.throttle import Throttle

__all__ = ["CLAIM_POLL", "Summarizer", "asummarize", "summarize"]

#: Seconds between looks at the cache while another caller summarizes the same document.
CLAIM_POLL = 0.25
#: Inputs up to this size are looked up in the cache without a thread hop (see
#: ``Summarizer._answers_inline``).
_INLINE_BYTES = 64 * 1024
#: A chunk of a long report gets at least this many tokens of text, or the report is
#: refused: smaller parts would be mostly instructions.
MIN_CHUNK_TOKENS = 500
#: The deepest heading path a chunk is told (一、 > （一） > 1. > （1）).
_DEEPEST = 4

Source = str | os.PathLike[str]


class Summarizer:
    """Summarize documents with one configuration.

    ``Summarizer(model="qwen2.5", base_url="http://localhost:8000/v1")`` — any
    :class:`Settings` field as a keyword; unset ones come from the environment.
    ``throttle`` (a :class:`summarizer.llm.Throttle`) is shared by the workers
    of a batch so that a 429 slows all of them down together.

    ``engine``: how calls meet the network (:data:`~summarizer.steps.Engine`): asked
    online; answered first from a batch engine's results (:class:`Imported`: what fails is
    asked online when an endpoint is configured, else the document fails with a
    :class:`ResendError` whose request :meth:`batch_requests` writes out); or planned and
    never sent (:class:`ExportOnly`, ``batch --export``).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        throttle: Throttle | None = None,
        engine: Engine = ONLINE,
        **overrides: Any,
    ) -> None:
        if settings is None:
            self.settings = Settings.load(**overrides)
        else:
            self.settings = settings.replace(**overrides)
        self._throttle = throttle
        self._engine = engine
        if not isinstance(engine, Online) and self.settings.backend != "llm":
            if self.settings.backend == "offline":
                raise ConfigError(
                    "a batch engine's answers are the model's: drop backend='offline'"
                )
            self.settings = self.settings.replace(backend="llm")  # auto, with no endpoint
        #: How many tokens the server counts per estimated one, learned from its answers
        #: and its refusals, and kept for the documents after.
        self._scale = TokenScale()
        self._llm: LLMBackend | None = None
        self._cache: SummaryCache | None = None
        self._cache_lock = threading.Lock()  # batch workers open it from several threads

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the sync HTTP client and the cache (the async client needs :meth:`aclose`)."""
        if self._llm is not None:
            self._llm.close()
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    @property
    def holds_resources(self) -> bool:
        """Whether an HTTP client or the cache is open (what :meth:`close` and
        :meth:`aclose` release)."""
        return self._cache is not None or (self._llm is not None and self._llm.connected)

    async def aclose(self) -> None:
        """Close the async HTTP client (in its event loop) and the cache."""
        if self._llm is not None:
            await self._llm.aclose()
        self.close()

    def warm_up(self) -> None:
        """Create the async LLM client now (importing openai and instructor), rather than
        inside the first request of a batch."""
        if self.backend == "llm":
            self._llm_backend().client(is_async=True)

    @property
    def backend(self) -> Literal["llm", "offline"]:
        return self.settings.resolved_backend

    # ------------------------------------------------------------------ drivers

    def summarize(self, source: Source | Document, *, doc_id: str | None = None) -> ReportSummary:
        """Summarize a path, a text, or a :class:`Document`."""
        try:
            return self._summarize(source, doc_id)
        except SummarizerError as exc:
            return self._fall_back(exc, source, doc_id)

    def _summarize(self, source: Source | Document, doc_id: str | None) -> ReportSummary:
        started = time.perf_counter()
        doc, step = self._open(source, doc_id, started)
        try:
            while isinstance(step, Wait):
                time.sleep(CLAIM_POLL)
                step = self._step(doc, started)
            if isinstance(step, Done):
                return step.summary
            try:
                answer = self._answer(step.request)
            except BaseException:
                step.claim.release()
                raise
            return self._summary_of(doc, step, answer, started)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    async def asummarize(
        self, source: Source | Document, *, doc_id: str | None = None
    ) -> ReportSummary:
        """Async :meth:`summarize`. Only the model call runs in the event loop; reading,
        normalizing, the cache and grounding run in a worker thread (one hop before the
        call, one after), so a long document does not stall the other requests of a batch."""
        try:
            return await self._asummarize(source, doc_id)
        except SummarizerError as exc:
            return await asyncio.to_thread(self._fall_back, exc, source, doc_id)

    async def _asummarize(self, source: Source | Document, doc_id: str | None) -> ReportSummary:
        started = time.perf_counter()
        if self._answers_inline(source):  # a cache hit costs less than the hop to a thread
            doc = self._read(source, doc_id)
            hit = self._cached_summary(doc, started)
            if hit is not None:
                return hit
            step: Step | None = None  # not cached: the rest goes to the thread
        else:
            doc, step = await asyncio.to_thread(self._open, source, doc_id, started)
        try:
            if step is None:
                step = await asyncio.to_thread(self._next_step, doc, started)
            while isinstance(step, Wait):
                await asyncio.sleep(CLAIM_POLL)
                step = await asyncio.to_thread(self._step, doc, started)
            if isinstance(step, Done):
                return step.summary
            try:
                answer = await self._aanswer(step.request)
            except BaseException:
                await asyncio.to_thread(step.claim.release)
                raise
            return await asyncio.to_thread(self._summary_of, doc, step, answer, started)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    # ------------------------------------------------------------------ steps

    @staticmethod
    def _read(source: Source | Document, doc_id: str | None) -> Document:
        """The document (its errors name the file themselves)."""
        return source if isinstance(source, Document) else load(source, doc_id=doc_id)

    def _open(
        self, source: Source | Document, doc_id: str | None, started: float
    ) -> tuple[Document, Step]:
        """Read the document, then its finished summary from the cache or its next step."""
        doc = self._read(source, doc_id)
        try:
            return doc, self._step(doc, started)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    def _step(self, doc: Document, started: float) -> Step:
        """The finished summary from the cache, else :meth:`_next_step`."""
        return self._asked(self._planned(doc, started))

    def _planned(self, doc: Document, started: float) -> Done | Request:
        """The finished summary from the cache, else :meth:`_plan`."""
        hit = self._cached_summary(doc, started) if self.backend == "llm" else None
        return Done(hit) if hit is not None else self._plan(doc, started)

    def _answers_inline(self, source: Source | Document) -> bool:
        """Whether to look for the finished summary in the event loop: only for small
        inputs (reading, hashing and parsing them takes ~0.3 ms), and only with a cache.
        A rerun of a cached folder then runs at thousands of documents a second instead of
        queueing every document for a thread; anything bigger still goes to the thread."""
        if self.backend != "llm" or not self.settings.cache:
            return False
        if isinstance(source, Document):
            return len(source.raw) <= _INLINE_BYTES // 3
        try:
            return os.stat(source).st_size <= _INLINE_BYTES  # text, not a path: OSError
        except (OSError, ValueError, TypeError):
            return False

    def _cached_summary(self, doc: Document, started: float) -> ReportSummary | None:
        """The finished summary the cache holds for exactly this raw text, if its spans
        still read its quotes here (a summary that does not is never served)."""
        cache = self._summary_cache()
        if cache is None:
            return None
        summary = cache.get_summary(self._exact_key(doc))
        if summary is None or summary.meta.backend != "llm" or verify(summary, doc.raw):
            return None
        meta = summary.meta.model_copy(update=self._meta_update(doc, started, cached=True))
        return summary.model_copy(update={"doc_id": doc.doc_id, "meta": meta})

    def _next_step(self, doc: Document, started: float) -> Step:
        """What is left to do for ``doc`` once its finished summary is not cached."""
        return self._asked(self._plan(doc, started))

    def _asked(self, plan: Done | Request) -> Step:
        """A request becomes this caller's to ask once it holds the claim on it."""
        if isinstance(plan, Done):
            return plan
        claim = self._claim(plan)
        return Wait() if claim is None else Ask(plan, claim)

    def _plan(self, doc: Document, started: float) -> Done | Request:
        """The summary when no model call is needed (offline, or a cached draft), else the
        request the model is to answer."""
        if self.backend == "offline":
            summary = summarize_offline(doc)
            summary.meta.seconds = round(time.perf_counter() - started, 3)
            return Done(summary)
        cache = self._summary_cache()
        # one grounding source: validation, cache, output
        source = GroundedSource(doc.normalized, points=_OfflinePoints(doc).within())
        key = cache_key(doc.normalized.text, self.settings, prompt_version())
        entry = cache.get(key, source) if cache else None
        if entry is not None:
            request = Request((), source, key, self._exact_key(doc), doc)
            meta = entry.meta.model_copy(update={"cached": True})
            return Done(self._grounded(doc, request, entry.draft, meta, started))
        calls = self._calls(doc, source, key)
        return Request(calls, source, key, self._exact_key(doc) if cache else "", doc)

    def batch_requests(
        self, source: Source | Document, *, doc_id: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """The batch engine's request lines (``custom_id``, body) that would summarize a
        document; none when its summary, or each of its parts, is cached. A body is the
        request the online path would send first, built by the client and never sent;
        for a part whose engine answer failed validation, the re-ask it led to."""
        started = time.perf_counter()
        doc = self._read(source, doc_id)
        try:
            plan = self._planned(doc, started)
            if isinstance(plan, Done):
                return []
            calls = plan.calls
            if len(calls) > 1:  # parts answered before are in the cache, each on its own
                calls = tuple(c for c in calls if self._chunk_cached(c) is None)
            backend = self._llm_backend()
            cache = self._summary_cache()
            lines = []
            for call in calls:
                resend = cache.get_resend(call.key) if cache is not None else None
                if resend is not None:
                    lines.append((call.custom_id, resend.body))
                else:
                    lines.append(
                        (call.custom_id, backend.request_body(call.messages, call.max_tokens))
                    )
            return lines
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

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
        points = _OfflinePoints(doc)
        for budget in (fullest, deepest):
            calls = self._parts(doc, title, points, split(text, budget, estimate_tokens))
            if all(call.tokens <= limit for call in calls):
                break
        return calls

    def _parts(
        self, doc: Document, title: str | None, points: _OfflinePoints, chunks: list[Chunk]
    ) -> tuple[Call, ...]:
        """One call per chunk, told the title and the headings it sits under, grounded in
        the whole document and hinted with the chunk's own points."""
        text = doc.normalized.text
        calls = []
        for n, chunk in enumerate(chunks, 1):
            part = Part(n, len(chunks), title, chunk.headings)
            said = build_messages(text[chunk.start : chunk.end], doc.doc_id, part)
            within = doc.normalized.view.raw_span(chunk.start, chunk.end)
            hinted = GroundedSource(doc.normalized, points=points.within(within))
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

    def _exact_key(self, doc: Document) -> str:
        return exact_key(doc.raw, self.settings, prompt_version())

    def _claim(self, request: Request) -> Claim | None:
        """The claim on the document's key, None while another caller holds it."""
        cache = self._summary_cache()
        if cache is None:
            return Claim.unshared(request.key)
        s = self.settings
        per_call = s.transport_deadline + s.timeout * (s.max_retries + 1)
        # a report in parts may ask them one after another (the sync path)
        return cache.claim(request.key, per_call * max(1, len(request.calls)))

    def _answer(self, request: Request) -> Answer:
        """The model's validated draft, or what of its last answer grounds; for a report
        sent in chunks, the chunks' drafts merged. Cut finer and asked again when the
        server counts a request longer than its context."""
        while True:
            try:
                if len(request.calls) == 1:
                    return self._answer_call(request.calls[0])
                return self._merged(request, [self._tried(call) for call in request.calls])
            except ContextLengthError:
                request = self._finer(request)

    async def _aanswer(self, request: Request) -> Answer:
        """Async :meth:`_answer`: a report's chunks are asked at once (a batch's throttle
        still bounds the requests in flight)."""
        while True:
            try:
                if len(request.calls) == 1:
                    return await self._aanswer_call(request.calls[0])
                tried = await asyncio.gather(*(self._atried(call) for call in request.calls))
                return self._merged(request, list(tried))
            except ContextLengthError:
                request = await asyncio.to_thread(self._finer, request)

    def _finer(self, request: Request) -> Request:
        """The request cut into parts half as large, after the server said one was longer
        than its context; the error again once parts are already an eighth as large, or
        when a batch engine's answers are for the parts as they were cut."""
        if not isinstance(self._engine, Online):
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
        return replace(request, calls=self._calls(request.doc, request.source, request.key))

    def _answer_call(self, call: Call) -> Answer:
        backend = self._llm_backend()
        try:
            replay = self._replay(call)
            replied = backend.complete(call.messages, call.source, call.max_tokens, replay)
        except SummarizationError as exc:
            return self._salvaged(exc, call.source)
        except ResendError as exc:
            raise self._resend(call, exc) from None
        return self._counted(call, Answer.of(*replied))

    async def _aanswer_call(self, call: Call) -> Answer:
        backend = self._llm_backend()
        try:
            # a batch engine's answer looks in the cache for earlier rounds: not in the loop
            replay = None
            if not isinstance(self._engine, Online):
                replay = await asyncio.to_thread(self._replay, call)
            replied = await backend.acomplete(call.messages, call.source, call.max_tokens, replay)
        except SummarizationError as exc:
            return self._salvaged(exc, call.source)
        except ResendError as exc:
            raise await asyncio.to_thread(self._resend, call, exc) from None
        return self._counted(call, Answer.of(*replied))

    def _replay(self, call: Call) -> Replay | None:
        """How ``call`` meets the network when a batch engine's answers are given: its
        answer served first; without one, sent online, or held when there is no endpoint.
        An answer to a resent re-ask goes on where the last round stopped: the re-asks
        left, and whether the model was told the report makes points."""
        match self._engine:
            case Online():
                return None
            case Imported(replies):
                outcome = replies.get(call.custom_id)
            case ExportOnly():
                return Replay(why="its requests are exported, never sent")
        sends = self._llm_backend().sends
        if isinstance(outcome, Answered):
            cache = self._summary_cache()
            earlier = cache.get_resend(call.key) if cache is not None else None
            if earlier is None or not earlier.answers:
                return Replay(Recorded(outcome.body), forward=sends)
            if earlier.hinted:
                call.source.hinted_before()
            reasks = max(0, self.settings.max_retries - earlier.answers)
            return Replay(Recorded(outcome.body), forward=sends, reasks=reasks)
        if sends:
            return None  # errored or missing: asked online like any other call
        why = "no line for it" if outcome is None else f"the engine failed it: {outcome.reason}"
        return Replay(why=f"the batch results have {why}")

    def _resend(self, call: Call, exc: ResendError) -> ResendError:
        """``exc`` naming the line to resend; its request kept in the cache so that
        ``--export`` writes it (for a failed answer, the re-ask, which tells the model
        what was wrong), with the answers spent on it so far."""
        cache = self._summary_cache()
        if cache is not None:
            earlier = cache.get_resend(call.key)
            spent = (earlier.answers if earlier is not None else 0) + exc.attempts
            hinted = call.source.empty_hinted
            cache.set_resend(call.key, Resend(body=exc.body, answers=spent, hinted=hinted))
        exc.message = (
            f"{call.custom_id}: {exc.message}; write the requests still to answer with "
            "'summarizer batch … --export FILE', or configure an endpoint to ask them online"
        )
        return exc

    def _counted(self, call: Call, answer: Answer) -> Answer:
        """``answer``, its prompt tokens as the server counted them learned from (only a
        first-try answer: a re-ask's messages are longer than the call's). Not with a
        batch engine's answers: their parts must be cut as the exported requests were."""
        first = answer.attempts == 1 and not answer.usage.estimated
        if first and isinstance(self._engine, Online):
            self._scale.observe(call.tokens, answer.usage.prompt_tokens)
        return answer

    def _tried(self, call: Call) -> Answer | SummarizerError:
        """One chunk's answer, from its own cache entry or the model; its failure as a
        value, so that it costs that chunk's points only."""
        cached = self._chunk_cached(call)
        if cached is not None:
            return cached
        answer: Answer | SummarizerError
        try:
            answer = self._answer_call(call)
        except SummarizerError as exc:
            answer = _part_failed(exc)
        if isinstance(answer, Answer):
            self._chunk_store(call, answer)
        return answer

    async def _atried(self, call: Call) -> Answer | SummarizerError:
        """Async :meth:`_tried` (the cache in a worker thread)."""
        cached = await asyncio.to_thread(self._chunk_cached, call)
        if cached is not None:
            return cached
        answer: Answer | SummarizerError
        try:
            answer = await self._aanswer_call(call)
        except SummarizerError as exc:
            answer = _part_failed(exc)
        if isinstance(answer, Answer):
            await asyncio.to_thread(self._chunk_store, call, answer)
        return answer

    def _chunk_cached(self, call: Call) -> Answer | None:
        cache = self._summary_cache()
        entry = cache.get(call.key, call.source.unhinted()) if cache is not None else None
        return None if entry is None else Answer(entry.draft, Usage(), 0, entry.meta.dropped)

    def _chunk_store(self, call: Call, answer: Answer) -> None:
        """A chunk's draft under its own key: a rerun after a crash, or with one chunk
        changed, pays only for the chunks not yet answered."""
        cache = self._summary_cache()
        if cache is not None:
            meta = self._llm_meta(answer)
            cache.set(call.key, answer.draft, meta)

    def _merged(self, request: Request, tried: list[Answer | SummarizerError]) -> Answer:
        """The chunks' drafts as one; a chunk that failed is named in the warnings (all
        failed: the first failure is raised)."""
        answers = [a for a in tried if isinstance(a, Answer)]
        failed = [(n, e) for n, e in enumerate(tried, 1) if isinstance(e, SummarizerError)]
        resend = [e for _, e in failed if isinstance(e, ResendError)]
        if resend:  # a part to resend fails the report: the resent part completes it
            raise resend[0]
        if not answers:
            raise failed[0][1]
        paid = [e for _, e in failed if isinstance(e, SummarizationError)]  # others cost none
        usage = sum([a.usage for a in answers] + [e.usage for e in paid if e.usage], Usage())
        attempts = sum(a.attempts for a in answers) + sum(e.attempts for e in paid)
        warnings = tuple(
            f"part {n} of {len(tried)} of the report failed ({e.message}); its points are "
            "missing from this summary"
            for n, e in failed
        )
        draft = merge([a.draft for a in answers], request.source)
        dropped = [d for a in answers for d in a.dropped]
        return Answer(draft, usage, attempts, dropped, warnings)

    def _salvaged(self, exc: SummarizationError, source: GroundedSource) -> Answer:
        """The items and metrics of the model's last answer that ground, when its re-asks
        ran out; ``exc`` again when ``strict`` is set or nothing grounds."""
        if self.settings.strict or exc.reply is None:
            raise exc
        kept = salvage(exc.reply, source)
        if kept is None:
            offered = sum(len(v) for k in SECTIONS if isinstance(v := exc.reply.get(k), list))
            if not offered and source.points:  # it failed on something else, but said nothing
                raise _empty(source.points, exc.attempts, exc.usage or Usage()) from exc
            raise exc
        draft, dropped = kept
        return Answer(draft, exc.usage or Usage(), exc.attempts, dropped)

    def _summary_of(self, doc: Document, ask: Ask, answer: Answer, started: float) -> ReportSummary:
        """The summary of a fresh draft, cached; the claim goes back whatever happens."""
        try:
            points = ask.request.source.points if answer.draft.points == 0 else 0
            if points:
                raise _empty(points, answer.attempts, answer.usage)
            meta = self._llm_meta(answer).model_copy(
                update={"chunks": max(1, len(ask.request.calls))}
            )
            cache = self._summary_cache()
            if cache is not None:
                cache.set(ask.request.key, answer.draft, meta)
            return self._grounded(doc, ask.request, answer.draft, meta, started)
        finally:
            ask.claim.release()

    def _llm_meta(self, answer: Answer) -> Meta:
        """What the model's answer was: who gave it, what it cost, what it left out."""
        s = self.settings
        return Meta(
            backend="llm",
            model=s.model,
            mode=s.mode,
            prompt_version=prompt_version(),
            usage=answer.usage,
            attempts=answer.attempts,
            dropped=answer.dropped,
            warnings=list(answer.warnings),
        )

    def _grounded(
        self, doc: Document, request: Request, draft: DraftSummary, meta: Meta, started: float
    ) -> ReportSummary:
        """The output summary of a validated draft, checked and stored under the exact key."""
        meta = meta.model_copy(update=self._meta_update(doc, started, cached=meta.cached))
        summary = ground(draft, doc, meta, request.source)
        summary.meta.warnings = [*doubts(doc), *summary.meta.warnings]
        if summary.meta.dropped:
            summary.meta.warnings.append(_dropped_warning(summary.meta.dropped))
        problems = verify(summary, doc.raw)
        if problems:  # cannot happen unless grounding is broken: refuse, don't mislead
            raise SummarizationError("internal grounding check failed: " + "; ".join(problems[:3]))
        cache = self._summary_cache()
        if cache is not None and request.exact:
            cache.set_summary(request.exact, summary)
        return summary

    def _fall_back(
        self, exc: SummarizerError, source: Source | Document, doc_id: str | None
    ) -> ReportSummary:
        """With ``fallback="offline"``, the offline engine's summary of a report the model
        failed, the reason in ``meta.warnings``; else ``exc`` again."""
        if self.settings.fallback != "offline" or self.backend != "llm":
            raise exc
        started = time.perf_counter()
        summary = summarize_offline(self._read(source, doc_id))
        summary.meta.warnings.append(
            f"the model failed this report ({exc.message}); this is the offline engine's summary"
        )
        summary.meta.seconds = round(time.perf_counter() - started, 3)
        return summary

    @staticmethod
    def _meta_update(doc: Document, started: float, *, cached: bool) -> dict[str, Any]:
        return {
            "cached": cached,
            "seconds": round(time.perf_counter() - started, 3),
            "source": doc.source,
            "encoding": doc.encoding,
        }

    def _llm_backend(self) -> LLMBackend:
        if self._llm is None:
            replays = not isinstance(self._engine, Online)
            self._llm = LLMBackend(self.settings, throttle=self._throttle, replays=replays)
        return self._llm

    def _summary_cache(self) -> SummaryCache | None:
        if not self.settings.cache:
            return None
        with self._cache_lock:
            if self._cache is None:
                self._cache = SummaryCache(self.settings.resolved_cache_dir)
            return self._cache


class _OfflinePoints:
    """The points the offline engine reads in a document: what an empty answer missed.
    Read only when asked for, and once for all the chunks of a report."""

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._found: list[tuple[int, str]] | None = None

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


def _part_failed(exc: SummarizerError) -> Answer | SummarizerError:
    """What a part's failure means for the report: raised again when the report is to be
    cut finer or a setting is wrong for every part alike; an empty answer (paid for) when
    the part holds no point even asked again (a preamble; the merged report is still
    refused when no part holds one); else the failure, which costs that part's points."""
    if isinstance(exc, (ContextLengthError, ConfigError)):
        raise exc
    if isinstance(exc, EmptySummaryError):
        return Answer(DraftSummary(), exc.usage or Usage(), exc.attempts, [])
    return exc


def _empty(points: int, attempts: int, usage: Usage) -> EmptySummaryError:
    return EmptySummaryError(
        f"the model returned nothing for a report with {points} point{'s' * (points != 1)}; "
        "try a stronger model or --backend offline (or --fallback offline)",
        attempts=attempts,
        usage=usage,
    )


def _dropped_warning(dropped: list[Dropped]) -> str:
    counts = Counter(d.section for d in dropped)
    listed = ", ".join(f"{n} {section}" if n > 1 else section for section, n in counts.items())
    return f"left out of the model's answer, not grounded in the document: {listed} (meta.dropped)"


def summarize(source: Source, *, doc_id: str | None = None, **settings: Any) -> ReportSummary:
    """Summarize one Chinese work report into a :class:`ReportSummary` whose every item
    is grounded: each quote is verbatim in the file, each figure is in the text.

    Args:
        source: a path to the report (``str`` or ``os.PathLike``): plain text, Markdown or
            a saved web page, in UTF-8, GBK/GB18030, Big5 or UTF-16, read as its bytes
            say. Or the report's text itself: a ``str`` that is not one line naming a file
            is read as the text (a ``Path`` is always a file).
        doc_id: the summary's ``doc_id``; by default the file's name without its
            extension, or for a text a hash of it.
        **settings: any setting below by name (``backend="offline"``,
            ``base_url="http://localhost:8000/v1"``, ``model=...``). What is not given
            comes from the environment variables named, then the default. With
            ``backend="auto"`` (the default) no endpoint and no key means the offline
            engine, which fills the same schema from the report's own structure and says
            so in ``meta.warnings``.

    Settings:
    {settings}

    Returns:
        ReportSummary: ``title``, ``organization``, ``period``, ``overview``,
        ``achievements``, ``problems``, ``plans`` (items with ``text``, verbatim
        ``evidence``, its ``spans`` as ``[start, end]`` into the raw text and how each
        quote was aligned) and ``metrics``; ``meta`` tells the engine, model, tokens,
        attempts, whether it came from the cache, and the warnings and dropped items a
        reader should know of.

    Raises:
        InputError: the file is missing, binary, undecodable or empty.
        ConfigError: a setting is invalid, or the endpoint refused the key, model or URL.
        UnreachableError: no connection to the endpoint (refused, or its name does not
            resolve). TransportError: it stayed overloaded or too slow through every retry.
        SummarizationError: the model's answers never grounded within the re-asks
            (``EmptySummaryError``: it answered with nothing for a report that says
            something). TruncationError: the reply hit the output-token limit.
        ContextLengthError, EndpointError: the endpoint refused the request itself.

        All are :class:`SummarizerError`, whose message is one line naming the file and
        what to do. ``fallback="offline"`` turns the model's failures into the offline
        engine's summary with a warning instead.

    Example::

        from summarizer import summarize
        s = summarize("report.txt", backend="offline")
        s.achievements[0].text, s.achievements[0].evidence, s.achievements[0].spans
    """
    with Summarizer(**settings) as summarizer:
        return summarizer.summarize(source, doc_id=doc_id)


summarize.__doc__ = re.sub(  # the settings, each named once in Settings
    r"^ *\{settings\}", lambda _: settings_doc(), summarize.__doc__ or "", flags=re.MULTILINE
)


async def asummarize(
    source: Source, *, doc_id: str | None = None, **settings: Any
) -> ReportSummary:
    """Async :func:`summarize`."""
    summarizer = Summarizer(**settings)
    try:
        return await summarizer.asummarize(source, doc_id=doc_id)
    finally:  # in this loop, so the async client's connections close cleanly
        await summarizer.aclose()
