"""Matched, predicted-only and gold-only counts, and the figures made of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Counts", "SectionFigures", "pooled"]


def _ratio(part: int, whole: int, other_side: int) -> float:
    """``part / whole``; with nothing to divide by, 1.0 only when the other side is empty too."""
    if whole:
        return part / whole
    return 1.0 if other_side == 0 else 0.0


@dataclass
class Counts:
    """Matched (tp), predicted-only (fp) and gold-only (fn) counts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.predicted, self.gold)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.gold, self.predicted)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def empty(self) -> bool:
        return self.gold == 0 and self.predicted == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.tp,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def pooled(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total += c
    return total


class SectionFigures:
    """macro and micro F1 over the three sections, for a document or the corpus."""

    sections: Mapping[str, Counts]

    @property
    def macro_f1(self) -> float:
        """Mean section F1; a section with neither gold nor predicted items is left out."""
        scored = [c.f1 for c in self.sections.values() if not c.empty]
        return sum(scored) / len(scored) if scored else 1.0

    @property
    def micro(self) -> Counts:
        """The three sections' counts pooled."""
        return pooled(self.sections.values())
