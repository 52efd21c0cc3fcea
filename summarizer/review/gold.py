"""A summary beside its gold file: which items the evaluator pairs with a gold item
(matched), which it does not (extra), which gold items nothing pairs with (missed, their
evidence located so the page can show it), and the document's figures. The pairing is
the evaluator's own (:mod:`summarizer.evaluation`), so the page and ``summarizer eval``
never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.evaluation.matching import item_spans, match_items, metric_key
from summarizer.evaluation.scoring import DocScore, score_document
from summarizer.normalize import normalize
from summarizer.review.marks import GoldMark
from summarizer.schemas import SECTIONS, ReportSummary
from summarizer.source import GroundedSource

__all__ = ["GoldView", "MissedItem", "compare_with_gold"]


@dataclass(frozen=True)
class MissedItem:
    """A gold item no predicted item pairs with."""

    section: str
    #: 1-based among the gold items of its section (or the gold metrics).
    item: int
    text: str
    located: bool


@dataclass
class GoldView:
    """What the page shows against gold."""

    score: DocScore
    #: (section, 1-based predicted item) pairs the evaluator matched to a gold item.
    matched: set[tuple[str, int]] = field(default_factory=set)
    missed: list[MissedItem] = field(default_factory=list)
    marks: list[GoldMark] = field(default_factory=list)


def _items(gold: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    items = gold.get(section) or []
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def compare_with_gold(summary: ReportSummary, gold: Mapping[str, Any], raw: str) -> GoldView:
    """The summary against ``gold`` over the raw text both quote."""
    source = GroundedSource(normalize(raw))
    view = GoldView(score=score_document(summary, gold, raw))
    predicted = summary.model_dump()
    for section in SECTIONS:
        p_items, g_items = _items(predicted, section), _items(gold, section)
        pairs = match_items(p_items, g_items, raw, source)
        view.matched |= {(section, i + 1) for i, _ in pairs}
        paired = {j for _, j in pairs}
        for j, g in enumerate(g_items):
            if j in paired:
                continue
            spans = item_spans(g, raw, source)
            view.missed.append(MissedItem(section, j + 1, str(g.get("text") or ""), bool(spans)))
            view.marks += [GoldMark(section, j + 1, span) for span in spans]
    wanted: dict[tuple[str, str], int] = {}
    for g in _items(gold, "metrics"):
        wanted[metric_key(g)] = wanted.get(metric_key(g), 0) + 1
    for n, metric in enumerate(summary.metrics, 1):
        key = metric_key(metric.model_dump())
        if wanted.get(key):
            wanted[key] -= 1
            view.matched.add(("metrics", n))
    return view
