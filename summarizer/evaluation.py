"""Scoring summaries against hand-labeled gold files (format: ``eval/gold/README.md``).

This is what tells a user whether a prompt, a model or an engine change made the
summaries better or worse, so every rule is spelled out here:

* **Normalization.** Both sides go through the same folding as the documents
  (:func:`summarizer.normalize.fold`: NFKC, Traditional → Simplified, pinyin
  debris such as ``現(xiàn)`` dropped, whitespace removed), so a Simplified quote
  of a Traditional report, or a full-width ``１２``, meets its twin.
* **Item pairing**, per section, one-to-one. A predicted and a gold item score
  1.0 when their evidence overlaps in the document (by ``MIN_OVERLAP`` characters,
  or all of the shorter quote), otherwise the character-bigram F1 of their folded
  texts. Pairs below ``MIN_SIMILARITY`` are never made. The pairing is an optimal
  assignment (Hungarian, ``scipy.optimize.linear_sum_assignment``) that first
  makes as many pairs as possible and then maximizes their total score; a
  greedy pass could spend a gold item on the wrong prediction and miss a pair.
  Word-level ROUGE is not used: it tokenizes on spaces and scores Chinese as 0.
* **Precision / recall / F1** per section and per document. When one side is
  empty, the figure that divides by it is 1.0 if the other side is empty too and
  0.0 otherwise: an empty prediction has precision, recall and F1 of 0.
  ``macro_f1`` is the mean of the section F1s (sections with neither gold nor
  predicted items left out); ``micro`` pools the three sections' counts.
  Corpus figures pool the counts over documents.
* **Metrics** pair by (value, unit): the value as a number (``2,000`` = ``2000``
  = ``２０００``, ``2000余`` = ``2000``, ``98.10`` = ``98.1``), the unit folded but
  kept whole (``万元`` ≠ ``元``). Recall over gold metrics, precision over
  predicted ones, each pair used once.
* **grounding_rate**: the share of predicted evidence quotes (items and metrics)
  found verbatim in the raw document. ``None`` when nothing was quoted.
* **Items where gold is empty**: predicted items in a section whose gold list is
  empty — the document admits no problems, and the summary invented some.
* **Predictions** that fail ``ReportSummary`` validation are still scored (as
  the dicts they are) but lower ``schema_valid_rate``; a missing document or an
  error record scores as an empty prediction.
"""

from __future__ import annotations

import glob
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.grounding import GroundedSource
from summarizer.normalize import fold, normalize
from summarizer.numbers import canonical_value, without_approximation
from summarizer.pricing import Prices
from summarizer.read import Document, read_document
from summarizer.records import error_message, is_error_record
from summarizer.schemas import SECTIONS, ReportSummary

__all__ = [
    "MIN_OVERLAP",
    "MIN_SIMILARITY",
    "SECTIONS",
    "Counts",
    "DocScore",
    "Prediction",
    "Prices",
    "Report",
    "aggregate",
    "compare",
    "evaluate",
    "load_gold",
    "load_predictions",
    "match_items",
    "metric_key",
    "score_document",
    "similarity",
]

#: Evidence sharing this many characters (or all of the shorter quote) is the same point.
MIN_OVERLAP = 6
#: Below this character-bigram F1, two texts are different points.
MIN_SIMILARITY = 0.5
#: Weight of making a pair at all, so the assignment maximizes the pair count first.
_PAIR_WEIGHT = 1000.0

Span = tuple[int, int]
Status = Literal["ok", "invalid", "missing", "failed"]


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


