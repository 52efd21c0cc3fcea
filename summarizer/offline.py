"""The offline engine: a ``ReportSummary`` from the report's own structure, no model.

Chinese work reports are written to a pattern, and this engine reads it:

1. **Outline.** Heading lines by their markers (``一、`` > ``（一）`` > ``1.`` >
   ``（1）``) form a tree; inside a paragraph, ``一是/二是…`` and ``第一/第二…``
   chains mark points (a chain must count up from one, so ``第一责任人`` is no marker).
2. **Sections.** Each top-level heading is classified by a cue lexicon
   (存在的问题 → problems, 下一步/打算/建议 → plans, 做法/成效/进展 → achievements);
   everything under it inherits. A report without such headings is all
   achievements, except sentences that carry problem or plan cues.
3. **Points.** One item per point as the author makes it: the deepest
   sub-heading, or each link of a 一是/第一 chain. Enumerations under a ``1.``
   (``（1）…（8）``) stay with their parent. An intro paragraph becomes an item
   only when it states something concrete (a figure, a 《document》, 出台/成立…).
4. **Items.** ``text`` is the point's lead restated (Simplified, pinyin debris
   gone, ≤ 80 characters, cut at a clause boundary); ``evidence`` are verbatim raw
   spans: the lead, the first body sentence, the sentence with the most figures.
5. **Metrics.** Number + unit (件, %, 万元, 人次, 名…), labelled by the clause
   before it, ranked (unit, label, size, section) and cut to the headline few.

Everything works on the normalized ``view`` (debris already gone) and maps back
to raw offsets through it, so every quote is verbatim and debris never is one.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from summarizer.errors import SummarizationError
from summarizer.grounding import alignment_counts, compose_overview, verify
from summarizer.read import Document
from summarizer.schemas import ITEM_TEXT_LIMIT, MIN_QUOTE_CHARS, Item, Meta, Metric, ReportSummary

__all__ = ["ENGINE_VERSION", "summarize_offline"]

ENGINE_VERSION = "offline-1"

Section = Literal["achievements", "problems", "plans"]

# --------------------------------------------------------------------------- lexicons

# A problems heading opens or closes with its word: 存在的问题, 面临的困难和问题,
# 存在的问题及原因分析, 工作中的不足; not 坚持问题导向.
_PROBLEM_HEAD = re.compile(
    r"^(存在|面临|当前|突出|主要)?的?(问题|困难|不足|短板|差距|瓶颈|挑战)"
    r"|(问题|困难|不足|短板|差距|薄弱环节|瓶颈|挑战)(及.{0,8}|和.{0,8})?$"
)
# Not a bare 建议: 代表建议办理情况 reports work done.
_PLAN_HEAD = re.compile(
    r"下一步|下步|下阶段|计划|打算|思路|今后|明年|来年|展望|意见和建议|意见建议|对策建议|几点建议|"
    r"努力方向|工作重点|主要举措|工作安排|设想|目标任务|20\d\d年(工作)?(安排|要点|思路|目标)"
)
_ACHIEVEMENT_HEAD = re.compile(
    r"基本情况|做法|成效|成绩|亮点|进展|经验|主要工作|开展情况|完成情况|工作情况|取得|特色|创新|成果|回顾|"
    r"调解过程|办理过程|办案过程|处理过程|裁判结果|处理结果|调解结果|办理结果|执行结果|工作措施"
)
#: Sections that give context, not results: a case's facts, its commentary.
_CONTEXT_HEAD = re.compile(
    r"^(基本案情|案情|案情简介|案件事实|案件背景|背景|典型意义|法官说法|法官提示|法官点评|案例评析|"
    r"评析|点评|裁判要旨|裁判要点|相关法条|法律依据|编者按|关键词)"
)
# Sentence cues, for reports without section headings.
_PROBLEM_CUE = re.compile(
    r"还需|有待|不够|不足|短板|差距|薄弱|滞后|不到位|欠缺|亟待|"
    r"(存在|仍有|还有|面临|出现).{0,30}(问题|困难|挑战|矛盾|风险|隐患)"
)
#: A plan sentence opens with its cue, perhaps after a short lead-in ("会议要求，").
_PLAN_CUE = re.compile(
    r"^(?:[^,。]{0,8}[,:])?(下一步|下一阶段|下阶段|今后|明年|来年|接下来|我们将|拟|计划|力争|"
    r"将继续|将进一步|将持续|将着力|将全力|将加快|将坚持|将深入)"
)
_TITLE_LIKE = re.compile(r"[。;!?]$")
_CONCRETE = re.compile(r"\d|《|出台|印发|制定|成立|建成")

# --------------------------------------------------------------------------- markers

_NUMERALS = {c: n for n, c in enumerate("一二三四五六七八九十", 1)}
_HEADING = [  # (rank, pattern): 一、 > （一） > 1. > （1）
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")),
    (2, re.compile(r"^\([一二三四五六七八九十]{1,3}\)[、.．]?")),
    (3, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    (4, re.compile(r"^\(\d{1,2}\)[、.．]?")),
]
_INLINE = re.compile(
    r"(?:^|(?<=[。;!?:]))\s*(?:第([一二三四五六七八九十]{1,3})(?![次名个条批届年号位种类级期])|"
    r"([一二三四五六七八九十]{1,3})(是|要))",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"[。;!?\n]")
_CLAUSE = re.compile(r"[,、:;]")
_EDGE = " \t\n,、:;。!?\"'“”‘’()《》"


def _numeral(text: str) -> int:
    if text in _NUMERALS:
        return _NUMERALS[text]
    if text.startswith("十"):
        return 10 + _NUMERALS.get(text[1:], 0)
    if len(text) == 2 and text.endswith("十"):
        return _NUMERALS.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return _NUMERALS.get(text[0], 0) * 10 + _NUMERALS.get(text[2], 0)
    return 0


# --------------------------------------------------------------------------- outline


_BRACKET = re.compile(r"^【([^】]{2,12})】")
#: A bare line that names a section ("存在的问题", "下一步工作打算") is a heading too.
_BARE_HEADING_MAX = 24


@dataclass
class Para:
    start: int  # view offsets of the stripped line
    end: int
    rank: int = 0  # heading rank, 0 for body text
    body: int = 0  # where the text after the marker starts
    label: str | None = None  # a heading's own name, when the line states it apart (【基本案情】)

    def title(self, text: str) -> str:
        """The heading's first sentence, marker removed."""
        if self.label:
            return self.label
        head = text[self.body : self.end]
        cut = _SENTENCE_END.search(head)
        return head[: cut.start()] if cut else head


