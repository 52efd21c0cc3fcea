"""A report too long for the model's context, cut on its own structure into chunks that
each fit one request.

Cuts fall where the report makes them: before a section heading (一、 / 第一部分 / #),
then between paragraphs, and only inside a paragraph too long for any request between
its sentences (a character cut is the very last resort). A chunk is filled greedily, but
one that is at least half full closes before a top-level section that does not fit in
its rest and would fit in a chunk of its own, so that section is read whole. A section
that fits in no chunk is cut anyway, so it does not close a chunk early: every part sent
costs the request's fixed tokens (instructions and schema) again. Each chunk knows the
headings it sits under, so the model knows it is reading 二、存在的问题 even when that
heading is in an earlier chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from summarizer.offline.outline import Para, paragraphs
from summarizer.offline.text import SENTENCE_END

__all__ = ["HEADING_CHARS", "Chunk", "split"]

#: A heading in a chunk's heading path is cut to this many characters.
HEADING_CHARS = 40
#: A chunk at least this full closes before a top-level section that would then be whole.
_SECTION_FILL = 0.5
#: Each unit is counted one token more than its text: the line break that joins it to the
#: next, and the rounding up that a sum of estimates does not repeat.
_SEPARATOR = 1


@dataclass(frozen=True)
class Chunk:
    """One part of the normalized text (``[start, end)`` of the view) and the headings
    above its start, outermost first."""

    start: int
    end: int
    headings: tuple[str, ...]


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    rank: int  # heading rank of the paragraph it comes from; 0 for text


def split(text: str, budget: int, tokens: Callable[[str], int]) -> list[Chunk]:
    """``text`` cut into chunks of at most ``budget`` tokens each (``tokens`` counts them).

    Every character of ``text`` outside the whitespace between chunks is in exactly one
    chunk, in order."""
    if budget < 1:
        raise ValueError("a chunk needs a budget of at least one token")
    paras = paragraphs(text)
    units = [u for p in paras for u in _units(text, p, budget, tokens)]
    sections = _section_tokens(units)
    chunks: list[tuple[int, int]] = []
    current: list[_Unit] = []
    used = 0  # tokens of the units in ``current``
    for unit, section_tokens in zip(units, sections, strict=True):
        full = used + unit.tokens > budget
        section = (
            unit.rank == 1
            and used >= _SECTION_FILL * budget
            and used + section_tokens > budget >= section_tokens
        )
        if current and (full or section):
            carried: list[_Unit] = []
            while len(current) > 1 and current[-1].rank:  # a heading goes with its text
                carried.insert(0, current.pop())
            chunks.append((current[0].start, current[-1].end))
            current, used = carried, sum(u.tokens for u in carried)
            if current and used + unit.tokens > budget:
                chunks.append((current[0].start, current[-1].end))
                current, used = [], 0
        current.append(unit)
        used += unit.tokens
    if current:
        chunks.append((current[0].start, current[-1].end))
    return [Chunk(a, b, _headings_at(text, paras, a)) for a, b in chunks]


def _section_tokens(units: list[_Unit]) -> list[int]:
    """For each unit that opens a top-level section, the tokens up to the next one (0 for
    the others)."""
    sizes, running = [0] * len(units), 0
    for i in range(len(units) - 1, -1, -1):
        running += units[i].tokens
        if units[i].rank == 1:
            sizes[i], running = running, 0
    return sizes


def _units(text: str, para: Para, budget: int, tokens: Callable[[str], int]) -> list[_Unit]:
    """The paragraph as one unit, or, when it alone is over budget, its sentences packed
    into units that fit (characters cut only where one sentence is over budget)."""
    whole = tokens(text[para.start : para.end]) + _SEPARATOR
    if whole <= budget:
        return [_Unit(para.start, para.end, whole, para.rank)]
    pieces: list[tuple[int, int]] = []
    at = para.start
    for m in SENTENCE_END.finditer(text, para.start, para.end):
        pieces.append((at, m.end()))
        at = m.end()
    if at < para.end:
        pieces.append((at, para.end))
    units: list[_Unit] = []
    for a, b in pieces:
        for x, y in _by_characters(text, a, b, budget, tokens):
            n = tokens(text[x:y]) + _SEPARATOR
            if units and units[-1].tokens + n <= budget:
                last = units.pop()
                units.append(_Unit(last.start, y, last.tokens + n, 0))
            else:
                units.append(_Unit(x, y, n, 0))
    return units


def _by_characters(
    text: str, start: int, end: int, budget: int, tokens: Callable[[str], int]
) -> list[tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``budget`` tokens: itself when it fits."""
    if tokens(text[start:end]) + _SEPARATOR <= budget:
        return [(start, end)]
    pieces, at = [], start
    while at < end:
        step = max(1, min(end - at, budget))  # a token is at least one character
        while step > 1 and tokens(text[at : at + step]) + _SEPARATOR > budget:
            step //= 2
        pieces.append((at, at + step))
        at += step
    return pieces


def _headings_at(text: str, paras: list[Para], start: int) -> tuple[str, ...]:
    """The headings in force at ``start``: for each rank, the last heading before it,
    dropped when a heading of a higher rank came after (or opens the chunk itself)."""
    path: dict[int, str] = {}
    for para in paras:
        if para.rank and para.start <= start:
            path = {r: h for r, h in path.items() if r < para.rank}
            if para.start < start:  # a chunk's own first heading is in its text
                path[para.rank] = text[para.start : para.end][:HEADING_CHARS]
        if para.start >= start:
            break
    return tuple(path[r] for r in sorted(path))
