"""Output formats: JSON for programs, Markdown for people.

The Markdown is for reading, so by default each item points at its evidence with the
first quote's opening words (enough to find it in the report) instead of printing every
quote whole: a summary with every quote inline is as long as the report. ``evidence=
"full"`` prints every quote with its span, for checking line by line.
"""

from __future__ import annotations

from typing import Literal, get_args

from summarizer.schemas import SECTIONS, Item, ReportSummary

__all__ = [
    "EVIDENCE_FORMS",
    "SHORT_QUOTE_CHARS",
    "EvidenceForm",
    "opening",
    "to_json",
    "to_markdown",
]

#: What an empty section says: the engine found nothing, which is not to say the document
#: has nothing (a missed admission must not read as "the report admits none").
NOT_FOUND = "未识别到（不表示文档没有）。"

EvidenceForm = Literal["short", "full"]
EVIDENCE_FORMS: tuple[str, ...] = get_args(EvidenceForm)
#: Characters of a quote a short reference keeps: about a dozen find it in the report.
SHORT_QUOTE_CHARS = 12

_HEADINGS = {"achievements": "主要成绩", "problems": "存在问题", "plans": "下一步计划"}


def to_json(summary: ReportSummary, *, indent: int | None = 2) -> str:
    """The summary as JSON (UTF-8 text, Chinese kept readable)."""
    return summary.model_dump_json(indent=indent)


def _quote(text: str) -> str:
    return " ".join(text.split())


def opening(text: str, chars: int) -> str:
    """A quote's first ``chars`` characters, whitespace folded, ``…`` where it was cut
    (the Markdown's short references and the review page's quote lines)."""
    text = _quote(text)
    return text if len(text) <= chars else text[:chars] + "…"


def _short(quote: str) -> str:
    """A quote's opening words: 「坚持以人民为中心,深化司…」."""
    return f"「{opening(quote, SHORT_QUOTE_CHARS)}」"


def _reference(quotes: list[str]) -> str:
    """An item's evidence in a few characters: the first quote's opening, and how many
    more there are."""
    if not quotes:
        return ""
    more = f"等{len(quotes)}处" if len(quotes) > 1 else ""
    return f"〔原文{_short(quotes[0])}{more}〕"


def _item(n: int, item: Item, evidence: EvidenceForm) -> list[str]:
    if evidence == "short":
        return [f"{n}. {item.text}{_reference(item.evidence)}"]
    lines = [f"{n}. {item.text}"]
    for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
        lines.append(f"   > 「{_quote(quote)}」 `[{start}:{end}]`")
    return lines


def to_markdown(summary: ReportSummary, *, evidence: EvidenceForm = "short") -> str:
    """A readable report: header, overview, the three sections, metrics, and what the
    reader should know (warnings). ``evidence``: a short reference per item, or every
    quote with its span."""
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
            out += [f"_{NOT_FOUND}_", ""]
        for n, item in enumerate(items, 1):
            out += _item(n, item, evidence)
            if evidence == "full":
                out.append("")
        if items and evidence == "short":
            out.append("")
    out += [f"## 关键指标（{len(summary.metrics)}）", ""]
    if summary.metrics:
        out += ["| 指标 | 数值 | 单位 | 原文 |", "|---|---:|---|---|"]
        for m in summary.metrics:
            quoted = f"「{_quote(m.evidence)}」" if evidence == "full" else _short(m.evidence)
            cells = [m.name, m.value, m.unit, quoted]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        out.append(f"_{NOT_FOUND}_")
    meta = summary.meta
    how: list[str] = [meta.backend]
    if meta.model:
        how.append(f"model {meta.model} ({meta.mode})")
    if meta.backend == "llm":
        how.append(f"{meta.usage.total_tokens} tokens, {meta.attempts} attempt(s)")
    if meta.cached:
        how.append("cached")
    out += [""] + [f"> 注意：{w}" for w in meta.warnings] + ([""] if meta.warnings else [])
    out += [f"<sub>{' · '.join(how)} · {meta.seconds:.2f}s</sub>", ""]
    return "\n".join(out)
