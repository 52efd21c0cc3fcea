"""The document as the validators see it: where a quote is, how it was matched, and
what figures and names the words around a quote bear out.

The draft validators in ``summarizer.schemas`` ask a :class:`SourceText` whether a
quote grounds. :class:`GroundedSource` answers on the ``key`` view (width-,
script- and whitespace-folded, debris removed), then maps the match back to raw
offsets, so a model that quotes the Simplified prompt text of a Traditional
report, or writes “” for "", still lands on the exact raw substring. A quote the
key does not hold is aligned (``summarizer.repair``) before it is refused, and a
quote with an ellipsis is located part by part. Every match says how it was made.
The figures a point's text gives and the name a metric is given are checked against
the sentences around their quotes (``summarizer.clauses``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from summarizer.clauses import Passages, names
from summarizer.normalize import NormalizedText, fold, fold_many
from summarizer.numbers import numbers_text, quantities, written_figures
from summarizer.read import Document
from summarizer.repair import Aligned, align
from summarizer.schemas import MIN_QUOTE_CHARS, Alignment, Refusal

__all__ = ["Conversation", "GroundedSource", "Located", "overlaps", "validation_context"]

#: An ellipsis a model writes to skip part of a passage: each side is located on its own.
_ELLIPSIS = re.compile(r"…+|\.{3,}|。{3,}")
#: Marks a model puts around a title that the document does not.
_TITLE_MARKS = '《》〈〉"“”「」 '
#: A figure that is part of a date: checked against the document, not the item's passage.
_DATE_PART = re.compile(r"(?:[、和至到-]\d+)*(?:[年月日号级届]|月份)")
#: A figure inside a name (M2, C#6, 0.8.1 after a letter, 5G, 4K): not a quantity. A
#: figure with a unit in letters (300km, 500kV) is one.
_NAME_BEFORE = re.compile(r"[A-Za-z.#]")
_NAME_AFTER = re.compile(r"[A-Z](?![A-Za-z])|\.\d")


def _not_a_quantity(text: str, figure: str, end: int) -> bool:
    """Whether ``figure``, ending at ``end`` in ``text``, is part of a date or a cohort
    (2022年, 9月, 06级) or of a name (M2, 5G, version 0.8.1): not a quantity a point
    reports."""
    at = end - len(figure)
    return bool(
        _DATE_PART.match(text, end)
        or (at and _NAME_BEFORE.match(text, at - 1))
        or _NAME_AFTER.match(text, end)
    )


@dataclass(frozen=True)
class Located:
    """One quote (or one part of a quote around an ellipsis) tied to the raw document."""

    span: tuple[int, int]
    alignment: Alignment


class GroundedSource:
    """A :class:`summarizer.schemas.SourceText` over one normalized document.

    ``points`` returns the points a structural reading finds (the offline engine's item
    texts): asked only when a model answers with none, to tell it what it missed."""

    def __init__(
        self,
        normalized: NormalizedText,
        points: Callable[[], Sequence[str]] | None = None,
        places: Callable[[tuple[int, int]], tuple[str, str] | None] | None = None,
    ) -> None:
        self._doc = normalized
        self._find_points = points
        self._places = places
        self._spans: dict[str, tuple[int, int] | None] = {}
        self._matches: dict[str, tuple[Located, ...] | Refusal] = {}
        self._folds: dict[str, str] = {}
        self._beyond: dict[tuple[str, tuple[str, ...]], list[tuple[str, frozenset[Decimal]]]] = {}

    def fold(self, text: str) -> str:
        folded = self._folds.get(text)
        if folded is None:
            folded = self._folds[text] = fold(text)
        return folded

    def fold_many(self, texts: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self._folds]
        self._folds.update(zip(new, fold_many(new), strict=True))

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Raw ``[start, end)`` of ``quote`` found after folding, or None (no repair)."""
        if quote in self._spans:
            return self._spans[quote]
        span = None
        needle = self.fold(quote)
        if needle:
            at = self._doc.key.text.find(needle)
            if at >= 0:
                span = self._doc.key.raw_span(at, at + len(needle))
        self._spans[quote] = span
        return span

    def match(self, quote: str) -> tuple[Located, ...] | Refusal:
        """Where ``quote`` is: one :class:`Located` per part (parts are split at an
        ellipsis), or why it is not accepted."""
        found = self._matches.get(quote)
        if found is None:
            parts = [p.strip() for p in _ELLIPSIS.split(quote) if p.strip()] or [quote]
            each = [self._match_one(part) for part in parts]
            refused = [r for r in each if isinstance(r, Refusal)]
            located = tuple(piece for r in each if not isinstance(r, Refusal) for piece in r)
            found = self._matches[quote] = refused[0] if refused else located
        return found

    def _match_one(self, quote: str) -> tuple[Located, ...] | Refusal:
        """Where one part is: one span, or on a web page the pieces around inline markup."""
        needle = self.fold(quote)
        if len(needle) < MIN_QUOTE_CHARS:
            return Refusal("short")
        span = self.locate(quote)
        how: Alignment
        if span is not None:
            how = "exact" if self._doc.raw[span[0] : span[1]] == quote else "folded"
        else:
            key = self._doc.key
            aligned = align(needle, key.text)
            if not isinstance(aligned, Aligned):
                return aligned
            span, how = key.raw_span(aligned.start, aligned.end), "repaired"
        pieces = self._doc.quotable(span, min_chars=MIN_QUOTE_CHARS)
        if not pieces:
            return Refusal("short")
        if pieces != [span] and how == "exact":
            how = "folded"  # the quote as the model gave it was not the file's text
        return tuple(Located(piece, how) for piece in pieces)

    def refusal(self, quote: str) -> Refusal | None:
        found = self.match(quote)
        return found if isinstance(found, Refusal) else None

    def states(self, text: str) -> bool:
        """Whether the document writes ``text`` (folded; no repair): for header fields."""
        needle = self.fold(text.strip(_TITLE_MARKS))
        return bool(needle) and needle in self._doc.key.text

    def has_number(self, number: str) -> bool:
        return self._doc.states(number)

    @cached_property
    def _passages(self) -> Passages:
        return Passages(self._doc)

    def spans_of(self, quotes: Iterable[str]) -> list[tuple[int, int]]:
        """The raw spans of ``quotes`` that ground (the parts around an ellipsis each)."""
        found = (self.match(q) for q in quotes)
        return [p.span for f in found if not isinstance(f, Refusal) for p in f]

    def _figures_beyond(
        self, text: str, quotes: Sequence[str]
    ) -> list[tuple[str, frozenset[Decimal]]]:
        """The figures ``text`` gives that its ``quotes`` do not show (dates left out:
        2022年 or 9月 only needs the document to state it). Asked by the validator and
        again by grounding: worked out once."""
        key = (text, tuple(quotes))
        if key not in self._beyond:
            self._beyond[key] = self._work_out_beyond(text, quotes)
        return self._beyond[key]

    def _work_out_beyond(
        self, text: str, quotes: Sequence[str]
    ) -> list[tuple[str, frozenset[Decimal]]]:
        plain = numbers_text(self.fold(text))
        figures = [
            (w, r) for w, r, end in written_figures(plain) if not _not_a_quantity(plain, w, end)
        ]
        if not figures:
            return []
        stated = quantities(" ".join(self.fold(q) for q in quotes))
        return [(w, r) for w, r in figures if not r & stated]

    def unsupported_figures(self, text: str, quotes: Sequence[str]) -> list[str]:
        """The figures ``text`` gives that neither its ``quotes`` nor the paragraph around
        them state (:meth:`summarizer.clauses.Passages.sentence`)."""
        missing = self._figures_beyond(text, quotes)
        if missing:
            near = self._passages.values_near(self.spans_of(quotes))
            missing = [(w, r) for w, r in missing if not r & near]
        return list(dict.fromkeys(w for w, _ in missing))

    def attachments(self, text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
        """For each figure ``text`` gives that no quote shows, the raw span of the clause
        near the quotes that states it: so that every figure stands in a quote."""
        spans = self.spans_of(quotes)
        found = []
        for _, readings in self._figures_beyond(text, quotes):
            span = self._passages.clause_stating(spans, readings)
            if span is not None:
                found += self._doc.quotable(span, min_chars=MIN_QUOTE_CHARS)
        return found

    def cut_figure(self, quote: str) -> str | None:
        """The figure ``quote`` cuts in two where it grounds (``审结案件134`` of 1343)."""
        for span in self.spans_of([quote]):
            if (cut := self._passages.cut_figure(span)) is not None:
                return cut
        return None

    def name_support(self, name: str, quote: str, value: str) -> tuple[bool, str] | None:
        """Whether the words around ``value`` (where ``quote`` stands) name it ``name``
        (:func:`summarizer.clauses.names`), and the sentence; None when it is not there."""
        for span in self.spans_of([quote]):
            around = self._passages.around_value(span, value)
            if around is not None:
                sentence, lead = around  # the view's words: Simplified already, as names
                return names(self.fold(name), sentence, lead), sentence
        return None

    @cached_property
    def _points(self) -> Sequence[str]:
        """The structural reading, made once (it runs the offline engine) and only when a
        draft has no point: the hint, the empty check and salvage all ask."""
        return self._find_points() if self._find_points is not None else ()

    def placed(self, quotes: Sequence[str]) -> tuple[str, str] | None:
        """The section the document clearly puts ``quotes`` in (under a heading, after a
        turn: the offline section reader's strong labels) and why, when all of them that
        have such a place agree; None where the document gives no clear sign."""
        if self._places is None:
            return None
        found = {p for span in self.spans_of(quotes) if (p := self._places(span)) is not None}
        sections = {section for section, _ in found}
        return min(found) if len(sections) == 1 else None

    def empty_hint(self) -> str | None:
        """None: the document alone tells the model nothing. A stored or salvaged answer
        may rightly hold no point (a part of a long report that makes none); a model is
        told once per :class:`Conversation`."""
        return None

    def points_hint(self) -> str | None:
        """What to tell a model whose draft has no point, when the report makes some."""
        points = self._points
        if not points:
            return None
        examples = "；".join(f"「{p}」" for p in points[:3])
        return (
            "the summary has no achievements, problems or plans, but this report makes about "
            f"{len(points)} points (for example {examples}). List each point the report makes "
            "in achievements, problems or plans, with evidence copied verbatim."
        )

    @property
    def points(self) -> int:
        """How many points a structural reading of the document finds."""
        return len(self._points)


class Conversation:
    """The document as one conversation with a model sees it: the source, and whether the
    model was told yet that the report makes points. It is told once: the state of one
    call's asks and re-asks (and of a batch engine's rounds of one call, ``told``), never
    of the document or of the planned call, which stay as they were made."""

    def __init__(self, source: GroundedSource, *, told: bool = False) -> None:
        self.source = source
        self.told = told

    def refusal(self, quote: str) -> Refusal | None:
        return self.source.refusal(quote)

    def fold(self, text: str) -> str:
        return self.source.fold(text)

    def fold_many(self, texts: Iterable[str]) -> None:
        self.source.fold_many(texts)

    def has_number(self, number: str) -> bool:
        return self.source.has_number(number)

    def unsupported_figures(self, text: str, quotes: Sequence[str]) -> list[str]:
        return self.source.unsupported_figures(text, quotes)

    def name_support(self, name: str, quote: str, value: str) -> tuple[bool, str] | None:
        return self.source.name_support(name, quote, value)

    def cut_figure(self, quote: str) -> str | None:
        return self.source.cut_figure(quote)

    def empty_hint(self) -> str | None:
        hint = None if self.told else self.source.points_hint()
        self.told = self.told or hint is not None
        return hint


def overlaps(a: Iterable[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    """Whether a span of ``a`` and one of ``b`` share a character: the same passage."""
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def validation_context(
    doc: Document, points: Callable[[], Sequence[str]] | None = None
) -> dict[str, GroundedSource]:
    """The pydantic validation context that switches the grounding checks on."""
    return {"source": GroundedSource(doc.normalized, points)}
