"""How a figure is ranked for the headline: the signals read from it and the weights
that make its score. Apart from :mod:`summarizer.offline.metrics`, which finds the figures,
so that the weights can be tuned (``eval/lodo_metrics.py``) without reading the finder."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from summarizer.offline.figures import MAGNITUDE
from summarizer.offline.points import Point

__all__ = [
    "RATES",
    "WEIGHTS",
    "Signals",
    "Weights",
    "best_possible",
    "score",
    "signals_of",
    "unit_weight",
]

_UNIT_WEIGHT = {
    "%": 3.5, "个百分点": 3.0, "百分点": 3.0, "万元": 3.0, "亿元": 3.0, "元": 2.0, "万": 2.2,
    "件": 2.3, "万件": 2.5, "人次": 2.0, "万人次": 2.5, "名": 2.0, "人": 2.0, "篇": 1.6,
    "场次": 1.6, "起": 1.6, "项": 1.3, "次": 1.3, "天": 1.3, "期": 1.0, "个": 0.8,
    "户": 1.6, "套": 1.6, "千瓦时": 2.0, "部": 1.3, "条": 1.3,
    "美元": 2.0, "亿美元": 3.0, "吨": 1.6,
}  # fmt: skip
_KEY_TERMS = re.compile(
    r"结案|审结|执结|审理|受理|收案|受案|立案|调解|化解|判处|判决|追缴|到位|标的|金额|资金|罚金|率|"
    r"排名|名列|服判|息诉|接访|信访|失信|惩戒|限制消费|直播|公开|发布|刊发|培训|普法|宣传|投入|督促|"
    r"录入|天数|办结|办理|执行|诉讼|起诉|批捕|逮捕|抗诉|检察建议|公益诉讼|挽回|追赃|查处|"
    r"增长|下降|减少|新增|完成|投资|营收|利润|售电|发电|就业|脱贫|覆盖"
)

#: The units of a rate or of a change in points.
RATES = ("%", "个百分点", "百分点")
#: A rate that is the change of another figure, by the end of its label.
_CHANGE = re.compile(r"同比|环比|上升|下降|增长|增加|减少|提高|降低|年均|分别")


@dataclass(frozen=True)
class Weights:
    """How a figure's headline score is made: its unit's weight, then these."""

    #: The label names a result the genre reports (结案, 执结, 受理…).
    key_term: float = 1.0
    #: A rate or a change in points.
    rate: float = 1.2
    #: Otherwise size counts: this times log10(value + 1), up to ``size_cap``.
    size: float = 0.5
    size_cap: float = 1.8
    #: A figure in an achievement rather than a problem.
    achievement: float = 0.4
    #: A breakdown ("其中…") of a figure given before it.
    breakdown: float = -0.8
    #: "2000余": a round figure.
    approximate: float = -0.3
    #: A label of one character says too little.
    unnamed: float = -1.5
    #: Units not in the unit table.
    other_unit: float = 1.0
    #: A change of another figure ("同比上升25.3%", "年均下降4.8%"): the figure is the
    #: headline, its change is not.
    change: float = -2.0
    #: A magnitude before the unit (万户, 亿千瓦时), beyond the unit's own weight.
    magnitude: float = 0.5
    #: Where a change started ("从44.76%提高到…"): the figure it reached is the headline.
    origin: float = -2.5
    #: A figure after another in its clause: its share or its part ("20件，占1.68%").
    after_figure: float = -1.5
    #: A figure of the report's opening results (its first points that state several
    #: figures: 全年受理案件…审结…结案率…, 国内生产总值…增长…): the headline of headlines.
    lead: float = 1.0


WEIGHTS = Weights()


@functools.cache  # a report has a few dozen units and hundreds of figures
def unit_weight(unit: str) -> float:
    """A unit's weight; a magnitude before it (万户, 亿千瓦时, 万亿元) counts more than the
    bare unit, as a figure in the ten thousands is a headline one."""
    if unit in _UNIT_WEIGHT:
        return _UNIT_WEIGHT[unit]
    if MAGNITUDE.match(unit) is None:
        return WEIGHTS.other_unit
    # the unit with as much of its magnitude as the table knows: 万亿元 weighs as 亿元 and
    # more, never less (as 元 would)
    for cut in range(1, len(unit)):
        if unit[cut:] in _UNIT_WEIGHT:
            return _UNIT_WEIGHT[unit[cut:]] + WEIGHTS.magnitude
    return WEIGHTS.other_unit + WEIGHTS.magnitude


class Signals(NamedTuple):
    """What a figure's headline score is read from: one field per :class:`Weights` term.
    (A tuple: one is made per figure, 3x faster than a frozen dataclass.)"""

    unit: float  # the unit's weight (a magnitude before it included)
    key_term: bool
    rate: bool
    size: float  # log10(value + 1)
    achievement: bool
    breakdown: bool
    approximate: bool
    unnamed: bool
    change: bool
    origin: bool
    after_figure: bool
    lead: bool


def signals_of(
    unit: str,
    name: str,
    number: float,
    point: Point,
    sentence: str,
    approximate: bool,
    origin: bool,
    after_figure: bool,
    lead: bool,
) -> Signals:
    rate = unit in RATES
    return Signals(  # positional: a figure's signals are built by the thousand
        unit_weight(unit),
        _KEY_TERMS.search(name) is not None,
        rate,
        math.log10(number + 1),
        point.section == "achievements",
        "其中" in sentence,
        approximate,
        len(name) < 2,
        rate and _CHANGE.search(name[-8:]) is not None,
        origin,
        after_figure,
        lead,
    )


def score(s: Signals, w: Weights = WEIGHTS) -> float:
    """A figure's headline score: its unit's weight, plus each signal's weight."""
    total = s.unit
    total += w.key_term if s.key_term else 0.0
    total += w.rate if s.rate else min(w.size_cap, s.size * w.size)
    total += w.achievement if s.achievement else 0.0
    total += w.breakdown if s.breakdown else 0.0
    total += w.approximate if s.approximate else 0.0
    total += w.unnamed if s.unnamed else 0.0
    total += w.change if s.change else 0.0
    total += w.origin if s.origin else 0.0
    total += w.after_figure if s.after_figure else 0.0
    total += w.lead if s.lead else 0.0
    return total


def best_possible(unit: str, number: float, point: Point, approximate: bool, lead: bool) -> float:
    """The best :func:`score` a figure can reach whatever its name and clause say: each
    signal read from them set as its weight favours."""
    w = WEIGHTS
    rate = unit in RATES
    return score(
        Signals(
            unit_weight(unit),
            w.key_term > 0,
            rate,
            math.log10(number + 1),
            point.section == "achievements",
            w.breakdown > 0,
            approximate,
            w.unnamed > 0,
            rate and w.change > 0,
            w.origin > 0,
            w.after_figure > 0,
            lead,
        )
    )
