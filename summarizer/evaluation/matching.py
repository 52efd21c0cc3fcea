"""Pairing predicted with gold: items one-to-one by evidence overlap or text similarity
(an optimal assignment), metrics by (value, unit)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from summarizer.errors import SummarizerError
from summarizer.normalize import fold, normalize
from summarizer.numbers import canonical_value, without_approximation
from summarizer.schemas import Span
from summarizer.source import GroundedSource

__all__ = [
    "EVAL_EXTRA",
    "MIN_OVERLAP",
    "MIN_SIMILARITY",
    "item_spans",
    "match_items",
    "metric_key",
    "pair_score",
    "require_scipy",
    "similarity",
]

#: Evidence sharing this many characters (or all of the shorter quote) is the same point.
MIN_OVERLAP = 6
#: Below this character-bigram F1, two texts are different points.
MIN_SIMILARITY = 0.5
#: Weight of making a pair at all, so the assignment maximizes the pair count first.
_PAIR_WEIGHT = 1000.0


#: What to install for ``summarizer eval`` (the distribution's extra).
EVAL_EXTRA = "pip install 'zh-report-summarizer[eval]'"


def require_scipy() -> Any:
    """scipy's ``linear_sum_assignment``, or an error saying which extra installs it."""
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:
        raise SummarizerError(
            f"scoring needs scipy, which the eval extra installs: {EVAL_EXTRA}"
        ) from None
    return linear_sum_assignment


def _bigrams(folded: str) -> Counter[str]:
    if len(folded) < 2:
        return Counter([folded] if folded else [])
    return Counter(folded[i : i + 2] for i in range(len(folded) - 1))


def similarity(a: str, b: str) -> float:
    """Character-bigram F1 of two texts after folding (multiset counts; 1.0 for twins)."""
    x, y = _bigrams(fold(a)), _bigrams(fold(b))
    total = sum(x.values()) + sum(y.values())
    return 2 * sum((x & y).values()) / total if total and x and y else 0.0


def _locate(quote: str, raw: str, source: GroundedSource) -> Span | None:
    at = raw.find(quote) if quote else -1
    return (at, at + len(quote)) if at >= 0 else source.locate(quote)


def item_spans(item: Mapping[str, Any], raw: str, source: GroundedSource) -> list[Span]:
    """Where an item's evidence is in the raw document (spans given are not trusted)."""
    quotes = item.get("evidence") or []
    if isinstance(quotes, str):
        quotes = [quotes]
    return [s for q in quotes if isinstance(q, str) and (s := _locate(q, raw, source))]


def _overlaps(a: Sequence[Span], b: Sequence[Span]) -> bool:
    for s1, e1 in a:
        for s2, e2 in b:
            shared = min(e1, e2) - max(s1, s2)
            if shared > 0 and shared >= min(MIN_OVERLAP, e1 - s1, e2 - s2):
                return True
    return False


def pair_score(p_text: str, p_spans: Sequence[Span], g_text: str, g_spans: Sequence[Span]) -> float:
    """1.0 when the evidence overlaps in the document, else the texts' bigram F1."""
    return 1.0 if _overlaps(p_spans, g_spans) else similarity(p_text, g_text)


def match_items(
    predicted: Sequence[Mapping[str, Any]],
    gold: Sequence[Mapping[str, Any]],
    raw: str,
    source: GroundedSource | None = None,
) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs ``(predicted index, gold index)``, sorted.

    Most pairs first, then the highest total score; a pair scoring below
    ``MIN_SIMILARITY`` is never made.
    """
    if not predicted or not gold:
        return []
    import numpy as np

    linear_sum_assignment = require_scipy()
    source = source or GroundedSource(normalize(raw))
    p_spans = [item_spans(p, raw, source) for p in predicted]
    g_spans = [item_spans(g, raw, source) for g in gold]
    weights = np.zeros((len(predicted), len(gold)))
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            score = pair_score(
                str(p.get("text") or ""), p_spans[i], str(g.get("text") or ""), g_spans[j]
            )
            if score >= MIN_SIMILARITY:
                # tie-break among evidence matches by how alike the texts are
                tie = similarity(str(p.get("text") or ""), str(g.get("text") or "")) / 100
                weights[i, j] = _PAIR_WEIGHT + score + tie
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weights[i, j] > 0)


def metric_key(metric: Mapping[str, Any]) -> tuple[str, str]:
    """(value, unit) as compared: the value as a canonical number, the unit folded."""
    value = canonical_value(fold(str(metric.get("value") or "")))
    unit = without_approximation(fold(str(metric.get("unit") or "")))
    return value, unit