@dataclass
class Node:
    para: Para | None
    rank: int
    depth: int
    children: list[Node] = field(default_factory=list)
    content: list[Para] = field(default_factory=list)  # body paragraphs before the first child


def _paragraphs(text: str) -> list[Para]:
    paras, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            para = Para(start, start + len(stripped), body=start)
            for rank, pattern in _HEADING:
                m = pattern.match(stripped)
                if m and len(stripped) > m.end():
                    para.rank, para.body = rank, start + m.end()
                    break
            if not para.rank and (m := _BRACKET.match(stripped)):
                para.rank, para.body, para.label = 1, start + m.end(), m.group(1)
            elif not para.rank and paras and _is_bare_heading(stripped):
                para.rank, para.body, para.label = 1, start + len(stripped), stripped
            paras.append(para)
        pos += len(line) + 1
    return paras


def _is_bare_heading(line: str) -> bool:
    """An unnumbered line that only names a section (never the first line: the title)."""
    if len(line) > _BARE_HEADING_MAX or _TITLE_LIKE.search(line) or re.search(r"[,，\d]", line):
        return False
    return _classify_heading(line) is not None or bool(_CONTEXT_HEAD.match(line))


def _outline(paras: list[Para]) -> Node:
    root = Node(None, 0, 0)
    stack = [root]
    for para in paras:
        if para.rank:
            while stack[-1].rank >= para.rank:
                stack.pop()
            node = Node(para, para.rank, stack[-1].depth + 1)
            stack[-1].children.append(node)
            stack.append(node)
        else:
            stack[-1].content.append(para)
    return root


def _splits(parent: Node, child: Node) -> bool:
    """Whether ``child`` is a point of its own or an enumeration inside its parent."""
    return child.rank <= 3 or parent.rank <= 2


def _all_paras(node: Node) -> list[Para]:
    paras = [node.para] if node.para else []
    paras += node.content
    for child in node.children:
        paras += _all_paras(child)
    return paras


