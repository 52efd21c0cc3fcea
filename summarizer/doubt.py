"""Doubt said aloud: whether a document looks like a work report at all.

Anything is answered, but a summary of English text, of a title alone or of a table of
file names would be read as a report's summary unless it says otherwise. So each sign
that the input is not a Chinese report becomes a line in ``meta.warnings`` (and on
stderr), for both engines.
"""

from __future__ import annotations

import re

from summarizer.normalize import HAN
from summarizer.read import Document

__all__ = ["MIN_CJK", "MIN_CJK_SHARE", "MIN_SENTENCES", "doubts", "reading_warnings"]

#: Fewer Chinese characters than this is a title or a fragment: a short case summary
#: runs to several hundred.
MIN_CJK = 100
#: Below this share of Chinese among the letters, the text is in another language (a
#: bilingual report, about half Chinese, stays above it).
MIN_CJK_SHARE = 0.3
#: A report is written in sentences; a list, a table or a file index is not.
MIN_SENTENCES = 3
#: A long document whose opening this long reads as a report raises no doubt (the whole
#: text is counted only when the opening does not: a doubt is never raised on less).
_PREFIX = 2000

#: Runs, not characters: counting the runs' lengths is 4x faster than a list of every
#: character on a 20,000-character report.
_CJK = re.compile(f"[{HAN}]+")
_LATIN = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"[。！？；!?;]|\.(?=\s|$)")


def doubts(doc: Document) -> list[str]:
    """Why ``doc`` may not be a Chinese work report (the most telling reason); empty when
    it looks like one."""
    text = doc.normalized.view.text
    if len(text) > _PREFIX and not _why(text[:_PREFIX]):
        return []  # its opening already reads as a report: no doubt to raise
    why = _why(text)
    if why is None:
        return []
    return [f"this does not look like a Chinese work report ({why}); check the summary"]


def reading_warnings(doc: Document) -> list[str]:
    """What a reader of ``doc``'s summary should know before its items, for both engines:
    how the file was read (OCR), then any doubt that it is a report at all."""
    return [*doc.warnings, *doubts(doc)]


def _why(text: str) -> str | None:
    """The most telling reason ``text`` is no Chinese report, or None."""
    cjk = sum(map(len, _CJK.findall(text)))
    latin = sum(map(len, _LATIN.findall(text)))
    if cjk == 0:
        return "there is no Chinese text in it"
    if cjk < MIN_CJK:
        return f"it is very short, {cjk} Chinese characters: a title or a fragment"
    if cjk / (cjk + latin) < MIN_CJK_SHARE:
        return f"only {cjk / (cjk + latin):.0%} of its letters are Chinese"
    if len(_SENTENCE_END.findall(text)) < MIN_SENTENCES:
        return "it has almost no sentences: it reads as a list, a table or an index"
    return None
