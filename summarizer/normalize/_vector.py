"""The speed machinery: the width and key rules as numpy lookup tables over the BMP.

``str.translate`` looks each character up through the mapping protocol, about a
millisecond per 20,000 characters, and a batch spends that per document twice
(width folding, then the key's marks). Indexing a table with the text's code points
does the same in ~50 µs. The tables hold exactly what the reference rules in
:mod:`summarizer.normalize.chars` compute, and property tests hold the two equal on
long texts with every character class. Texts shorter than :data:`VECTOR_MIN`, or
leaving the BMP, get ``None`` here and take the reference path.
"""

from __future__ import annotations

import unicodedata
from array import array
from functools import cache
from typing import TYPE_CHECKING, Any

from summarizer.normalize.chars import (
    CIRCLED,
    ONE_SPACE,
    UNIFY,
    expanding_pattern,
    nfkc,
    nfkc_char,
)
from summarizer.normalize.mapped import MappedText, rewrite
from summarizer.numbers import THOUSANDS_SEPARATOR

if TYPE_CHECKING:
    import numpy as np

__all__ = ["VECTOR_MIN", "fold_width", "key_marks"]

#: Below this length ``str.translate`` beats the numpy round trip (quotes, labels).
VECTOR_MIN = 256
_BMP = 0x10000


class _Tables:
    """Per-code-point tables, built once on first use of a long text (~25 ms)."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.width = np.arange(_BMP, dtype=np.uint32)
        self.expands = np.zeros(_BMP, dtype=bool)
        for code in range(_BMP):
            char = chr(code)
            if 0xD800 <= code < 0xE000 or (
                unicodedata.is_normalized("NFKC", char) and char not in CIRCLED
            ):
                continue
            folded = nfkc_char(char)
            if len(folded) == 1:
                self.width[code] = ord(folded)
            else:
                self.expands[code] = True
        self.expanding = expanding_pattern(frozenset(map(chr, np.flatnonzero(self.expands))))
        self.unify = np.arange(_BMP, dtype=np.uint32)
        for code, to in UNIFY.items():
            self.unify[code] = ord(str(to))
        # Every code point that ``\s`` matches on its own (not the starts of ``\s+`` runs
        # over a string of all code points: that marked one character per run and left
        # the space and the line break out of the key).
        self.space = np.zeros(_BMP, dtype=bool)
        self.space[[c for c in range(_BMP) if ONE_SPACE.match(chr(c))]] = True

    def codes(self, text: str) -> np.ndarray[Any, Any] | None:
        """The code points of ``text`` as uint32, or None when it leaves the BMP (or
        holds a lone surrogate)."""
        try:
            codes = self.np.frombuffer(text.encode("utf-32-le"), dtype=self.np.uint32)
        except UnicodeEncodeError:
            return None
        return codes if not codes.size or int(codes.max()) < _BMP else None

    @staticmethod
    def text(codes: np.ndarray[Any, Any]) -> str:
        return codes.tobytes().decode("utf-32-le")

    def origin(self, origin: array[int]) -> np.ndarray[Any, Any]:
        return self.np.frombuffer(origin, dtype=self.np.int64)


@cache
def _tables() -> _Tables:
    return _Tables()


def fold_width(mt: MappedText) -> MappedText | None:
    """:func:`summarizer.normalize.chars.fold_width` by table, or None (not applicable)."""
    if len(mt.text) < VECTOR_MIN:
        return None
    tables = _tables()
    codes = tables.codes(mt.text)
    if codes is not None and tables.expands[codes].any():
        mt = rewrite(mt, tables.expanding, lambda m: nfkc(m.group()))
        codes = tables.codes(mt.text)
    if codes is None:
        return None
    return MappedText(tables.text(tables.width[codes]), mt.origin)


def key_marks(mt: MappedText) -> MappedText | None:
    """:func:`summarizer.normalize.chars.key_marks` by table, or None (not applicable)."""
    if len(mt.text) < VECTOR_MIN:
        return None
    tables = _tables()
    codes = tables.codes(mt.text)
    if codes is None:
        return None
    # Unifying first is the same: it touches neither digits, commas nor whitespace.
    keep = ~tables.space[codes]
    origin = mt.origin if keep.all() else array("q", tables.origin(mt.origin)[keep].tobytes())
    unified = MappedText(tables.text(tables.unify[codes[keep]]), origin)
    return rewrite(unified, THOUSANDS_SEPARATOR, "")
