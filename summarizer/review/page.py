"""One document's review page: the source with its quotes marked beside the summary,
as one self-contained HTML file (styles and script inline, nothing fetched)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from summarizer.render import opening
from summarizer.review.gold import GoldView
from summarizer.review.marks import Quote, Shade, quotes_of, source_html
from summarizer.schemas import SECTIONS, ReportSummary

__all__ = ["Page", "render_page", "template"]

_HEADINGS = {"achievements": "主要成绩", "problems": "存在问题", "plans": "下一步计划"}
#: Characters of a quote the summary side shows (the source shows it whole).
SHOWN_QUOTE_CHARS = 40


@dataclass(frozen=True)
class Page:
    """A rendered page and what it holds."""

    html: str
    quotes: int
    highlighted: int


@functools.cache
def _asset(name: str) -> str:
    return resources.files("summarizer.review").joinpath("templates", name).read_text("utf-8")


@functools.cache
def template(name: str) -> Any:
    """A page template, HTML-escaped by default (a report's text is never markup)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_asset(name))


def assets() -> dict[str, Any]:
    """The inline style and script every page carries."""
    from markupsafe import Markup

    return {"css": Markup(_asset("review.css")), "js": Markup(_asset("review.js"))}


def _short(text: str) -> str:
    return opening(text, SHOWN_QUOTE_CHARS)


def _state(q: Quote) -> str:
    """A quote's badge: how it was aligned, or that the source does not have it there."""
    if q.span is None:
        return "unlocated"
    if q.moved:
        return "moved"
    return q.alignment or "exact"


def _selector(section: str, item: int) -> str:
    return f'mark[data-section="{section}"][data-item="{item}"]'


def shades_of(raw: str) -> list[Shade]:
    """The source's sections as the offline engine's section reader labels them (#26), to
    shade the page: a wrong label shows at a glance, its reason on hover."""
    from summarizer.offline import section_ranges
    from summarizer.read import Document

    return [
        Shade((r.start, r.end), r.section, f"{r.basis} {r.strength:.1f} · {r.reason}")
        for r in section_ranges(Document(doc_id="review", raw=raw))
    ]


def render_page(
    summary: ReportSummary, raw: str | None, gold: GoldView | None, source_note: str = ""
) -> Page:
    """The page of ``summary`` over ``raw`` (None: the source could not be found, said
    by ``source_note``), against ``gold`` when given."""
    from markupsafe import Markup

    quotes = quotes_of(summary, raw) if raw is not None else []
    by_item: dict[tuple[str, int], list[Quote]] = {}
    for q in quotes:
        by_item.setdefault((q.section, q.item), []).append(q)

    def status(section: str, n: int) -> str | None:
        if gold is None:
            return None
        return "matched" if (section, n) in gold.matched else "extra"

    sections = []
    for section in SECTIONS:
        items = []
        for n, item in enumerate(getattr(summary, section), 1):
            located = by_item.get((section, n), [])
            items.append(
                {
                    "n": n,
                    "text": item.text,
                    "category": item.category,
                    "status": status(section, n),
                    "show": _selector(section, n),
                    "quotes": [{"short": _short(q.text), "state": _state(q)} for q in located]
                    or [{"short": _short(e), "state": "unlocated"} for e in item.evidence],
                }
            )
        sections.append({"key": section, "heading": _HEADINGS[section], "entries": items})
    metrics = []
    for n, metric in enumerate(summary.metrics, 1):
        found = by_item.get(("metrics", n))
        metrics.append(
            {
                "n": n,
                "name": metric.name,
                "value": metric.value,
                "unit": metric.unit,
                "short": _short(metric.evidence),
                "state": _state(found[0]) if found else "unlocated",
                "status": status("metrics", n),
                "show": _selector("metrics", n),
            }
        )
    gold_context = None
    if gold is not None:
        rows = [*gold.score.sections.items(), ("metrics", gold.score.metrics)]
        missed = [
            {
                "section": m.section,
                "item": m.item,
                "text": m.text,
                "located": m.located,
                "show": f'mark[data-gold="{m.section}"][data-gold-item="{m.item}"]',
            }
            for m in gold.missed
        ]
        gold_context = {
            "score": gold.score,
            "rows": rows,
            "missed": missed,
            "missed_metrics": gold.score.missed_metrics,
        }
    meta = summary.meta
    meta_line = " · ".join(
        part
        for part in (
            meta.backend,
            f"model {meta.model} ({meta.mode})" if meta.model else "",
            f"{meta.usage.total_tokens:,} tokens, {meta.attempts} attempt(s)"
            if meta.backend == "llm"
            else "",
            "cached" if meta.cached else "",
            f"source {meta.source}" if meta.source else "",
        )
        if part
    )
    total = sum(len(i.evidence) for s in SECTIONS for i in getattr(summary, s))
    total += len(summary.metrics)
    highlighted = sum(q.span is not None for q in quotes)
    html = template("page.html.j2").render(
        s=summary,
        source_html=None
        if raw is None
        else Markup(source_html(raw, quotes, gold.marks if gold else (), shades_of(raw))),
        source_note=source_note,
        quotes=total,
        highlighted=highlighted,
        sections=sections,
        metrics=metrics,
        gold=gold_context,
        warnings=meta.warnings,
        dropped=meta.dropped,
        meta_line=meta_line,
        **assets(),
    )
    return Page(html, total, highlighted)
