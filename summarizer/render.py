"""Output formats: JSON for programs, Markdown for people."""

from __future__ import annotations

from summarizer.schemas import SECTIONS, Item, ReportSummary

__all__ = ["to_json", "to_markdown"]

_HEADINGS = {"achievements": "主要成绩", "problems": "存在问题", "plans": "下一步计划"}


def to_json(summary: ReportSummary, *, indent: int | None = 2) -> str:
    """The summary as JSON (UTF-8 text, Chinese kept readable)."""
    return summary.model_dump_json(indent=indent)


def _quote(text: str) -> str:
    return " ".join(text.split())


def _item(n: int, item: Item) -> list[str]:
    lines = [f"{n}. {item.text}"]
    for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
        lines.append(f"   > 「{_quote(quote)}」 `[{start}:{end}]`")
    return lines


def to_markdown(summary: ReportSummary) -> str:
    """A readable report: header, overview, the three sections with evidence, metrics."""
    out = [f"# {summary.title or summary.doc_id}", ""]
    facts = [
        f"**单位**：{summary.organization}" if summary.organization else "",
        f"**期间**：{summary.period}" if summary.period else "",
        f"**文档**：`{summary.doc_id}`",
    ]
    out += ["　".join(f for f in facts if f), ""]
    if summary.overview:
        out += [f"> {summary.overview}", ""]
    for section in SECTIONS:
        heading = _HEADINGS[section]
        items: list[Item] = getattr(summary, section)
        out += [f"## {heading}（{len(items)}）", ""]
        if not items:
            out += ["_文档未提及。_", ""]
        for n, item in enumerate(items, 1):
            out += [*_item(n, item), ""]
    out += [f"## 关键指标（{len(summary.metrics)}）", ""]
    if summary.metrics:
        out += ["| 指标 | 数值 | 单位 | 原文 |", "|---|---:|---|---|"]
        for m in summary.metrics:
            cells = [m.name, m.value, m.unit, f"「{_quote(m.evidence)}」"]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        out.append("_文档未提及。_")
    meta = summary.meta
    how: list[str] = [meta.backend]
    if meta.model:
        how.append(f"model {meta.model} ({meta.mode})")
    if meta.backend == "llm":
        how.append(f"{meta.usage.total_tokens} tokens, {meta.attempts} attempt(s)")
    if meta.cached:
        how.append("cached")
    out += ["", f"<sub>{' · '.join(how)} · {meta.seconds:.2f}s</sub>", ""]
    return "\n".join(out)
