"""Section-range gold (``eval/gwr/README.md``, ``../shared/gwr`` copied): where a
prediction's items lie.

Ranges take minutes to label where items take an hour, so a gold file may hold only
``ranges`` (and, for a government work report, ``targets`` and ``outcomes``). What they
can tell, and this module measures:

* **placed in range** per section: of the items a prediction files under a section, how
  many lie in a gold range of that section. An item lies where most of its located quotes
  start (its spans; the first one wins a tie). Items with no span are not counted.
* **found** per section: the gold has a range of the section and at least one item filed
  under it lies there. A report whose admitted problems all landed under achievements has
  its problems not found, however many items it has.
* **targets and outcomes**: recall of the gold's stated targets and reported outcomes
  among the predicted metrics, paired by value and unit as metrics are.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.evaluation.counts import Counts
from summarizer.evaluation.matching import metric_key
from summarizer.schemas import SECTIONS

__all__ = ["Placement", "has_item_gold", "place", "pooled_placement"]

#: The keys that make a gold file item gold (a ranges-only file has none of them).
_ITEM_KEYS = (*SECTIONS, "metrics")


def has_item_gold(gold: Mapping[str, Any]) -> bool:
    """Whether ``gold`` labels items (``eval/gold/README.md``), not only ranges."""
    return any(key in gold for key in _ITEM_KEYS)


@dataclass
class Placement:
    """One document's (or, pooled, the corpus's) items against section ranges."""

    placed: Counter[str] = field(default_factory=Counter)  # items filed, by section
    inside: Counter[str] = field(default_factory=Counter)  # ... lying in a range of it
    gold_has: Counter[str] = field(default_factory=Counter)  # documents with such a range
    found: Counter[str] = field(default_factory=Counter)  # ... with an item placed in it
    targets: Counts = field(default_factory=Counts)
    outcomes: Counts = field(default_factory=Counts)
    documents: int = 0

    def share_inside(self, section: str) -> float | None:
        placed = self.placed[section]
        return self.inside[section] / placed if placed else None

    def share_found(self, section: str) -> float | None:
        has = self.gold_has[section]
        return self.found[section] / has if has else None

    def __iadd__(self, other: Placement) -> Placement:
        for mine, theirs in (
            (self.placed, other.placed),
            (self.inside, other.inside),
            (self.gold_has, other.gold_has),
            (self.found, other.found),
        ):
            mine.update(theirs)
        self.targets += other.targets
        self.outcomes += other.outcomes
        self.documents += other.documents
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "sections": {
                s: {
                    "placed": self.placed[s],
                    "in_range": self.inside[s],
                    "share_in_range": _round(self.share_inside(s)),
                    "gold_documents": self.gold_has[s],
                    "found": self.found[s],
                    "share_found": _round(self.share_found(s)),
                }
                for s in SECTIONS
            },
            "targets": self.targets.as_dict(),
            "outcomes": self.outcomes.as_dict(),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _section_at(starts: Sequence[int], ranges: Sequence[Mapping[str, Any]], at: int) -> str:
    n = bisect_right(starts, at) - 1
    return str(ranges[n]["section"]) if n >= 0 and at < int(ranges[n]["end"]) else "none"


def _where(
    item: Mapping[str, Any], starts: Sequence[int], ranges: Sequence[Mapping[str, Any]]
) -> str | None:
    spans = [
        s
        for s in item.get("spans") or []
        if isinstance(s, Sequence) and len(s) == 2 and all(isinstance(x, int) for x in s)
    ]
    if not spans:
        return None
    votes = Counter(_section_at(starts, ranges, int(s[0])) for s in spans)
    first = _section_at(starts, ranges, int(spans[0][0]))
    best = max(votes.values())
    return first if votes[first] == best else votes.most_common(1)[0][0]


def _recall(predicted: Iterable[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]) -> Counts:
    available = Counter(metric_key(m) for m in predicted)
    tp = 0
    for m in gold:
        key = metric_key(m)
        if available[key]:
            available[key] -= 1
            tp += 1
    return Counts(tp=tp, fn=len(gold) - tp)


def place(prediction: Mapping[str, Any], gold: Mapping[str, Any]) -> Placement | None:
    """``prediction``'s items against ``gold``'s ranges; ``None`` when it has none."""
    ranges = [r for r in gold.get("ranges") or [] if isinstance(r, Mapping)]
    if not ranges:
        return None
    starts = [int(r["start"]) for r in ranges]
    out = Placement(documents=1)
    for section in {str(r["section"]) for r in ranges} & set(SECTIONS):
        out.gold_has[section] = 1
    for section in SECTIONS:
        items = prediction.get(section) or []
        for item in items if isinstance(items, list) else []:
            where = _where(item, starts, ranges) if isinstance(item, Mapping) else None
            if where is None:
                continue
            out.placed[section] += 1
            if where == section:
                out.inside[section] += 1
                out.found[section] = out.gold_has[section]
    metrics = [m for m in prediction.get("metrics") or [] if isinstance(m, Mapping)]
    out.targets = _recall(metrics, gold.get("targets") or [])
    out.outcomes = _recall(metrics, gold.get("outcomes") or [])
    return out


def pooled_placement(placements: Iterable[Placement | None]) -> Placement | None:
    """The documents' placements added up; ``None`` when no document has ranges."""
    total: Placement | None = None
    for p in placements:
        if p is not None:
            if total is None:
                total = Placement()
            total += p
    return total