def _pooled(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total += c
    return total


class _SectionFigures:
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
        return _pooled(self.sections.values())


# --------------------------------------------------------------------------- matching


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


def _item_spans(item: Mapping[str, Any], raw: str, source: GroundedSource) -> list[Span]:
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
    from scipy.optimize import linear_sum_assignment

    source = source or GroundedSource(normalize(raw))
    p_spans = [_item_spans(p, raw, source) for p in predicted]
    g_spans = [_item_spans(g, raw, source) for g in gold]
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
            return cls(doc_id, {}, "failed", error_message(record))
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
class DocScore(_SectionFigures):
    """Figures for one document, and what was missed and invented, for the report."""

    doc_id: str
    status: Status = "ok"
    error: str | None = None
    sections: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    missed: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    unmatched: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    metrics: Counts = field(default_factory=Counts)
    missed_metrics: list[str] = field(default_factory=list)
    unmatched_metrics: list[str] = field(default_factory=list)
    quotes: int = 0
    quotes_verbatim: int = 0
    items_where_gold_empty: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cost: float | None = 0.0
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
            "macro_f1": round(self.macro_f1, 4),
            "micro": self.micro.as_dict(),
            "sections": {s: c.as_dict() for s, c in self.sections.items()},
            "metric_recall": round(self.metrics.recall, 4),
            "metric_precision": round(self.metrics.precision, 4),
            "metrics": self.metrics.as_dict(),
            "grounding_rate": _round(self.grounding_rate),
            "quotes": {"total": self.quotes, "verbatim": self.quotes_verbatim},
            "items_where_gold_empty": self.items_where_gold_empty,
            "schema_valid": self.schema_valid,
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            },
            "cost": _round(self.cost, 6),
            "seconds": round(self.seconds, 3),
            "missed": self.missed,
            "unmatched": self.unmatched,
            "missed_metrics": self.missed_metrics,
            "unmatched_metrics": self.unmatched_metrics,
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
    for section in SECTIONS:
        p_items, g_items = _items(pred, section), _items(gold, section)
        pairs = match_items(p_items, g_items, raw, source)
        doc.sections[section] = Counts(
            tp=len(pairs), fp=len(p_items) - len(pairs), fn=len(g_items) - len(pairs)
        )
        paired_p, paired_g = {i for i, _ in pairs}, {j for _, j in pairs}
        doc.missed[section] = [
            str(g.get("text")) for j, g in enumerate(g_items) if j not in paired_g
        ]
        doc.unmatched[section] = [
            str(p.get("text")) for i, p in enumerate(p_items) if i not in paired_p
        ]
        if not g_items:
            doc.items_where_gold_empty += len(p_items)
        for item in p_items:
            for quote in item.get("evidence") or []:
                doc.quotes += 1
                doc.quotes_verbatim += isinstance(quote, str) and bool(quote) and quote in raw
    _score_metrics(doc, _items(pred, "metrics"), _items(gold, "metrics"), raw)
    meta = pred.get("meta") if isinstance(pred.get("meta"), Mapping) else {}
    usage = meta.get("usage") if isinstance(meta.get("usage"), Mapping) else {}
    doc.prompt_tokens = int(usage.get("prompt_tokens") or 0)
    doc.completion_tokens = int(usage.get("completion_tokens") or 0)
    doc.seconds = float(meta.get("seconds") or 0.0)
    doc.cached = bool(meta.get("cached"))
    doc.cost = (prices or Prices()).cost(meta) if meta else 0.0
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
            used.add(candidates.pop(0))
        else:
            doc.missed_metrics.append(_metric_label(m))
    doc.unmatched_metrics = [_metric_label(m) for i, m in enumerate(predicted) if i not in used]
    doc.metrics = Counts(tp=len(used), fp=len(predicted) - len(used), fn=len(gold) - len(used))


# --------------------------------------------------------------------------- the corpus


