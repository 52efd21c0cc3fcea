"""The drafts of a long report's chunks, merged into the one draft of the report.

Items keep their document order, found by where their evidence lies in the whole
document (a chunk's draft is grounded against all of it). The same point drafted from
two chunks (its evidence spans overlap, or its text is the same) is kept once. Metrics
are unique by value, unit and where their evidence lies, and cut to the headline few by
taking each chunk's first choices in turn. Title, organization and period come from the
first chunk that states them; the overview is left for grounding to compose from the
merged items, so it covers the whole report without a further request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from summarizer.grounding import HEADERS
from summarizer.schemas import SECTIONS, DraftItem, DraftMetric, DraftSummary
from summarizer.source import GroundedSource, overlaps

__all__ = ["HEADLINE_METRICS", "merge"]

#: How many metrics a merged report keeps (the schema asks a model for 10–20).
HEADLINE_METRICS = 20

Span = tuple[int, int]


def merge(drafts: Sequence[DraftSummary], source: GroundedSource) -> DraftSummary:
    """One draft of the report from its chunks' drafts, in chunk order."""
    merged: dict[str, Any] = {
        name: next((v for d in drafts if (v := getattr(d, name))), None) for name in HEADERS
    }
    for section in SECTIONS:
        merged[section] = _items([getattr(d, section) for d in drafts], source)
    merged["metrics"] = _metrics([d.metrics for d in drafts], source)
    return DraftSummary.model_validate(merged)  # every part was validated in its chunk


def _items(chunks: Sequence[Sequence[DraftItem]], source: GroundedSource) -> list[DraftItem]:
    """Each section's items from every chunk, in document order, each point once."""
    placed: list[tuple[int, int, DraftItem, list[Span]]] = []
    said: set[str] = set()
    for n, items in enumerate(chunks):
        for item in items:
            spans = source.spans_of(item.evidence)
            text = source.fold(item.text)
            if text in said or any(overlaps(spans, kept) for *_, kept in placed):
                continue  # the same point, from two chunks (a point across their border)
            said.add(text)
            placed.append((min(spans)[0] if spans else 0, n, item, spans))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [item for _, _, item, _ in placed]


def _metrics(chunks: Sequence[Sequence[DraftMetric]], source: GroundedSource) -> list[DraftMetric]:
    """Metrics unique by (value, unit, span), each chunk's first choices first, cut to
    :data:`HEADLINE_METRICS`, then in document order."""
    seen: set[tuple[str, str, Span]] = set()
    ranked: list[tuple[int, DraftMetric]] = []
    for rank in range(max((len(c) for c in chunks), default=0)):
        for metrics in chunks:
            if rank >= len(metrics):
                continue
            metric = metrics[rank]
            spans = source.spans_of([metric.evidence])
            at = spans[0] if spans else (0, 0)
            key = (metric.value, metric.unit or "", at)
            if key not in seen:
                seen.add(key)
                ranked.append((at[0], metric))
    kept = ranked[:HEADLINE_METRICS]
    return [metric for _, metric in sorted(kept, key=lambda k: k[0])]
