"""Spans of the view's text: the punctuation classes (one set, named once), sentences,
clauses, and cutting a span to a length at a clause boundary.

The view is NFKC-folded, so full-width ，；：！？ arrive as ASCII , ; : ! ?; the
Chinese 。、 stay as they are.
"""

from __future__ import annotations

import re

from summarizer.normalize import HAN
from summarizer.schemas import MIN_QUOTE_CHARS, Span

__all__ = [
    "BOUNDARY",
    "CLAUSE",
    "CUT",
    "EDGE",
    "ENDS_SENTENCE",
    "LABEL_STOP",
    "SENTENCE_END",
    "chinese_marks",
    "first_clause",
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
BOUNDARY = re.compile(f"[{_SENTENCE_MARKS}\n{_CLAUSE_MARKS}]")
#: What stops a metric's label, read backwards from its number.
LABEL_STOP = _SENTENCE_MARKS + "\n" + _CLAUSE_MARKS
#: A line that ends like a sentence is no heading and no title.
ENDS_SENTENCE = re.compile(f"[{_SENTENCE_MARKS}]$")
#: Stripped from both ends of a quote or a label.
EDGE = " \t\n,、:;。!?\"'“”‘’()《》"


def sentences(text: str, start: int, end: int) -> list[Span]:
    """The sentences of ``text[start:end]`` worth quoting (edges stripped, long enough)."""
    spans, pos = [], start
    for m in SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    return [
        s for s in (strip_edges(text, a, b) for a, b in spans) if s[1] - s[0] >= MIN_QUOTE_CHARS
    ]


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
#: ASCII punctuation the view folded, where it sits beside Chinese (not "12,345", "10:30").
_FOLDED_MARK = re.compile(f"(?<=[{HAN}”’》）])[,:;?!)]|[,:;?!(](?=[{HAN}“‘《（])")


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
