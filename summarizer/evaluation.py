"""Scoring summaries against hand-labeled gold files (format: eval/gold/README.md).

Items: a predicted and a gold item may be paired when their evidence overlaps in
the raw document (by at least ``MIN_OVERLAP`` characters) or their texts are
close (character-bigram Dice ≥ ``MIN_DICE`` after folding); pairs are taken
greedily, best first, each gold and each predicted item at most once.
Precision, recall and F1 are per section, counts summed over documents; the
macro item-F1 averages the sections that have any gold or predicted item.
Metrics: recall of gold (value, unit) pairs. Quotes: how many predicted evidence
quotes really are in the document. Violations: predicted items in a section
whose gold is empty (a summarizer must not invent problems).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.grounding import GroundedSource
from summarizer.normalize import fold, normalize
from summarizer.schemas import ReportSummary, numbers_text

__all__ = ["SECTIONS", "Counts", "DocScore", "Report", "aggregate", "score_document"]

SECTIONS = ("achievements", "problems", "plans")
MIN_OVERLAP = 6
MIN_DICE = 0.5

Span = tuple[int, int]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0


@dataclass
class DocScore:
    doc_id: str
    sections: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    metrics_gold: int = 0
    metrics_found: int = 0
    metrics_predicted: int = 0
    quotes: int = 0
    quotes_in_document: int = 0
    violations: list[str] = field(default_factory=list)


@dataclass
class Report:
    documents: list[DocScore]
    sections: dict[str, Counts]
    metrics_gold: int
    metrics_found: int
    metrics_predicted: int
    quotes: int
    quotes_in_document: int

    @property
    def macro_f1(self) -> float:
        scored = [c.f1 for c in self.sections.values() if not c.empty]
        return sum(scored) / len(scored) if scored else 1.0

    @property
    def metric_recall(self) -> float:
        return self.metrics_found / self.metrics_gold if self.metrics_gold else 1.0

    @property
    def quote_validity(self) -> float:
        return self.quotes_in_document / self.quotes if self.quotes else 1.0

    @property
    def violations(self) -> list[str]:
        return [v for d in self.documents for v in d.violations]

    def to_markdown(self) -> str:
        """The score table: per section, then the headline figures."""
        rows = [
            "| section | gold | predicted | matched | precision | recall | F1 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, c in self.sections.items():
            rows.append(
                f"| {name} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | "
                f"{c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |"
            )
        rows += [
            "",
            f"- macro item-F1: **{self.macro_f1:.3f}**",
            f"- metric recall (value + unit): **{self.metric_recall:.3f}** "
            f"({self.metrics_found}/{self.metrics_gold}; {self.metrics_predicted} predicted)",
            f"- evidence quotes in the document: {self.quotes_in_document}/{self.quotes}",
            f"- items in sections whose gold is empty: {len(self.violations)}",
        ]
        return "\n".join(rows)


def _bigrams(text: str) -> set[str]:
    folded = fold(text)
    return {folded[i : i + 2] for i in range(len(folded) - 1)} or {folded}


def dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient of two texts, after folding."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def overlap(a: Iterable[Span], b: Iterable[Span]) -> int:
    """The longest overlap, in characters, between any span of ``a`` and any of ``b``."""
    b = list(b)
    return max((min(e1, e2) - max(s1, s2) for s1, e1 in a for s2, e2 in b), default=0)


def _spans(item: Mapping[str, Any], source: GroundedSource, raw: str) -> list[Span]:
    if item.get("spans"):
        return [tuple(s) for s in item["spans"]]  # type: ignore[misc]
    found = []
    for quote in item.get("evidence") or []:
        at = raw.find(quote)
        span = (at, at + len(quote)) if at >= 0 else source.locate(quote)
        if span:
            found.append(span)
    return found


def match_items(
    predicted: list[Mapping[str, Any]],
    gold: list[Mapping[str, Any]],
    raw: str,
    source: GroundedSource | None = None,
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(predicted index, gold index)``, best first."""
    source = source or GroundedSource(normalize(raw))
    p_spans = [_spans(p, source, raw) for p in predicted]
    g_spans = [_spans(g, source, raw) for g in gold]
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            shared = overlap(p_spans[i], g_spans[j])
            close = dice(p.get("text", ""), g.get("text", ""))
            if shared >= MIN_OVERLAP or close >= MIN_DICE:
                candidates.append((shared, close, i, j))
    pairs, used_p, used_g = [], set(), set()
    for _, _, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            pairs.append((i, j))
            used_p.add(i)
            used_g.add(j)
    return pairs


def _metric_key(m: Mapping[str, Any]) -> tuple[str, str]:
    return numbers_text(str(m.get("value", ""))).strip(), fold(str(m.get("unit") or ""))


def score_document(
    predicted: ReportSummary | Mapping[str, Any], gold: Mapping[str, Any], raw: str
) -> DocScore:
    """Score one prediction against its gold file; ``raw`` is the document text."""
    pred = predicted.model_dump() if isinstance(predicted, ReportSummary) else predicted
    source = GroundedSource(normalize(raw))
    doc = DocScore(doc_id=str(gold.get("doc_id") or pred.get("doc_id")))
    for section in SECTIONS:
        p_items, g_items = list(pred.get(section) or []), list(gold.get(section) or [])
        matched = len(match_items(p_items, g_items, raw, source))
        doc.sections[section] = Counts(
            tp=matched, fp=len(p_items) - matched, fn=len(g_items) - matched
        )
        if p_items and not g_items:
            doc.violations.append(f"{doc.doc_id}: {len(p_items)} {section} where gold has none")
        for item in p_items:
            for quote in item.get("evidence") or []:
                doc.quotes += 1
                doc.quotes_in_document += quote in raw
    available = [_metric_key(m) for m in pred.get("metrics") or []]
    doc.metrics_predicted = len(available)
    for m in gold.get("metrics") or []:
        doc.metrics_gold += 1
        key = _metric_key(m)
        if key in available:
            available.remove(key)
            doc.metrics_found += 1
    return doc


def aggregate(documents: list[DocScore]) -> Report:
    """Sum counts over documents."""
    sections = {s: Counts() for s in SECTIONS}
    for d in documents:
        for s in SECTIONS:
            sections[s] += d.sections[s]
    return Report(
        documents=documents,
        sections=sections,
        metrics_gold=sum(d.metrics_gold for d in documents),
        metrics_found=sum(d.metrics_found for d in documents),
        metrics_predicted=sum(d.metrics_predicted for d in documents),
        quotes=sum(d.quotes for d in documents),
        quotes_in_document=sum(d.quotes_in_document for d in documents),
    )
