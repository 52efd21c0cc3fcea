"""How numbers are read, in one place: digits, Chinese numerals, approximation words.

A report writes ``1,343件``, ``2000余人次``, ``近1400个`` or ``二〇二二年``; a model
writes ``1343``, ``2000``, ``1400`` and ``2022``. The validators (``schemas``), the
document views (``normalize``), the offline engine and the evaluator all compare
numbers, so they all read them through the functions here and cannot drift apart.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise

__all__ = [
    "APPROXIMATION_WORDS",
    "CHINESE_NUMERALS",
    "THOUSANDS_SEPARATOR",
    "VALUE_FORM",
    "canonical_value",
    "chinese_number",
    "numbers_in",
    "numbers_in_words",
    "numbers_text",
    "quantities",
    "without_approximation",
    "written_figures",
]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: The comma in 1,343: dropped before numbers are compared.
THOUSANDS_SEPARATOR = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")  # comma first: fast to scan
#: A metric's value as the model must give it: digits, perhaps a sign and decimals.
VALUE_FORM = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
#: Words a report writes around a number or between it and its unit, which a value and
#: a unit leave out (``2000余人次`` → 2000, 人次; ``60万余人`` → 60, 万人; ``近1400个``).
APPROXIMATION_WORDS = ("有余", "以上", "左右", "超过", "余", "多", "近", "约", "逾")
_APPROXIMATION = re.compile("|".join(APPROXIMATION_WORDS))
#: A run of Chinese numerals (一千二百三十, 二〇二二).
CHINESE_NUMERALS = re.compile("[零〇一二两三四五六七八九十百千万亿]+")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}


def without_approximation(text: str) -> str:
    """``text`` without the approximation words: how values and units are compared."""
    return _APPROXIMATION.sub("", text)


def numbers_text(text: str) -> str:
    """``text`` with thousands separators dropped, so ``1,343`` reads as ``1343``."""
    return THOUSANDS_SEPARATOR.sub("", text)


def numbers_in(text: str) -> list[str]:
    """The numbers written in digits in ``text`` (``1,343`` counts as ``1343``), in order."""
    return _NUMBER.findall(numbers_text(text))


@lru_cache(maxsize=4096)
def chinese_number(run: str) -> int | None:
    """The value of a run of Chinese numerals: 二〇二二 → 2022, 一千二百三十 → 1230, 十九 → 19;
    None for text that is not a run of numerals."""
    if not run or not CHINESE_NUMERALS.fullmatch(run):
        return None
    if all(c in _CN_DIGITS for c in run):
        return int("".join(str(_CN_DIGITS[c]) for c in run))
    total = section = digit = 0
    for c in run:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
        else:
            total += (section + digit or 1) * _CN_BIG[c]
            section = digit = 0
    return total + section + digit or None


def numbers_in_words(text: str) -> frozenset[str]:
    """Every number ``text`` writes in Chinese numerals, in digits: 二〇二二 → 2022."""
    return frozenset(str(n) for run in CHINESE_NUMERALS.findall(text) if (n := chinese_number(run)))


def canonical_value(text: str) -> str:
    """A value as compared: ``2,000`` = ``2000`` = ``2000.0``; ``98.10`` = ``98.1``;
    Chinese numerals read as digits; approximation words dropped. ``text`` is folded
    (full-width digits already ASCII)."""
    value = without_approximation(numbers_text(text)).replace(",", "").strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        n = chinese_number(value) if value else None
        return str(n) if n is not None else value
    return format(number.normalize(), "f") if number.is_finite() else value


#: A figure in digits with the scale word after it: 1.2万, 2.15万亿, 90万亿; and the
#: mixed form 3万3883 (a count of 万 and the rest: 33883).
_SCALED = re.compile(r"(\d+(?:\.\d+)?)(万亿|亿|万)?(?:(?<=\d万)(\d{1,4})(?![\d.千百十]))?")
_SCALE = {"万": Decimal(10**4), "亿": Decimal(10**8), "万亿": Decimal(10**12)}
#: What follows a list's number (1、 2. 3）) at a clause's start: an ordinal, not a value
#: (but 除110、119等热线: values).
_LIST_MARK = re.compile(r"[、．)）]|\.(?!\d)")
_CLAUSE_OPENERS = frozenset(" \t\n\u3000，,。；;：:（(！!？?")
#: What follows a one-character Chinese numeral that counts something (三次, 五项, 两名).
_MEASURE = re.compile("[个项件次名人位家所条篇场期倍批支类款套台座户]")


def _readings(digits: str, scale: str | None, rest: str | None = None) -> frozenset[Decimal]:
    """The value a figure stands for: 1.2万 is 12000 (never 1.2: 3万亿 is not the 三 of
    三大攻坚战); 3万3883 is 33883."""
    number = Decimal(digits) * _SCALE[scale] if scale else Decimal(digits)
    if rest:
        number += Decimal(rest)
    return frozenset({number.normalize()})


_DIGIT_CHARS = frozenset("零〇一二两三四五六七八九")


def _well_formed(run: str) -> bool:
    """Whether a run of numerals reads as one value: a year's digits (二〇二二, 一九九八)
    or a count with units (一千二百, 十四). Not 十四五 (two digits side by side in a
    count), 一一 (a doubled word), nor a run that opens with 万 or 亿 (万一, 千万)."""
    if run[0] in "万亿" or run.startswith("千万"):
        return False
    if len(run) > 1 and all(c in _DIGIT_CHARS for c in run):
        return len(run) >= 4 or "〇" in run or "零" in run
    return not any(
        a in _DIGIT_CHARS and b in _DIGIT_CHARS and a not in "零〇" for a, b in pairwise(run)
    )


def written_figures(text: str) -> list[tuple[str, frozenset[Decimal], int]]:
    """Each figure ``text`` writes in digits: as written, with the value it stands for
    (1,343 → 1343; 1.2万 → 12000; 3万3883 → 33883), and where it ends in ``text``. ``text`` is
    folded (ASCII digits) and without thousands separators (:func:`numbers_text`)."""
    return [
        (m.group(0), _readings(m.group(1), m.group(2), m.group(3)), m.end())
        for m in _SCALED.finditer(text)
    ]


def quantities(text: str) -> frozenset[Decimal]:
    """Every value ``text`` states, in digits (with their scale) or in Chinese numerals:
    what a figure written another way (一千二百 for 1200, 12000 for 1.2万) is looked up in.
    A rounded figure (98.1 for 98.14, 2.1万亿 for 2.15万亿) is not among them."""
    found: set[Decimal] = set()
    plain = numbers_text(text)
    for written, readings, end in written_figures(plain):
        start = end - len(written)
        opens = start == 0 or plain[start - 1] in _CLAUSE_OPENERS
        if not (opens and _LIST_MARK.match(plain, end)):
            found |= readings
    for m in CHINESE_NUMERALS.finditer(_SCALED.sub("\x00", numbers_text(text))):
        run = m.group()
        if m.start() and m.string[m.start() - 1] == "\x00":
            continue  # the 千 of 1万2千: part of a figure in digits, read with it
        if len(run) == 1 and (run == "一" or not _MEASURE.match(m.string, m.end())):
            continue  # 一是, 一个团队, 三大攻坚战, 十分顺利: a word, not a count
        if not _well_formed(run):
            continue  # 十四五, 一一, 万一, 千万: a name or a word, not a value
        n = chinese_number(run)
        if n:
            found.add(Decimal(n))
    return frozenset(found)
