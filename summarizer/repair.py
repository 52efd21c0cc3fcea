"""Repair: find the passage a model meant when its quote is not quite verbatim.

Real models copy a quote with slips: a dropped or changed character, a character
added, a word cut. Folding (``summarizer.normalize``) already forgives width,
script, whitespace, quote marks and thousands separators; what is left needs an
alignment. This module aligns a folded quote against the folded document with
rapidfuzz (``fuzz.partial_ratio_alignment``, then ``fuzz.ratio`` to settle the
ends, which the partial alignment leaves a character off after a drop or an
addition) and accepts the aligned passage only when

* it is similar enough (:data:`MIN_SCORE`),
* every number in the quote is in the passage, identically and in order: a slip
  may change a word, never a figure, and
* no other passage scores as well: a quote that fits two places proves neither.

It knows nothing of raw offsets: it works on one string, and the caller maps the
span back (``summarizer.grounding``). The knobs are named here, and
``eval/bench_slips.py`` prints how they fare on simulated slips and fabrications.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.numbers import numbers_in
from summarizer.schemas import Refusal

__all__ = ["EDGE_SLACK", "MIN_CHARS", "MIN_SCORE", "Aligned", "align"]

#: Least similarity (rapidfuzz ``ratio``, 0–100, over folded text) between the quote and
#: the passage it is repaired to. One slip in a 10-character quote scores 90-95, one in
#: 20 characters 95-97, two in 20 about 90; a fabricated sentence on the same subject
#: scores 35-70 against its nearest passage (measured: ``python eval/bench_slips.py``).
MIN_SCORE = 88.0
#: Shorter (folded) quotes are never repaired: a few characters align somewhere.
MIN_CHARS = 8
#: How far (characters) each end of the aligned window may move while the ends are settled.
EDGE_SLACK = 3
#: Fills a found passage while looking for a second one: matches nothing in a report.
_MASK = "\ue001"


@dataclass(frozen=True)
class Aligned:
    """``haystack[start:end]`` is the passage the quote was repaired to."""

    start: int
    end: int
    score: float


#: Passages below this score are not offered to the model as "the closest passage".
_SHOW_CLOSEST = 60.0


def align(needle: str, haystack: str) -> Aligned | Refusal:
    """The one passage of ``haystack`` that ``needle`` (both folded) is a slipped copy of."""
    from rapidfuzz import fuzz

    if len(needle) < MIN_CHARS or len(needle) > len(haystack):
        return Refusal("absent")
    first = fuzz.partial_ratio_alignment(needle, haystack)
    if first is None or first.score == 0:
        return Refusal("absent")
    start, end, score = _settle_ends(needle, haystack, first.dest_start, first.dest_end)
    passage = haystack[start:end]
    if score < MIN_SCORE:
        return Refusal("absent", passage if score >= _SHOW_CLOSEST else None)
    if numbers_in(needle) != numbers_in(passage):
        return Refusal("number", passage)
    masked = haystack[:start] + _MASK * (end - start) + haystack[end:]
    second = fuzz.partial_ratio_alignment(needle, masked)
    if second is not None and second.score >= first.score:
        return Refusal("ambiguous", passage)
    return Aligned(start, end, score)


def _settle_ends(needle: str, haystack: str, start: int, end: int) -> tuple[int, int, float]:
    """Move each end of ``haystack[start:end]`` by up to :data:`EDGE_SLACK` characters to the
    passage most like ``needle`` (ties: the length nearest the needle's, then the earliest)."""
    from rapidfuzz import fuzz

    def rank(span: tuple[int, int]) -> tuple[float, int, int]:
        s, e = span
        return fuzz.ratio(needle, haystack[s:e]), -abs((e - s) - len(needle)), -s

    spans = [
        (s, e)
        for s in range(max(0, start - EDGE_SLACK), start + EDGE_SLACK + 1)
        for e in range(max(s + 1, end - EDGE_SLACK), min(len(haystack), end + EDGE_SLACK) + 1)
    ]
    s, e = max(spans, key=rank)
    return s, e, fuzz.ratio(needle, haystack[s:e])
