"""Step 2, the sections: which stretch of the report reviews, admits or plans, and why.

A report's sections are read before its points, as a stage of their own, so that every
label is data — a range with the reason that decided it and how strong that reason is —
for the points here, and for the review page and ``summarizer sections`` to show. Signs
rank as a reader ranks them:

1. **Headings** decide where the report has them: 存在的问题 opens problems, 下一步 / 部署 /
   主要任务 plans, 回顾 / 成效 achievements. A sub-heading opens problems or plans only when
   it names them (存在的问题), not when it acts on them (着力解决突出问题).
2. **An unnamed heading** takes what its own paragraphs say: a past written with 了 / 取得 /
   比上年 against a future of 要 / 将 / 今年 / 确保; a later year than the review's heading
   is the plan. With no such sign, the genre's order: review, then admissions, then next
   steps.
3. **Turns and cues** decide inside a section and never override its heading beyond their
   scope: a sentence that turns (清醒看到…还存在…问题) makes the rest of its paragraph, and
   the list under it, problems; a lead-in (计划如下：, 存在以下问题：, also inside a
   paragraph) labels the list under it, and a list that starts again at 一 under it is its
   list; a paragraph that opens looking back (过去一年) in the plans is a review, one that
   opens looking ahead (下一步, 新的一年) in the review starts the plans until the next
   heading.
4. **None**: a title and preamble before the first heading, and the closing words from a
   salutation near the end (各位代表！), are no section.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Literal

from summarizer.offline.lexicon import (
    ACTS_ON,
    FUTURE_WORDS,
    LEAD_IN,
    LEAD_IN_CHARS,
    LOOKS_AHEAD,
    LOOKS_BACK_OPENING,
    PAST_WORDS,
    PROBLEM_TURN,
    classify_heading,
    heading_names_section,
    opens_turn,
)
from summarizer.offline.margins import closing, prelude
from summarizer.offline.outline import Para
from summarizer.offline.text import sentences
from summarizer.schemas import Section

__all__ = ["Basis", "Label", "SectionMap", "read_sections"]

#: What decided a label, strongest first.
Basis = Literal["heading", "lead-in", "turn", "cue", "vote", "order"]
STRENGTH: dict[Basis, float] = {
    "heading": 1.0,
    "lead-in": 0.8,
    "turn": 0.8,
    "cue": 0.6,
    "vote": 0.5,
    "order": 0.3,
}


@dataclass(frozen=True)
class Label:
    """One stretch of the view labelled with its section and why."""

    start: int
    end: int
    section: Section | Literal["none"]  # none: the closing words, not a point
    basis: Basis
    reason: str  # the words that decided it: the heading, the turn, the cue

    @property
    def strength(self) -> float:
        return STRENGTH[self.basis]

    @property
    def files_under(self) -> Section | None:
        """The section a point here is filed under; None for the words that are none."""
        return _FILED.get(self.section)


_FILED: dict[str, Section] = {
    "achievements": "achievements",
    "problems": "problems",
    "plans": "plans",
}


class SectionMap:
    """The labels of a report, in order, and the one at any offset."""

    def __init__(self, labels: list[Label]) -> None:
        self.labels = labels
        self._starts = [label.start for label in labels]

    def at(self, offset: int) -> Label | None:
        n = bisect_right(self._starts, offset) - 1
        return self.labels[n] if n >= 0 else None

    def changes(self, start: int, end: int) -> list[Label]:
        """The labels over ``[start, end)`` where the section changes: the first one, then
        each that differs from the one before it (a stretch of one section is one)."""
        n = max(0, bisect_right(self._starts, start) - 1)
        out: list[Label] = []
        for label in self.labels[n:]:
            if label.start >= end:
                break
            if not out or label.section != out[-1].section:
                out.append(label)
        return out


#: A vote needs this many signs, and this share of them on one side.
_VOTE_MIN = 5
_VOTE_SHARE = 0.7
_YEAR = re.compile(r"(20\d\d|19\d\d)年")


def _quote(text: str, start: int, end: int, limit: int = 24) -> str:
    words = " ".join(text[start:end].split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _vote(text: str, start: int, end: int) -> Section | None:
    """The tense of a stretch: its past markers against its future ones."""
    past = len(PAST_WORDS.findall(text, start, end))
    future = len(FUTURE_WORDS.findall(text, start, end))
    total = past + future
    if total < _VOTE_MIN:
        return None
    if past >= _VOTE_SHARE * total:
        return "achievements"
    if future >= _VOTE_SHARE * total:
        return "plans"
    return None


def _turn_at(text: str, para: Para, cues: list[int]) -> int | None:
    """Where a sentence that turns to what the report admits starts in ``para``; ``cues``
    are where the turn's words stand in the text (found once, in one scan)."""
    n = bisect_left(cues, para.body)
    if n == len(cues) or cues[n] >= para.end:
        return None  # most paragraphs: no cue at all, no sentence to split
    for a, b in sentences(text, para.body, para.end):
        if opens_turn(text, a, b):
            return a
    return None


