"""Step 4, items: ``text`` is the point's lead restated (≤ ``ITEM_TEXT_LIMIT``
characters, cut at a clause boundary); ``evidence`` are verbatim raw spans: the lead,
the first body sentence, the stretch with the most figures."""

from __future__ import annotations

from bisect import bisect_left

from summarizer.normalize import fold_many
from summarizer.offline.figures import Figures
from summarizer.offline.points import Point
from summarizer.offline.text import (
    CUT,
    Boundaries,
    chinese_marks,
    sentences,
    shared,
    strip_edges,
    trim,
)
from summarizer.read import Document
from summarizer.schemas import ITEM_TEXT_LIMIT, MIN_QUOTE_CHARS, Item, Section, Span

__all__ = ["item_of", "once"]

#: Longest quote of a point's lead, of its first body sentence, of its figures.
LEAD_QUOTE = 60
BODY_QUOTE = 80
FIGURE_QUOTE = 80
#: A lead shorter than this is restated with a fact from the body after it…
SHORT_LEAD = 30
#: …when at least this much room is left for the fact, the one with the most figures
#: among the first few body sentences.
MIN_FACT = 12
_FACT_SENTENCES = 3
#: How far before a figure its clause may start, and where it starts when no mark is found.
_FIGURE_REACH = 40
_FIGURE_FALLBACK = 20
#: Room kept at a window's end for the unit after its last figure.
_UNIT_ROOM = 4


def figure_window(
    text: str, figures: Figures, bounds: Boundaries, start: int, end: int, limit: int
) -> Span | None:
    """The clause-aligned stretch of ``[start, end)``, at most ``limit`` long, that holds the
    most figures: from the clause before a figure to the end of the clause of the last one."""
    found = figures.within(start, end)
    best: Span | None = None
    best_count = 0
    for first in found:
        a = bounds.after_last(max(start, first - _FIGURE_REACH), first)
        if a is None:
            a = max(start, first - _FIGURE_FALLBACK)
        inside = found[bisect_left(found, a) : bisect_left(found, min(end, a + limit - _UNIT_ROOM))]
        if len(inside) > best_count:  # only a window with more figures is cut
            cut = CUT.search(text, inside[-1], min(end, a + limit))
            best = strip_edges(text, a, cut.start() if cut else min(end, a + limit))
            best_count = len(inside)
    return best


def item_of(
    doc: Document, figures: Figures, bounds: Boundaries, point: Point, unit: str | None
) -> Item | None:
    """The item for one point (``unit``: the speaking unit, where several speak), or None
    when it has nothing long enough to quote."""
    view = doc.normalized.view
    text = view.text
    found = sentences(text, point.body, point.end, most=1 + _FACT_SENTENCES)
    if not found:
        return None
    lead, body = found[0], found[1:]
    quotes = [trim(text, *lead, LEAD_QUOTE)]
    if body:
        quotes.append(trim(text, *body[0], BODY_QUOTE))
    window = figure_window(text, figures, bounds, point.body, point.end, FIGURE_QUOTE)
    if window:
        for a, b in quotes:  # figures a quote already shows are not quoted twice
            if a <= window[0] < b:
                window = strip_edges(text, b, window[1])
        usable = window[1] - window[0] >= MIN_QUOTE_CHARS and figures.count(window)
        if usable and not any(shared(window, q) for q in quotes):
            quotes.append(window)
    restated = text[lead[0] : lead[1]]
    if len(restated) < SHORT_LEAD and body:
        fact = max(body[:_FACT_SENTENCES], key=figures.count)
        room = ITEM_TEXT_LIMIT - len(restated) - 1
        if room >= MIN_FACT:
            a, b = trim(text, *fact, room)
            restated = f"{restated}:{text[a:b]}"
            if not any(shared((a, b), q) for q in quotes):  # its figures stand in a quote
                quotes.append((a, b))
    if len(restated) > ITEM_TEXT_LIMIT:
        a, b = trim(restated, 0, len(restated), ITEM_TEXT_LIMIT)
        restated = restated[a:b]
    if unit and unit not in restated:
        restated = f"{unit}:{restated}"
    restated = chinese_marks(restated)
    evidence, spans = [], []
    for a, b in dict.fromkeys(q for q in quotes if q[1] - q[0] >= MIN_QUOTE_CHARS):
        for span in doc.normalized.quotable(view.raw_span(a, b), min_chars=MIN_QUOTE_CHARS):
            if span not in spans:
                spans.append(span)
                evidence.append(doc.raw[span[0] : span[1]])
    if not evidence:
        return None
    return Item(  # evidence is raw[start:end] by construction: exact
        text=restated,
        evidence=evidence,
        spans=spans,
        category=point.category,
        alignment=["exact"] * len(evidence),
    )


def once(sections: dict[Section, list[Item]]) -> dict[Section, list[Item]]:
    """Each point once within its section: a news lead or subtitle repeated in the body
    gives an item whose text another item already holds; the fuller one is kept. (All
    sections' texts are folded in one call: folding pays per call, not per text.)"""
    texts = [i.text.split("：", 1)[-1] for items in sections.values() for i in items]
    all_folded = fold_many(texts)
    out: dict[Section, list[Item]] = {}
    at = 0
    for section, items in sections.items():
        folded = all_folded[at : at + len(items)]
        at += len(items)
        joined = "\x00".join(folded)  # one scan tells which texts occur more than once
        out[section] = [
            item
            for n, item in enumerate(items)
            if not (
                joined.count(folded[n]) > 1
                and any(
                    m != n and folded[n] in folded[m] and (folded[n] != folded[m] or m < n)
                    for m in range(len(items))
                )
            )
        ]
    return out
