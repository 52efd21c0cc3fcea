"""Steps 2 and 3, sections and points: each top-level heading is classified by the cue
lexicon and everything under it inherits; one point per point as the author makes it
(the deepest sub-heading, or each link of a 一是/第一 chain); reports without headings
are read sentence by sentence."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.numbers import chinese_number
from summarizer.offline.lexicon import CONCRETE, CONTEXT_HEAD, classify_heading, sentence_class
from summarizer.offline.outline import INLINE, Node, Para, all_paras, splits
from summarizer.offline.text import first_clause, sentences
from summarizer.schemas import Section

__all__ = ["Point", "find_points"]


@dataclass
class Point:
    start: int  # view span of the whole point
    end: int
    body: int  # where its words start (after any marker)
    section: Section | None
    category: str | None = None


def _chains(text: str, paras: list[Para]) -> list[tuple[int, int]]:
    """Markers of 一是/二是…, 一要/二要… and 第一/第二… chains in ``paras``:
    (marker start, words start).

    A chain counts up from one; a link that does not fit is text, not a marker."""
    if not paras:
        return []
    lo, hi = paras[0].start, paras[-1].end
    accepted: list[list[tuple[int, int]]] = []
    chain: list[tuple[int, int]] = []
    kind, expected = "", 0
    for m in INLINE.finditer(text, lo, hi):
        value = chinese_number(m.group(1) or m.group(2) or "") or 0
        this_kind = "第" if m.group(1) else m.group(3)  # 第一…, 一是…, 一要…: one kind per chain
        at = m.start() + len(m.group()) - len(m.group().lstrip())
        if value == 1:
            if len(chain) >= 2:
                accepted.append(chain)
            chain, kind, expected = [(at, m.end())], this_kind, 2
        elif chain and this_kind == kind and value == expected:
            chain.append((at, m.end()))
            expected += 1
    if len(chain) >= 2:
        accepted.append(chain)
    return [link for c in accepted for link in c]


def _chain_points(
    text: str, paras: list[Para], section: Section | None, category: str | None
) -> list[Point]:
    links = _chains(text, paras)
    if not links:
        return []
    starts = [a for a, _ in links] + [paras[-1].end]
    return [
        Point(at, _link_end(text, paras, at, starts[n + 1]), words, section, category)
        for n, (at, words) in enumerate(links)
    ]


def _link_end(text: str, paras: list[Para], at: int, limit: int) -> int:
    """A link runs to the next one, or on through its paragraph and the marker-free
    paragraphs after it (its continuation), but never into a heading or another chain."""
    following = iter(p for p in paras if p.end > at)
    end = next(following).end
    for p in following:
        if p.start >= limit or p.rank or INLINE.search(text, p.start, p.end):
            break
        end = p.end
    return min(end, limit)


def _category(text: str, node: Node) -> str | None:
    if node.para is None:
        return None
    title = first_clause(node.para.title(text))
    return title[:16] or None


def _points(text: str, node: Node, section: Section | None, category: str | None) -> list[Point]:
    split = [c for c in node.children if splits(node, c)]
    if split:
        points = []
        intro = list(node.content)
        if node.depth >= 2 and intro and any(CONCRETE.search(text, p.start, p.end) for p in intro):
            points.append(Point(intro[0].start, intro[-1].end, intro[0].start, section, category))
        for child in node.children:
            if child in split:
                points += _points(text, child, section, _category(text, node) or category)
        return points
    paras = all_paras(node)
    chained = _chain_points(text, paras, section, _category(text, node) or category)
    if chained:
        return chained
    assert node.para is not None  # only headings get here; the root is read in find_points
    if node.depth <= 1 and paras[1:]:  # a top-level section of plain paragraphs: one point each
        return [Point(p.start, p.end, p.body, section, _category(text, node)) for p in paras[1:]]
    return [Point(node.para.start, paras[-1].end, node.para.body, section, category)]


def find_points(text: str, root: Node, title: str | None) -> list[Point]:
    top = root.children
    body = root.content[1:] if title and root.content else root.content
    if not top:
        points = _chain_points(text, body, None, None)
        if points:
            return points
        return _sentence_points(text, body)
    points = []
    previous: Section = "achievements"
    for node in top:
        assert node.para is not None
        title = node.para.title(text)
        if CONTEXT_HEAD.match(title):
            continue
        section = classify_heading(title)
        if section is None:  # unlabelled: like the section before it, unless that was problems
            section = "achievements" if previous == "problems" else previous
        previous = section
        points += _points(text, node, section, None)
    if not points:  # headings without structure below them
        return _sentence_points(text, body)
    return points


def _sentence_points(text: str, paras: list[Para]) -> list[Point]:
    """Reports with no sections and no chains: within each paragraph, runs of sentences of
    one class make a point; an achievement needs a figure or a concrete act to count."""
    points = []
    for para in paras:
        runs: list[tuple[Section, int, int]] = []
        for a, b in sentences(text, para.start, para.end):
            section = sentence_class(text[a:b])
            if runs and runs[-1][0] == section:
                runs[-1] = (section, runs[-1][1], b)
            else:
                runs.append((section, a, b))
        for section, a, b in runs:
            if section == "achievements" and not CONCRETE.search(text, a, b):
                continue
            points.append(Point(a, b, a, section))
    return points
