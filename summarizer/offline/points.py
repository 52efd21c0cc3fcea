"""Steps 2 and 3, sections and points: each top-level heading is classified by the cue
lexicon and everything under it inherits; one point per point as the author makes it
(the deepest sub-heading, or each link of a 一是/第一 chain); reports without headings
are read sentence by sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.normalize import HAN
from summarizer.offline.lexicon import (
    CONCRETE,
    CONTEXT_HEAD,
    LEAD_IN_CHARS,
    NOT_A_POINT,
    PLAN_TURN,
    SALUTATION_NAMES,
    classify_heading,
    opens_turn,
    sentence_class,
)
from summarizer.offline.outline import Node, Para, all_paras, markers, splits
from summarizer.offline.sections import SectionMap
from summarizer.offline.text import ENDS_SENTENCE, first_clause, sentences
from summarizer.schemas import Section

__all__ = ["Point", "find_points", "heading_lines", "is_debris", "split_at_sections"]


@dataclass
class Point:
    start: int  # view span of the whole point
    end: int
    body: int  # where its words start (after any marker)
    section: Section | None
    category: str | None = None
    #: The report's opening results (the review's first paragraphs, before its first
    #: sub-heading): where its headline figures stand.
    lead: bool = False


#: A paragraph that opens with a short sentence of its own states its point first
#: ("实施更大规模的减税。普惠性…", "——经济运行保持在合理区间。…"): under one heading,
#: several such paragraphs are several points, as a government report writes its tasks.
_LEAD = re.compile(r"(?:——|—)?[^。;!?\n,]{4,24}。")
#: A Markdown table's rule line, and the Chinese characters a cell needs to say something.
_TABLE_RULE = re.compile(r"^\|[\s:|-]*-[\s:|-]*$")
_TABLE_CELL = 8
_CJK = re.compile(f"[{HAN}]")
#: A speech's closing call ("同志们，让我们…"), or a report's closing formula ("以上是我的
#:述职报告，请批评指正", "特此报告"), ends the last point, never continues it.
_CLOSING = re.compile(f"{SALUTATION_NAMES}|让我们|以上(是|为|就是)|特此|请.{{0,12}}批评指正")
#: Shorter paragraphs are salutations and transitions ("各位代表!"), not points; under a
#: problems or plans heading a sentence may be that short ("队伍建设有待加强。"); a
#: salutation, or a footer line without a sentence's end, not.
_MIN_PARAGRAPH = 12
_MIN_ADMITTED = 6


def _chains(text: str, paras: list[Para]) -> list[tuple[int, int]]:
    """Markers of 一是/二是…, 一要/二要… and 第一/第二… chains in ``paras``:
    (marker start, words start).

    A chain counts up from one; a link that does not fit is text, not a marker."""
    if not paras:
        return []
    accepted: list[list[tuple[int, int]]] = []
    chain: list[tuple[int, int]] = []
    kind, expected = "", 0
    for marker in markers(text).within(paras[0].start, paras[-1].end):
        value = marker.value
        if value is None:  # 最后: the next link of a speech's chain, else nothing
            value = expected if kind == "首" else 0
        if value == 1:
            if len(chain) >= 2:
                accepted.append(chain)
            chain, kind, expected = [(marker.at, marker.words)], marker.kind, 2
        elif chain and marker.kind == kind and value == expected:
            chain.append((marker.at, marker.words))
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
        if p.start >= limit or p.rank or markers(text).within(p.start, p.end):
            break
        end = p.end
    return min(end, limit)


def _category(text: str, node: Node) -> str | None:
    if node.para is None:
        return None
    title = first_clause(node.para.title(text))
    return title[:16] or None


def _points(text: str, node: Node, section: Section | None, category: str | None) -> list[Point]:
    split = [c for c in node.children if splits(node, c)]
    if split:
        points = []
        intro = list(node.content)
        if node.depth >= 2 and intro and any(CONCRETE.search(text, p.start, p.end) for p in intro):
            points.append(Point(intro[0].start, intro[-1].end, intro[0].start, section, category))
        for child in node.children:
            if child in split:
                own = _sub_section(text, child, section)
                points += _points(text, child, own, _category(text, node) or category)
        return points
    paras = [p for p in all_paras(node) if not _introduces(text, p)]
    assert node.para is not None  # only headings get here; the root is read in find_points
    body = paras[1:]
    plain = all(not p.rank for p in body)  # no enumeration (（1）…（8）) that stays together
    leads = sum(bool(_LEAD.match(text, p.body, p.end)) for p in body) if plain else 0
    if body and (node.depth <= 1 or leads >= 2):  # a section of paragraphs: one point each
        return _paragraph_points(text, body, section, _category(text, node) or category)
    chained = _chain_points(text, paras, section, _category(text, node) or category)
    if chained:
        return chained
    return [Point(node.para.start, paras[-1].end, node.para.body, section, category)]


def _turn(text: str, spans: list[tuple[int, int]]) -> int | None:
    """The sentence that turns to what the report admits: one that opens with the cue
    ("在肯定成绩的同时…", "但也存在…"), not one that mentions problems in passing
    ("报告…工作存在的问题和困难"), nor one that counts or settles them ("存在问题12个，
    已全部整改")."""
    for n, (a, b) in enumerate(spans):
        if opens_turn(text, a, b):
            return n
    return None


def _table_records(text: str, paras: list[Para]) -> list[Para]:
    """A Markdown table's lines as its records: the lines between two ``|---|`` rules are
    one record (a cell may wrap onto lines of its own). A record is a point only when a
    cell says something (``_TABLE_CELL`` Chinese characters or more): a row of figures or
    a header row is data, not a point."""
    out: list[Para] = []
    record: list[Para] = []

    def close() -> None:
        if record and _says_something(text[record[0].start : record[-1].end]):
            out.append(Para(record[0].start, record[-1].end, body=record[0].start))
        record.clear()

    for para in paras:
        line = text[para.start : para.end]
        if not line.startswith("|"):
            close()
            out.append(para)
        elif _TABLE_RULE.match(line):
            close()
        else:
            record.append(para)
    close()
    return out


#: After a turn's colon (…主要表现在：产业结构不优，…), the first admission is this long at least.
_ADMISSION = 6


def admissions(text: str, spans: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    """The admissions after the turn sentence ``spans[k]``, one per sentence: the turn's own
    sentence from its colon on (还存在不少问题，主要表现在：A；B), then the sentences after
    it, a plan-like close (对此，我们将认真加以解决) left out."""
    a, b = spans[k]
    colon = max(text.rfind(":", a, b), text.rfind("：", a, b))
    found = [(colon + 1, b)] if colon >= 0 and b - colon - 1 >= _ADMISSION else []
    found += spans[k + 1 :]
    return [(x, y) for x, y in found if sentence_class(text[x:y]) != "plans"]


def split_at_sections(text: str, points: list[Point], sections: SectionMap) -> list[Point]:
    """Each point cut where the report's section changes inside it: a review's last point
    runs on into the paragraph that turns to its problems, and the turn must not be lost.
    A turn's paragraph, with no chain of its own, is one point per sentence after the turn
    (主要是：A；B；C), its plan-like close (对此，我们将…) left out."""
    out: list[Point] = []
    for point in points:
        pieces = sections.changes(point.body, point.end)
        if len(pieces) <= 1:
            out.append(point)
            continue
        for k, label in enumerate(pieces):
            a = point.start if k == 0 else label.start
            b = pieces[k + 1].start if k + 1 < len(pieces) else point.end
            body = point.body if k == 0 else a
            if b <= a or label.section == "none" or _only_introduces(text, a, b):
                continue
            own: Section = label.section
            said = sentences(text, a, b)
            if label.basis == "turn" and len(said) >= 3 and not markers(text).within(a, b):
                out += [Point(x, y, x, own, point.category) for x, y in admissions(text, said, 0)]
            else:
                out.append(Point(a, b, body, own, point.category))
    return out


def _introduces(text: str, para: Para) -> bool:
    """Whether ``para`` is a lead-in line that only introduces the list after it."""
    return not para.rank and _only_introduces(text, para.body, para.end)


def _only_introduces(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a lead-in (计划如下：) and nothing more."""
    words = text[start:end].rstrip()
    return len(words.strip()) <= LEAD_IN_CHARS and words.endswith(":")  # the view's colon


def _says_something(rows: str) -> bool:
    """Whether a table's rows hold a cell that says something, not only names or figures."""
    return max(len(_CJK.findall(cell)) for cell in rows.split("|")) >= _TABLE_CELL


def is_debris(text: str, point: Point) -> bool:
    """A point that is none: a table's row of names and figures (its figures are metrics),
    a rule line, a dateline, a credit, a contact line."""
    if text.startswith("|", point.start):
        return not _says_something(text[point.start : point.end])
    return bool(NOT_A_POINT.match(text, point.start, point.end))


def _sub_section(text: str, child: Node, section: Section | None) -> Section | None:
    """A sub-heading that names problems or plans ("（二）2025年工作中存在的主要问题")
    opens them, whatever the section above; one that names results inherits."""
    assert child.para is not None
    own = classify_heading(child.para.title(text))
    return own if own in ("problems", "plans") else section


def _paragraph_points(
    text: str,
    paras: list[Para],
    section: Section | None,
    category: str | None,
    *,
    by_sentence: bool = False,
) -> list[Point]:
    """One point per paragraph, or per link of a 一是/二是 chain inside one; and where the
    report turns, without a heading, from results to what it admits ("在肯定成绩的同时，
    要清醒看到…") or to what comes next ("下一步"), the section turns with it.

    ``by_sentence``: a report without headings (a news report, a meeting's minutes) also
    says what it admits and plans in single sentences ("…还有待加强"): a paragraph holding
    such a sentence is read sentence by sentence."""
    paras = _table_records(text, paras)
    links = _chains(text, paras)
    per_para = [[link for link in links if p.start <= link[0] < p.end] for p in paras]
    linked = [bool(inside) for inside in per_para]
    points: list[Point] = []
    mode = section
    for n, (para, inside) in enumerate(zip(paras, per_para, strict=True)):
        if mode in ("achievements", "problems") and PLAN_TURN.match(text, para.body, para.end):
            mode = "plans"
        if inside:
            ends = [at for at, _ in inside[1:]] + [para.end]
            points += [
                Point(at, end, words, mode, category)
                for (at, words), end in zip(inside, ends, strict=True)
            ]
            continue
        spans = sentences(text, para.start, para.end)
        k = _turn(text, spans) if mode == "achievements" else None
        if k is None and n + 1 < len(paras) and linked[n + 1] and not any(linked[:n]):
            continue  # the introduction of a 一是/二是 chain, not a point of its own
        if n and linked[n - 1] and not para.rank and points and not _CLOSING.match(text, para.body):
            points[-1].end = para.end  # a link's paragraph goes on ("另一方面，…")
            continue
        if k is not None:
            if k and CONCRETE.search(text, para.start, spans[k - 1][1]):
                points.append(Point(para.start, spans[k - 1][1], para.body, mode, category))
            points += [Point(a, b, a, "problems", category) for a, b in admissions(text, spans, k)]
            mode = "problems"  # what follows the turn is what the report admits
            continue
        admitted = mode != "achievements" and ENDS_SENTENCE.search(text[para.start : para.end])
        shortest = _MIN_ADMITTED if admitted else _MIN_PARAGRAPH
        if para.end - para.start < shortest or _CLOSING.match(text, para.body):
            continue  # a salutation, or a speech's closing call
        if by_sentence and mode == "achievements":
            runs = _sentence_points(text, [para])
            if any(run.section != "achievements" for run in runs):
                points += runs
                continue
        if mode == "achievements" and not (
            CONCRETE.search(text, para.start, para.end) or _LEAD.match(text, para.body, para.end)
        ):
            continue  # a transition ("回顾过去一年，成绩来之不易"), not a point
        points.append(Point(para.start, para.end, para.body, mode, category))
    return points


#: Text before the first heading is a review of its own, not a preamble, with this many
#: paragraphs of this length.
_OPENING_PARAGRAPH = 60
_OPENING_PARAGRAPHS = 3


def find_points(text: str, root: Node, title: str | None) -> list[Point]:
    top = root.children
    body = root.content[1:] if title and root.content else root.content
    if not top:  # no headings: the report's paragraphs, its turns and its chains
        return _paragraph_points(text, body, "achievements", None, by_sentence=True)
    points = []
    if sum(p.end - p.start >= _OPENING_PARAGRAPH for p in body) >= _OPENING_PARAGRAPHS:
        # a review written before the first heading (a report that opens with its year and
        # then numbers its tasks): its paragraphs are points too
        points += _paragraph_points(text, body, "achievements", None, by_sentence=True)
    previous: Section = "achievements"
    for node in top:
        assert node.para is not None
        title = node.para.title(text)
        if CONTEXT_HEAD.match(title):
            continue
        section = classify_heading(title)
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
        for a, b in sentences(text, para.start, para.end):
            section = sentence_class(text[a:b])
            if runs and runs[-1][0] == section:
                runs[-1] = (section, runs[-1][1], b)
            else:
                runs.append((section, a, b))
        for section, a, b in runs:
            if section == "achievements" and not CONCRETE.search(text, a, b):
                continue
            points.append(Point(a, b, a, section))
    return points


#: A heading line longer than this runs on into its section's text.
_HEADING_RUNS_ON = 60


def heading_lines(paras: list[Para], points: list[Point]) -> list[Point]:
    """Heading lines that run on into their section's text (a document stored as one
    line: "一、工作开展情况在上级党委领导下…完成售电量357.84亿千瓦时"), as places figures
    are read from; no item comes of them. A heading takes its section from the first
    point after it."""
    found = []
    for para in paras:
        if para.rank and para.end - para.body > _HEADING_RUNS_ON:
            after = next((p for p in points if p.start >= para.end), None)
            section = after.section if after is not None else None
            found.append(Point(para.start, para.end, para.body, section))
    return found
