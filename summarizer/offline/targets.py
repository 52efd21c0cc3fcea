"""Which figures of the plans are targets (国内生产总值增长5%左右, 城镇新增就业1200万人以上):
the words that make a plan's figure an aim, and the statements of targets whose lists
name them. A target is kept beside the headline results, marked so that nobody reads it
as one."""

from __future__ import annotations

import re
from bisect import bisect_left

from summarizer.offline.points import Point

__all__ = [
    "MAX_TARGETS",
    "TARGET_MARK",
    "in_statement",
    "is_target",
    "may_state_targets",
    "statement_ends",
]

#: The targets a plan sets (国内生产总值增长8%左右) are kept besides the headline results,
#: in the order stated, this many at most.
MAX_TARGETS = 8
#: What a target's name ends with, so that nobody reads an aim as a result.
TARGET_MARK = "（目标）"

#: A plan's figure is a target when its clause says so: 预期目标, 控制在, 左右, 以上, 以内.
_TARGET_WORDS = re.compile(r"预期目标|主要目标|目标是|目标为|目标:|控制在|力争|确保|不低于|不超过")
_TARGET_AFTER = re.compile(r"\s*(左右|以上|以内|以下)")
#: A statement of targets names them once and lists them: 主要预期目标是：A；B；C. Its
#: figures are targets wherever the statement stands, as far as its list runs.
_TARGET_STATEMENT = re.compile(r"目标(?:是|为|[:：])")  # not 主要目标任务全面完成
_STATEMENT_REACH = 160


def is_target(text: str, floor: int, m: re.Match[str], statements: list[int]) -> bool:
    """Whether a figure of the plans states an aim: a target word in its sentence before
    it, 左右 / 以上 / 以内 with it, or a statement of targets whose list it is in."""
    return (
        m["trailing"] in ("以上", "左右")
        or bool(_TARGET_WORDS.search(text, max(0, floor), m.start()))
        or bool(_TARGET_AFTER.match(text, m.end()))
        or in_statement(text, m.start(), statements)
    )


_TARGET_BOUND = re.compile(r"左右|以上|以内|以下")


def may_state_targets(text: str, point: Point, statements: list[int]) -> bool:
    """Whether a plan's point may hold a target: a target word or bound in it, or a
    statement of targets whose list it continues (what :func:`is_target` looks for)."""
    return bool(
        _TARGET_WORDS.search(text, point.body, point.end)
        or _TARGET_BOUND.search(text, point.body, point.end)
        or in_statement(text, point.body, statements)
    )


def in_statement(text: str, at: int, statements: list[int]) -> bool:
    """Whether ``at`` is in the list of a statement of targets (``statements``: where each
    ends, found once) in its paragraph, before the list's sentence ends (主要预期目标是：
    国内生产总值增长8%左右；城镇新增就业900万人)."""
    n = bisect_left(statements, at + 1) - 1
    if n < 0 or at - statements[n] > _STATEMENT_REACH:
        return False
    between = text[statements[n] : at]
    return "。" not in between and "\n" not in between


def statement_ends(text: str) -> list[int]:
    """Where each statement of targets in ``text`` ends (主要预期目标是：), in order: what
    :func:`in_statement` reads."""
    return [m.end() for m in _TARGET_STATEMENT.finditer(text)]
