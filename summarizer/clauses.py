"""The document's sentences and clauses around a grounded quote: what a figure in an
item's text, or the name a model gives a metric, is checked against.

Why here and not "somewhere in the document": a real model puts a real number under
the wrong name, or into the wrong point, and such a number is always somewhere in the
document. A figure is true of a point only where the point's own passage states it, and
a name is true of a value only where the words around that value say it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal

from summarizer.normalize import NormalizedText
from summarizer.numbers import numbers_text, quantities, written_figures
from summarizer.schemas import MIN_QUOTE_CHARS

__all__ = ["NAME_SUPPORT", "Passages", "names"]

#: Where a sentence ends (a line break ends one too: a heading, a list line).
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
#: Where a clause ends inside a sentence.
_CLAUSE_END = re.compile(r"[，,、：:。；;！!？?\n]")
#: How far a sentence reaches from a figure when no stop ends it sooner.
_SENTENCE_REACH = 400
#: A figure as the view writes it (thousands separators kept).
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: A note a name carries in brackets: what kind of figure it is, not what it counts.
_NOTE = re.compile(r"[（(][^（）()]*[）)]")


#: The share of a metric name's Chinese characters the words around its value must write.
#: Measured by ``eval/calibrate_figures.py`` on the hand-labelled metrics of eval/gold and
#: the unseen dev set: all 182 true names pass :func:`names`; 2284 of 2519 (91%) of the
#: other names of the same report, put on the value, do not.
NAME_SUPPORT = 0.6
#: The last characters of a name (what is counted: 结案率, 适用率) must be in the value's
#: own sentence when the rest of the name (its subject) stands in the sentences before.
_NAME_TAIL = 3
#: How far back in the paragraph a name's subject may stand.
_SUBJECT_REACH = 100


def _share(name: str, text: str) -> float:
    chars = _HAN.findall(name)
    return sum(c in text for c in chars) / len(chars) if chars else 1.0


def names(name: str, sentence: str, lead: str) -> bool:
    """Whether the words around a value name it ``name`` (all folded): most of the name's
    characters in the value's ``sentence``; or what the name counts (its last characters)
    there and most of the name in the ``lead`` (the paragraph up to the sentence's end,
    at most ``_SUBJECT_REACH`` characters before the value). A name in Latin letters
    only is not judged, nor a note in brackets (（目标）, （累计）)."""
    name = _NOTE.sub("", name)
    if _share(name, sentence) >= NAME_SUPPORT:
        return True
    chars = _HAN.findall(name)
    tail = chars[-_NAME_TAIL:]
    return (
        len(chars) > _NAME_TAIL
        and all(c in sentence for c in tail)
        and _share(name, lead) >= NAME_SUPPORT
    )


class Passages:
    """Sentences and clauses of one document's view, around raw spans."""

    def __init__(self, normalized: NormalizedText) -> None:
        self._view = normalized.view
        self._doc = normalized

    def _view_range(self, span: tuple[int, int]) -> tuple[int, int]:
        origin = self._view.origin
        return bisect_left(origin, span[0]), max(
            bisect_left(origin, span[0]) + 1, bisect_left(origin, span[1])
        )

    def sentence(self, span: tuple[int, int]) -> tuple[int, int]:
        """The view range of the sentence(s) holding raw ``span``: where a figure its
        point gives may stand without a quote of its own. Measured on the hand-labelled
        items of eval/gold and the unseen dev set (``eval/calibrate_figures.py``): of
        the 72 figures their texts give that no quote of theirs shows, 33 stand in the
        same sentence as one; a figure from another point's quotes does so 6 times in
        422. Further away, the model is asked to quote it."""
        a, b = self._view_range(span)
        start, _ = self._strict_sentence(a)
        _, end = self._strict_sentence(max(a, b - 1))
        return start, end

    def sentence_text(self, span: tuple[int, int]) -> str:
        a, b = self.sentence(span)
        return self._view.text[a:b]

    def _strict_sentence(self, at: int) -> tuple[int, int]:
        """The view range of the sentence holding offset ``at``, from stop to stop, at
        most ``_SENTENCE_REACH`` characters on either side (a text with no stops is not
        one sentence)."""
        text = self._view.text
        start = max(0, at - _SENTENCE_REACH)
        for stop in _SENTENCE_END.finditer(text, start, at):
            start = stop.end()
        limit = min(len(text), at + _SENTENCE_REACH)
        end = _SENTENCE_END.search(text, at, limit)
        return start, end.start() if end else limit

    def values_near(self, spans: list[tuple[int, int]]) -> frozenset[Decimal]:
        """Every value the sentences holding ``spans`` state."""
        found: set[Decimal] = set()
        for span in spans:
            found |= quantities(self.sentence_text(span))
        return frozenset(found)

    def cut_figure(self, span: tuple[int, int]) -> str | None:
        """The figure raw ``span`` cuts in two at either end (``审结案件134`` of 1343), or
        None: a value taken from part of a number is no value."""
        a, b = self._view_range(span)
        text = self._view.text
        for at in (a, b):
            if 0 < at < len(text) and text[at - 1].isdigit() and text[at].isdigit():
                start = at
                while start and (text[start - 1].isdigit() or text[start - 1] in ".,"):
                    start -= 1
                m = _FIGURE.match(text, start)
                return m.group() if m else text[at - 1 : at + 1]
        return None

    def around_value(self, span: tuple[int, int], value: str) -> tuple[str, str] | None:
        """The sentence around ``value`` where it stands inside raw ``span``, and the
        paragraph's words from ``_SUBJECT_REACH`` characters before it to that sentence's
        end; None when ``value`` is not written there."""
        a, b = self._view_range(span)
        text = self._view.text
        for m in _FIGURE.finditer(text, a, b):
            if numbers_text(m.group()).rstrip(".") == value:
                start, end = self._strict_sentence(m.start())
                line = text.rfind("\n", 0, m.start()) + 1
                lead = text[max(line, m.start() - _SUBJECT_REACH) : end]
                return text[start:end], lead
        return None

    def clause_stating(
        self, spans: list[tuple[int, int]], readings: frozenset[Decimal]
    ) -> tuple[int, int] | None:
        """The raw span of the clause, in the sentences holding ``spans``, that states a
        figure with one of ``readings``: the quote added for a figure an item's text gives
        from its passage but none of its quotes shows."""
        text = self._view.text
        for span in spans:
            a, b = self.sentence(span)
            sentence = text[a:b]
            for m in _FIGURE.finditer(sentence):
                # the figure as written on, scale and mixed forms too (1.2万, 3万3883)
                ahead = written_figures(numbers_text(sentence[m.start() : m.end() + 8]))
                if not ahead or not ahead[0][1] & readings:
                    continue
                start = 0
                for stop in _CLAUSE_END.finditer(sentence, 0, m.start()):
                    start = stop.end()
                end = _CLAUSE_END.search(sentence, m.end())
                stop_at = end.start() if end else len(sentence)
                start, stop_at = _stripped(sentence, start, stop_at)
                if stop_at - start >= MIN_QUOTE_CHARS:
                    return self._view.raw_span(a + start, a + stop_at)
        return None


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
