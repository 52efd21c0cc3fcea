"""The document's figures: a number and the unit after it (件, %, 万元, 人次, 名…)."""

from __future__ import annotations

import re
from bisect import bisect_left

__all__ = ["METRIC", "Figures"]

_UNITS = (
    "万元|亿元|万人次|人次|个百分点|百分点|场次|万件|件|%|名|人|位|个|篇|天|期|项|起|份|条|册|场|"
    "家|户|批|台|块|套|宗|笔|所|次|万|元"
)
METRIC = re.compile(rf"(?<![\d.])(第)?(\d+(?:\.\d+)?)(余|多)?({_UNITS})(?!月|工作日|小时)")


class Figures:
    """The document's figures (number + unit), found once."""

    def __init__(self, text: str) -> None:
        self.matches = list(METRIC.finditer(text))
        self.starts = [m.start() for m in self.matches]

    def matches_within(self, start: int, end: int) -> list[re.Match[str]]:
        return self.matches[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def within(self, start: int, end: int) -> list[int]:
        return self.starts[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def count(self, span: tuple[int, int]) -> int:
        return bisect_left(self.starts, span[1]) - bisect_left(self.starts, span[0])
