"""Normalized views of a raw document, each with a map back to raw offsets.

Real reports arrive in Traditional script, with full-width characters, stray
whitespace and pinyin debris such as ``現(xiàn)場`` left by a converter. The model
and the offline engine should read clean Simplified text; evidence and spans must
still land on the raw file. So every view here is a :class:`MappedText`: the text
plus, for each of its characters, the raw offset it came from.

Two views are built:

* ``view`` — what prompts and the offline engine read: NFKC width folding,
  Traditional → Simplified (OpenCC), pinyin debris removed, whitespace collapsed,
  lines kept.
* ``key`` — what quotes are matched in: ``view`` without any whitespace or
  thousands separators, with quote marks and dashes unified, so a model that
  writes “” for "" or 1343 for 1,343 still matches.

Every stage is a rewrite that records where each output character came from, so
the maps compose and a span found in any view maps back to the raw substring that
produced it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

from summarizer.schemas import THOUSANDS_SEPARATOR, numbers_in

__all__ = ["MappedText", "NormalizedText", "clean", "fold", "normalize", "to_simplified"]


@dataclass(frozen=True)
class MappedText:
    """Text plus ``origin[i]``: the raw offset that produced ``text[i]``."""

    text: str
    origin: list[int]

    @classmethod
    def identity(cls, raw: str) -> MappedText:
        return cls(raw, list(range(len(raw))))

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering the characters ``text[start:end]`` came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"empty or out-of-range span [{start}, {end})")
        return self.origin[start], self.origin[end - 1] + 1


Replacement = Callable[[re.Match[str]], str] | str


def rewrite(mt: MappedText, pattern: re.Pattern[str], repl: Replacement) -> MappedText:
    """``pattern.sub(repl, mt.text)`` that keeps the offset map.

    A replacement of the same length maps character to character; any other
    replacement maps all its characters to the first character of the match.
    """
    text, origin = mt.text, mt.origin
    parts: list[str] = []
    new_origin: list[int] = []
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
                new_origin.extend([anchor] * len(replacement))
        pos = end
    if pos == 0 and not parts:
        return mt
    parts.append(text[pos:])
    new_origin.extend(origin[pos:])
    return MappedText("".join(parts), new_origin)


# --------------------------------------------------------------------------- character folding

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_CR = re.compile(r"\r\n?")


@cache
def _nfkc(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC (phrase-aware; a no-op on Simplified text)."""
    return _converter().convert(text)


def _fold_width(mt: MappedText) -> MappedText:
    """NFKC, character by character, so each output character keeps its origin."""
    changed = {c: n for c in set(mt.text) if (n := _nfkc(c)) != c}
    if not changed:
        return mt
    if all(len(n) == 1 for n in changed.values()):
        return MappedText(mt.text.translate(str.maketrans(changed)), mt.origin)
    pattern = re.compile("[" + "".join(re.escape(c) for c in changed) + "]")
    return rewrite(mt, pattern, lambda m: changed[m.group()])


def _fold_script(mt: MappedText) -> MappedText:
    """Traditional → Simplified. OpenCC keeps length for t2s in practice; where a
    phrase rule does not, fall back to character-by-character for that line."""
    converted = to_simplified(mt.text)
    if len(converted) == len(mt.text):
        return MappedText(converted, mt.origin)
    lines = mt.text.split("\n")
    out: list[str] = []
    for line in lines:
        simple = to_simplified(line)
        if len(simple) != len(line):
            simple = "".join(s if len(s := to_simplified(c)) == 1 else c for c in line)
        out.append(simple)
    return MappedText("\n".join(out), mt.origin)


# Pinyin a converter left after a character: 現(xiàn)場, 發(fā)展, 現(xian4). Only
# lower-case syllables that really are pinyin, right after a Han character.
_TONED = "āáǎàēéěèêīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
_TONE_BASE = str.maketrans("āáǎàēéěèêīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", "aaaaeeeeeiiiioooouuuuvvvvnnnm")
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ua|uo|ue|ui"
    r"|ia|ie|iu|ve|er|ng|a|o|e|i|u|v|n|m)"
)
_PINYIN_DEBRIS = re.compile(rf"(?<=[\u3400-\u9fff])\(\s*([a-z{_TONED}]{{1,6}})([1-5]?)\s*\)")


def _is_pinyin(m: re.Match[str]) -> bool:
    syllable, digit = m.group(1), m.group(2)
    base = syllable.replace("ü", "v").translate(_TONE_BASE)
    if not _SYLLABLE.fullmatch(base):
        return False
    marked = base != syllable or bool(digit)
    return marked or len(syllable) >= 2


def _drop_pinyin(mt: MappedText) -> MappedText:
    return rewrite(mt, _PINYIN_DEBRIS, lambda m: "" if _is_pinyin(m) else m.group())


# --------------------------------------------------------------------------- whitespace

_HSPACE = re.compile(r"[^\S\n]+")
_EDGE_SPACE = re.compile(r"^ | $", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_ALL_SPACE = re.compile(r"\s+")

# Marks that vary between copies of the same sentence: quotes, dashes, dots.
_UNIFY = str.maketrans(
    {
        **dict.fromkeys("“”„‟〝〞＂「」『』﹁﹂﹃﹄", '"'),
        **dict.fromkeys("‘’‚‛`´", "'"),
        **dict.fromkeys("—–―‐‑‒−─－", "-"),
        **dict.fromkeys("•・‧∙", "·"),
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)


def _collapse_space(mt: MappedText) -> MappedText:
    mt = rewrite(mt, _HSPACE, " ")
    mt = rewrite(mt, _EDGE_SPACE, "")
    return rewrite(mt, _BLANK_LINES, "\n\n")


def _to_key(mt: MappedText) -> MappedText:
    mt = rewrite(mt, _ALL_SPACE, "")
    mt = rewrite(mt, THOUSANDS_SEPARATOR, "")
    return MappedText(mt.text.translate(_UNIFY), mt.origin)


def _fold_fragment(mt: MappedText) -> MappedText:
    """The character-level stages, in the order the document goes through them."""
    mt = rewrite(mt, _CR, "\n")
    mt = rewrite(mt, _INVISIBLE, "")
    mt = _fold_width(mt)
    mt = _fold_script(mt)
    return _drop_pinyin(mt)


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class NormalizedText:
    """A raw document and its normalized views (see module docstring)."""

    raw: str
    view: MappedText
    key: MappedText

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Every number written in the document, thousands separators removed."""
        return frozenset(numbers_in(self.key.text))

    @property
    def text(self) -> str:
        """The normalized text for prompts and analysis."""
        return self.view.text


def normalize(raw: str) -> NormalizedText:
    """Build the normalized views of ``raw`` (a decoded document)."""
    view = _collapse_space(_fold_fragment(MappedText.identity(raw)))
    return NormalizedText(raw=raw, view=view, key=_to_key(view))


def clean(text: str) -> str:
    """A fragment as the ``view`` would show it: for item text shown to users."""
    return _collapse_space(_fold_fragment(MappedText.identity(text))).text.strip()


def fold(text: str) -> str:
    """A fragment as the ``key`` would show it: for comparing quotes and labels."""
    return _to_key(_fold_fragment(MappedText.identity(text))).text
