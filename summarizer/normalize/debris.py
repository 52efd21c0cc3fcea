"""Web-page debris: the lines a site adds around a report (navigation, breadcrumbs,
"推荐访问", "猜你喜欢" and what follows, source links, advertising, "下面是小编为大家
整理的…"). They never reach a prompt and can never be evidence.

The rules read folded lines (NFKC, Simplified), so they catch Traditional and
full-width copies too.
"""

from __future__ import annotations

import re
from array import array

from summarizer.normalize.layout import OPENS_BLOCK
from summarizer.normalize.mapped import MappedText

__all__ = ["TITLE_TAG", "drop_debris", "is_debris_line"]

# Whole lines a web page adds around a report.
_TAIL_MARKER = re.compile(
    r"^(猜你喜欢|相关推荐|推荐阅读|相关阅读|热门推荐|热门文章|延伸阅读|相关文章|精彩推荐|"
    r"你可能感兴趣|大家都在看|更多相关|最新文章|上一篇|下一篇|相关范文|热门标签)"
)
_DEBRIS_LINE = re.compile(
    r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置|推荐访问|相关搜索|热门搜索|"
    r"标签|tags?|关键词|关键字|原文链接|本文链接|文章链接|责任编辑|编辑|来源|文章来源|信息来源|"
    r"时间|发布时间|日期|发布日期|更新时间|浏览次数|阅读次数|点击数)\s*[:：]"
    r"|首页\s*[>»›/]"
    r"|(下面|以下)是(小编|本站)|小编(为|给|帮)(大家|您)|供(大家|您)(参考|借鉴)"
    r"|https?://\S+\s*$"
    r"|版权所有|copyright|©|icp备|all rights reserved"
    r"|^(欢迎(来到|访问|光临)|免责声明|网站地图|联系我们)",
    re.IGNORECASE,
)
# Short furniture lines, by how they open (a report's own short lines open with a
# heading marker or a word, never with these).
_SHORT_DEBRIS = re.compile(
    r"^[【\[]?(打印(页面|本页|此文|文章)?|关闭(窗口|页面|本页)|字号|字体|分享到|扫一扫|"
    r"扫码(关注|阅读|查看|下载)|关注(我们|公众号|微信)|(浏览|阅读|点击)(次数|量)|"
    r"(立即|全文|免费|文档)下载|下载(文档|全文)|(查看|阅读|展开)全文|加微信|返回(顶部|首页|列表))",
    re.IGNORECASE,
)
#: Lines this short are checked against the furniture openings above.
_SHORT = 50
#: Longer lines are report text, whatever they open with.
_DEBRIS_LINE_MAX = 160
_NAV_LINE_MAX = 200
#: A tail marker ("猜你喜欢") is a line of its own, or nearly.
_TAIL_MARKER_MAX = 40
#: A site's tail lists link titles, each perhaps with a line of snippet; prose this long
#: without a break is a report again (pages saved into one file, reports bound together).
_RESUME_CHARS = 500
#: A line of that prose: this long at least, with a sentence's mark in it, and not cut
#: short with an ellipsis as a snippet is.
_PROSE_LINE = 40
_PROSE_MARK = re.compile(r"[。;!?；！？]")  # the lines are folded: NFKC made ；！？ ASCII
#: A report's title and dateline above its prose, at most this many lines.
_TITLE_LINES = 3
_SENTENCE_END = re.compile(r"[。！？!?]$")
#: In-line: what template sites append to titles ("(精选范文)"), removed with the characters.
TITLE_TAG = re.compile(
    r"[(\[【](完整文档|完整版|精选范文|精选|范文|通用\d*篇|精选\d*篇|\d+篇|最新|word版|可编辑|"
    r"全文|合集|汇总|优秀范文|模板|原创|热门|必备|经典|范本)[)\]】]",
    re.IGNORECASE,
)


def _is_nav(line: str) -> bool:
    """A site's navigation bar: four or more short words split by spaces, no sentence
    (and real words: "工 作 总 结", a title spaced out, is not one), no lead-in's colon
    ("2013 年 CnPack 开发组的计划如下：", spaced as some write it, opens a list)."""
    words = [w for w in line.split() if w not in "|/·-"]
    short = sum(1 for w in words if len(w) <= 8)
    wordy = sum(1 for w in words if len(w) >= 2)
    return (
        len(words) >= 4
        and short >= 0.7 * len(words)
        and wordy >= 3
        and not re.search(r"[。，,；;]", line)
        and not line.rstrip().endswith((":", "："))
    )


def is_debris_line(line: str) -> bool:
    """Whether a folded line is web-page furniture rather than report text."""
    line = line.strip()
    if not line:
        return False
    if len(line) <= _DEBRIS_LINE_MAX and _DEBRIS_LINE.search(line):
        return True
    if len(line) <= _SHORT and _SHORT_DEBRIS.search(line) and not _SENTENCE_END.search(line):
        return True
    # four words or more: split no further than that to know (most lines have none)
    return len(line) <= _NAV_LINE_MAX and len(line.split(None, 3)) > 3 and _is_nav(line)


def drop_debris(mt: MappedText) -> MappedText:
    """The document without its debris lines, and without the site's own tail: what
    follows a line that opens it ("猜你喜欢", "相关推荐"), up to prose that is a report
    again (:func:`_tails`)."""
    text = mt.text
    lines = text.split("\n")
    tail = _tails(lines)
    keep: list[tuple[int, int]] = []
    pos = 0
    for n, line in enumerate(lines):
        end = pos + len(line)
        if n not in tail and not is_debris_line(line):
            keep.append((pos, min(end + 1, len(text))))
        pos = end + 1
    if keep == [(0, len(text))]:
        return mt
    origin = array("q")
    for a, b in keep:
        origin.extend(mt.origin[a:b])
    return MappedText("".join(text[a:b] for a, b in keep), origin)


def _tails(lines: list[str]) -> set[int]:
    """The lines of a site's tail: from a tail marker to the end, or to the first run of
    prose lines (each :data:`_PROSE_LINE` long with a sentence's mark; blank lines and
    headings such as 一、基本情况 between them allowed) of :data:`_RESUME_CHARS` in all,
    which a list of links and snippets never has. The report that run opens keeps its
    title: the lines right above the run, up to a blank line (at most
    :data:`_TITLE_LINES`)."""
    tail: set[int] = set()
    at = 0
    while at < len(lines):
        stripped = lines[at].strip()
        if not (len(stripped) <= _TAIL_MARKER_MAX and _TAIL_MARKER.match(stripped)):
            at += 1
            continue
        resume, run, first = len(lines), 0, None
        for n in range(at + 1, len(lines)):
            line = lines[n].strip()
            if not line:
                continue
            prose = _PROSE_MARK.search(line) and not line.endswith(("...", "…"))
            if len(line) >= _PROSE_LINE and prose:
                first = n if first is None else first
                run += len(line)
                if run >= _RESUME_CHARS:
                    resume = first
                    break
            elif first is None or not OPENS_BLOCK.match(line):  # a heading within prose
                run, first = 0, None
        if resume < len(lines):
            opens = resume
            while (
                resume - 1 > at
                and opens - resume < _TITLE_LINES
                and lines[resume - 1].strip()
                and not is_debris_line(lines[resume - 1])
            ):
                resume -= 1  # the lines right above the prose, with no blank line between
        tail.update(range(at, resume))
        at = resume
    return tail
