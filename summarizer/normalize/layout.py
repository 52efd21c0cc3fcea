"""Printed-page layout left in extracted text: page numbers ("— 3 —", "第 2 页 共 9 页")
and lines broken at the page's width (a PDF copied out line by line), which cut every
sentence in two. Page numbers are dropped; a hard-wrapped document's lines are joined
back into its paragraphs, so sentences, points and quotes are whole again.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter

from summarizer.normalize.mapped import MappedText

__all__ = ["OPENS_BLOCK", "is_page_number", "join_wrapped", "wrap_width"]

_ENDS = "。!?;:」』”)》"
#: A document is hard-wrapped when this share of its lines has one width (± 2) ...
_WRAP_SHARE = 0.25
#: ... of at least this many characters, and most lines end mid-sentence.
_WRAP_WIDTH = 20
_MID_SENTENCE_SHARE = 0.6
#: A line this much shorter than the width ends its paragraph (or is a heading).
_SHORT_OF_WIDTH = 3
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–―]+\s*\d{1,4}\s*[-—–―]+|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4})\s*$"
)
#: A line that opens a heading or a list item is never the tail of the line before it.
OPENS_BLOCK = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[、.](?!\d)|"
    r"第[一二三四五六七八九十]+[章节部分条]|[#*|>-]|——)"
)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def wrap_width(lines: list[str]) -> int | None:
    """The width the lines were broken at, when they were broken at a fixed width rather
    than at paragraph ends; else None."""
    widths = [len(s) for line in lines if (s := line.strip()) and not is_page_number(s)]
    if len(widths) < 10:
        return None
    width, _ = Counter(widths).most_common(1)[0]
    near = sum(1 for w in widths if abs(w - width) <= 2)
    open_ended = sum(1 for line in lines if (s := line.strip()) and s[-1] not in _ENDS)
    wrapped = (
        width >= _WRAP_WIDTH
        and near >= _WRAP_SHARE * len(widths)
        and open_ended >= _MID_SENTENCE_SHARE * len(widths)
    )
    return width if wrapped else None


def join_wrapped(mt: MappedText) -> MappedText:
    """Page numbers out; in a hard-wrapped document, a line that ends mid-sentence runs on
    into the next text line (blank lines and page numbers between them dropped)."""
    text = mt.text
    lines = text.split("\n")
    numbers = [is_page_number(line) for line in lines]
    width = wrap_width(lines)
    if not any(numbers) and width is None:
        return mt
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    keep: list[tuple[int, int]] = []  # ranges of ``text`` kept, in order
    n = 0
    while n < len(lines):
        line, pos = lines[n], starts[n]
        if numbers[n]:
            n += 1
            continue
        keep.append((pos, pos + len(line)))
        after = n + 1
        while after < len(lines) and (numbers[after] or not lines[after].strip()):
            after += 1
        stripped = line.strip()
        runs_on = (
            width is not None
            and len(stripped) >= width - _SHORT_OF_WIDTH  # a paragraph's last line is short
            and stripped[-1] not in _ENDS
            and after < len(lines)
            and not OPENS_BLOCK.match(stripped)
            and not OPENS_BLOCK.match(lines[after])
        )
        if runs_on:
            n = after  # the break, blank lines and page numbers between are dropped
            continue
        if pos + len(line) < len(text):
            keep.append((pos + len(line), pos + len(line) + 1))  # the line break stays
        n += 1
    origin = array("q")
    for a, b in keep:
        origin.extend(mt.origin[a:b])
    return MappedText("".join(text[a:b] for a, b in keep), origin)
