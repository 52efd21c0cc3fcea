"""The margins of a report that are no section: the title and preamble before its first
heading (a title, a dateline, 各位代表：, 现将有关情况报告如下), and the closing words
after a salutation near its end (各位代表！让我们…)."""

from __future__ import annotations

import re

from summarizer.offline.lexicon import SALUTATION_NAMES
from summarizer.offline.outline import Para

__all__ = ["closing", "prelude"]

#: The closing salutation of a speech or a report to a congress, on a line of its own or
#: calling out before the closing words (各位代表！回顾过去，成绩喜人…).
_SALUTATION = re.compile(f"({SALUTATION_NAMES})([!:]|[,。]?\\s*$)")  # the view's marks
#: ... found only in the report's last part.
_CLOSING_PART = 0.8

#: The text before a report's first heading is its title and preamble when it is this
#: small a share of the report.
_PRELUDE_SHARE = 0.15
#: ... and when none of its paragraphs is longer than this (a title, a dateline, 各位代表：,
#: 现将有关情况报告如下).
_PRELUDE_PARAGRAPH = 200


def prelude(text: str, paras: list[Para]) -> int:
    """How many paragraphs open the report before its first heading, when they are a
    title and a preamble (a small share of it); 0 when it has no heading."""
    first = next((n for n, p in enumerate(paras) if p.rank), None)
    if not first or paras[first].start > _PRELUDE_SHARE * len(text):
        return 0
    if any(p.end - p.start > _PRELUDE_PARAGRAPH for p in paras[:first]):
        return 0  # a paragraph of substance: the report's opening, not its preamble
    return first


def closing(text: str, paras: list[Para]) -> int | None:
    """The paragraph that opens the closing words (各位代表！ near the end, no heading
    after it), if any."""
    for n in range(len(paras) - 1, -1, -1):
        para = paras[n]
        if para.start < _CLOSING_PART * len(text) or para.rank:
            return None  # a heading after a salutation: the salutation opened no closing
        if _SALUTATION.match(text, para.body, para.end):
            return n
    return None