@dataclass
class _Frame:
    """An open heading (or lead-in) and the section it gives what follows."""

    rank: float
    section: Section
    basis: Basis
    reason: str


def read_sections(text: str, paras: list[Para]) -> SectionMap:
    """Label every paragraph of ``paras`` (and the part of one after a turn)."""
    labels: list[Label] = []
    stack: list[_Frame] = [_Frame(0, "achievements", "order", "默认：回顾在前")]
    last_top: _Frame | None = None
    review_year: int | None = None
    # a turn or a lead-in, in force over the list under it; a look ahead, to the next heading
    turned: _Frame | None = None

    def add(
        start: int, end: int, section: Section | Literal["none"], basis: Basis, reason: str
    ) -> None:
        if end <= start:
            return  # nothing to label (a lead-in that opens its paragraph)
        if labels and labels[-1].section == section and labels[-1].reason == reason:
            labels[-1] = Label(labels[-1].start, end, section, basis, reason)
        else:
            labels.append(Label(start, end, section, basis, reason))

    def inner(para: Para, section: Section, basis: Basis, reason: str) -> None:
        """A paragraph labelled whole, unless a lead-in inside it opens a list of another
        section (…存在的问题主要有：一是…；2024年，将采取以下措施：一是…)."""
        at = para.start
        listed = _LIST_AFTER_COLON.search(text, para.body, para.end) is not None
        for m in _INNER_LEAD_IN.finditer(text, para.body, para.end) if listed else ():
            said = _lead_in_section(m.group(1))
            if said is not None and said != section:
                add(at, m.start(1), section, basis, reason)
                at, section, basis = m.start(1), said, "lead-in"
                reason = f"引语「{_quote(text, m.start(1), m.end(1), 16)}」"
        add(at, para.end, section, basis, reason)

    closing_at = closing(text, paras)
    cues = [m.start() for m in PROBLEM_TURN.finditer(text)]
    preamble = prelude(text, paras)
    for n, para in enumerate(paras):
        if n < preamble:
            add(para.start, para.end, "none", "order", "开头：标题、题注、称呼")
            continue
        if n == closing_at:
            add(
                para.start,
                paras[-1].end,
                "none",
                "cue",
                f"结束语「{_quote(text, para.start, para.end, 10)}」",
            )
            break
        if turned is not None and turned.basis in ("turn", "lead-in"):
            # a turn holds for the points led by ordinals under it, a lead-in (its colon
            # says a list follows) for the headings under it too, or a list that starts
            # again at 一 after it; neither further
            led = not para.rank and _ITEM.match(text, para.start)
            listed = para.rank > stack[-1].rank or (para.rank and _FIRST.match(text, para.start))
            if not (led or (turned.basis == "lead-in" and listed)):
                turned = None
        if turned is not None and turned.basis == "lead-in" and para.rank > stack[-1].rank:
            # the headings under a lead-in are its list: the lead-in is their parent
            stack.append(_Frame(para.rank - 0.5, turned.section, turned.basis, turned.reason))
            turned = None
        if para.rank:
            while len(stack) > 1 and stack[-1].rank >= para.rank:
                stack.pop()
            if turned is not None and turned.basis == "lead-in" and _FIRST.match(text, para.start):
                # a list that starts again at 一 under a lead-in (计划如下：) is the lead-in's
                stack.append(_Frame(para.rank - 0.5, turned.section, turned.basis, turned.reason))
            turned = None
            title = para.title(text)
            year = _year(title)
            own = classify_heading(title)
            top = len(stack) == 1
            if own is not None and (top or heading_names_section(title, own)):
                frame = _Frame(para.rank, own, "heading", f"标题「{_quote(title, 0, len(title))}」")
            elif top:
                before = last_top
                if before is None and labels and labels[-1].files_under is not None:
                    # the first heading after an unheaded opening: the order goes on from it
                    opened = labels[-1].files_under
                    before = _Frame(0, opened, "order", "")
                frame = _unnamed(text, paras, n, title, year, before, review_year)
            else:
                parent = stack[-1]
                frame = _Frame(para.rank, parent.section, parent.basis, parent.reason)
            if top:
                last_top = frame
                if frame.section == "achievements" and year is not None:
                    review_year = year
            stack.append(frame)
            inner(para, frame.section, frame.basis, frame.reason)
            continue
        frame = turned or stack[-1]
        section, basis, reason = frame.section, frame.basis, frame.reason
        opening = text[para.body : min(para.end, para.body + 16)]
        # a lead-in ends its paragraph with a colon: only such a paragraph is searched
        ends_colon = text[para.end - 1 : para.end] in (":", "：")
        lead_in = (
            LEAD_IN.search(text, max(para.body, para.end - LEAD_IN_CHARS), para.end)
            if ends_colon
            else None
        )
        if frame.section == "plans" and LOOKS_BACK_OPENING.match(opening):
            section, basis = "achievements", "cue"
            reason = f"回顾「{_quote(text, para.body, para.end, 10)}」"
        elif frame.section == "achievements" and LOOKS_AHEAD.match(opening):
            turned = _Frame(
                stack[-1].rank + 0.5,
                "plans",
                "cue",
                f"展望「{_quote(text, para.body, para.end, 10)}」",
            )
            section, basis, reason = turned.section, turned.basis, turned.reason
        turn = _turn_at(text, para, cues) if section != "problems" else None
        if turn is not None:
            if turn > para.start:
                add(para.start, turn, section, basis, reason)
            reason = f"转折「{_quote(text, turn, para.end, 14)}」"
            add(turn, para.end, "problems", "turn", reason)
            turned = _Frame(stack[-1].rank + 0.5, "problems", "turn", reason)
            continue
        if lead_in is not None and para.end - lead_in.end() <= 2:
            said = _lead_in_section(lead_in.group())
            if said is not None:
                add(para.start, para.end, section, basis, reason)
                turned = _Frame(
                    stack[-1].rank + 0.5,
                    said,
                    "lead-in",
                    f"引语「{_quote(text, para.body, para.end, 16)}」",
                )
                continue
        if basis == "order" and (voted := _vote(text, para.body, para.end)) is not None:
            # no heading, turn or cue says: the paragraph's own tense does
            section, basis = voted, "vote"
            reason = f"时态「{_quote(text, para.body, para.end, 10)}」"
        inner(para, section, basis, reason)
    return SectionMap(labels)


