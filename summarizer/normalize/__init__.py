"""Normalized views of a raw document, each with a map back to raw offsets.

Real reports arrive in Traditional script, with full-width characters, stray
whitespace and pinyin debris such as ``現(xiàn)場`` left by a converter. The model
and the offline engine should read clean Simplified text; evidence and spans must
still land on the raw file. So every view here is a :class:`MappedText`: the text
plus, for each of its characters, the raw offset it came from.

Two views are built:

* ``view`` — what prompts and the offline engine read: a saved web page's visible
  text (:mod:`.markup`), NFKC width folding,
  Traditional → Simplified (OpenCC), pinyin debris removed, web-page debris
  (navigation, breadcrumbs, "推荐访问", "猜你喜欢" and what follows, source
  links, advertising, "下面是小编为大家整理的…") removed, whitespace collapsed,
  lines kept. Debris never reaches a prompt and can never be evidence.
* ``key`` — what quotes are matched in: ``view`` without any whitespace or
  thousands separators, with quote marks and dashes unified, so a model that
  writes “” for "" or 1343 for 1,343 still matches.

Every stage is a rewrite that records where each output character came from, so
the maps compose and a span found in any view maps back to the raw substring that
produced it. The stages, in order, are listed once (:mod:`.stages`): the rules in
:mod:`.chars` and :mod:`.debris`, the offset map in :mod:`.mapped`, the table
lookups that make long texts fast in :mod:`._vector`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from summarizer.normalize.chars import HAN, HAN_RANGES, JOIN, Unjoinable, to_simplified
from summarizer.normalize.debris import is_debris_line
from summarizer.normalize.mapped import MappedText, trimmed
from summarizer.normalize.markup import carries_tags, is_html, markup_free
from summarizer.normalize.stages import CHARACTER, DOCUMENT, KEY, MARKUP, SPACES, run, run_plain
from summarizer.numbers import numbers_in, numbers_in_words, quantities

__all__ = [
    "FRAGMENT_KEY",
    "FRAGMENT_VIEW",
    "HAN",
    "HAN_RANGES",
    "VIEW",
    "MappedText",
    "NormalizedText",
    "clean",
    "clean_many",
    "fold",
    "fold_many",
    "is_debris_line",
    "normalize",
    "to_simplified",
]

#: The stages of each view, in order.
VIEW = (*MARKUP, *CHARACTER, *DOCUMENT, *SPACES)
#: A fragment's view (a quote or an item text): no document-level stage.
FRAGMENT_VIEW = (*CHARACTER, *SPACES)
FRAGMENT_KEY = (*CHARACTER, *KEY)


@dataclass(frozen=True)
class NormalizedText:
    """A raw document and its normalized views (see module docstring)."""

    raw: str
    view: MappedText

    @cached_property
    def key(self) -> MappedText:
        """The view as quotes are matched in it (see :data:`KEY`); built on first use,
        since the offline engine never matches a quote."""
        return run(KEY, self.view)

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Every number written in the document in digits (thousands separators removed)."""
        return frozenset(numbers_in(self.key.text))

    @cached_property
    def numbers_in_words(self) -> frozenset[str]:
        """Every number written in Chinese numerals, in digits: 二〇二二 → 2022,
        一千二百 → 1200. Apart from :attr:`numbers` because it is seldom needed (models
        quote figures as written) and costs a scan for every 一 and 十 in the text."""
        return numbers_in_words(self.key.text)

    @cached_property
    def values(self) -> frozenset[Decimal]:
        """Every value the document states, scale words read (1.2万 is 12000): what a
        figure written another way is looked up in."""
        return quantities(self.key.text)

    def states(self, number: str) -> bool:
        """Whether the document writes ``number``: in digits, in Chinese numerals, or as
        the same value written another way (12000 for 1.2万)."""
        if number in self.numbers or number in self.numbers_in_words:
            return True
        try:
            return Decimal(number) in self.values
        except InvalidOperation:
            return False

    @property
    def text(self) -> str:
        """The normalized text for prompts and analysis."""
        return self.view.text

    @cached_property
    def is_page(self) -> bool:
        """Whether the raw file is a saved web page (its view is the visible text)."""
        return is_html(self.raw)

    @cached_property
    def has_markup(self) -> bool:
        """Whether the raw file holds HTML: a page, or a text with tags in it."""
        return self.is_page or carries_tags(self.raw)

    @cached_property
    def _dropped(self) -> tuple[list[tuple[int, int]], list[int]]:
        """The raw ranges of the lines the view left out, and where each ends."""
        dropped = self.view.dropped_lines(self.raw)
        return dropped, [b for _, b in dropped]

    def _around_dropped(self, span: tuple[int, int]) -> list[tuple[int, int]]:
        dropped, ends = self._dropped
        start, end = span
        pieces, at = [], start
        for a, b in dropped[bisect_right(ends, start) :]:
            if a >= end:
                break
            pieces.append((at, a))
            at = max(at, b)
        pieces.append((at, end))
        return pieces

    def quotable(self, span: tuple[int, int], *, min_chars: int) -> list[tuple[int, int]]:
        """The raw spans a quote of ``span`` may show: ``span`` itself, or its pieces around
        lines the view dropped (a page footer, a debris line) and, where the file holds
        HTML, around any inline markup (``<b>``, ``&nbsp;``): no quote shows what is not
        report text."""
        pieces = self._around_dropped(span)
        if self.has_markup:
            pieces = [p for piece in pieces for p in markup_free(self.raw, piece, min_chars=1)]
        elif pieces == [span]:
            return pieces  # the common case: the quote as it is
        return trimmed(self.raw, pieces, min_chars)


def normalize(raw: str) -> NormalizedText:
    """Build the normalized views of ``raw`` (a decoded document)."""
    view = run(VIEW, MappedText.identity(raw))
    return NormalizedText(raw=raw, view=view)


def clean(text: str) -> str:
    """A fragment as the ``view`` would show it: for item text shown to users."""
    return run_plain(FRAGMENT_VIEW, text).strip()


def fold(text: str) -> str:
    """A fragment as the ``key`` would show it: for comparing quotes and labels.

    The same stages as the document's key, on a plain string (no offset map): quotes
    are folded by the hundred per document, and this is ~3x faster than mapping them."""
    return run_plain(FRAGMENT_KEY, text)


def fold_many(texts: Sequence[str]) -> list[str]:
    """``[fold(t) for t in texts]``, in one pass over them all (a test holds it equal)."""
    joined = _characters_joined(texts)
    if joined is None:
        return [fold(t) for t in texts]
    return run_plain(KEY, joined).split(JOIN)


def clean_many(texts: Sequence[str]) -> list[str]:
    """``[clean(t) for t in texts]``, in one pass over them all (a test holds it equal)."""
    joined = _characters_joined(texts)
    if joined is None:
        return [clean(t) for t in texts]
    return [part.strip() for part in run_plain(SPACES, joined).split(JOIN)]


def _characters_joined(texts: Sequence[str]) -> str | None:
    """The character stages over the texts joined by ``JOIN``, or None where one pass
    cannot be exact: a text holding the joiner, or an OpenCC rule that changes length."""
    if len(texts) < 2 or any(JOIN in t for t in texts):
        return None
    try:
        return run_plain(CHARACTER, JOIN.join(texts))
    except Unjoinable:
        return None
