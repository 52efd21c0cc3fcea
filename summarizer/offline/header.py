"""The header facts: title, the reporting unit (or the convening body of a meeting where
several units speak), and the period."""

from __future__ import annotations

import re
from collections import Counter

from summarizer.offline.outline import HEADING, Para
from summarizer.offline.points import Point

__all__ = ["organization_of", "organizations", "period_of", "speaker_of", "speakers_of", "title_of"]


_GENRE = re.compile(
    r"总结|报告|汇报|情况|材料|发言|讲话|经验|做法|案例|纪实|综述|通报|要点|计划|方案|意见"
)
_ORG_SUFFIX = re.compile(
    r"人民法院|法院|人民检察院|检察院|公安局|公安厅|司法局|司法厅|人民政府办公厅|人民政府办公室|"
    r"人民政府|政法委员会|政法委|"
    r"人大常委会|监察委员会|税务局|市场监督管理局|街道办事处|委员会"
)
_ORG_STOP = set('的在和与及对向为是由把被将从于以等也并、,。;:!?"“”《》()年月日 \n我本该其这那')
#: Words that make what follows a class of units, not one ("全省法院", "上级法院"), and
#: the verbs a person's report puts before its unit ("本人担任XX县人民法院…"): what
#: precedes the last of them is no part of the name.
_GENERIC = re.compile(
    r"各级|全市|全省|全国|全区|全县|上级|下级|基层|两级|三级|有关|相关|各地|其他|中共|各|全|"
    r"担任|现任|任职于|就职于|调任|调入|来到|进入"
)
_PLACE = re.compile(r"[省市县区州旗镇乡村盟]|X|某|[甲乙丙丁]")
_YEAR = re.compile(r"(20\d\d) ?年(度|上半年|下半年|第[一二三四]季度)?")


#: How many lines from the top a title is looked for in.
_TITLE_LINES = 6
#: ... looked for near the top only.
_ON_BEHALF_REACH = 300
_FRONT_MATTER = re.compile(r"^(?:title|标题|题目|名称)\s*[:：]\s*(.+)$", re.IGNORECASE)
#: Any other field of a front matter or a crawler's header (layout: post, 发布日期：…): no
#: title, and never joined to the line after it.
_FIELD = re.compile(r"^[\w\u4e00-\u9fff-]{1,10}\s*[:：]")
#: A title spaced out letter by letter (政 府 工 作 报 告) reads without its spaces.
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
#: A title's unit: what stands before its year, when the title opens with it.
_TITLE_UNIT = re.compile(r"^([^\s,，:：]{2,24}?)(?:关于|对|在)?(?:19|20)\d\d\s*年")
#: ... unless it is a person's or a pointer's word (我的2021年终总结, 关于2023年…).
_NOT_A_UNIT = re.compile(r"^(我|本|关于|对|在|于|截至|截止|第|个人)")
#: "我代表国务院，向大会报告": the unit that reports.
_ON_BEHALF = re.compile(r"我代表(.{2,20}?)[,，向]")
#: A speech or letter opens by addressing its audience, not with a title.
_ADDRESS = re.compile(r"(各位|同志们|尊敬的|亲爱的|.{0,8}(们|大家),?(您|你)好)")


def title_of(text: str) -> str | None:
    """The first line, when it reads as a title; else, among the first few lines (a PDF's
    "正文" line, a Markdown front matter's ``title:``, a title broken over two lines), one
    that names the genre (总结, 报告…)."""
    lines = [_bare(line) for line in text.split("\n")[:_TITLE_LINES]]
    lines = [line for line in lines if line]
    if not lines:
        return None
    if _titled(lines[0]):
        return lines[0] if _GENRE.search(lines[0]) or len(lines[0]) <= 30 else None
    for n, line in enumerate(lines[1:], 1):
        if _titled(line) and _GENRE.search(line):
            return line
        joined = line + (lines[n + 1] if n + 1 < len(lines) else "")
        if _titled(line) and _titled(joined) and _GENRE.search(joined):
            return joined
    return None


#: Quotes a front matter or a Markdown heading wraps a title in, and emphasis marks.
_WRAPPERS = "\"'“”‘’「」『』*_# "


def _bare(line: str) -> str:
    """A line as a title reads: a front matter's ``title:`` (or a header's ``标题：``) value,
    without its quotes, a Markdown heading's or emphasis's marks (``## **总结**``), the
    spaces of a title set out letter by letter; another field is no title (empty)."""
    line = line.strip()
    if m := _FRONT_MATTER.match(line):
        line = m.group(1).strip()
    elif _FIELD.match(line):
        return ""
    return _SPACED.sub("", line.strip(_WRAPPERS))


def _titled(line: str) -> bool:
    """Whether ``line`` could be a title: short, no sentence, no salutation, no heading."""
    if not 4 <= len(line) <= 50 or re.search(r"[。;!?:]$", line) or _ADDRESS.match(line):
        return False
    return not any(p.match(line) for _, p in HEADING) and line.count(",") <= 1


#: Characters that show a "name" is really a clause: 李某遂诉至法院, 起诉到法院.
#: (Not 经 or 来: 经开区, 来宾市.)
_NOT_A_NAME = set("诉至到请报交给送赴遂了")


def organizations(text: str) -> Counter[str]:
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


def organization_of(
    text: str, found: Counter[str], speakers: set[str], title: str | None
) -> str | None:
    """The unit whose work is reported: where several units speak, the body that convenes
    them (the first unit named that is not a speaker); else the unit in the title; else the
    unit named most often."""
    if speakers:
        others = [n for n in found if n not in speakers]
        if others:
            return min(others, key=text.find)
    if m := _ON_BEHALF.search(text, 0, _ON_BEHALF_REACH):
        return m.group(1)
    if title:
        named = [n for n in found if n in title]
        if named:
            return min(named, key=title.find)
        # a title that opens with its unit before the year: CnPack开发组2012年工作总结
        m = _TITLE_UNIT.match(title)
        if m and not _NOT_A_UNIT.match(m.group(1)):
            return m.group(1)
    if not found:
        return None
    return max(found, key=lambda n: (found[n], -text.find(n)))


def period_of(text: str, title: str | None, reported: list[Point]) -> str | None:
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


def speaker_of(text: str, point: Point, speakers: set[str]) -> str | None:
    """The unit whose paragraph this point is in, where paragraphs open with a unit's name."""
    line = text.rfind("\n", 0, point.start) + 1
    return next((u for u in speakers if text.startswith(u, line)), None)


def speakers_of(text: str, names: Counter[str], paras: list[Para]) -> set[str]:
    """Units that open paragraphs: two or more (besides a report's own, dominant unit)
    means a meeting where several units speak."""
    by_first: dict[str, list[str]] = {}
    for n in names:  # a paragraph is compared only with the names its first character opens
        by_first.setdefault(n[:1], []).append(n)
    opening = {
        n
        for p in paras
        for n in by_first.get(text[p.body : p.body + 1], ())
        if text.startswith(n, p.body)
    }
    if names:
        main, count = names.most_common(1)[0]
        if count > 0.4 * sum(names.values()):
            opening.discard(main)
    return opening if len(opening) >= 2 else set()
