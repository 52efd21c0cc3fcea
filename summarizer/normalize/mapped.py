"""Text that remembers where each character came from, and the rewrite that keeps it so."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MappedText", "Replacement", "rewrite", "trimmed"]


@dataclass(frozen=True)
class MappedText:
    """Text plus ``origin[i]``: the raw offset that produced ``text[i]``.

    ``origin`` is an ``array('q')``: compact, and invisible to the garbage collector,
    which would otherwise walk tens of thousands of list slots per document."""

    text: str
    origin: array[int]

    @classmethod
    def identity(cls, raw: str) -> MappedText:
        return cls(raw, _counting(len(raw)))

    def dropped_lines(self, raw: str) -> list[tuple[int, int]]:
        """The raw ranges this text left out that hold whole lines (a PDF's page footer
        "— 2 —", a web page's debris line), in order. Inline removals (pinyin debris, a
        title tag) and line breaks that were only joined are none."""
        import numpy as np  # on first use: importing the package stays fast (numpy: 0.1 s)

        at = np.frombuffer(self.origin, dtype=np.int64)
        found = []
        for k in np.flatnonzero(np.diff(at) > 1).tolist():
            gap = raw[self.origin[k] + 1 : self.origin[k + 1]]
            if "\n" in gap and gap.strip():
                found.append((self.origin[k] + 1, self.origin[k + 1]))
        return found

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering the characters ``text[start:end]`` came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"empty or out-of-range span [{start}, {end})")
        return self.origin[start], self.origin[end - 1] + 1


Replacement = Callable[[re.Match[str]], str] | str

_COUNT = array("q")


def _counting(n: int) -> array[int]:
    """``array('q', range(n))``, sliced from a shared one (a memcpy, not n Python ints)."""
    global _COUNT
    if len(_COUNT) < n:
        _COUNT = array("q", range(max(n, 2 * len(_COUNT), 1 << 16)))
    return _COUNT[:n]


def rewrite(mt: MappedText, pattern: re.Pattern[str], repl: Replacement) -> MappedText:
    """``pattern.sub(repl, mt.text)`` that keeps the offset map.

    A replacement of the same length maps character to character; any other
    replacement maps all its characters to the first character of the match.
    """
    text, origin = mt.text, mt.origin
    parts: list[str] = []
    new_origin = array("q")
    pos = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        replacement = repl if isinstance(repl, str) else repl(m)
        if replacement == m.group():
            continue
        parts.append(text[pos:start])
        new_origin.extend(origin[pos:start])
        if replacement:
            parts.append(replacement)
            if len(replacement) == end - start:
                new_origin.extend(origin[start:end])
            else:
                anchor = origin[start] if start < len(origin) else (origin[-1] if origin else 0)
                new_origin.extend(array("q", [anchor]) * len(replacement))
        pos = end
    if pos == 0 and not parts:
        return mt
    parts.append(text[pos:])
    new_origin.extend(origin[pos:])
    return MappedText("".join(parts), new_origin)


def trimmed(raw: str, pieces: list[tuple[int, int]], min_chars: int) -> list[tuple[int, int]]:
    """``pieces`` of ``raw`` without whitespace at their ends, those of at least
    ``min_chars`` characters, in order."""
    kept = []
    for a, b in pieces:
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b - a >= min_chars:
            kept.append((a, b))
    return kept
