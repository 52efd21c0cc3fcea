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
    "without_approximation",
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
