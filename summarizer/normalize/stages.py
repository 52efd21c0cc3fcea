"""The stages of normalization, in order: the one list every view and fold loops over.

Each :class:`Stage` has a ``mapped`` form (keeps the offset map: the reference), a
``plain`` form (the same on a string, for quotes and labels, where no map is
needed), and perhaps a ``fast`` form (the same as ``mapped``, by table, on long
texts). Property tests hold ``plain`` and ``fast`` equal to ``mapped``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from summarizer.normalize import _vector, chars
from summarizer.normalize.debris import TITLE_TAG, drop_debris
from summarizer.normalize.layout import join_wrapped
from summarizer.normalize.mapped import MappedText, rewrite
from summarizer.normalize.markup import visible_text

__all__ = ["CHARACTER", "DOCUMENT", "KEY", "MARKUP", "SPACES", "Stage", "run", "run_plain"]


@dataclass(frozen=True)
class Stage:
    """One rewrite of the text, in the forms the callers need."""

    name: str
    mapped: Callable[[MappedText], MappedText]
    #: None for a stage that reads a whole document (its lines), never a fragment.
    plain: Callable[[str], str] | None
    fast: Callable[[MappedText], MappedText | None] | None = None

    def apply(self, mt: MappedText) -> MappedText:
        """The fast form where it applies, else the reference."""
        if self.fast is not None and (done := self.fast(mt)) is not None:
            return done
        return self.mapped(mt)


def _removing(
    pattern: re.Pattern[str], repl: str
) -> tuple[Callable[[MappedText], MappedText], Callable[[str], str]]:
    return (lambda mt: rewrite(mt, pattern, repl)), (lambda text: pattern.sub(repl, text))


def _plain_pinyin(text: str) -> str:
    return chars.PINYIN_RUN.sub(chars.pinyin_run, text) if chars.PINYIN_HINT.search(text) else text


def _width_plain(text: str) -> str:
    return WIDTH.apply(MappedText.identity(text)).text


WIDTH = Stage("width", chars.fold_width, _width_plain, _vector.fold_width)

#: What a saved web page goes through first: its visible text (any other text unchanged).
MARKUP: Sequence[Stage] = (Stage("markup", visible_text, None),)
#: What every text goes through, fragment or document: newlines, invisible characters,
#: width (NFKC), script (Traditional → Simplified), pinyin debris, template title tags.
CHARACTER: Sequence[Stage] = (
    Stage("newlines", *_removing(chars.CR, "\n")),
    Stage("invisible", *_removing(chars.INVISIBLE, "")),
    WIDTH,
    Stage(
        "script",
        lambda mt: MappedText(chars.simplified_same_length(mt.text), mt.origin),
        chars.simplified_same_length,
    ),
    Stage("pinyin", chars.drop_pinyin, _plain_pinyin),
    Stage("title tags", *_removing(TITLE_TAG, "")),
)
#: What only a whole document goes through: web-page debris lines dropped, printed-page
#: layout undone (page numbers, lines broken at the page's width).
DOCUMENT: Sequence[Stage] = (
    Stage("debris", drop_debris, None),
    Stage("layout", join_wrapped, None),
)
#: The view's whitespace: runs collapsed, line ends trimmed, one blank line at most.
SPACES: Sequence[Stage] = (Stage("spaces", chars.collapse_space, chars.view_spaces),)
#: The key: no whitespace, no thousands separators, quote marks and dashes unified.
KEY: Sequence[Stage] = (Stage("key", chars.key_marks, chars.key_text, _vector.key_marks),)


def run(stages: Sequence[Stage], mt: MappedText) -> MappedText:
    for stage in stages:
        mt = stage.apply(mt)
    return mt


def run_plain(stages: Sequence[Stage], text: str) -> str:
    for stage in stages:
        if stage.plain is None:
            raise ValueError(f"the {stage.name} stage reads whole documents only")
        text = stage.plain(text)
    return text
