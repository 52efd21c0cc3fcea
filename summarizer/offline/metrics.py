"""Step 5, metrics: number + unit, labelled by the clause before it, ranked (unit, label,
size, section) and cut to the headline few. Plans are targets, not facts: skipped."""

from __future__ import annotations

import functools
import heapq
import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from summarizer.offline.figures import MAGNITUDE, Figures, parts
from summarizer.offline.points import Point
from summarizer.offline.text import EDGE, Boundaries, positions, strip_edges
from summarizer.read import Document
from summarizer.schemas import Metric, Span

__all__ = [
    "MAX_TARGETS",
    "TARGET_MARK",
    "WEIGHTS",
    "Candidate",
    "Signals",
    "Weights",
    "candidates",
    "headline_count",
    "metrics",
    "score",
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
#: Targets and duties ("每年应当举办2期以上") are not results.
_NORMATIVE = re.compile(r"每年应|应当|至少|不少于|不低于|力争|目标|计划|拟")
_LABEL_LEAD = re.compile(r"^(今年以来|今年|目前|截至目前|截止目前|其中|全年|共计|累计|已经|同时)+")
_LABEL_TAIL = re.compile(
    r"(达到|降至|升至|增至|减至|提高到|提升至|达|为|是|约|近|共计|共|计|累计|合计|总计|超过|超|逾|了|到|至|已|从|由)+$"
)
_LIST_MARKER = re.compile(
    r"^(\(\d{1,2}\)|\d{1,2}[.、)]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、是要])"
)
#: Sparse reports: nearly every figure is a headline one; dense ones keep the top few.
_MAX_METRICS = 20
#: ... and a short report keeps a handful: one figure per this many characters, at least
#: ``_MIN_METRICS`` (a 1,300-character news item keeps 8, a 3,000-character report 20).
_CHARS_PER_METRIC = 150
_MIN_METRICS = 5
#: The targets a plan sets (国内生产总值增长8%左右) are kept besides the headline results,
#: in the order stated, this many at most.
MAX_TARGETS = 8
#: What a target's name ends with, so that nobody reads an aim as a result.
TARGET_MARK = "（目标）"
#: A label is the last this many characters of its clause.
_LABEL_CHARS = 24
#: A subject that tells two figures of one name apart is at most this long.
_SUBJECT_CHARS = 16
#: How far back (characters) a metric's evidence reaches for the start of its clause.
_CLAUSE_REACH = 30
_RATES = ("%", "个百分点", "百分点")
#: Units whose figures count even below 2 ("0.8%"); so does any figure with a magnitude
#: ("1.8万户", "1.3万亿元": 18,000 and 13,000 hundred million).
_SMALL_UNITS = _RATES[:1]
#: Ordinals that are results ("排名第3名"), unlike "第2次会议".
_RANK_UNITS = ("名", "位")
#: A rate that is the change of another figure, by the end of its label.
_CHANGE = re.compile(r"同比|环比|上升|下降|增长|增加|减少|提高|降低|年均|分别")
#: A label that ends where a change started ("占比从45.4%", "关税总水平由10.5%"): the
#: figure it reached is named by what comes before.
_SINCE = re.compile(r"^(.{2,}?)(?:从|由)[^从由]{0,8}\d[^从由]{0,8}$")
#: What follows the figure a change started from.
_CHANGED_TO = re.compile(r"(提高|提升|增加|增长|上升|下降|降低|减少|压缩|缩短|降|升|增|减)?(到|至)")
#: What stands before a figure whose name comes after it: 对186人…, 将118人….
_OBJECT_LEAD = re.compile(r"^(对|将|向|为|把|给|使|帮助|组织|共)$")
_AFTER = re.compile(r"(?![的之])([^,;。、\n\d]{4,16})(?=[,;。、\n])")  # not "…的发展中大国"
#: Where a figure's sentence starts: after the last of these before it.
_SENTENCE_STOPS = "。;\n"


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


@dataclass
class Candidate:
    """A figure that could be a headline one: what it is, where its quote lies (view
    offsets), and the signals it is ranked by."""

    value: str
    unit: str
    name: str
    start: int
    end: int
    signals: Signals
    #: A target the plans set (国内生产总值增长8%左右), not a result.
    target: bool
    #: Where its sentence starts (view offset; the stop before it, or its point's start)
    #: and the figure's own start: what tells two figures of one name apart.
    floor: int
    at: int


_PAIRS = (("“", "”"), ("(", ")"), ("《", "》"), ("‘", "’"))
_PAIR_MARK = re.compile("[" + re.escape("".join(a + b for a, b in _PAIRS)) + "]")
_EDGE_BUT_CLOSERS = EDGE.translate(str.maketrans("", "", "”)》’"))


def _balanced(label: str) -> str:
    """Strip edge punctuation but keep a closing mark whose opening one is in the label."""
    label = label.strip(_EDGE_BUT_CLOSERS)
    if _PAIR_MARK.search(label) is None:  # most labels have no paired mark at all
        return label.strip()
    for opener, closer in _PAIRS:
        if label.endswith(closer) and opener not in label:
            label = label[:-1]
        elif label.count(opener) > label.count(closer):
            label += closer
    return label.strip()


def _label(text: str, bounds: Boundaries, number_start: int, floor: int) -> tuple[str, int]:
    """The words before a figure, back to the clause's start (never before ``floor``),
    and where that clause starts."""
    start = number_start
    if start > floor:
        start = bounds.after_last(floor, number_start) or floor
    label = _LIST_MARKER.sub("", text[start:number_start].strip(EDGE))
    label = _LABEL_TAIL.sub("", _LABEL_LEAD.sub("", label))
    if ("从" in label or "由" in label) and (since := _SINCE.match(label)) is not None:
        label = since.group(1)
    label = _balanced(label)
    if not label and start > floor + 1:  # "……85件": the clause before names it
        return _label(text, bounds, start - 1, floor)
    return label[-_LABEL_CHARS:], start


@functools.cache  # a report has a few dozen units and hundreds of figures
def _unit_weight(unit: str) -> float:
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


def _named_after(text: str, at: int) -> str | None:
    """The clause after a figure, when it names what was counted ("186人发出限制消费令",
    "118人纳入失信被执行人名单"): a verb phrase of 4 to 16 characters up to a boundary."""
    m = _AFTER.match(text, at)
    return m.group(1) if m else None


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


def _signals(
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
    rate = unit in _RATES
    return Signals(  # positional: a figure's signals are built by the thousand
        _unit_weight(unit),
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


def _hope(unit: str, number: float, point: Point, approximate: bool, lead: bool) -> float:
    """The best :func:`score` a figure can reach whatever its name and clause say: each
    signal read from them set as its weight favours."""
    w = WEIGHTS
    rate = unit in _RATES
    return score(
        Signals(
            _unit_weight(unit),
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


def candidates(
    doc: Document,
    figures: Figures,
    bounds: Boundaries,
    points: list[Point],
    rank: Callable[[Signals], float] = score,
    keep: int | None = None,
) -> list[Candidate]:
    """Every figure of the reported parts that could be a headline one, once per (value,
    unit): where a figure recurs, its best-ranked mention.

    ``keep``: how many results the caller keeps (ranked by :func:`score`). A result that
    could not rank among them whatever its name and clause is left out before they are
    read (the costly part): a third of a dense report's figures, the output unchanged."""
    if keep is not None and rank is not score:
        raise ValueError("keep= prunes by score's weights: rank by score")
    text = doc.normalized.view.text
    ends = positions(text, _SENTENCE_STOPS)  # once, not per figure
    found: dict[tuple[str, str, bool], Candidate] = {}
    best: dict[tuple[str, str, bool], float] = {}
    leads = _lead_points(figures, points)
    statements = [m.end() for m in _TARGET_STATEMENT.finditer(text)]
    seen: set[int] = set()  # a figure two points share (a heading's line, its point) once
    # the first score of each result's key, the best ``keep`` of them: the keep-th best
    # result scores at least the smallest (a key's score only rises)
    firsts: list[float] = []
    for point in points:
        planned = point.section == "plans"
        if planned and not _may_state_targets(text, point, statements):
            continue  # most of a plan's points state no aim: their figures are not read
        for m in figures.matches_within(point.body, point.end):
            if m.start() in seen:
                continue
            seen.add(m.start())
            ordinal, value, approx, unit = parts(m)
            if ordinal and unit not in _RANK_UNITS:
                continue
            before = bisect_left(ends, m.start())
            floor = max(point.start, ends[before - 1] if before else -1)
            target = (
                _is_target(text, floor, m, statements)
                if planned
                else bool(statements) and _in_statement(text, m.start(), statements)
            )
            if planned and not target:
                continue  # a plan's figure that states no aim: not a headline
            number = float(value)
            if number < 2 and unit not in _SMALL_UNITS and not m["magnitude"]:
                continue  # "1个窗口", "1批": not a headline figure
            lead = id(point) in leads
            hopeless = (
                keep is not None
                and not target
                and len(firsts) >= keep
                and _hope(unit, number, point, bool(approx), lead) < firsts[0]
            )
            if hopeless:
                continue  # could not rank among the kept, whatever its name and clause
            if not target and _NORMATIVE.search(text, max(0, floor), m.start()):
                continue  # "每年应当举办2期以上", "力争达到95%": duties and targets
            sentence = text[floor : m.start()]
            origin = bool(_CHANGED_TO.match(text, m.end()))
            name, clause_start = _label(text, bounds, m.start(), floor)  # the costly part
            after = _named_after(text, m.end()) if len(_OBJECT_LEAD.sub("", name)) < 2 else None
            if after is not None:  # "对186人发出限制消费令": what is counted follows
                name = after
            # "不予公开20件，占1.68%", "办结1191件（含上年结转189件）": a share or a part
            # of the figure its clause gives first
            # (not where the figure before is where a change started: "从44.76%提高到…")
            after_figure = any(
                not _CHANGED_TO.match(text, prior.end())
                for prior in figures.matches_within(clause_start, m.start())
            )
            signals = _signals(
                unit,
                name,
                number,
                point,
                sentence,
                bool(approx),
                origin,  # "从44.76%提高到56.97%": the headline is where it went
                after_figure,
                lead,
            )
            key = (value, unit, target)
            ranked = rank(signals)
            if keep is not None and not target and key not in best:
                if len(firsts) < keep:
                    heapq.heappush(firsts, ranked)
                else:
                    heapq.heappushpop(firsts, ranked)
            if key not in best or best[key] < ranked:
                best[key] = ranked
                reach = max(floor, m.start() - _CLAUSE_REACH)
                clause = bounds.after_last(reach, m.start()) or reach
                if len(name) > m.start() - clause:  # the label lies further back: keep it in
                    clause = max(floor, m.start() - len(name))
                end = m.end() + len(after) + 1 if after is not None else m.end()
                a, b = strip_edges(text, clause, min(end, len(text)))
                name = name or unit
                found[key] = Candidate(
                    value,
                    unit,
                    f"{name}{TARGET_MARK}" if target else name,
                    a,
                    b,
                    signals,
                    target,
                    floor,
                    m.start(),
                )
    return list(found.values())


#: A plan's figure is a target when its clause says so: 预期目标, 控制在, 左右, 以上, 以内.
_TARGET_WORDS = re.compile(r"预期目标|主要目标|目标是|目标为|目标:|控制在|力争|确保|不低于|不超过")
_TARGET_AFTER = re.compile(r"\s*(左右|以上|以内|以下)")
#: A statement of targets names them once and lists them: 主要预期目标是：A；B；C. Its
#: figures are targets wherever the statement stands, as far as its list runs.
_TARGET_STATEMENT = re.compile(r"目标(?:是|为|[:：])")  # not 主要目标任务全面完成
_STATEMENT_REACH = 160
#: The opening results: the first points with this many figures, this many of them.
_LEAD_FIGURES = 3
_LEAD_POINTS = 1


def _is_target(text: str, floor: int, m: re.Match[str], statements: list[int]) -> bool:
    """Whether a figure of the plans states an aim: a target word in its sentence before
    it, 左右 / 以上 / 以内 with it, or a statement of targets whose list it is in."""
    return (
        m["trailing"] in ("以上", "左右")
        or bool(_TARGET_WORDS.search(text, max(0, floor), m.start()))
        or bool(_TARGET_AFTER.match(text, m.end()))
        or _in_statement(text, m.start(), statements)
    )


_TARGET_BOUND = re.compile(r"左右|以上|以内|以下")


def _may_state_targets(text: str, point: Point, statements: list[int]) -> bool:
    """Whether a plan's point may hold a target: a target word or bound in it, or a
    statement of targets whose list it continues (what :func:`_is_target` looks for)."""
    return bool(
        _TARGET_WORDS.search(text, point.body, point.end)
        or _TARGET_BOUND.search(text, point.body, point.end)
        or _in_statement(text, point.body, statements)
    )


def _in_statement(text: str, at: int, statements: list[int]) -> bool:
    """Whether ``at`` is in the list of a statement of targets (``statements``: where each
    ends, found once) in its paragraph, before the list's sentence ends (主要预期目标是：
    国内生产总值增长8%左右；城镇新增就业900万人)."""
    n = bisect_left(statements, at + 1) - 1
    if n < 0 or at - statements[n] > _STATEMENT_REACH:
        return False
    between = text[statements[n] : at]
    return "。" not in between and "\n" not in between


def _lead_points(figures: Figures, points: list[Point]) -> set[int]:
    """The report's opening results (ids of the points): the review's opening paragraphs
    where the report has them, else its first achievement points that state several
    figures."""
    opening = {id(p) for p in points if p.lead}
    if opening:
        return opening
    found: set[int] = set()
    for point in points:
        if (
            point.section == "achievements"
            and len(figures.within(point.body, point.end)) >= _LEAD_FIGURES
        ):
            found.add(id(point))
            if len(found) == _LEAD_POINTS:
                break
    return found


def _subject(text: str, figures: Figures, bounds: Boundaries, c: Candidate) -> Span | None:
    """Who or what the figure's sentence is about, where it opens with that: its first
    clause, up to the figure that clause counts ("新建2个速裁快审团队受案1343件" →
    "新建2个速裁快审团队受案"), when the figure itself is not in it."""
    start = c.floor + 1 if c.floor < 0 or text[c.floor] in _SENTENCE_STOPS else c.floor
    end = bounds.first_after(start, c.at)
    if end is None:
        return None
    own = figures.within(start, end)
    a, b = strip_edges(text, start, own[-1] if own else end)
    return (a, min(b, a + _SUBJECT_CHARS)) if b - a >= 2 else None


def _told_apart(
    text: str, figures: Figures, bounds: Boundaries, ranked: list[Candidate]
) -> list[Candidate]:
    """Each name once: where a change's start and end share a name ("关税总水平由9.8%降至
    7.5%") the start goes, as the end's quote shows it; other figures of one name are named
    with their sentence's subject ("结案率（1个派驻XX办案团队受案）")."""
    named: dict[str, list[Candidate]] = {}
    for c in ranked:
        named.setdefault(c.name, []).append(c)
    dropped: set[int] = set()
    renamed: dict[int, Candidate] = {}
    for same in named.values():
        ends = [c for c in same if not c.signals.origin]
        if ends and len(ends) < len(same):  # a change's start, its end kept: the start goes
            dropped.update(id(c) for c in same if c.signals.origin)
            same = ends
        found = [s for c in same if (s := _subject(text, figures, bounds, c)) is not None]
        if len(same) < 2 or len({text[a:b] for a, b in found}) < len(same):
            continue
        for c, (a, b) in zip(same, found, strict=True):
            renamed[id(c)] = replace(c, name=f"{c.name}（{text[a:b]}）", start=min(c.start, a))
    return [renamed.get(id(c), c) for c in ranked if id(c) not in dropped]


def headline_count(text: str) -> int:
    """How many metrics a report of this length keeps."""
    return min(_MAX_METRICS, max(_MIN_METRICS, len(text) // _CHARS_PER_METRIC))


def metrics(
    doc: Document, figures: Figures, bounds: Boundaries, points: list[Point]
) -> list[Metric]:
    """The report's headline figures: its candidates, best :func:`score` first, cut to
    :func:`headline_count`, each quoted with its clause."""
    view = doc.normalized.view
    found = candidates(doc, figures, bounds, points, keep=headline_count(view.text))
    results = [c for c in found if not c.target]
    ranked = sorted(results, key=lambda c: -score(c.signals))[: headline_count(view.text)]
    targets = sorted((c for c in found if c.target), key=lambda c: c.at)[:MAX_TARGETS]
    ranked = _told_apart(view.text, figures, bounds, ranked) + targets
    metrics = []
    for c in ranked:
        pieces = doc.normalized.quotable(view.raw_span(c.start, c.end), min_chars=1)
        if not pieces:
            continue
        # on a web page, the piece that shows the figure (the most digits)
        span = max(pieces, key=lambda p: sum(ch.isdigit() for ch in doc.raw[p[0] : p[1]]))
        metrics.append(
            Metric(
                name=c.name,
                value=c.value,
                unit=c.unit,
                evidence=doc.raw[span[0] : span[1]],
                span=span,
                alignment="exact",
            )
        )
    return metrics
