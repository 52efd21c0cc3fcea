"""The pipeline, one document at a time: read → normalize → prompt → LLM → ground → cache,
or read → normalize → offline engine when no endpoint is configured.

:class:`Summarizer` holds the settings, the LLM client and the cache, so a caller
summarizing many documents reuses them; it drives three stages that pass values:
:mod:`.plan` (document → :class:`Done` | :class:`Drafted` | :class:`Request`),
:mod:`.ask` (request → :class:`Answer` | :class:`TooLong`) and :mod:`.finish` (answer →
summary, grounded and stored). :func:`summarize` and :func:`asummarize` (:mod:`.api`)
are the one-call API.

Each document goes through the same steps, sync or async: read it; look for its finished
summary in the cache; then what is left comes as a type: :class:`Done` (offline),
:class:`Drafted` (a cached draft to ground), :class:`Ask` (a model call, with the claim
that makes this caller the one to pay for it) or :class:`Wait` (another caller holds the
claim).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Literal

from summarizer.budget import TokenScale
from summarizer.cache import SummaryCache
from summarizer.doubt import doubts
from summarizer.errors import ConfigError, DoubtfulInputError, SummarizerError
from summarizer.pipeline.ask import Asker
from summarizer.pipeline.finish import Finisher, offline_instead
from summarizer.pipeline.loop import LoopThread
from summarizer.pipeline.plan import MIN_CHUNK_TOKENS, Planner
from summarizer.read import EXTRACTED_SUFFIXES, Document, load, save_text
from summarizer.schemas import ReportSummary
from summarizer.settings import Settings
from summarizer.steps import (
    ONLINE,
    Answer,
    Ask,
    Done,
    Drafted,
    Engine,
    Online,
    Request,
    Step,
    TooLong,
    Wait,
)
from summarizer.throttle import Throttle

__all__ = ["CLAIM_POLL", "MIN_CHUNK_TOKENS", "Source", "Summarizer"]

#: Seconds between looks at the cache while another caller summarizes the same document.
CLAIM_POLL = 0.25
#: Inputs up to this size are looked up in the cache without a thread hop (see
#: ``Summarizer._answers_inline``).
_INLINE_BYTES = 64 * 1024

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
        if not isinstance(engine, Online) and self.settings.backend != "llm":
            if self.settings.backend == "offline":
                raise ConfigError(
                    "a batch engine's answers are the model's: drop backend='offline'"
                )
            self.settings = self.settings.replace(backend="llm")  # auto, with no endpoint
        self._loop = LoopThread()  # the sync API's event loop, started on first need
        #: The cache (opened on first use; with ``cache`` off, the one that holds nothing),
        #: handed to each stage as a value.
        on = self.settings.cache
        self._cache = SummaryCache(self.settings.resolved_cache_dir if on else None)
        #: How many tokens the server counts per estimated one, learned from its answers
        #: (by the asking stage) and its refusals (by the plan), kept for later documents.
        scale = TokenScale()
        imported = not isinstance(engine, Online)
        self._plan = Planner(self.settings, scale, self._cache, imported=imported)
        self._ask = Asker(self.settings, engine, scale, self._cache, throttle=throttle)
        self._finish = Finisher(self.settings, self._cache)

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the sync API's HTTP client (and its event loop) and the cache; a client an
        async caller used needs :meth:`aclose`, in its loop."""
        llm = self._ask.llm
        self._loop.close(llm.aclose if llm is not None else None)
        self._cache.close()

    @property
    def connected(self) -> bool:
        """Whether this summarizer has created its model client (imported openai and
        instructor): not until a report is really asked, so never on a cached rerun."""
        llm = self._ask.llm
        return llm is not None and llm.connected

    @property
    def holds_resources(self) -> bool:
        """Whether an HTTP client or the cache is open (what :meth:`close` and
        :meth:`aclose` release)."""
        llm = self._ask.llm
        return self._cache.is_open or (llm is not None and llm.connected)

    async def aclose(self) -> None:
        """Close this event loop's HTTP client, then what :meth:`close` closes."""
        if self._ask.llm is not None:
            await self._ask.llm.aclose()
        self.close()

    def warm_up(self) -> None:
        """Create the running event loop's LLM client now (importing openai and
        instructor), rather than inside the first request of a batch."""
        if self.backend == "llm":
            self._ask.warm_up()

    @property
    def backend(self) -> Literal["llm", "offline"]:
        return self.settings.resolved_backend

    # ------------------------------------------------------------------ drivers

    def summarize(self, source: Source | Document, *, doc_id: str | None = None) -> ReportSummary:
        """Summarize a path, a text, or a :class:`Document`: the offline engine here and
        now; a model's summary through :meth:`asummarize`, run on this summarizer's own
        event loop (one async implementation, which the sync API wraps)."""
        if self.backend == "llm":
            return self._loop.run(self.asummarize(source, doc_id=doc_id))
        started = time.perf_counter()
        doc = self._read(source, doc_id)
        try:
            return self._plan.offline(doc, started)
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
            exact = self._plan.exact_key(doc)
            hit = self._plan.cached(doc, started, exact)
            if hit is not None:
                return hit
            step: Step | None = None  # not cached: the rest goes to the thread
        else:
            doc, step = await asyncio.to_thread(self._open, source, doc_id, started)
        try:
            if step is None:  # looked for in the loop: not looked for again
                step = await asyncio.to_thread(self._uncached_step, doc, exact)
            while isinstance(step, Wait):
                await asyncio.sleep(CLAIM_POLL)
                step = await asyncio.to_thread(self._step, doc, started)
            if isinstance(step, Done):
                return step.summary
            if isinstance(step, Drafted):
                grounded = self._finish.grounded
                return await asyncio.to_thread(
                    grounded, doc, step.request, step.draft, step.meta, started
                )
            try:
                answer = await self._answered(step.request)
            except BaseException:
                await asyncio.to_thread(step.claim.release)
                raise
            return await asyncio.to_thread(self._finish.summary_of, doc, step, answer, started)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

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
            plan = self._plan.plan(doc, started)
            if not isinstance(plan, Request):
                return []
            return self._loop.run(self._ask.request_lines(plan))
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    # ------------------------------------------------------------------ steps

    def _read(self, source: Source | Document, doc_id: str | None) -> Document:
        """The document (its errors name the file themselves), left out when it does not
        look like a report and ``skip_doubtful`` is on, its text kept with ``save_text``:
        for a path, a string and a ready Document (stdin) alike."""
        if isinstance(source, Document):
            doc = source
        else:
            doc = load(source, doc_id=doc_id, ocr=self.settings.ocr, texts=self._cache)
        if self.settings.skip_doubtful and (why := doubts(doc)):
            reason = why[0].removesuffix("; check the summary")
            raise DoubtfulInputError(f"left out (--skip-doubtful): {reason}", path=doc.source)
        if self.settings.save_text is not None:
            save_text(doc, self.settings.save_text)
        return doc

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
        """What is left to do for ``doc``: its plan, a request held by its claim."""
        return self._asked(self._plan.plan(doc, started))

    def _uncached_step(self, doc: Document, exact: str) -> Step:
        """:meth:`_step` of a document whose finished summary was just looked for."""
        return self._asked(self._plan.uncached(doc, exact))

    def _answers_inline(self, source: Source | Document) -> bool:
        """Whether to look for the finished summary in the event loop: only for small
        inputs (reading, hashing and parsing them takes ~0.3 ms), and only with a cache.
        A rerun of a cached folder then runs at thousands of documents a second instead of
        queueing every document for a thread; anything bigger still goes to the thread, and
        so does every Word, PDF or image file (extracting one, OCR above all, takes long)."""
        if self.backend != "llm" or not self.settings.cache:
            return False
        if isinstance(source, Document):
            return len(source.raw) <= _INLINE_BYTES // 3
        if str(source).lower().endswith(EXTRACTED_SUFFIXES):
            return False
        try:
            return os.stat(source).st_size <= _INLINE_BYTES  # text, not a path: OSError
        except (OSError, ValueError, TypeError):
            return False

    def _asked(self, plan: Done | Drafted | Request) -> Step:
        """A request becomes this caller's to ask once it holds the claim on it."""
        if not isinstance(plan, Request):
            return plan
        claim = self._plan.claim(plan)
        return Wait() if claim is None else Ask(plan, claim)

    async def _answered(self, request: Request) -> Answer:
        """The answer to ``request``, cut finer for as long as the server finds it too long
        (the one async implementation: the sync API runs it on its own loop)."""
        answer = await self._ask.answer(request)
        while isinstance(answer, TooLong):
            finer = await asyncio.to_thread(self._plan.finer, answer.request)
            answer = await self._ask.answer(finer)
        return answer

    def _fall_back(
        self, exc: SummarizerError, source: Source | Document, doc_id: str | None
    ) -> ReportSummary:
        """With ``fallback="offline"``, the offline engine's summary of a report the model
        failed; else ``exc`` again."""
        if self.settings.fallback != "offline" or self.backend != "llm":
            raise exc
        return offline_instead(exc, self._read(source, doc_id))
