"""The figures for people: the ``--report`` Markdown, the score table on a terminal, and
the change against a ``--baseline``. Both tables are built from one list of rows."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from summarizer.evaluation.counts import Counts
from summarizer.evaluation.scoring import DocScore, Report
from summarizer.schemas import SECTIONS

__all__ = ["compare", "document_markdown", "headline", "print_table", "to_markdown"]

#: The rows of every table: the three sections, then the metrics (scored apart).
ROWS: tuple[str, ...] = (*SECTIONS, "metrics")


def to_markdown(report: Report, deltas: Mapping[str, float] | None = None) -> str:
    """The ``--report`` file: the headline figures, then every document's pairs."""
    out = ["# Evaluation report", "", *_headline_markdown(report, deltas), ""]
    out += [line for d in report.documents for line in document_markdown(d)]
    return "\n".join(out).rstrip() + "\n"


def document_markdown(d: DocScore) -> list[str]:
    """One document: its table, its figures named, and by section the pairs the matching
    made beside what only the gold has (missed) and what only the prediction has (extra)."""
    out = [f"## {d.doc_id}", ""]
    if d.status != "ok":
        out += [f"*prediction {d.status}*: {d.error or 'no prediction'}", ""]
    out += _section_table(d.sections, d.metrics)
    out += [
        "",
        f"items macro F1 {f'{d.macro_f1:.3f}' if d.items_scored else 'n/a (no item gold)'} · "
        f"metrics F1 {d.metrics.f1:.3f} · quotes verbatim "
        f"{d.quotes_verbatim}/{d.quotes} · {_EMPTY_SECTIONS} {d.items_in_empty_sections}",
        "",
    ]
    parts: list[tuple[str, list[tuple[str, str]], list[str], list[str]]] = [
        (s, d.matched[s], d.missed[s], d.unmatched[s]) for s in SECTIONS
    ]
    parts.append(("metrics", d.matched_metrics, d.missed_metrics, d.unmatched_metrics))
    for name, matched, missed, extra in parts:
        if not (matched or missed or extra):
            continue
        out += [f"### {name}", ""]
        out += [_pair(predicted, gold) for predicted, gold in matched]
        out += [f"- **missed** (gold only): {_one_line(text)}" for text in missed]
        out += [f"- **extra** (not in gold): {_one_line(text)}" for text in extra]
        out.append("")
    return out


def _pair(predicted: str, gold: str) -> str:
    if _one_line(predicted) == _one_line(gold):
        return f"- **matched**: {_one_line(predicted)} *(same in gold)*"
    return f"- **matched**: {_one_line(predicted)} ⇄ *gold:* {_one_line(gold)}"


#: What ``items_in_empty_sections`` counts, in words a reader cannot misread.
_EMPTY_SECTIONS = "items given where the gold has none (a section the report leaves empty)"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _section_table(
    sections: Mapping[str, Counts], metrics: Counts, deltas: Mapping[str, float] | None = None
) -> list[str]:
    """The Markdown table: a row per section and one for the metrics, with the change
    against a ``--baseline`` in every row when there is one."""
    names = ("precision", "recall", "F1")
    head = ["section", "gold", "predicted", "matched", *names]
    head += [f"Δ {n}" for n in names] if deltas is not None else []
    rows = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    counts = {**sections, "metrics": metrics}
    for row in ROWS:
        c = counts[row]
        cells = [row, str(c.gold), str(c.predicted), str(c.tp)]
        cells += [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]
        if deltas is not None:
            cells += [_change(deltas, f"{row}.{n.lower()}") for n in names]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _change(deltas: Mapping[str, float], name: str) -> str:
    """A row's change, or ``n/a`` where the baseline lacks the figure (an older file)."""
    return f"{deltas[name]:+.3f}" if name in deltas else "n/a"


def headline(report_dict: Mapping[str, Any]) -> dict[str, float | None]:
    """The figures ``--baseline`` compares, from a ``--json`` dict (ours or an older one):
    the items' macro and micro F1, the grounding rate, and each row's P/R/F1."""
    figures: dict[str, float | None] = {
        "macro_f1": report_dict.get("macro_f1"),
        "micro_f1": (report_dict.get("micro") or {}).get("f1"),
        "grounding_rate": report_dict.get("grounding_rate"),
    }
    rows = {**(report_dict.get("sections") or {}), "metrics": report_dict.get("metrics") or {}}
    for row in ROWS:
        for name in ("precision", "recall", "f1"):
            figures[f"{row}.{name}"] = (rows.get(row) or {}).get(name)
    placement = report_dict.get("placement") or {}
    for section, shares in (placement.get("sections") or {}).items():
        for name in ("share_in_range", "share_found"):
            figures[f"placement.{section}.{name}"] = shares.get(name)
    for kind in ("targets", "outcomes"):
        if (placement.get(kind) or {}).get("gold"):
            figures[f"placement.{kind}.recall"] = placement[kind].get("recall")
    return figures


def compare(current: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, float]:
    """current − baseline for every headline figure both have."""
    now, then = headline(current), headline(baseline)
    return {
        k: round(float(v) - float(then[k]), 4)  # type: ignore[arg-type]
        for k, v in now.items()
        if isinstance(v, (int, float)) and isinstance(then.get(k), (int, float))
    }