# --------------------------------------------------------------------------- points


@dataclass
class Point:
    start: int  # view span of the whole point
    end: int
    body: int  # where its words start (after any marker)
    section: Section | None
    category: str | None = None


def _chains(text: str, paras: list[Para]) -> list[tuple[int, int]]:
    """Markers of 一是/二是…, 一要/二要… and 第一/第二… chains in ``paras``:
    (marker start, words start).

    A chain counts up from one; a link that does not fit is text, not a marker."""
    if not paras:
        return []
    lo, hi = paras[0].start, paras[-1].end
    accepted: list[list[tuple[int, int]]] = []
    chain: list[tuple[int, int]] = []
    kind, expected = "", 0
    for m in _INLINE.finditer(text, lo, hi):
        value = _numeral(m.group(1) or m.group(2) or "")
        this_kind = "第" if m.group(1) else m.group(3)  # 第一…, 一是…, 一要…: one kind per chain
        at = m.start() + len(m.group()) - len(m.group().lstrip())
        if value == 1:
            if len(chain) >= 2:
                accepted.append(chain)
            chain, kind, expected = [(at, m.end())], this_kind, 2
        elif chain and this_kind == kind and value == expected:
            chain.append((at, m.end()))
            expected += 1
    if len(chain) >= 2:
        accepted.append(chain)
    return [link for c in accepted for link in c]


def _chain_points(
    text: str, paras: list[Para], section: Section | None, category: str | None
) -> list[Point]:
    links = _chains(text, paras)
    if not links:
        return []
    starts = [a for a, _ in links] + [paras[-1].end]
    return [
        Point(at, _link_end(text, paras, at, starts[n + 1]), words, section, category)
        for n, (at, words) in enumerate(links)
    ]


def _link_end(text: str, paras: list[Para], at: int, limit: int) -> int:
    """A link runs to the next one, or on through its paragraph and the marker-free
    paragraphs after it (its continuation), but never into a heading or another chain."""
    following = iter(p for p in paras if p.end > at)
    end = next(following).end
    for p in following:
        if p.start >= limit or p.rank or _INLINE.search(text, p.start, p.end):
            break
        end = p.end
    return min(end, limit)


def _category(text: str, node: Node) -> str | None:
    if node.para is None:
        return None
    title = _first_clause(node.para.title(text))
    return title[:16] or None


def _first_clause(text: str) -> str:
    cut = _CLAUSE.search(text)
    return (text[: cut.start()] if cut else text).strip(_EDGE)


def _points(text: str, node: Node, section: Section | None, category: str | None) -> list[Point]:
    split = [c for c in node.children if _splits(node, c)]
    if split:
        points = []
        intro = list(node.content)
        if node.depth >= 2 and intro and any(_CONCRETE.search(text, p.start, p.end) for p in intro):
            points.append(Point(intro[0].start, intro[-1].end, intro[0].start, section, category))
        for child in node.children:
            if child in split:
                points += _points(text, child, section, _category(text, node) or category)
        return points
    paras = _all_paras(node)
    chained = _chain_points(text, paras, section, _category(text, node) or category)
    if chained:
        return chained
    assert node.para is not None  # only headings get here; the root is read in _find_points
    if node.depth <= 1 and paras[1:]:  # a top-level section of plain paragraphs: one point each
        return [Point(p.start, p.end, p.body, section, _category(text, node)) for p in paras[1:]]
    return [Point(node.para.start, paras[-1].end, node.para.body, section, category)]


def _classify_heading(title: str) -> Section | None:
    head = title[:30]
    if _CONTEXT_HEAD.match(head):
        return None
    if head.startswith(("存在", "面临")) and _PROBLEM_HEAD.search(head):
        return "problems"  # 存在的问题及下一步打算: the problems come first
    if _PLAN_HEAD.search(head):
        return "plans"
    if _PROBLEM_HEAD.search(head):
        return "problems"
    if _ACHIEVEMENT_HEAD.search(head):
        return "achievements"
    return None


def _sentence_class(sentence: str) -> Section:
    if _PLAN_CUE.search(sentence):
        return "plans"
    if _PROBLEM_CUE.search(sentence):
        return "problems"
    return "achievements"


