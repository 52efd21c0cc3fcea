"""Stage 3 of a model's summary, answer → summary: the draft grounded in the document,
checked, its meta filled, stored in the cache under the raw text's exact key."""

from __future__ import annotations

import time
from collections import Counter

from summarizer.cache import SummaryCache
from summarizer.doubt import reading_warnings
from summarizer.errors import EmptySummaryError, SummarizationError, SummarizerError
from summarizer.grounding import ground, verify
from summarizer.offline import summarize_offline
from summarizer.read import Document
from summarizer.schemas import DraftSummary, Dropped, Meta, ReportSummary
from summarizer.settings import Settings
from summarizer.steps import Answer, Ask, Request, run_meta

__all__ = ["Finisher", "offline_instead"]


class Finisher:
    """Grounds and stores summaries with one configuration."""

    def __init__(self, settings: Settings, cache: SummaryCache) -> None:
        self.settings = settings
        self._cache = cache

    def summary_of(self, doc: Document, ask: Ask, answer: Answer, started: float) -> ReportSummary:
        """The summary of a fresh draft, cached; the claim goes back whatever happens."""
        try:
            points = ask.request.source.points if answer.draft.points == 0 else 0
            if points:
                raise EmptySummaryError.for_report(points, answer.attempts, answer.usage)
            meta = answer.meta(self.settings).model_copy(
                update={"chunks": max(1, len(ask.request.calls))}
            )
            self._cache.set(ask.request.key, answer.draft, meta)
            return self.grounded(doc, ask.request, answer.draft, meta, started)
        finally:
            ask.claim.release()

    def grounded(
        self, doc: Document, request: Request, draft: DraftSummary, meta: Meta, started: float
    ) -> ReportSummary:
        """The output summary of a validated draft, checked and stored under the exact key."""
        meta = meta.model_copy(update=run_meta(doc, started, cached=meta.cached))
        summary = ground(draft, doc, meta, request.source)
        summary.meta.warnings = [*reading_warnings(doc), *summary.meta.warnings]
        if summary.meta.dropped:
            summary.meta.warnings.append(_dropped_warning(summary.meta.dropped))
        problems = verify(summary, doc.raw)
        if problems:  # cannot happen unless grounding is broken: refuse, don't mislead
            raise SummarizationError("internal grounding check failed: " + "; ".join(problems[:3]))
        self._cache.set_summary(request.exact, summary)
        return summary


def offline_instead(exc: SummarizerError, doc: Document) -> ReportSummary:
    """The offline engine's summary of a report the model failed, the reason in
    ``meta.warnings`` (``fallback="offline"``)."""
    started = time.perf_counter()
    summary = summarize_offline(doc)
    summary.meta.warnings.append(
        f"the model failed this report ({exc.message}); this is the offline engine's summary"
    )
    summary.meta.seconds = round(time.perf_counter() - started, 3)
    return summary


def _dropped_warning(dropped: list[Dropped]) -> str:
    counts = Counter(d.section for d in dropped)
    listed = ", ".join(f"{n} {section}" if n > 1 else section for section, n in counts.items())
    return f"left out of the model's answer, not grounded in the document: {listed} (meta.dropped)"
