"""Where each quote of a summary is in its source, and the source as HTML with every
quote marked.

A quote is looked for at its recorded span first (``raw[start:end] == quote``), then
anywhere in the raw text (the file changed since, or the record came from elsewhere);
a quote found nowhere is kept, unmarked, so the page can say so. Quotes overlap (a
metric inside an achievement's sentence), so the text is cut at every quote's ends and
each piece is wrapped in one ``<mark>`` per quote that covers it, outermost first:
every quote gets at least one mark carrying its section, item and index, and the HTML
stays well formed however the quotes overlap.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.schemas import SECTIONS, ReportSummary, Span

__all__ = ["KINDS", "GoldMark", "Quote", "Shade", "quotes_of", "source_html"]
#: The rows a quote can belong to: the three sections, then the metrics table.
KINDS: tuple[str, ...] = (*SECTIONS, "metrics")


@dataclass(frozen=True)
class Quote:
    """One evidence quote of the summary and where it is in the source."""

    section: str
    #: 1-based, as the page numbers the section's items (or the metrics' rows).
    item: int
    #: 0-based within the item's evidence.
    index: int
    text: str
    #: Where it is in the raw text; None when it is nowhere in it.
    span: Span | None
    #: exact, folded or repaired (#7), as the summary recorded it.
    alignment: str | None
    #: Found, but not at the span the summary recorded.
    moved: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}-{self.item}-{self.index}"


@dataclass(frozen=True)
class GoldMark:
    """A gold item's evidence the summary missed, to be shown in another style."""

    section: str
    #: 1-based among the gold items of its section.
    item: int
    span: Span


@dataclass(frozen=True)
class Shade:
    """A range of the source shaded by the section the engine reads there, with why."""

    span: Span
    section: str  # achievements, problems, plans or none
    reason: str  # shown on hover: what decided it and how strongly


def _locate(raw: str, text: str, span: Span | None) -> tuple[Span | None, bool]:
    if span is not None and raw[span[0] : span[1]] == text:
        return span, False
    at = raw.find(text) if text else -1
    return ((at, at + len(text)), True) if at >= 0 else (None, False)


def quotes_of(summary: ReportSummary, raw: str) -> list[Quote]:
    """Every evidence quote of the items and metrics, located in ``raw``."""
    quotes: list[Quote] = []
    for section in SECTIONS:
        for n, item in enumerate(getattr(summary, section), 1):
            alignments: list[str | None] = [*item.alignment, *[None] * len(item.evidence)]
            spans: list[Span | None] = [*item.spans, *[None] * len(item.evidence)]
            for k, text in enumerate(item.evidence):
                where, moved = _locate(raw, text, spans[k])
                quotes.append(Quote(section, n, k, text, where, alignments[k], moved))
    for n, metric in enumerate(summary.metrics, 1):
        where, moved = _locate(raw, metric.evidence, metric.span)
        quotes.append(Quote("metrics", n, 0, metric.evidence, where, metric.alignment, moved))
    return quotes


def source_html(
    raw: str,
    quotes: Sequence[Quote],
    gold: Sequence[GoldMark] = (),
    shades: Sequence[Shade] = (),
) -> str:
    """``raw`` escaped, every located quote (and missed gold evidence) marked; with
    ``shades`` (ranges in order), each range wrapped in a ``<span class="sec …">`` whose
    title says why: a mark never crosses one, as every piece opens and closes its own."""
    marks: list[tuple[Span, str, str]] = []  # (span, opening tag, first-piece id)
    for q in quotes:
        if q.span is not None and q.span[1] > q.span[0]:
            tag = (
                f'<mark class="q {q.section}" data-section="{q.section}" '
                f'data-item="{q.item}" data-quote="{q.index}"'
            )
            marks.append((q.span, tag, f"q-{q.key}"))
    for g in gold:
        if g.span[1] > g.span[0]:
            tag = f'<mark class="gold" data-gold="{g.section}" data-gold-item="{g.item}"'
            marks.append((g.span, tag, ""))
    cuts = sorted({0, len(raw), *(p for (s, e), _, _ in marks for p in (s, e))})
    cuts = sorted({*cuts, *(p for sh in shades for p in sh.span if 0 <= p <= len(raw))})
    shade_at = 0  # the shade the next piece lies in
    # outermost first: the longer of two marks that start together wraps the other
    marks.sort(key=lambda m: (m[0][0], -m[0][1]))
    # One sweep: a mark joins the open ones where it starts and leaves after its end
    # (every end is a cut, so a mark open at a piece's start covers the whole piece).
    opened: set[int] = set()
    open_now: list[int] = []  # in start order: outermost first
    upcoming = 0
    out: list[str] = []
    for start, end in itertools.pairwise(cuts):
        while upcoming < len(marks) and marks[upcoming][0][0] <= start:
            open_now.append(upcoming)
            upcoming += 1
        open_now = [n for n in open_now if marks[n][0][1] > start]
        head = []
        for n in open_now:
            _, tag, ident = marks[n]
            first = ident and n not in opened
            opened.add(n)
            head.append(f'{tag} id="{ident}">' if first else f"{tag}>")
        piece = html.escape(raw[start:end], quote=False)
        if shades and shade_at < len(shades) and shades[shade_at].span[0] == start:
            if shade_at:
                out.append("</span>")
            shade = shades[shade_at]
            title = html.escape(f"{shade.section} · {shade.reason}", quote=True)
            out.append(f'<span class="sec sec-{shade.section}" title="{title}">')
            shade_at += 1
        out.append("".join(head) + piece + "</mark>" * len(open_now))
    if shades and shade_at:
        out.append("</span>")
    return "".join(out)