def _find_points(text: str, root: Node, title: str | None) -> list[Point]:
    top = root.children
    body = root.content[1:] if title and root.content else root.content
    if not top:
        points = _chain_points(text, body, None, None)
        if points:
            return points
        return _sentence_points(text, body)
    points = []
    previous: Section = "achievements"
    for node in top:
        assert node.para is not None
        title = node.para.title(text)
        if _CONTEXT_HEAD.match(title):
            continue
        section = _classify_heading(title)
        if section is None:  # unlabelled: like the section before it, unless that was problems
            section = "achievements" if previous == "problems" else previous
        previous = section
        points += _points(text, node, section, None)
    if not points:  # headings without structure below them
        return _sentence_points(text, body)
    return points


def _sentence_points(text: str, paras: list[Para]) -> list[Point]:
    """Reports with no sections and no chains: within each paragraph, runs of sentences of
    one class make a point; an achievement needs a figure or a concrete act to count."""
    points = []
    for para in paras:
        runs: list[tuple[Section, int, int]] = []
        for a, b in _sentences(text, para.start, para.end):
            section = _sentence_class(text[a:b])
            if runs and runs[-1][0] == section:
                runs[-1] = (section, runs[-1][1], b)
            else:
                runs.append((section, a, b))
        for section, a, b in runs:
            if section == "achievements" and not _CONCRETE.search(text, a, b):
                continue
            points.append(Point(a, b, a, section))
    return points


# --------------------------------------------------------------------------- items


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] - s[0] >= MIN_QUOTE_CHARS]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


_CUT = re.compile(r"[,、:;。!?]")