#: A list's item: a heading deeper than the list's, or a paragraph led by an ordinal.
_ITEM = re.compile(
    r"\s*(第?[一二三四五六七八九十]{1,3}(是|要|、|[,.．])|\(?[一二三四五六七八九十\d]{1,2}\)|"
    r"\d{1,2}[、.．](?!\d)|[①-⑳]|——|[-*•·]\s)"
)
#: A list that starts right after a colon: what a paragraph needs before it is searched
#: for a lead-in (a scan that skips to the colons; the lead-in's own search is 4x slower).
_LIST_AFTER_COLON = re.compile(
    r":\s*(?:一是|第一|1[、.．]|[(（]一[)）])"
)  # the view's colons are ASCII
#: A lead-in inside a paragraph: its sentence ends in a colon and a list starts at one.
_INNER_LEAD_IN = re.compile(
    rf"(?:^|(?<=[。;!?]))\s*([^。;!?:\n]{{2,{LEAD_IN_CHARS}}}:)\s*(?=(?:一是|第一|1[、.．]|[(（]一[)）]))",
    re.MULTILINE,
)
#: The first item of a numbered list: 一、 / 1. / （一） / (1).
_FIRST = re.compile(r"\s*[(（]?(一|1)(?![\d一二三四五六七八九十])[)）、.．]?")


def _year(title: str) -> int | None:
    m = _YEAR.search(title)
    return int(m.group(1)) if m else None


def _region_end(paras: list[Para], n: int) -> int:
    """The end of the top heading at ``n``'s region: the next heading of its rank or above."""
    rank = paras[n].rank
    for para in paras[n + 1 :]:
        if para.rank and para.rank <= rank:
            return para.start
    return paras[-1].end


def _unnamed(
    text: str,
    paras: list[Para],
    n: int,
    title: str,
    year: int | None,
    last: _Frame | None,
    review_year: int | None,
) -> _Frame:
    """A top heading that names no section: a later year than the review's, the tense of
    its own paragraphs, else the genre's order after the section before it."""
    rank = paras[n].rank
    quoted = f"「{_quote(title, 0, len(title))}」"
    if year is not None and review_year is not None and year > review_year:
        return _Frame(rank, "plans", "cue", f"年份晚于回顾{quoted}")
    voted = _vote(text, paras[n].end, _region_end(paras, n))
    if voted is not None:
        return _Frame(rank, voted, "vote", f"时态{quoted}")
    if last is None:
        return _Frame(rank, "achievements", "order", f"默认：回顾在前{quoted}")
    after: Section = "plans" if last.section in ("problems", "plans") else last.section
    return _Frame(rank, after, "order", f"顺序：承上{quoted}")


def _lead_in_section(words: str) -> Section | None:
    """The section a lead-in opens a list of; None when it names none, or a whole report
    (现将…工作总结及明年工作计划报告如下：, which introduces everything after it)."""
    if _WHOLE_REPORT.search(words):
        return None
    if re.search(r"问题|不足|困难|短板|差距", words):
        return None if ACTS_ON.search(words) else "problems"  # 围绕突出问题抓好以下工作
    if re.search(r"计划|打算|安排|措施|思路|目标|建议|要求|任务|重点", words):
        return "plans"
    return None


#: A lead-in that also names the review introduces the whole report, not a list of one part.
_WHOLE_REPORT = re.compile(r"情况|总结|成绩|成效|回顾|开展")
