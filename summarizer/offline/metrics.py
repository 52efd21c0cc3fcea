"""Step 5, metrics: number + unit, labelled by the clause before it, ranked (unit, label,
size, section) and cut to the headline few. Plans are targets, not facts: skipped."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace

from summarizer.offline.figures import Figures, parts
from summarizer.offline.points import Point
from summarizer.offline.ranking import RATES, Signals, best_possible, score, signals_of
from summarizer.offline.targets import (
    MAX_TARGETS,
    TARGET_MARK,
    in_statement,
    is_target,
    may_state_targets,
    statement_ends,
)
from summarizer.offline.text import EDGE, Boundaries, positions, strip_edges
from summarizer.read import Document
from summarizer.schemas import Metric, Span

__all__ = ["Candidate", "candidates", "headline_count", "metrics"]

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
#: A label is the last this many characters of its clause.
_LABEL_CHARS = 24
#: A subject that tells two figures of one name apart is at most this long.
_SUBJECT_CHARS = 16
#: How far back (characters) a metric's evidence reaches for the start of its clause.
_CLAUSE_REACH = 30
#: Units whose figures count even below 2 ("0.8%"); so does any figure with a magnitude
#: ("1.8万户", "1.3万亿元": 18,000 and 13,000 hundred million).
_SMALL_UNITS = RATES[:1]
#: Ordinals that are results ("排名第3名"), unlike "第2次会议".
_RANK_UNITS = ("名", "位")
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


def _named_after(text: str, at: int) -> str | None:
    """The clause after a figure, when it names what was counted ("186人发出限制消费令",
    "118人纳入失信被执行人名单"): a verb phrase of 4 to 16 characters up to a boundary."""
    m = _AFTER.match(text, at)
    return m.group(1) if m else None


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
    statements = statement_ends(text)
    seen: set[int] = set()  # a figure two points share (a heading's line, its point) once
    # the first score of each result's key, the best ``keep`` of them: the keep-th best
    # result scores at least the smallest (a key's score only rises)
    firsts: list[float] = []
    for point in points:
        planned = point.section == "plans"
        if planned and not may_state_targets(text, point, statements):
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
                is_target(text, floor, m, statements)
                if planned
                else bool(statements) and in_statement(text, m.start(), statements)
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
                and best_possible(unit, number, point, bool(approx), lead) < firsts[0]
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
            signals = signals_of(
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


#: The opening results: the first points with this many figures, this many of them.
_LEAD_FIGURES = 3
_LEAD_POINTS = 1


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