def _trim(text: str, start: int, end: int, limit: int) -> tuple[int, int]:
    """``[start, end)`` cut to at most ``limit`` characters at a clause or sentence end."""
    if end - start <= limit:
        return start, end
    cut = max(
        (m.start() for m in _CUT.finditer(text, start + limit // 3, start + limit)),
        default=start + limit,
    )
    return _strip(text, start, cut)


_BOUNDARY = re.compile(r"[。;!?\n,、:]")


class _Figures:
    """The document's figures (number + unit), found once."""

    def __init__(self, text: str) -> None:
        self.matches = list(_METRIC.finditer(text))
        self.starts = [m.start() for m in self.matches]

    def matches_within(self, start: int, end: int) -> list[re.Match[str]]:
        return self.matches[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def within(self, start: int, end: int) -> list[int]:
        return self.starts[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def count(self, span: tuple[int, int]) -> int:
        return bisect_left(self.starts, span[1]) - bisect_left(self.starts, span[0])


def _figure_window(
    text: str, figures: _Figures, start: int, end: int, limit: int
) -> tuple[int, int] | None:
    """The clause-aligned stretch of ``[start, end)``, at most ``limit`` long, that holds the
    most figures: from the clause before a figure to the end of the clause of the last one."""
    found = figures.within(start, end)
    best: tuple[int, int] | None = None
    best_count = 0
    for first in found:
        a = max(
            (m.end() for m in _BOUNDARY.finditer(text, max(start, first - 40), first)),
            default=max(start, first - 20),
        )
        inside = [f for f in found if a <= f < min(end, a + limit - 4)]
        cut = _CUT.search(text, inside[-1], min(end, a + limit))
        window = _strip(text, a, cut.start() if cut else min(end, a + limit))
        if len(inside) > best_count:
            best, best_count = window, len(inside)
    return best


def _shared(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _item(doc: Document, figures: _Figures, point: Point, unit: str | None) -> Item | None:
    view = doc.normalized.view
    text = view.text
    sentences = _sentences(text, point.body, point.end)
    if not sentences:
        return None
    lead, body = sentences[0], sentences[1:]
    quotes = [_trim(text, *lead, 60)]
    if body:
        quotes.append(_trim(text, *body[0], 80))
    window = _figure_window(text, figures, point.body, point.end, 80)
    if window:
        for a, b in quotes:  # figures a quote already shows are not quoted twice
            if a <= window[0] < b:
                window = _strip(text, b, window[1])
        usable = window[1] - window[0] >= MIN_QUOTE_CHARS and figures.count(window)
        if usable and not any(_shared(window, q) for q in quotes):
            quotes.append(window)
    restated = text[lead[0] : lead[1]]
    if len(restated) < 30 and body:
        fact = max(body[:3], key=figures.count)
        room = ITEM_TEXT_LIMIT - len(restated) - 1
        if room >= 12:
            a, b = _trim(text, *fact, room)
            restated = f"{restated}:{text[a:b]}"
    if len(restated) > ITEM_TEXT_LIMIT:
        a, b = _trim(restated, 0, len(restated), ITEM_TEXT_LIMIT)
        restated = restated[a:b]
    if unit and unit not in restated:
        restated = f"{unit}:{restated}"
    evidence, spans = [], []
    for a, b in dict.fromkeys(q for q in quotes if q[1] - q[0] >= MIN_QUOTE_CHARS):
        span = view.raw_span(a, b)
        if span not in spans:
            spans.append(span)
            evidence.append(doc.raw[span[0] : span[1]])
    if not evidence:
        return None
    return Item(  # evidence is raw[start:end] by construction: exact
        text=restated,
        evidence=evidence,
        spans=spans,
        category=point.category,
        alignment=["exact"] * len(evidence),
    )


# --------------------------------------------------------------------------- metrics

_UNITS = (
    "万元|亿元|万人次|人次|个百分点|百分点|场次|万件|件|%|名|人|位|个|篇|天|期|项|起|份|条|册|场|"
    "家|户|批|台|块|套|宗|笔|所|次|万|元"
)
_METRIC = re.compile(rf"(?<![\d.])(第)?(\d+(?:\.\d+)?)(余|多)?({_UNITS})(?!月|工作日|小时)")
_UNIT_WEIGHT = {
    "%": 3.5, "个百分点": 3.0, "百分点": 3.0, "万元": 3.0, "亿元": 3.0, "元": 2.0, "万": 2.2,
    "件": 2.3, "万件": 2.5, "人次": 2.0, "万人次": 2.5, "名": 2.0, "人": 2.0, "篇": 1.6,
    "场次": 1.6, "起": 1.6, "项": 1.3, "次": 1.3, "天": 1.3, "期": 1.0, "个": 0.8,
}  # fmt: skip
_KEY_TERMS = re.compile(
    r"结案|审结|执结|审理|受理|收案|受案|立案|调解|化解|判处|判决|追缴|到位|标的|金额|资金|罚金|率|"
    r"排名|名列|服判|息诉|接访|信访|失信|惩戒|限制消费|直播|公开|发布|刊发|培训|普法|宣传|投入|督促|"
    r"录入|天数|办结|办理|执行|诉讼"
)
#: Targets and duties ("每年应当举办2期以上") are not results.
_NORMATIVE = re.compile(r"每年应|应当|至少|不少于|不低于|力争|目标|计划|拟")
_LABEL_LEAD = re.compile(r"^(今年以来|今年|目前|截至目前|截止目前|其中|全年|共计|累计|已经|同时)+")
_LABEL_TAIL = re.compile(
    r"(达到|降至|升至|增至|减至|提高到|提升至|达|为|是|约|近|共计|共|计|累计|合计|总计|超过|超|逾|了|到|至|已)+$"
)
_LABEL_STOP = "。;!?\n,、:"
_LIST_MARKER = re.compile(
    r"^(\(\d{1,2}\)|\d{1,2}[.、)]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、是要])"
)
_MAX_METRICS = 20


@dataclass
class _Candidate:
    value: str
    unit: str
    name: str
    start: int
    end: int
    score: float


_PAIRS = ("“”", "()", "《》", "‘’")
_EDGE_BUT_CLOSERS = _EDGE.translate(str.maketrans("", "", "”)》’"))


def _balanced(label: str) -> str:
    """Strip edge punctuation but keep a closing mark whose opening one is in the label."""
    label = label.strip(_EDGE_BUT_CLOSERS)
    for opener, closer in _PAIRS:
        if label.endswith(closer) and opener not in label:
            label = label[:-1]
        elif label.count(opener) > label.count(closer):
            label += closer
    return label.strip()


def _label(text: str, number_start: int, floor: int) -> str:
    start = number_start
    while start > floor and text[start - 1] not in _LABEL_STOP:
        start -= 1
    label = _LIST_MARKER.sub("", text[start:number_start].strip(_EDGE))
    label = _balanced(_LABEL_TAIL.sub("", _LABEL_LEAD.sub("", label)))
    if not label and start > floor + 1:  # "……85件": the clause before names it
        return _label(text, start - 1, floor)
    return label[-24:]


def _metrics(doc: Document, figures: _Figures, points: list[Point]) -> list[Metric]:
    view = doc.normalized.view
    text = view.text
    candidates: dict[tuple[str, str], _Candidate] = {}
    for point in points:
        if point.section == "plans":
            continue  # targets, not facts
        for m in figures.matches_within(point.body, point.end):
            ordinal, value, approx, unit = m.groups()
            if ordinal and unit not in ("名", "位"):
                continue
            sentence = max(text.rfind(c, point.start, m.start()) for c in "。;\n")
            floor = max(point.start, sentence)
            name = _label(text, m.start(), floor)
            number = float(value)
            if number < 2 and unit not in ("%", "万元", "亿元", "万"):
                continue  # "1个窗口", "1批": not a headline figure
            sentence_text = text[floor : m.start()]
            if _NORMATIVE.search(sentence_text):
                continue  # "每年应当举办2期以上", "力争达到95%": duties and targets
            score = _UNIT_WEIGHT.get(unit, 1.0)
            score += 1.0 if _KEY_TERMS.search(name) else 0.0
            score += (
                1.2
                if unit in ("%", "个百分点", "百分点")
                else min(1.8, math.log10(number + 1) * 0.5)
            )
            score += 0.4 if point.section == "achievements" else 0.0
            score -= 0.8 if "其中" in sentence_text else 0.0
            score -= 0.3 if approx else 0.0
            score -= 1.5 if len(name) < 2 else 0.0
            key = (value, unit)
            if key not in candidates or candidates[key].score < score:
                reach = max(floor, m.start() - 30)
                clause = max(
                    (c.end() for c in _BOUNDARY.finditer(text, reach, m.start())), default=reach
                )
                if len(name) > m.start() - clause:  # the label lies further back: keep it in
                    clause = max(floor, m.start() - len(name))
                a, b = _strip(text, clause, m.end())
                candidates[key] = _Candidate(value, unit, name or unit, a, b, score)
    # Sparse reports: nearly every figure is a headline one; dense ones keep the top few.
    ranked = sorted(candidates.values(), key=lambda c: -c.score)[:_MAX_METRICS]
    metrics = []
    for c in ranked:
        span = view.raw_span(c.start, c.end)
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


# --------------------------------------------------------------------------- header facts

_GENRE = re.compile(
    r"总结|报告|汇报|情况|材料|发言|讲话|经验|做法|案例|纪实|综述|通报|要点|计划|方案|意见"
)
_ORG_SUFFIX = re.compile(
    r"人民法院|法院|人民检察院|检察院|公安局|公安厅|司法局|司法厅|人民政府|政法委员会|政法委|"
    r"人大常委会|监察委员会|税务局|市场监督管理局|街道办事处|委员会"
)
_ORG_STOP = set('的在和与及对向为是由把被将从于以等也并、,。;:!?"“”《》()年月日 \n我本该其这那')
#: Words that make what follows a class of units, not one ("全省法院", "上级法院").
_GENERIC = re.compile(
    r"各级|全市|全省|全国|全区|全县|上级|下级|基层|两级|三级|有关|相关|各地|其他|中共|各|全"
)
_PLACE = re.compile(r"[省市县区州旗镇乡村盟]|X|某|[甲乙丙丁]")
_YEAR = re.compile(r"(20\d\d)年(度|上半年|下半年|第[一二三四]季度)?")


def _title(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip()
    if not 4 <= len(first) <= 50 or re.search(r"[。;!?]$", first):
        return None
    if any(p.match(first) for _, p in _HEADING) or first.count(",") > 1:
        return None
    return first if _GENRE.search(first) or len(first) <= 30 else None


#: Characters that show a "name" is really a clause: 李某遂诉至法院, 起诉到法院.
#: (Not 经 or 来: 经开区, 来宾市.)
_NOT_A_NAME = set("诉至到请报交给送赴遂了")


def _organizations(text: str) -> Counter[str]:
    """Units named in ``text``: a place-like prefix (乙市, XX县, 甲区) before 人民法院,
    检察院, 司法局…; a short bare name (海淀法院) counts when it recurs."""
    found: Counter[str] = Counter()
    bare: Counter[str] = Counter()
    for m in _ORG_SUFFIX.finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 12 and text[start - 1] not in _ORG_STOP:
            start -= 1
        prefix = _GENERIC.split(text[start : m.start()])[-1]
        if not prefix or prefix.endswith(("院", "局", "厅")) or _NOT_A_NAME & set(prefix):
            continue
        if _PLACE.search(prefix):
            found[prefix + m.group()] += 1
        elif 2 <= len(prefix) <= 4:
            bare[prefix + m.group()] += 1
    found.update({name: n for name, n in bare.items() if n >= 2})
    return found


def _organization(
    text: str, found: Counter[str], speakers: set[str], title: str | None
) -> str | None:
    """The unit whose work is reported: where several units speak, the body that convenes
    them (the first unit named that is not a speaker); else the unit in the title; else the
    unit named most often."""
    if speakers:
        others = [n for n in found if n not in speakers]
        if others:
            return min(others, key=text.find)
    if title:
        named = [n for n in found if n in title]
        if named:
            return min(named, key=title.find)
    if not found:
        return None
    return max(found, key=lambda n: (found[n], -text.find(n)))


def _period(text: str, title: str | None, reported: list[Point]) -> str | None:
    """The year in the title, else the year the reported parts (not plans, not a case's
    background) mention most."""
    if title and (m := _YEAR.search(title)):
        return m.group()
    years: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for point in reported:
        for m in _YEAR.finditer(text, point.start, point.end):
            year = m.group(1) + "年"
            years[year] += 1
            first_seen.setdefault(year, m.start())
    if not years:
        return None
    return max(years, key=lambda y: (years[y], -first_seen[y]))


# --------------------------------------------------------------------------- entry point


def _speaker(text: str, point: Point, speakers: set[str]) -> str | None:
    """The unit whose paragraph this point is in, where paragraphs open with a unit's name."""
    line = text.rfind("\n", 0, point.start) + 1
    return next((u for u in speakers if text.startswith(u, line)), None)


def _speakers(text: str, names: Counter[str], paras: list[Para]) -> set[str]:
    """Units that open paragraphs: two or more (besides a report's own, dominant unit)
    means a meeting where several units speak."""
    opening = {n for n in names for p in paras if text.startswith(n, p.body)}
    if names:
        main, count = names.most_common(1)[0]
        if count > 0.4 * sum(names.values()):
            opening.discard(main)
    return opening if len(opening) >= 2 else set()


def summarize_offline(doc: Document) -> ReportSummary:
    """Summarize ``doc`` from its own structure; fast, local, deterministic."""
    text = doc.normalized.view.text
    paras = _paragraphs(text)
    title = _title(text)
    points = _find_points(text, _outline(paras), title)
    for point in points:
        if point.section is None:
            point.section = _sentence_class(text[point.body : point.end][:60])
    units = _organizations(text)
    speakers = _speakers(text, units, paras)
    figures = _Figures(text)
    sections: dict[Section, list[Item]] = {"achievements": [], "problems": [], "plans": []}
    for point in points:
        item = _item(doc, figures, point, _speaker(text, point, speakers))
        if item is not None and point.section is not None:
            sections[point.section].append(item)

    organization = _organization(text, units, speakers, title)
    period = _period(text, title, [p for p in points if p.section != "plans"])
    summary = ReportSummary(
        doc_id=doc.doc_id,
        title=title,
        organization=organization,
        period=period,
        overview=compose_overview(
            title,
            organization,
            period,
            {s: [i.text for i in items] for s, items in sections.items()},
        ),
        achievements=sections["achievements"],
        problems=sections["problems"],
        plans=sections["plans"],
        metrics=_metrics(doc, figures, points),
        meta=Meta(
            backend="offline",
            engine_version=ENGINE_VERSION,
            source=doc.source,
            encoding=doc.encoding,
        ),
    )
    summary.meta.alignment = alignment_counts(
        summary.achievements + summary.problems + summary.plans, summary.metrics
    )
    problems = verify(summary, doc.raw)
    if problems:  # spans come from the offset map, so this means a bug: refuse, never mislead
        raise SummarizationError("offline grounding check failed: " + "; ".join(problems[:3]))
    return summary
