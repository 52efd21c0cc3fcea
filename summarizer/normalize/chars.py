"""The character rules, each as a rewrite that keeps the offset map (the reference).

Width (NFKC, one character at a time), script (Traditional → Simplified), pinyin
debris (``現(xiàn)場``), whitespace, and the marks the key unifies. The faster
table lookups for long texts live in :mod:`summarizer.normalize._vector` and are
held equal to these by property tests.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from summarizer.normalize.mapped import MappedText, rewrite
from summarizer.numbers import THOUSANDS_SEPARATOR

if TYPE_CHECKING:
    from opencc import OpenCC

__all__ = [
    "ALL_SPACE",
    "CIRCLED",
    "CR",
    "HAN",
    "HAN_RANGES",
    "INVISIBLE",
    "JOIN",
    "ONE_SPACE",
    "PINYIN_HINT",
    "PINYIN_RUN",
    "UNIFY",
    "Unjoinable",
    "collapse_space",
    "drop_pinyin",
    "expanding_pattern",
    "fold_width",
    "key_marks",
    "key_text",
    "nfkc",
    "nfkc_char",
    "pinyin_run",
    "simplified_same_length",
    "to_simplified",
    "view_spaces",
    "width_text",
]

#: Han characters: CJK Unified Ideographs and Extension A (the view folds compatibility
#: ideographs into these), as code point ranges and as a regex class body. The one
#: definition the package uses.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
HAN = "".join(f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)

# --------------------------------------------------------------------------- width

INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff\ud800-\udfff]"
)  # lone surrogates too: no text, and nothing downstream can encode them
CR = re.compile(r"\r\n?")

#: Circled list numbers keep their list look: NFKC would turn ① into a bare 1
#: that can run into the figure after it ("①2022年" → "12022年").
CIRCLED = {
    chr(base + n): f"({n + 1})"
    for base, count in ((0x2460, 20), (0x2776, 10), (0x2780, 10), (0x278A, 10))
    for n in range(count)
}


def nfkc_char(char: str) -> str:
    """One character's NFKC form (circled list numbers excepted, see :data:`CIRCLED`)."""
    return CIRCLED.get(char) or unicodedata.normalize("NFKC", char)


nfkc = cache(nfkc_char)


class _Expands(Exception):
    """A character whose NFKC form is not one character: the text needs :func:`rewrite`."""


class _WidthTable(dict[int, int | str]):
    """``str.translate`` table for one-to-one NFKC, filled on first sight of each character.

    Characters NFKC keeps map to themselves; ones it expands (① → (1), ㈱ → (株)) are
    recorded in ``expanding`` and raise :class:`_Expands`, to be rewritten first.
    """

    expanding: ClassVar[set[str]] = set()

    def __missing__(self, code: int) -> int | str:
        folded = nfkc(chr(code))
        if len(folded) != 1:
            self.expanding.add(chr(code))
            raise _Expands
        self[code] = value = folded if folded != chr(code) else code
        return value


_WIDTH = _WidthTable()


@cache
def expanding_pattern(chars: frozenset[str]) -> re.Pattern[str]:
    """A class matching any of ``chars`` (the characters NFKC expands)."""
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def fold_width(mt: MappedText) -> MappedText:
    """NFKC, character by character, so each output character keeps its origin: one
    table lookup per character, after the rare characters that expand are rewritten."""
    while True:
        try:
            return MappedText(mt.text.translate(_WIDTH), mt.origin)
        except _Expands:  # a character never seen before expands: rewrite all such first
            pattern = expanding_pattern(frozenset(_WIDTH.expanding))
            mt = rewrite(mt, pattern, lambda m: nfkc(m.group()))


def width_text(text: str) -> str:
    """:func:`fold_width` on a plain string."""
    return fold_width(MappedText.identity(text)).text


# --------------------------------------------------------------------------- script


@cache
def _converter() -> OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC (phrase-aware; a no-op on Simplified text)."""
    return str(_converter().convert(text))


#: Joins fragments folded together: a private-use character, which no rule changes and
#: no pattern matches or reads across (OpenCC has no phrase with it either).
JOIN = "\ue000"


class Unjoinable(Exception):
    """Fragments joined by :data:`JOIN` cannot be folded in one pass exactly."""


def simplified_same_length(text: str) -> str:
    """OpenCC keeps length for t2s in practice; where a phrase rule does not, fall back
    to character-by-character for that line (so the offset map stays valid). Joined
    fragments raise :class:`Unjoinable` instead: the fallback would not be each one's."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    if JOIN in text:
        raise Unjoinable
    out: list[str] = []
    for line in text.split("\n"):
        simple = to_simplified(line)
        if len(simple) != len(line):
            simple = "".join(s if len(s := to_simplified(c)) == 1 else c for c in line)
        out.append(simple)
    return "\n".join(out)


