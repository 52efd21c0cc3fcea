"""Normalized views of a raw document, each with a map back to raw offsets.

Real reports arrive in Traditional script, with full-width characters, stray
whitespace and pinyin debris such as ``現(xiàn)場`` left by a converter. The model
and the offline engine should read clean Simplified text; evidence and spans must
still land on the raw file. So every view here is a :class:`MappedText`: the text
plus, for each of its characters, the raw offset it came from.

Two views are built:

* ``view`` — what prompts and the offline engine read: NFKC width folding,
  Traditional → Simplified (OpenCC), pinyin debris removed, web-page debris
  (navigation, breadcrumbs, "推荐访问", "猜你喜欢" and what follows, source
  links, advertising, "下面是小编为大家整理的…") removed, whitespace collapsed,
  lines kept. Debris never reaches a prompt and can never be evidence.
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
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, ClassVar

from summarizer.numbers import THOUSANDS_SEPARATOR, numbers_in, numbers_in_words

__all__ = [
    "MappedText",
    "NormalizedText",
    "clean",
    "clean_many",
    "fold",
    "fold_many",
    "normalize",
    "to_simplified",
]


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


# --------------------------------------------------------------------------- character folding

_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff\ud800-\udfff]"
)  # lone surrogates too: no text, and nothing downstream can encode them
_CR = re.compile(r"\r\n?")


#: Circled list numbers keep their list look: NFKC would turn ① into a bare 1
#: that can run into the figure after it ("①2022年" → "12022年").
_CIRCLED = {
    chr(base + n): f"({n + 1})"
    for base, count in ((0x2460, 20), (0x2776, 10), (0x2780, 10), (0x278A, 10))
    for n in range(count)
}


def _nfkc_char(char: str) -> str:
    return _CIRCLED.get(char) or unicodedata.normalize("NFKC", char)


_nfkc = cache(_nfkc_char)


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC (phrase-aware; a no-op on Simplified text)."""
    return _converter().convert(text)


class _Expands(Exception):
    """A character whose NFKC form is not one character: the text needs :func:`rewrite`."""


class _WidthTable(dict):  # type: ignore[type-arg]
    """``str.translate`` table for one-to-one NFKC, filled on first sight of each character.

    Characters NFKC keeps map to themselves; ones it expands (① → (1), ㈱ → (株)) are
    recorded in ``expanding`` and raise :class:`_Expands`, to be rewritten first.
    """

    expanding: ClassVar[set[str]] = set()

    def __missing__(self, code: int) -> int | str:
        folded = _nfkc(chr(code))
        if len(folded) != 1:
            self.expanding.add(chr(code))
            raise _Expands
        self[code] = value = folded if folded != chr(code) else code
        return value


_WIDTH = _WidthTable()


