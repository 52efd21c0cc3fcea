"""The figures for people: the ``--report`` Markdown, the score table on a terminal, and
the change against a ``--baseline``. Both tables are built from one list of rows."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from summarizer.evaluation.counts import Counts
from summarizer.evaluation.scoring import Report
from summarizer.schemas import SECTIONS

__all__ = ["compare", "headline", "print_table", "to_markdown"]


def to_markdown(report: Report, deltas: Mapping[str, float] | None = None) -> str:
    """The ``--report`` file: headline table, then per document what was missed/invented."""
    out = ["# Evaluation report", "", *_headline_markdown(report, deltas), ""]
    for d in report.documents:
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


def print_table(
    report: Report, figures: Mapping[str, Any], deltas: Mapping[str, float] | None
) -> None:
    """The score table on stdout (rich; plain text when stdout is not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120  # a file or a pipe: do not squeeze the table to 80 columns

    def delta(name: str, *, inline: bool = True) -> str:
        if not deltas or name not in deltas:
            return ""
        d = deltas[name]
        colour = "green" if d > 0 else "red" if d < 0 else "dim"
        return f"{' (' if inline else ''}[{colour}]{d:+.3f}[/{colour}]{')' if inline else ''}"

    columns = ["section", "gold", "predicted", "matched", "precision", "recall", "F1"]
    if deltas:
        columns += ["Δ precision", "Δ recall", "Δ F1"]
    table = Table(title="summaries vs gold", title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == "section" else "right")
    rows: list[tuple[str, Counts, str | None]] = [(n, c, n) for n, c in report.sections.items()]
    rows.append(("metrics", report.metrics, None))
    for name, c, key in rows:
        cells = [name, str(c.gold), str(c.predicted), str(c.tp)]
        cells += [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]
        if deltas:
            names = (
                [f"{key}.precision", f"{key}.recall", f"{key}.f1"]
                if key
                else ["metric_precision", "metric_recall", ""]
            )
            cells += [delta(n, inline=False) for n in names]
        table.add_row(*cells)
    console.print(table)
    verbatim, total = report.quotes
    rate = report.grounding_rate
    counts = report.status_counts()
    lines = [
        f"macro F1 [bold]{report.macro_f1:.3f}[/bold]{delta('macro_f1')}   "
        f"micro F1 {report.micro.f1:.3f}{delta('micro_f1')}",
        f"grounding rate {'n/a' if rate is None else f'{rate:.3f}'}{delta('grounding_rate')} "
        f"({verbatim}/{total} quotes verbatim)   "
        f"items where gold is empty {sum(d.items_where_gold_empty for d in report.documents)}",
        f"documents {len(report.documents)}: "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        + f"   schema-valid {report.schema_valid_rate:.3f}",
    ]
    usage = figures["usage"]
    cost = figures["cost"]
    lines.append(
        f"tokens {usage['prompt_tokens']:,} in / {usage['completion_tokens']:,} out   "
        f"cost {'n/a (no --prices for this model)' if cost is None else f'${cost:.4f}'}   "
        f"seconds {figures['seconds']:.1f}"
    )
    for line in lines:
        console.print(line)
