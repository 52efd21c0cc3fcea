"""Grounding: the output summary from a validated draft, every quote tied to the raw
document, or refused.

:func:`ground` turns a validated draft into the output ``ReportSummary``: the
evidence becomes ``raw[start:end]`` and the spans are those offsets (where the quotes
were found is :class:`summarizer.source.GroundedSource`'s business); a title,
organization or period the document does not state becomes null, and the overview is
composed from the grounded ones. :mod:`summarizer.salvage` keeps what grounds of an
answer whose re-asks ran out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from summarizer.errors import SummarizationError
from summarizer.normalize import clean_many, fold
from summarizer.overview import compose_overview
from summarizer.read import Document
from summarizer.schemas import (
    SECTIONS,
    Alignment,
    AlignmentCounts,
    DraftItem,
    DraftMetric,
    DraftSummary,
    Dropped,
    Item,
    Meta,
    Metric,
    Refusal,
    ReportSummary,
)
from summarizer.source import GroundedSource, Located, overlaps

__all__ = ["HEADERS", "alignment_counts", "ground", "verify"]

#: Header text that is the schema's own name, not the document's.
_SCHEMA_NAME = re.compile(r"\b(Draft(Summary|Item|Metric)|ReportSummary)\b")
HEADERS = ("title", "organization", "period")


def _located(quote: str, source: GroundedSource) -> tuple[Located, ...]:
    found = source.match(quote)
    if isinstance(found, Refusal):  # validation accepted it: only a broken source gets here
        raise SummarizationError(f"evidence 「{quote}」 is not in the document")
    return found


def _ground_items(
    items: list[DraftItem], doc: Document, source: GroundedSource, cleaned: dict[str, str]
) -> list[Item]:
    grounded = []
    for item in items:
        evidence: list[str] = []
        spans: list[tuple[int, int]] = []
        how: list[Alignment] = []
        located = [
            part for quote in dict.fromkeys(item.evidence) for part in _located(quote, source)
        ]
        located += [Located(p, "attached") for p in source.attachments(item.text, item.evidence)]
        for part in located:
            if part.span not in spans:
                spans.append(part.span)
                evidence.append(doc.raw[part.span[0] : part.span[1]])
                how.append(part.alignment)
        grounded.append(
            Item(
                text=cleaned[item.text],
                evidence=evidence,
                spans=spans,
                category=item.category,
                alignment=how,
            )
        )
    return grounded


def _ground_metric(
    m: DraftMetric, doc: Document, source: GroundedSource, cleaned: dict[str, str]
) -> Metric:
    parts = _located(m.evidence, source)
    # around an ellipsis, the part that writes the value is the evidence
    with_value = [p for p in parts if m.value in fold(doc.raw[p.span[0] : p.span[1]])]
    part = (with_value or list(parts))[0]
    return Metric(
        name=cleaned[m.name],
        value=m.value,
        unit=cleaned[m.unit],
        evidence=doc.raw[part.span[0] : part.span[1]],
        span=part.span,
        alignment=part.alignment,
    )


def _headers(
    draft: DraftSummary, source: GroundedSource, cleaned: dict[str, str]
) -> tuple[dict[str, str | None], list[Dropped]]:
    """Title, organization and period as the document states them, else null: a model
    that names the schema, or composes a period the report never writes, is not quoted."""
    values: dict[str, str | None] = {}
    dropped = []
    for name in HEADERS:
        raw_value = getattr(draft, name)
        value = cleaned[raw_value] if raw_value else ""
        if value and (_SCHEMA_NAME.search(value) or not source.states(value)):
            dropped.append(Dropped(section=name, text=value, reason="not stated in the document"))
            value = ""
        values[name] = value or None
    return values, dropped


def alignment_counts(items: Iterable[Item], metrics: Iterable[Metric]) -> AlignmentCounts:
    """How many quotes of a summary matched each way (``meta.alignment``)."""
    tally = {"exact": 0, "folded": 0, "repaired": 0, "attached": 0}
    for item in items:
        for how in item.alignment:
            tally[how] += 1
    for m in metrics:
        if m.alignment:
            tally[m.alignment] += 1
    return AlignmentCounts(**tally)


def _overview(
    draft: DraftSummary,
    headers: dict[str, str | None],
    refused: list[Dropped],
    cleaned: dict[str, str],
) -> tuple[str, Dropped | None]:
    """The model's overview, unless it names the schema or a header the document does not
    state (宇宙第一法院): then one composed from the grounded headers only, and why."""
    given = cleaned.get(draft.overview or "", "")
    why = None
    if _SCHEMA_NAME.search(given):
        why = "names the schema"
    elif refused_in := [d.text for d in refused if d.text and d.text in given]:
        why = f"names 「{refused_in[0]}」, which the document does not state"
    if given and why is None:
        return given, None
    composed = compose_overview(
        headers["title"],
        headers["organization"],
        headers["period"],
        {s: [cleaned[i.text] for i in getattr(draft, s)] for s in SECTIONS},
    )
    return composed, Dropped(section="overview", text=given, reason=why) if given else None


def _where_the_document_puts_them(
    draft: DraftSummary, source: GroundedSource
) -> tuple[dict[str, list[DraftItem]], list[Dropped]]:
    """Each section's points, an achievement the document clearly states as a problem or
    a plan (under its heading, after its turn) moved there and recorded. Only out of the
    achievements: a problem a report admits inside its review stays a problem.

    Moved without asking the model first: measured (eval/bench_behaviours.py), a re-ask
    left no fewer points misfiled than moving does (0 of 69 either way), kept 0.4% more
    gold points and cost 0.8 more requests per report, and a good answer whose labeller
    read a point otherwise than its heading (c02) paid a re-ask for nothing."""
    filed: dict[str, list[DraftItem]] = {s: list(getattr(draft, s)) for s in SECTIONS}
    moved = []
    for item in draft.achievements:
        placed = source.placed(item.evidence)
        if placed is not None and placed[0] in ("problems", "plans"):
            filed["achievements"].remove(item)
            filed[placed[0]].append(item)
            why = f"moved from achievements to {placed[0]}: its evidence stands under {placed[1]}"
            moved.append(Dropped(section="achievements", text=item.text, reason=why))
    if moved:  # in document order, as the model gives them
        for section in ("problems", "plans"):
            filed[section].sort(key=lambda i: _first_at(i, source))
    return filed, moved


def _first_at(item: DraftItem, source: GroundedSource) -> int:
    spans = source.spans_of(item.evidence[:1])
    return spans[0][0] if spans else 0


def _once(items: list[Item], section: str) -> tuple[list[Item], list[Dropped]]:
    """Each point once within a section of one answer: a point whose own quotes (not the
    attached ones) overlap an earlier one's, or whose text says the same, is merged into
    it (its quotes kept, and matched against from then on)."""
    kept: list[tuple[Item, list[tuple[int, int]]]] = []
    merged: list[Dropped] = []
    for item in items:
        own = [s for s, how in zip(item.spans, item.alignment, strict=True) if how != "attached"]
        found = next(
            ((k, s) for k, s in kept if k.text == item.text or overlaps(own, s)), None
        )  # item texts are cleaned already: the same point said the same way is equal
        if found is None:
            kept.append((item, own))
            continue
        same, spans = found
        for quote, span, how in zip(item.evidence, item.spans, item.alignment, strict=True):
            if span not in same.spans:
                same.evidence.append(quote)
                same.spans.append(span)
                same.alignment.append(how)
        spans += own
        why = f"the same point as 「{same.text}」: merged"
        merged.append(Dropped(section=section, text=item.text, reason=why))
    return [k for k, _ in kept], merged


def ground(
    draft: DraftSummary, doc: Document, meta: Meta, source: GroundedSource | None = None
) -> ReportSummary:
    """The output summary for a validated ``draft``: raw evidence and raw spans, headers
    the document states, an overview from grounded parts only, each point once.

    Pass the ``source`` that validated the draft to reuse the quotes it already located."""
    source = source or GroundedSource(doc.normalized)
    sections = (draft.achievements, draft.problems, draft.plans)
    texts = [draft.title or "", draft.organization or "", draft.period or "", draft.overview or ""]
    texts += [item.text for items in sections for item in items]
    texts += [part for m in draft.metrics for part in (m.name, m.unit)]
    unique = list(dict.fromkeys(texts))
    cleaned = dict(zip(unique, clean_many(unique), strict=True))  # one pass for all of them

    headers, dropped = _headers(draft, source, cleaned)
    overview, refused = _overview(draft, headers, dropped, cleaned)
    dropped += [refused] if refused else []
    filed, moved = _where_the_document_puts_them(draft, source)
    dropped += moved
    grounded: dict[str, list[Item]] = {}
    for section in SECTIONS:
        items = _ground_items(filed[section], doc, source, cleaned)
        grounded[section], merged = _once(items, section)
        dropped += merged
    metrics = [_ground_metric(m, doc, source, cleaned) for m in draft.metrics]
    everything = [i for items in grounded.values() for i in items]
    update: dict[str, Any] = {"alignment": alignment_counts(everything, metrics)}
    if dropped:  # judged again on every grounding (a cached draft too): kept once each
        update["dropped"] = [*meta.dropped, *(d for d in dropped if d not in meta.dropped)]
    return ReportSummary(
        doc_id=doc.doc_id,
        title=headers["title"],
        organization=headers["organization"],
        period=headers["period"],
        overview=overview,
        achievements=grounded["achievements"],
        problems=grounded["problems"],
        plans=grounded["plans"],
        metrics=metrics,
        meta=meta.model_copy(update=update),
    )


def verify(summary: ReportSummary, raw: str) -> list[str]:
    """Every place where a span does not index its evidence in ``raw`` (empty when sound).

    Run on every summary before it is returned, cached ones included: the
    contract is that ``raw[start:end] == evidence``, always.
    """
    problems = []
    for section in SECTIONS:
        for n, item in enumerate(getattr(summary, section)):
            for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
                if raw[start:end] != quote:
                    problems.append(f"{section}[{n}]: span [{start}, {end}) is not 「{quote}」")
    for n, m in enumerate(summary.metrics):
        if raw[m.span[0] : m.span[1]] != m.evidence:
            problems.append(f"metrics[{n}]: span {list(m.span)} is not 「{m.evidence}」")
    return problems
