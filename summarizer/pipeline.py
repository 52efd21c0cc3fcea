"""The pipeline, one document at a time: read → normalize → prompt → LLM → ground → cache,
or read → normalize → offline engine when no endpoint is configured.

:class:`Summarizer` holds the settings, the LLM client and the cache, so a
caller summarizing many documents reuses them. :func:`summarize` and
:func:`asummarize` are the one-call API.
"""

from __future__ import annotations

import os
import time
from typing import Any, Literal

from summarizer.cache import SummaryCache, cache_key
from summarizer.errors import SummarizationError, SummarizerError
from summarizer.grounding import ground, validation_context, verify
from summarizer.llm import CallRecord, LLMBackend
from summarizer.offline import summarize_offline
from summarizer.prompts import build_messages, prompt_version
from summarizer.read import Document, load
from summarizer.schemas import DraftSummary, Meta, ReportSummary
from summarizer.settings import Settings

__all__ = ["Summarizer", "asummarize", "summarize"]

Source = str | os.PathLike[str]


class Summarizer:
    """Summarize documents with one configuration.

    ``Summarizer(model="qwen2.5", base_url="http://localhost:8000/v1")`` — any
    :class:`Settings` field as a keyword; unset ones come from the environment.
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        if settings is None:
            self.settings = Settings.load(**overrides)
        else:
            self.settings = settings.replace(**overrides)
        self._llm: LLMBackend | None = None
        self._cache: SummaryCache | None = None

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    @property
    def backend(self) -> Literal["llm", "offline"]:
        return self.settings.resolved_backend

    # ------------------------------------------------------------------ public

    def summarize(self, source: Source | Document, *, doc_id: str | None = None) -> ReportSummary:
        """Summarize a path, a text, or a :class:`Document`."""
        doc = source if isinstance(source, Document) else load(source, doc_id=doc_id)
        try:
            return self._summarize(doc)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    async def asummarize(
        self, source: Source | Document, *, doc_id: str | None = None
    ) -> ReportSummary:
        """Async :meth:`summarize` (the LLM call is awaited; reading and grounding are local)."""
        doc = source if isinstance(source, Document) else load(source, doc_id=doc_id)
        try:
            return await self._asummarize(doc)
        except SummarizerError as exc:
            raise exc.with_path(doc.source) from exc.__cause__

    # ------------------------------------------------------------------ steps

    def _without_llm(
        self, doc: Document, context: dict[str, Any], started: float
    ) -> tuple[str, ReportSummary | None]:
        """The cache key, and the summary when no model call is needed (offline, cached)."""
        if self.backend == "offline":
            return "", self._offline(doc, started)
        key, hit = self._lookup(doc, context)
        return key, (self._finish(doc, hit, context, started) if hit is not None else None)

    def _summarize(self, doc: Document) -> ReportSummary:
        started = time.perf_counter()
        context = validation_context(doc)  # one grounding source: validation, cache, output
        key, done = self._without_llm(doc, context, started)
        if done is not None:
            return done
        draft, record = self._llm_backend().complete(self._messages(doc), context)
        return self._finish(doc, self._store(key, draft, record), context, started)

    async def _asummarize(self, doc: Document) -> ReportSummary:
        started = time.perf_counter()
        context = validation_context(doc)
        key, done = self._without_llm(doc, context, started)
        if done is not None:
            return done
        draft, record = await self._llm_backend().acomplete(self._messages(doc), context)
        return self._finish(doc, self._store(key, draft, record), context, started)

    @staticmethod
    def _offline(doc: Document, started: float) -> ReportSummary:
        summary = summarize_offline(doc)
        summary.meta.seconds = round(time.perf_counter() - started, 3)
        return summary

    def _messages(self, doc: Document) -> list[dict[str, str]]:
        return build_messages(doc.normalized.text, doc.doc_id)

    def _llm_backend(self) -> LLMBackend:
        if self._llm is None:
            self._llm = LLMBackend(self.settings)
        return self._llm

    def _summary_cache(self) -> SummaryCache | None:
        if not self.settings.cache:
            return None
        if self._cache is None:
            self._cache = SummaryCache(self.settings.resolved_cache_dir)
        return self._cache

    def _lookup(
        self, doc: Document, context: dict[str, Any]
    ) -> tuple[str, tuple[DraftSummary, Meta] | None]:
        key = cache_key(doc.normalized.text, self.settings, prompt_version())
        cache = self._summary_cache()
        entry = cache.get(key, context) if cache else None
        if entry is None:
            return key, None
        return key, (entry.draft, entry.meta.model_copy(update={"cached": True}))

    def _store(
        self, key: str, draft: DraftSummary, record: CallRecord
    ) -> tuple[DraftSummary, Meta]:
        s = self.settings
        meta = Meta(
            backend="llm",
            model=s.model,
            mode=s.mode,
            prompt_version=prompt_version(),
            usage=record.usage,
            attempts=record.attempts,
        )
        cache = self._summary_cache()
        if cache is not None:
            cache.set(key, draft, meta)
        return draft, meta

    def _finish(
        self,
        doc: Document,
        made: tuple[DraftSummary, Meta],
        context: dict[str, Any],
        started: float,
    ) -> ReportSummary:
        draft, meta = made
        meta = meta.model_copy(
            update={
                "seconds": round(time.perf_counter() - started, 3),
                "source": doc.source,
                "encoding": doc.encoding,
            }
        )
        summary = ground(draft, doc, meta, context["source"])
        problems = verify(summary, doc.raw)
        if problems:  # cannot happen unless grounding is broken: refuse, don't mislead
            raise SummarizationError("internal grounding check failed: " + "; ".join(problems[:3]))
        return summary


def summarize(source: Source, *, doc_id: str | None = None, **settings: Any) -> ReportSummary:
    """Summarize one report (a path or its text). Settings as keywords, else from env."""
    with Summarizer(**settings) as summarizer:
        return summarizer.summarize(source, doc_id=doc_id)


async def asummarize(
    source: Source, *, doc_id: str | None = None, **settings: Any
) -> ReportSummary:
    """Async :func:`summarize`."""
    with Summarizer(**settings) as summarizer:
        return await summarizer.asummarize(source, doc_id=doc_id)