# --------------------------------------------------------------------------- pinyin debris

# Pinyin a converter left after a character: 現(xiàn)場, 發(fā)展, 現(xian4). A run of
# annotations goes when every one is a real syllable that is tone-marked (or
# toneless right after a Han character, where "(a)" list labels cannot be).
_TONED = "āáǎàēéěèêīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
_TONE_BASE = str.maketrans("āáǎàēéěèêīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", "aaaaeeeeeiiiioooouuuuvvvvnnnm")
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ua|uo|ue|ui"
    r"|ia|ie|iu|ve|er|ng|a|o|e|i|u|v|n|m)"
)
_ANNOTATION = rf"\(\s*([a-z{_TONED}]{{1,6}})([1-5]?)\s*\)"
PINYIN_RUN = re.compile(rf"(?:{_ANNOTATION})+")
_ONE_ANNOTATION = re.compile(_ANNOTATION)
_HAN = re.compile(f"[{HAN}]")
#: Found at a literal's speed: most texts have no annotation at all.
PINYIN_HINT = re.compile(rf"\(\s*[a-z{_TONED}]")


def _is_pinyin(syllable: str, digit: str, after_han: bool) -> bool:
    base = syllable.replace("ü", "v").translate(_TONE_BASE)
    if not _SYLLABLE.fullmatch(base):
        return False
    marked = base != syllable or bool(digit)
    return marked or (after_han and len(syllable) >= 2)


def pinyin_run(m: re.Match[str]) -> str:
    """The replacement for a run of annotations: nothing when all of it is pinyin."""
    after_han = m.start() > 0 and bool(_HAN.match(m.string[m.start() - 1]))
    annotations = _ONE_ANNOTATION.findall(m.group())
    return "" if all(_is_pinyin(s, d, after_han) for s, d in annotations) else m.group()


def drop_pinyin(mt: MappedText) -> MappedText:
    if not PINYIN_HINT.search(mt.text):
        return mt
    return rewrite(mt, PINYIN_RUN, pinyin_run)


# --------------------------------------------------------------------------- whitespace

# Written so that every branch starts with a literal or a positive class: the regex
# engine then skips ahead to candidates instead of trying each position (3-10x faster).
_HSPACE = re.compile(
    "[ \t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)  # \s without \n
#: A space that ends or starts a line. It opens with the space itself, so the scan skips
#: to spaces (a lookbehind first was tried at every character: 25x slower).
_EDGE_SPACE = re.compile(r" (?:(?=\n|\Z)|(?<=\n )|(?<=^ ))")
_BLANK_LINES = re.compile(r"\n\n\n+")
ALL_SPACE = re.compile(r"\s+")
ONE_SPACE = re.compile(r"\s")

#: Marks that vary between copies of the same sentence: quotes, dashes, dots; and case.
UNIFY = str.maketrans(
    {
        **dict.fromkeys("“”„‟〝〞＂「」『』﹁﹂﹃﹄", '"'),
        **dict.fromkeys("‘’‚‛`´", "'"),
        **dict.fromkeys("—–―‐‑‒−─－", "-"),
        **dict.fromkeys("•・‧∙", "·"),
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)


def collapse_space(mt: MappedText) -> MappedText:
    """Runs of spaces to one, no space at a line's ends, at most one blank line."""
    mt = rewrite(mt, _HSPACE, " ")
    mt = rewrite(mt, _EDGE_SPACE, "")
    mt = rewrite(mt, _BLANK_LINES, "\n\n")
    text = mt.text
    start, end = len(text) - len(text.lstrip("\n")), len(text.rstrip("\n"))
    if (start, end) == (0, len(text)):
        return mt
    return MappedText(text[start:end], mt.origin[start:end])


def view_spaces(text: str) -> str:
    """:func:`collapse_space` on a plain string (its callers strip the ends)."""
    text = _HSPACE.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", _EDGE_SPACE.sub("", text))


def key_marks(mt: MappedText) -> MappedText:
    """No whitespace, no thousands separators, marks unified: what quotes match in."""
    mt = rewrite(mt, ALL_SPACE, "")
    mt = rewrite(mt, THOUSANDS_SEPARATOR, "")
    return MappedText(unify(mt.text), mt.origin)


def key_text(text: str) -> str:
    """:func:`key_marks` on a plain string."""
    return unify(THOUSANDS_SEPARATOR.sub("", ALL_SPACE.sub("", text)))


_UNIFIABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in UNIFY) + "]")


def unify(text: str) -> str:
    """``text.translate(UNIFY)``, touching only the marks it changes: ``str.translate``
    looks up every character of a CJK string in the table (8x slower on fragments)."""
    return _UNIFIABLE.sub(_unified, text)


def _unified(m: re.Match[str]) -> str:
    return str(UNIFY[ord(m.group())])