@cache
def _expanding_pattern(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


#: Below this length ``str.translate`` beats the numpy round trip (quotes, labels).
_VECTOR_MIN = 256
_BMP = 0x10000


class _Tables:
    """Per-character lookup tables over the Basic Multilingual Plane, applied with numpy.

    ``str.translate`` looks each character up through the mapping protocol, about a
    millisecond per 20,000 characters, and a batch spends that per document twice
    (width folding, then the key's marks). Indexing a table with the text's code points
    does the same in ~50 µs. The tables hold exactly what the ``translate`` path
    computes (a test compares the two); text outside the BMP takes that path.
    Built once, on first use of a long text (~25 ms).
    """

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.width = np.arange(_BMP, dtype=np.uint32)
        self.expands = np.zeros(_BMP, dtype=bool)
        for code in range(_BMP):
            char = chr(code)
            if 0xD800 <= code < 0xE000 or (
                unicodedata.is_normalized("NFKC", char) and char not in _CIRCLED
            ):
                continue
            folded = _nfkc_char(char)
            if len(folded) == 1:
                self.width[code] = ord(folded)
            else:
                self.expands[code] = True
        self.expanding = _expanding_pattern(frozenset(map(chr, np.flatnonzero(self.expands))))
        self.unify = np.arange(_BMP, dtype=np.uint32)
        for code, to in _UNIFY.items():
            self.unify[code] = ord(to)
        # Every code point that ``\s`` matches on its own (not the starts of ``\s+`` runs
        # over a string of all code points: that marked one character per run and left
        # the space and the line break out of the key).
        self.space = np.zeros(_BMP, dtype=bool)
        self.space[[c for c in range(_BMP) if _ONE_SPACE.match(chr(c))]] = True

    def codes(self, text: str) -> Any:
        """The code points of ``text`` as uint32, or None when it leaves the BMP (or
        holds a lone surrogate): the caller then takes the ``translate`` path."""
        try:
            codes = self.np.frombuffer(text.encode("utf-32-le"), dtype=self.np.uint32)
        except UnicodeEncodeError:
            return None
        return codes if not codes.size or int(codes.max()) < _BMP else None

    @staticmethod
    def text(codes: Any) -> str:
        return codes.tobytes().decode("utf-32-le")

    def origin(self, origin: array[int]) -> Any:
        return self.np.frombuffer(origin, dtype=self.np.int64)


@cache
def _tables() -> _Tables:
    return _Tables()


def _fold_width(mt: MappedText) -> MappedText:
    """NFKC, character by character, so each output character keeps its origin: one
    table lookup per character, after the rare characters that expand have been
    rewritten."""
    if len(mt.text) >= _VECTOR_MIN:
        tables = _tables()
        codes = tables.codes(mt.text)
        if codes is not None and tables.expands[codes].any():
            mt = rewrite(mt, tables.expanding, lambda m: _nfkc(m.group()))
            codes = tables.codes(mt.text)
        if codes is not None:
            return MappedText(tables.text(tables.width[codes]), mt.origin)
    while True:
        try:
            return MappedText(mt.text.translate(_WIDTH), mt.origin)
        except _Expands:  # a character never seen before expands: rewrite all such first
            pattern = _expanding_pattern(frozenset(_WIDTH.expanding))
            mt = rewrite(mt, pattern, lambda m: _nfkc(m.group()))


def _fold_script(mt: MappedText) -> MappedText:
    """Traditional → Simplified, keeping the length (so the offset map stays valid)."""
    return MappedText(_simplified_same_length(mt.text), mt.origin)


def _simplified_same_length(text: str) -> str:
    """OpenCC keeps length for t2s in practice; where a phrase rule does not, fall back
    to character-by-character for that line."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    out: list[str] = []
    for line in text.split("\n"):
        simple = to_simplified(line)
        if len(simple) != len(line):
            simple = "".join(s if len(s := to_simplified(c)) == 1 else c for c in line)
        out.append(simple)
    return "\n".join(out)


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
_PINYIN_RUN = re.compile(rf"(?:{_ANNOTATION})+")
_ONE_ANNOTATION = re.compile(_ANNOTATION)
_HAN = re.compile(r"[\u3400-\u9fff]")


def _is_pinyin(syllable: str, digit: str, after_han: bool) -> bool:
    base = syllable.replace("ü", "v").translate(_TONE_BASE)
    if not _SYLLABLE.fullmatch(base):
        return False
    marked = base != syllable or bool(digit)
    return marked or (after_han and len(syllable) >= 2)


def _pinyin_run(m: re.Match[str]) -> str:
    after_han = m.start() > 0 and bool(_HAN.match(m.string[m.start() - 1]))
    annotations = _ONE_ANNOTATION.findall(m.group())
    return "" if all(_is_pinyin(s, d, after_han) for s, d in annotations) else m.group()


_PINYIN_HINT = re.compile(rf"\(\s*[a-z{_TONED}]")


def _drop_pinyin(mt: MappedText) -> MappedText:
    if not _PINYIN_HINT.search(mt.text):  # the common case, found at a literal's speed
        return mt
    return rewrite(mt, _PINYIN_RUN, _pinyin_run)


# --------------------------------------------------------------------------- whitespace

# Written so that every branch starts with a literal or a positive class: the regex
# engine then skips ahead to candidates instead of trying each position (3-10x faster).
_HSPACE = re.compile(
    "[ \t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)  # \s without \n
_EDGE_SPACE = re.compile(r" (?=\n|\Z)|(?<![^\n]) ")  # a space that ends or starts a line
_BLANK_LINES = re.compile(r"\n\n\n+")
_ALL_SPACE = re.compile(r"\s+")
_ONE_SPACE = re.compile(r"\s")

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
    mt = rewrite(mt, _BLANK_LINES, "\n\n")
    text = mt.text
    start, end = len(text) - len(text.lstrip("\n")), len(text.rstrip("\n"))
    if (start, end) == (0, len(text)):
        return mt
    return MappedText(text[start:end], mt.origin[start:end])


def _to_key(mt: MappedText) -> MappedText:
    """No whitespace, no thousands separators, marks unified (see module docstring)."""
    tables = _tables() if len(mt.text) >= _VECTOR_MIN else None
    codes = tables.codes(mt.text) if tables else None
    if tables is None or codes is None:
        mt = rewrite(mt, _ALL_SPACE, "")
        mt = rewrite(mt, THOUSANDS_SEPARATOR, "")
        return MappedText(mt.text.translate(_UNIFY), mt.origin)
    # Unifying first is the same: it touches neither digits, commas nor whitespace.
    keep = ~tables.space[codes]
    origin = mt.origin if keep.all() else array("q", tables.origin(mt.origin)[keep].tobytes())
    unified = MappedText(tables.text(tables.unify[codes[keep]]), origin)
    return rewrite(unified, THOUSANDS_SEPARATOR, "")


# --------------------------------------------------------------------------- web-page debris

# Whole lines a web page adds around a report. Patterns run on folded (NFKC,
# Simplified) lines, so they catch Traditional and full-width copies too.
_TAIL_MARKER = re.compile(
    r"^(猜你喜欢|相关推荐|推荐阅读|相关阅读|热门推荐|热门文章|延伸阅读|相关文章|精彩推荐|"
    r"你可能感兴趣|大家都在看|更多相关|最新文章|上一篇|下一篇|相关范文|热门标签)"
)
_DEBRIS_LINE = re.compile(
    r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置|推荐访问|相关搜索|热门搜索|"
    r"标签|tags?|关键词|关键字|原文链接|本文链接|文章链接|责任编辑|编辑|来源|文章来源|信息来源|"
    r"时间|发布时间|日期|发布日期|更新时间|浏览次数|阅读次数|点击数)\s*[:：]"
    r"|首页\s*[>»›/]"
    r"|(下面|以下)是(小编|本站)|小编(为|给|帮)(大家|您)|供(大家|您)(参考|借鉴)"
    r"|https?://\S+\s*$"
    r"|版权所有|copyright|©|icp备|all rights reserved"
    r"|^(欢迎(来到|访问|光临)|免责声明|网站地图|联系我们)",
    re.IGNORECASE,
)
# Short furniture lines, by how they open (a report's own short lines open with a
# heading marker or a word, never with these).
_SHORT_DEBRIS = re.compile(
    r"^[【\[]?(打印(页面|本页|此文|文章)?|关闭(窗口|页面|本页)|字号|字体|分享到|扫一扫|"
    r"扫码(关注|阅读|查看|下载)|关注(我们|公众号|微信)|(浏览|阅读|点击)(次数|量)|"
    r"(立即|全文|免费|文档)下载|下载(文档|全文)|(查看|阅读|展开)全文|加微信|返回(顶部|首页|列表))",
    re.IGNORECASE,
)
_SHORT = 50
_SENTENCE_END = re.compile(r"[。！？!?]$")
# In-line: what template sites append to titles.
_TITLE_TAG = re.compile(
    r"[(\[【](完整文档|完整版|精选范文|精选|范文|通用\d*篇|精选\d*篇|\d+篇|最新|word版|可编辑|"
    r"全文|合集|汇总|优秀范文|模板|原创|热门|必备|经典|范本)[)\]】]",
    re.IGNORECASE,
)


def _is_nav(line: str) -> bool:
    """A site's navigation bar: four or more short words split by spaces, no sentence
    (and real words: "工 作 总 结", a title spaced out, is not one)."""
    words = [w for w in line.split() if w not in "|/·-"]
    short = sum(1 for w in words if len(w) <= 8)
    wordy = sum(1 for w in words if len(w) >= 2)
    return (
        len(words) >= 4
        and short >= 0.7 * len(words)
        and wordy >= 3
        and not re.search(r"[。，,；;]", line)
    )


def is_debris_line(line: str) -> bool:
    """Whether a folded line is web-page furniture rather than report text."""
    line = line.strip()
    if not line:
        return False
    if len(line) <= 160 and _DEBRIS_LINE.search(line):
        return True
    if len(line) <= _SHORT and _SHORT_DEBRIS.search(line) and not _SENTENCE_END.search(line):
        return True
    return len(line) <= 200 and _is_nav(line)


def _drop_debris(mt: MappedText) -> MappedText:
    text = mt.text
    keep: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if len(stripped) <= 40 and _TAIL_MARKER.match(stripped):
            break  # what follows is the site's, not the report's
        if not is_debris_line(line):
            keep.append((pos, min(end + 1, len(text))))
        pos = end + 1
    if keep == [(0, len(text))]:
        return mt
    origin = array("q")
    for a, b in keep:
        origin.extend(mt.origin[a:b])
    return MappedText("".join(text[a:b] for a, b in keep), origin)


def _fold_fragment(mt: MappedText) -> MappedText:
    """The character-level stages, in the order the document goes through them."""
    mt = rewrite(mt, _CR, "\n")
    mt = rewrite(mt, _INVISIBLE, "")
    mt = _fold_width(mt)
    mt = _fold_script(mt)
    mt = _drop_pinyin(mt)
    return rewrite(mt, _TITLE_TAG, "")


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class NormalizedText:
    """A raw document and its normalized views (see module docstring)."""

    raw: str
    view: MappedText
    key: MappedText

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

    def states(self, number: str) -> bool:
        """Whether the document writes ``number``, in digits or in Chinese numerals."""
        return number in self.numbers or number in self.numbers_in_words

    @property
    def text(self) -> str:
        """The normalized text for prompts and analysis."""
        return self.view.text


def normalize(raw: str) -> NormalizedText:
    """Build the normalized views of ``raw`` (a decoded document)."""
    view = _collapse_space(_drop_debris(_fold_fragment(MappedText.identity(raw))))
    return NormalizedText(raw=raw, view=view, key=_to_key(view))


def clean(text: str) -> str:
    """A fragment as the ``view`` would show it: for item text shown to users.

    The plain-string twin of the view's stages (see :func:`fold`); a test checks it
    against the mapped path."""
    return _view_spaces(_fold_chars(text)).strip()


def fold(text: str) -> str:
    """A fragment as the ``key`` would show it: for comparing quotes and labels.

    The same stages as the document's key, on a plain string (no offset map): quotes
    are folded by the hundred per document, and this is ~3x faster than mapping them.
    A test checks it against the mapped path on random text."""
    return _key_chars(_fold_chars(text))


#: Joins fragments folded together: a private-use character, which no stage changes and
#: no pattern matches or reads across (OpenCC has no phrase with it either).
_JOIN = "\ue000"


def fold_many(texts: Sequence[str]) -> list[str]:
    """``[fold(t) for t in texts]``, in one pass over them all (a test holds it equal)."""
    joined = _fold_chars_joined(texts)
    if joined is None:
        return [fold(t) for t in texts]
    return _key_chars(joined).split(_JOIN)


def clean_many(texts: Sequence[str]) -> list[str]:
    """``[clean(t) for t in texts]``, in one pass over them all (a test holds it equal)."""
    joined = _fold_chars_joined(texts)
    if joined is None:
        return [clean(t) for t in texts]
    return [part.strip() for part in _view_spaces(joined).split(_JOIN)]


def _fold_chars_joined(texts: Sequence[str]) -> str | None:
    """:func:`_fold_chars` of the texts joined by ``_JOIN``, or None where one pass cannot
    be exact: a text holding the joiner, or an OpenCC rule that changes length."""
    if len(texts) < 2 or any(_JOIN in t for t in texts):
        return None
    text = _INVISIBLE.sub("", _CR.sub("\n", _JOIN.join(texts)))
    text = _fold_width(MappedText.identity(text)).text
    simple = to_simplified(text)
    if len(simple) != len(text):
        return None
    if _PINYIN_HINT.search(simple):
        simple = _PINYIN_RUN.sub(_pinyin_run, simple)
    return _TITLE_TAG.sub("", simple)


def _key_chars(text: str) -> str:
    """The key's own stages (after :func:`_fold_chars`) on a plain string."""
    return THOUSANDS_SEPARATOR.sub("", _ALL_SPACE.sub("", text)).translate(_UNIFY)


def _view_spaces(text: str) -> str:
    """The view's whitespace stages (after :func:`_fold_chars`) on a plain string."""
    text = _HSPACE.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", _EDGE_SPACE.sub("", text))


def _fold_chars(text: str) -> str:
    """:func:`_fold_fragment` on a plain string."""
    text = _INVISIBLE.sub("", _CR.sub("\n", text))
    text = _simplified_same_length(_fold_width(MappedText.identity(text)).text)
    if _PINYIN_HINT.search(text):
        text = _PINYIN_RUN.sub(_pinyin_run, text)
    return _TITLE_TAG.sub("", text)


def _clean_mapped(text: str) -> str:
    """:func:`clean` through the offset-keeping stages (the reference it must equal)."""
    return _collapse_space(_fold_fragment(MappedText.identity(text))).text.strip()


def _fold_mapped(text: str) -> str:
    """:func:`fold` through the offset-keeping stages (the reference it must equal)."""
    return _to_key(_fold_fragment(MappedText.identity(text))).text
