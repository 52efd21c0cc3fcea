"""Grounding: tie every quote to the raw document, or refuse it.

The draft validators in ``summarizer.schemas`` ask a :class:`SourceText` whether a
quote is in the document. :class:`GroundedSource` answers on the ``key`` view
(width-, script- and whitespace-folded, debris removed), then maps the match back
to raw offsets, so a model that quotes the Simplified prompt text of a Traditional
report, or writes “” for "", still lands on the exact raw substring.

:func:`ground` turns a validated draft into the output ``ReportSummary``: the
evidence becomes ``raw[start:end]`` and the spans are those offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.errors import SummarizationError
from summarizer.normalize import NormalizedText, clean_many, fold, fold_many
from summarizer.read import Document
from summarizer.schemas import (
    DraftItem,
    DraftSummary,
    Item,
    Meta,
    Metric,
    ReportSummary,
)

__all__ = ["GroundedSource", "compose_overview", "ground", "validation_context", "verify"]


class GroundedSource:
    """A :class:`summarizer.schemas.SourceText` over one normalized document."""

    def __init__(self, normalized: NormalizedText) -> None:
        self._doc = normalized
        self._spans: dict[str, tuple[int, int] | None] = {}
        self._folds: dict[str, str] = {}

    def fold(self, text: str) -> str:
        folded = self._folds.get(text)
        if folded is None:
            folded = self._folds[text] = fold(text)
        return folded

    def fold_many(self, texts: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self._folds]
        self._folds.update(zip(new, fold_many(new), strict=True))

    def locate(self, quote: str) -> tuple[int, int] | None:
        if quote in self._spans:
            return self._spans[quote]
        span = None
        needle = self.fold(quote)
        if needle:
            at = self._doc.key.text.find(needle)
            if at >= 0:
                span = self._doc.key.raw_span(at, at + len(needle))
        self._spans[quote] = span
        return span

    def has_number(self, number: str) -> bool:
        return self._doc.states(number)


def validation_context(doc: Document) -> dict[str, GroundedSource]:
    """The pydantic validation context that switches the grounding checks on."""
    return {"source": GroundedSource(doc.normalized)}


_CLAUSE_END = re.compile(r"[,，:：;；。]")


def compose_overview(
    title: str | None,
    organization: str | None,
    period: str | None,
    sections: dict[str, list[str]],
) -> str:
    """A plain overview built only from already-grounded parts (for drafts without one,
    and for the offline engine), so it can contain no figure the document does not state.
    ``sections`` maps a lead-in (主要成绩包括…) to item texts; their first clauses are used."""
    about = "，".join(x for x in (organization, period) if x)
    head = f"《{title}》" if title else (organization or "本文档")
    sentences = [f"{head}（{about}）。" if title and about else f"{head}。"]
    for lead, texts in sections.items():
        points = [_CLAUSE_END.split(t, 1)[0] for t in texts[:3]]
        points = [p for p in points if p]
        if points and len(sentences) < 3:
            sentences.append(f"{lead}{'；'.join(points)}等。")
    return "".join(sentences)


def _overview(draft: DraftSummary) -> str:
    return draft.overview or compose_overview(
        draft.title,
        draft.organization,
        draft.period,
        {
            "主要成绩包括：": [i.text for i in draft.achievements],
            "存在的问题有：": [i.text for i in draft.problems],
            "下一步计划：": [i.text for i in draft.plans],
        },
    )


def _ground_items(
    items: list[DraftItem], doc: Document, source: GroundedSource, cleaned: dict[str, str]
) -> list[Item]:
    grounded = []
    for item in items:
        evidence, spans = [], []
        for quote in dict.fromkeys(item.evidence):
            span = source.locate(quote)
            if span is None:
                raise SummarizationError(f"evidence 「{quote}」 is not in the document")
            if span not in spans:
                spans.append(span)
                evidence.append(doc.raw[span[0] : span[1]])
        grounded.append(
            Item(text=cleaned[item.text], evidence=evidence, spans=spans, category=item.category)
        )
    return grounded


def ground(
    draft: DraftSummary, doc: Document, meta: Meta, source: GroundedSource | None = None
) -> ReportSummary:
    """The output summary for a validated ``draft``: raw evidence and raw spans.

    Pass the ``source`` that validated the draft to reuse the quotes it already located."""
    source = source or GroundedSource(doc.normalized)
    overview = _overview(draft)
    sections = (draft.achievements, draft.problems, draft.plans)
    texts = [draft.title or "", draft.organization or "", draft.period or "", overview]
    texts += [item.text for items in sections for item in items]
    texts += [part for m in draft.metrics for part in (m.name, m.unit)]
    unique = list(dict.fromkeys(texts))
    cleaned = dict(zip(unique, clean_many(unique), strict=True))  # one pass for all of them

    metrics = []
    for m in draft.metrics:
        span = source.locate(m.evidence)
        if span is None:
            raise SummarizationError(f"metric evidence 「{m.evidence}」 is not in the document")
        metrics.append(
            Metric(
                name=cleaned[m.name],
                value=m.value,
                unit=cleaned[m.unit],
                evidence=doc.raw[span[0] : span[1]],
                span=span,
            )
        )

    def text_or_none(value: str | None) -> str | None:
        return cleaned[value] or None if value else None

    return ReportSummary(
        doc_id=doc.doc_id,
        title=text_or_none(draft.title),
        organization=text_or_none(draft.organization),
        period=text_or_none(draft.period),
        overview=cleaned[overview],
        achievements=_ground_items(draft.achievements, doc, source, cleaned),
        problems=_ground_items(draft.problems, doc, source, cleaned),
        plans=_ground_items(draft.plans, doc, source, cleaned),
        metrics=metrics,
        meta=meta,
    )


def verify(summary: ReportSummary, raw: str) -> list[str]:
    """Every place where a span does not index its evidence in ``raw`` (empty when sound).

    Run on every summary before it is returned, cached ones included: the
    contract is that ``raw[start:end] == evidence``, always.
    """
    problems = []
    for section in ("achievements", "problems", "plans"):
        for n, item in enumerate(getattr(summary, section)):
            for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
                if raw[start:end] != quote:
                    problems.append(f"{section}[{n}]: span [{start}, {end}) is not 「{quote}」")
    for n, m in enumerate(summary.metrics):
        if raw[m.span[0] : m.span[1]] != m.evidence:
            problems.append(f"metrics[{n}]: span {list(m.span)} is not 「{m.evidence}」")
    return problems