@dataclass
class Report(_SectionFigures):
    """Figures over all scored documents (counts pooled over documents)."""

    documents: list[DocScore]

    @cached_property
    def sections(self) -> dict[str, Counts]:  # type: ignore[override]
        return {s: _pooled(d.sections[s] for d in self.documents) for s in SECTIONS}

    @cached_property
    def metrics(self) -> Counts:
        return _pooled(d.metrics for d in self.documents)

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
    def cost(self) -> float | None:
        costs = [d.cost for d in self.documents]
        return None if any(c is None for c in costs) else sum(c or 0.0 for c in costs)

    def status_counts(self) -> dict[str, int]:
        counts = Counter(d.status for d in self.documents)
        return {s: counts.get(s, 0) for s in ("ok", "invalid", "missing", "failed")}

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` file: headline figures, then one entry per document."""
        metrics, (verbatim, total) = self.metrics, self.quotes
        return {
            "documents_scored": len(self.documents),
            "macro_f1": round(self.macro_f1, 4),
            "micro": self.micro.as_dict(),
            "sections": {s: c.as_dict() for s, c in self.sections.items()},
            "metric_recall": round(metrics.recall, 4),
            "metric_precision": round(metrics.precision, 4),
            "metrics": metrics.as_dict(),
            "grounding_rate": _round(self.grounding_rate),
            "quotes": {"total": total, "verbatim": verbatim},
            "items_where_gold_empty": sum(d.items_where_gold_empty for d in self.documents),
            "schema_valid_rate": round(self.schema_valid_rate, 4),
            "predictions": self.status_counts(),
            "usage": {
                "prompt_tokens": sum(d.prompt_tokens for d in self.documents),
                "completion_tokens": sum(d.completion_tokens for d in self.documents),
                "cached_documents": sum(d.cached for d in self.documents),
            },
            "cost": _round(self.cost, 6),
            "seconds": round(sum(d.seconds for d in self.documents), 3),
            "matching": {"min_overlap": MIN_OVERLAP, "min_similarity": MIN_SIMILARITY},
            "documents": [d.as_dict() for d in self.documents],
        }

    def to_markdown(self, deltas: Mapping[str, float] | None = None) -> str:
        """The ``--report`` file: headline table, then per document what was missed/invented."""
        out = ["# Evaluation report", "", *_headline_markdown(self, deltas), ""]
        for d in self.documents:
            out += [f"## {d.doc_id}", ""]
            if d.status != "ok":
                out += [f"*prediction {d.status}*: {d.error or 'no prediction'}", ""]
            out += _section_table(d.sections, d.metrics)
            out.append("")
            out.append(
                f"macro F1 {d.macro_f1:.3f} · quotes verbatim "
                f"{d.quotes_verbatim}/{d.quotes} · items where gold is empty "
                f"{d.items_where_gold_empty}"
            )
            out.append("")
            for s in SECTIONS:
                for text in d.missed[s]:
                    out.append(f"- **missed** ({s}): {_one_line(text)}")
                for text in d.unmatched[s]:
                    out.append(f"- **not in gold** ({s}): {_one_line(text)}")
            for label in d.missed_metrics:
                out.append(f"- **missed metric**: {_one_line(label)}")
            for label in d.unmatched_metrics:
                out.append(f"- **metric not in gold**: {_one_line(label)}")
            out.append("")
        return "\n".join(out).rstrip() + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _section_table(sections: Mapping[str, Counts], metrics: Counts) -> list[str]:
    rows = [
        "| section | gold | predicted | matched | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in [*sections.items(), ("metrics", metrics)]:
        rows.append(
            f"| {name} | {c.gold} | {c.predicted} | {c.tp} | "
            f"{c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |"
        )
    return rows


HEADLINES = ("macro_f1", "micro_f1", "metric_recall", "metric_precision", "grounding_rate")


def headline(report_dict: Mapping[str, Any]) -> dict[str, float | None]:
    """The figures ``--baseline`` compares, from a ``--json`` dict (ours or an older one)."""
    figures: dict[str, float | None] = {
        "macro_f1": report_dict.get("macro_f1"),
        "micro_f1": (report_dict.get("micro") or {}).get("f1"),
        "metric_recall": report_dict.get("metric_recall"),
        "metric_precision": report_dict.get("metric_precision"),
        "grounding_rate": report_dict.get("grounding_rate"),
    }
    for s in SECTIONS:
        section = (report_dict.get("sections") or {}).get(s) or {}
        for name in ("precision", "recall", "f1"):
            figures[f"{s}.{name}"] = section.get(name)
    return figures


def compare(current: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, float]:
    """current − baseline for every headline figure both have."""
    now, then = headline(current), headline(baseline)
    return {
        k: round(float(v) - float(then[k]), 4)  # type: ignore[arg-type]
        for k, v in now.items()
        if isinstance(v, (int, float)) and isinstance(then.get(k), (int, float))
    }


def _headline_markdown(report: Report, deltas: Mapping[str, float] | None) -> list[str]:
    figures = headline(report.to_dict())

    def show(name: str) -> str:
        value = figures.get(name)
        text = "n/a" if value is None else f"{value:.3f}"
        if deltas and name in deltas:
            text += f" ({deltas[name]:+.3f})"
        return text

    verbatim, total = report.quotes
    return [
        *_section_table(report.sections, report.metrics),
        "",
        f"- documents: {len(report.documents)} "
        + ", ".join(f"{k} {v}" for k, v in report.status_counts().items() if v),
        f"- macro F1: **{show('macro_f1')}** · micro F1: {show('micro_f1')}",
        f"- metric recall: {show('metric_recall')} · metric precision: {show('metric_precision')}",
        f"- grounding rate: {show('grounding_rate')} ({verbatim}/{total} quotes verbatim)",
        "- items in sections whose gold is empty: "
        f"{sum(d.items_where_gold_empty for d in report.documents)}",
        f"- schema-valid predictions: {report.schema_valid_rate:.3f}",
    ]


def aggregate(documents: list[DocScore]) -> Report:
    """The corpus report over scored documents."""
    return Report(list(documents))


# --------------------------------------------------------------------------- files


def load_gold(directory: str | Path) -> list[dict[str, Any]]:
    """Every ``*.json`` gold file in ``directory`` (``doc_id`` defaults to the file name)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError("gold folder not found (pass --gold DIR)", path=folder)
    gold = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"unreadable gold file ({_reason(exc)})", path=path) from None
        if not isinstance(record, dict):
            raise InputError("a gold file must hold one JSON object", path=path)
        record.setdefault("doc_id", path.stem)
        gold.append(record)
    if not gold:
        raise InputError("no *.json gold files here", path=folder)
    return gold


def load_predictions(path: str | Path) -> tuple[dict[str, Prediction], list[str]]:
    """Predictions by ``doc_id`` from a JSONL file (batch output) or a folder of JSON files.

    Returns them with notices: unreadable lines (which cost only themselves) and
    repeated ``doc_id``s (the last line wins, as a resumed batch would have it).
    """
    where = Path(path)
    notices: list[str] = []
    records: list[tuple[str, Any]] = []
    try:
        if where.is_dir():
            for file in sorted(where.rglob("*.json")):
                records.append((str(file), _json_or_none(file.read_text(encoding="utf-8"))))
        else:
            with open(where, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        records.append((f"{where}:{n}", _json_or_none(line)))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read predictions ({_reason(exc)})", path=where) from None
    predictions: dict[str, Prediction] = {}
    for origin, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
            notices.append(f"{origin}: not a summary with a doc_id; skipped")
            continue
        if record["doc_id"] in predictions:
            notices.append(f"{origin}: {record['doc_id']} seen before; the last one counts")
        predictions[record["doc_id"]] = Prediction.from_record(record)
    return predictions, notices


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]


def find_document(corpus: str | Path, doc_id: str) -> Path | None:
    """The corpus file for ``doc_id``: ``<doc_id>.txt``, else any ``<doc_id>.*``."""
    folder = Path(corpus)
    exact = folder / f"{doc_id}.txt"
    if exact.is_file():
        return exact
    found = sorted(p for p in folder.glob(f"{glob.escape(doc_id)}.*") if p.is_file())
    return found[0] if found else None


def missing_prediction(doc_id: str) -> Prediction:
    """What a document without a prediction scores as: an empty summary."""
    return Prediction(doc_id, {}, "missing", "no prediction for this document")


def evaluate(
    gold: Sequence[Mapping[str, Any]],
    corpus: str | Path,
    predict: Callable[[Document], Prediction] | Mapping[str, Prediction],
    *,
    prices: Prices | None = None,
    notify: Callable[[str], None] = lambda message: None,
) -> tuple[Report, int]:
    """Score every gold document; ``predict`` is saved predictions or a function making them.

    Returns the report and how many gold documents could not be scored (their
    corpus file is missing or unreadable; each is reported through ``notify``).
    """
    scores, unscored = [], 0
    for record in gold:
        doc_id = str(record["doc_id"])
        path = find_document(corpus, doc_id)
        if path is None:
            notify(f"{Path(corpus) / doc_id}.txt: no corpus file for this gold file; not scored")
            unscored += 1
            continue
        try:
            doc = read_document(path)
        except InputError as exc:
            notify(f"{exc}; not scored")
            unscored += 1
            continue
        if isinstance(predict, Mapping):
            prediction = predict.get(doc_id) or missing_prediction(doc_id)
        else:
            prediction = predict(doc)
        scores.append(score_document(prediction, record, doc, prices))
    return aggregate(scores), unscored
