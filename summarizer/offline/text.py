"""Spans of the view's text: the punctuation classes (one set, named once), sentences,
clauses, and cutting a span to a length at a clause boundary.

The view is NFKC-folded, so full-width ，；：！？ arrive as ASCII , ; : ! ?; the
Chinese 。、 stay as they are.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from typing import Any

from summarizer.normalize import HAN, HAN_RANGES
from summarizer.schemas import MIN_QUOTE_CHARS, Span

__all__ = [
    "BOUNDARY_MARKS",
    "CLAUSE",
    "CUT",
    "EDGE",
    "ENDS_SENTENCE",
    "SENTENCE_END",
    "Boundaries",
    "chinese_marks",
    "first_clause",
    "latin_heavy",
    "positions",
    "sentences",
    "shared",
    "strip_edges",
    "trim",
]

#: Marks that end a sentence, and marks that end a clause within one.
_SENTENCE_MARKS = "。;!?"
_CLAUSE_MARKS = ",、:;"
#: Where a sentence ends (a line break ends one too).
SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}\n]")
#: Where a clause ends.
CLAUSE = re.compile(f"[{_CLAUSE_MARKS}]")
#: Where a span may be cut: any clause or sentence end.
CUT = re.compile(f"[{_CLAUSE_MARKS}{_SENTENCE_MARKS}]")
#: Where a figure's clause starts: any clause or sentence end, or a line break.
BOUNDARY_MARKS = f"{_SENTENCE_MARKS}\n{_CLAUSE_MARKS}"
#: A line that ends like a sentence is no heading and no title.
ENDS_SENTENCE = re.compile(f"[{_SENTENCE_MARKS}]$")
#: Stripped from both ends of a quote or a label.
EDGE = " \t\n,、:;。!?\"'“”‘’()《》"


def _codes(text: str) -> Any:
    """``text`` as a numpy array of code points (numpy loaded on first use: importing the
    package stays fast, numpy takes 0.1 s)."""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def positions(text: str, marks: str) -> list[int]:
    """Where any of ``marks`` stands in ``text``, in order. By array: a regex scan builds
    a match object per mark (3x slower on a report's thousands of commas)."""
    import numpy as np

    codes = _codes(text)
    found = np.logical_or.reduce([codes == ord(mark) for mark in marks])
    return list(np.flatnonzero(found).tolist())


def latin_heavy(text: str, spans: list[Span], letters: int, share: int) -> list[bool]:
    """For each span of ``text``: whether it holds at least ``letters`` Latin letters and
    more than ``share`` times as many as Han characters. By array: prefix sums over the
    text, two lookups per span; Han characters counted only where Latin letters abound."""
    import numpy as np

    codes = _codes(text)
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)

    def counts(mask: Any) -> Any:
        before = np.concatenate(([0], np.cumsum(mask, dtype=np.int32)))
        return before[ends] - before[starts]

    lower = codes | 32
    latin = counts((lower >= ord("a")) & (lower <= ord("z")))
    heavy = latin >= letters
    if heavy.any():
        han = counts(np.logical_or.reduce([(codes >= a) & (codes <= b) for a, b in HAN_RANGES]))
        heavy &= latin > share * han
    return [bool(h) for h in heavy.tolist()]


class Boundaries:
    """Where the text's clauses and sentences end (:data:`BOUNDARY_MARKS`), found once: the
    last one before a figure is then a bisect, not a scan backwards per figure."""

    def __init__(self, text: str) -> None:
        self.at = positions(text, BOUNDARY_MARKS)

    def first_after(self, start: int, end: int) -> int | None:
        """The first boundary in ``[start, end)``, or None."""
        i = bisect_left(self.at, start)
        return self.at[i] if i < len(self.at) and self.at[i] < end else None

    def after_last(self, start: int, end: int) -> int | None:
        """The position just after the last boundary in ``[start, end)``, or None."""
        i = bisect_left(self.at, end) - 1
        return self.at[i] + 1 if i >= 0 and self.at[i] >= start else None


def sentences(text: str, start: int, end: int, most: int | None = None) -> list[Span]:
    """The sentences of ``text[start:end]`` worth quoting (edges stripped, long enough);
    the first ``most`` of them where given (a whole section's point needs only its first
    few, and splitting all of it costs as much as the rest of the item)."""
    found: list[Span] = []
    pos = start
    for m in itertools.chain(SENTENCE_END.finditer(text, start, end), (None,)):
        if most is not None and len(found) >= most:
            break
        a, b = strip_edges(text, pos, m.start() if m else end)  # None: the text after the last
        if b - a >= MIN_QUOTE_CHARS:
            found.append((a, b))
        if m:
            pos = m.end()
    return found


def strip_edges(text: str, start: int, end: int) -> Span:
    """``[start, end)`` without :data:`EDGE` characters at either end."""
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end


def trim(text: str, start: int, end: int, limit: int) -> Span:
    """``[start, end)`` cut to at most ``limit`` characters at a clause or sentence end."""
    if end - start <= limit:
        return start, end
    cut = max(
        (m.start() for m in CUT.finditer(text, start + limit // 3, start + limit)),
        default=start + limit,
    )
    return strip_edges(text, start, cut)


_WIDE = str.maketrans(",:;?!()", "，：；？！（）")
#: ASCII punctuation the view folded, where it sits beside Chinese (not "12,345", "10:30"):
#: a closing mark after Chinese, an opening one before it. The mark comes first and the
#: lookarounds after it, so the scan skips to marks (3x faster than lookbehind first).
_FOLDED_MARK = re.compile(f"[,:;?!()](?:(?<=[{HAN}”’》）][,:;?!)])|(?<=[,:;?!(])(?=[{HAN}“‘《（]))")


def chinese_marks(text: str) -> str:
    """``text`` with the punctuation beside Chinese full-width again, as reports write it
    (the view folds width so that rules and quotes match; a reader wants ，：； back)."""
    return _FOLDED_MARK.sub(lambda m: m.group().translate(_WIDE), text)


def first_clause(text: str) -> str:
    """``text`` up to its first clause mark."""
    cut = CLAUSE.search(text)
    return (text[: cut.start()] if cut else text).strip(EDGE)


def shared(a: Span, b: Span) -> int:
    """How many characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))
