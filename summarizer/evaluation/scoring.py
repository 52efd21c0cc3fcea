"""Scoring: one prediction against its gold file (:func:`score_document`), and the corpus
(:class:`Report`). Predictions that fail ``ReportSummary`` validation are still scored (as
the dicts they are); a missing document or an error record scores as an empty summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from pydantic import ValidationError

from summarizer.evaluation.counts import Counts, SectionFigures, pooled
from summarizer.evaluation.matching import MIN_OVERLAP, MIN_SIMILARITY, match_items, metric_key
from summarizer.evaluation.placement import Placement, has_item_gold, place, pooled_placement
from summarizer.normalize import normalize
from summarizer.pricing import Prices, Spend
from summarizer.read import Document
from summarizer.results import failed_from, is_error_record
from summarizer.schemas import SECTIONS, ReportSummary
from summarizer.source import GroundedSource

__all__ = ["DocScore", "Prediction", "Report", "Status", "score_document"]

Status = Literal["ok", "invalid", "missing", "failed"]


# --------------------------------------------------------------------------- documents


@dataclass
class Prediction:
    """One predicted summary as read from a file or made by a backend."""

    doc_id: str
    summary: dict[str, Any] = field(default_factory=dict)
    status: Status = "ok"
    error: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Prediction:
        """A JSONL line: a ``ReportSummary``, or an error record ``{"doc_id", "error"}``."""
        doc_id = str(record.get("doc_id"))
        if is_error_record(record):
            return cls(doc_id, {}, "failed", failed_from(record, "").message)
        try:
            ReportSummary.model_validate(record)
        except ValidationError as exc:
            return cls(doc_id, dict(record), "invalid", _first_error(exc))
        return cls(doc_id, dict(record), "ok")


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "summary"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"not a ReportSummary: {where}: {first['msg']}{more}"


@dataclass
class DocScore(SectionFigures):
    """Figures for one document, and what was missed and invented, for the report."""

    doc_id: str
    status: Status = "ok"
    error: str | None = None
    sections: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    #: (predicted text, gold text) of each pair the matching made, by section.
    matched: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: {s: [] for s in SECTIONS}
    )
    missed: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    unmatched: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    metrics: Counts = field(default_factory=Counts)
    matched_metrics: list[tuple[str, str]] = field(default_factory=list)
    missed_metrics: list[str] = field(default_factory=list)
    unmatched_metrics: list[str] = field(default_factory=list)
    quotes: int = 0
    quotes_verbatim: int = 0
    items_in_empty_sections: int = 0
    #: Whether the gold labels items (a section-range gold file may not).
    items_scored: bool = True
    #: The items against the gold's section ranges, when it has them.
    placement: Placement | None = None
    spend: Spend = field(default_factory=Spend)
    seconds: float = 0.0
    cached: bool = False

    @property
    def grounding_rate(self) -> float | None:
        return self.quotes_verbatim / self.quotes if self.quotes else None

    @property
    def schema_valid(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "status": self.status,
            "error": self.error,
            "macro_f1": round(self.macro_f1, 4) if self.items_scored else None,
            "micro": self.micro.as_dict(),
            "sections": {s: c.as_dict() for s, c in self.sections.items()},
            "metric_recall": round(self.metrics.recall, 4),
            "metric_precision": round(self.metrics.precision, 4),
            "metrics": self.metrics.as_dict(),
            "grounding_rate": _round(self.grounding_rate),
            "quotes": {"total": self.quotes, "verbatim": self.quotes_verbatim},
            "items_in_empty_sections": self.items_in_empty_sections,
            "schema_valid": self.schema_valid,
            "usage": self.spend.usage(),
            "cost": _round(self.spend.cost, 6),
            "seconds": round(self.seconds, 3),
            "matched": {
                s: [{"predicted": p, "gold": g} for p, g in pairs]
                for s, pairs in self.matched.items()
            },
            "missed": self.missed,
            "unmatched": self.unmatched,
            "matched_metrics": [{"predicted": p, "gold": g} for p, g in self.matched_metrics],
            "missed_metrics": self.missed_metrics,
            "unmatched_metrics": self.unmatched_metrics,
            "items_scored": self.items_scored,
            "placement": self.placement.as_dict() if self.placement else None,
        }


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _items(summary: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    items = summary.get(section) or []
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def _metric_label(m: Mapping[str, Any]) -> str:
    return f"{m.get('name') or '?'}: {m.get('value')}{m.get('unit') or ''}"


def score_document(
    predicted: ReportSummary | Prediction | Mapping[str, Any],
    gold: Mapping[str, Any],
    document: str | Document,
    prices: Prices | None = None,
) -> DocScore:
    """Score one prediction against its gold file; ``document`` is its text or its
    :class:`Document` (whose normalized views are then reused, not rebuilt)."""
    if isinstance(predicted, ReportSummary):
        predicted = Prediction(predicted.doc_id, predicted.model_dump())
    elif not isinstance(predicted, Prediction):
        predicted = Prediction.from_record({"doc_id": gold.get("doc_id"), **predicted})
    pred = predicted.summary
    doc = DocScore(
        doc_id=str(gold.get("doc_id") or predicted.doc_id),
        status=predicted.status,
        error=predicted.error,
    )
    if isinstance(document, Document):
        raw, source = document.raw, GroundedSource(document.normalized)
    else:
        raw, source = document, GroundedSource(normalize(document))
    doc.placement = place(pred, gold)
    doc.items_scored = has_item_gold(gold)
    for section in SECTIONS if doc.items_scored else ():
        p_items, g_items = _items(pred, section), _items(gold, section)
        pairs = match_items(p_items, g_items, raw, source)
        doc.sections[section] = Counts(
            tp=len(pairs), fp=len(p_items) - len(pairs), fn=len(g_items) - len(pairs)
        )
        paired_p, paired_g = {i for i, _ in pairs}, {j for _, j in pairs}
        doc.matched[section] = [
            (str(p_items[i].get("text")), str(g_items[j].get("text"))) for i, j in pairs
        ]
        doc.missed[section] = [
            str(g.get("text")) for j, g in enumerate(g_items) if j not in paired_g
        ]
        doc.unmatched[section] = [
            str(p.get("text")) for i, p in enumerate(p_items) if i not in paired_p
        ]
        if not g_items:
            doc.items_in_empty_sections += len(p_items)
    for item in (i for s in SECTIONS for i in _items(pred, s)):  # gold or not, every quote
        for quote in item.get("evidence") or []:
            doc.quotes += 1
            doc.quotes_verbatim += isinstance(quote, str) and bool(quote) and quote in raw
    if doc.items_scored:
        _score_metrics(doc, _items(pred, "metrics"), _items(gold, "metrics"), raw)
    meta: Mapping[str, Any] = pred["meta"] if isinstance(pred.get("meta"), Mapping) else {}
    doc.seconds = float(meta.get("seconds") or 0.0)
    doc.cached = bool(meta.get("cached"))
    if meta:
        doc.spend.add(meta, prices or Prices())
    return doc


def _score_metrics(
    doc: DocScore,
    predicted: list[Mapping[str, Any]],
    gold: list[Mapping[str, Any]],
    raw: str,
) -> None:
    available: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(predicted):
        available.setdefault(metric_key(m), []).append(i)
        quote = m.get("evidence")
        if isinstance(quote, str) and quote:
            doc.quotes += 1
            doc.quotes_verbatim += quote in raw
    used = set()
    for m in gold:
        candidates = available.get(metric_key(m))
        if candidates:
            i = candidates.pop(0)
            used.add(i)
            doc.matched_metrics.append((_metric_label(predicted[i]), _metric_label(m)))
        else:
            doc.missed_metrics.append(_metric_label(m))
    doc.unmatched_metrics = [_metric_label(m) for i, m in enumerate(predicted) if i not in used]
    doc.metrics = Counts(tp=len(used), fp=len(predicted) - len(used), fn=len(gold) - len(used))


# --------------------------------------------------------------------------- the corpus


@dataclass
class Report(SectionFigures):
    """Figures over all scored documents (counts pooled over documents)."""

    documents: list[DocScore]

    @cached_property
    def sections(self) -> dict[str, Counts]:  # type: ignore[override]
        return {s: pooled(d.sections[s] for d in self.documents) for s in SECTIONS}

    @cached_property
    def metrics(self) -> Counts:
        return pooled(d.metrics for d in self.documents)

    @cached_property
    def placement(self) -> Placement | None:
        """The documents' placements against section ranges pooled (``None``: no ranges)."""
        return pooled_placement(d.placement for d in self.documents)

    @property
    def items_scored(self) -> int:
        """How many documents have item gold (the item figures cover only these)."""
        return sum(d.items_scored for d in self.documents)

    @property
    def quotes(self) -> tuple[int, int]:
        """(verbatim, total) predicted evidence quotes."""
        return sum(d.quotes_verbatim for d in self.documents), sum(d.quotes for d in self.documents)

    @property
    def grounding_rate(self) -> float | None:
        verbatim, total = self.quotes
        return verbatim / total if total else None

    @property
    def schema_valid_rate(self) -> float:
        n = len(self.documents)
        return sum(d.schema_valid for d in self.documents) / n if n else 1.0

    @property
    def spend(self) -> Spend:
        return sum((d.spend for d in self.documents), Spend())

    def status_counts(self) -> dict[str, int]:
        counts = Counter(d.status for d in self.documents)
        return {s: counts.get(s, 0) for s in ("ok", "invalid", "missing", "failed")}

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` file: headline figures, then one entry per document."""
        metrics, (verbatim, total), spend = self.metrics, self.quotes, self.spend
        return {
            "documents_scored": len(self.documents),
            "documents_with_item_gold": self.items_scored,
            "placement": self.placement.as_dict() if self.placement else None,
            "macro_f1": round(self.macro_f1, 4) if self.items_scored else None,
            "micro": self.micro.as_dict(),
            "sections": {s: c.as_dict() for s, c in self.sections.items()},
            "metric_recall": round(metrics.recall, 4),
            "metric_precision": round(metrics.precision, 4),
            "metrics": metrics.as_dict(),
            "grounding_rate": _round(self.grounding_rate),
            "quotes": {"total": total, "verbatim": verbatim},
            "items_in_empty_sections": sum(d.items_in_empty_sections for d in self.documents),
            "schema_valid_rate": round(self.schema_valid_rate, 4),
            "predictions": self.status_counts(),
            "usage": {
                **spend.usage(),
                "cached_documents": sum(d.cached for d in self.documents),
            },
            "cost": _round(spend.cost, 6),
            "seconds": round(sum(d.seconds for d in self.documents), 3),
            "matching": {"min_overlap": MIN_OVERLAP, "min_similarity": MIN_SIMILARITY},
            "documents": [d.as_dict() for d in self.documents],
        }