def _headline_lines(
    report: Report, deltas: Mapping[str, float] | None, bold: Callable[[str], str]
) -> list[str]:
    """The figures under the table, each named for what it covers; a figure compared with
    a ``--baseline`` carries its change."""
    figures = headline(report.to_dict())

    def show(name: str) -> str:
        value = figures.get(name)
        text = "n/a" if value is None else f"{value:.3f}"
        if deltas and name in deltas:
            text += f" ({deltas[name]:+.3f})"
        return text

    verbatim, total = report.quotes
    empty = sum(d.items_in_empty_sections for d in report.documents)
    return [
        f"items macro F1 {bold(show('macro_f1'))}: the mean F1 of achievements, problems "
        "and plans (metrics not included)",
        f"items micro F1 {show('micro_f1')}: the three sections' items pooled",
        f"metrics F1 {show('metrics.f1')}: recall {show('metrics.recall')}, precision "
        f"{show('metrics.precision')} (headline figures, matched by value and unit)",
        f"grounding rate {show('grounding_rate')}: {verbatim}/{total} quotes verbatim",
        f"{_EMPTY_SECTIONS}: {empty}",
        f"documents {len(report.documents)}: "
        + ", ".join(f"{k} {v}" for k, v in report.status_counts().items() if v)
        + f"; schema-valid {report.schema_valid_rate:.3f}",
    ]


def _placement_lines(report: Report, deltas: Mapping[str, float] | None) -> list[str]:
    """Section-range gold: per section, the share of the items filed there that lie in a
    range of it, and in how many documents the section was found at all."""
    placement = report.placement
    if placement is None:
        return []

    def share(value: float | None, name: str) -> str:
        text = "n/a" if value is None else f"{value:.0%}"
        if deltas and name in deltas:
            text += f" ({deltas[name]:+.0%})"
        return text

    lines = [
        f"section ranges ({placement.documents} documents with range gold): of the items "
        "filed under a section, the share lying in a gold range of it; and the documents "
        "where the section has a range and an item lies in it"
    ]
    for s in SECTIONS:
        key = f"placement.{s}"
        lines.append(
            f"  {s}: {share(placement.share_inside(s), key + '.share_in_range')} of "
            f"{placement.placed[s]} items in range; found in {placement.found[s]}/"
            f"{placement.gold_has[s]} documents"
        )
    for kind, counts in (("targets", placement.targets), ("outcomes", placement.outcomes)):
        if counts.gold:
            lines.append(
                f"  {kind} among the metrics: {counts.tp}/{counts.gold} "
                f"({share(counts.recall, f'placement.{kind}.recall')})"
            )
    return lines


def _items_lines(
    report: Report, deltas: Mapping[str, float] | None, bold: Callable[[str], str]
) -> list[str]:
    """The item figures, or the one line that says no document has item gold."""
    if not report.items_scored:
        return ["items: no document here has item gold (section ranges only)"]
    return _headline_lines(report, deltas, bold)


def _headline_markdown(report: Report, deltas: Mapping[str, float] | None) -> list[str]:
    lines = _items_lines(report, deltas, lambda text: f"**{text}**")
    lines += _placement_lines(report, deltas)
    table = _section_table(report.sections, report.metrics, deltas) if report.items_scored else []
    return [*table, "", *(f"- {x}" for x in lines)]


def print_table(
    report: Report,
    figures: Mapping[str, Any],
    deltas: Mapping[str, float] | None,
    *,
    details: bool = False,
) -> None:
    """The score table on stdout (rich; plain text when stdout is not a terminal); with
    ``details``, every document's pairs, missed and extra items after it."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120  # a file or a pipe: do not squeeze the table to 80 columns

    def delta(name: str) -> str:
        if not deltas or name not in deltas:
            return "n/a"
        d = deltas[name]
        colour = "green" if d > 0 else "red" if d < 0 else "dim"
        return f"[{colour}]{d:+.3f}[/{colour}]"

    columns = ["section", "gold", "predicted", "matched", "precision", "recall", "F1"]
    if deltas:
        columns += ["Δ precision", "Δ recall", "Δ F1"]
    table = Table(title="summaries vs gold", title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == "section" else "right")
    counts = {**report.sections, "metrics": report.metrics}
    for row in ROWS:
        c = counts[row]
        cells = [row, str(c.gold), str(c.predicted), str(c.tp)]
        cells += [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]
        if deltas:
            cells += [delta(f"{row}.{n}") for n in ("precision", "recall", "f1")]
        table.add_row(*cells)
    if report.items_scored:
        console.print(table)
    lines = _items_lines(report, deltas, lambda text: f"[bold]{text}[/bold]")
    lines += _placement_lines(report, deltas)
    usage, cost = figures["usage"], figures["cost"]
    lines.append(
        f"tokens {usage['prompt_tokens']:,} in / {usage['completion_tokens']:,} out; "
        f"cost {'n/a (no --prices for this model)' if cost is None else f'${cost:.4f}'}; "
        f"seconds {figures['seconds']:.1f}"
    )
    for line in lines:
        console.print(line)
    if details:  # as plain Markdown: a long item is never cropped to the terminal's width
        console.file.flush()
        for d in report.documents:
            sys.stdout.write("\n" + "\n".join(document_markdown(d)))
