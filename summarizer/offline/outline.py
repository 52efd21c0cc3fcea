"""Step 1, the outline: heading lines by their markers (``一、`` > ``（一）`` > ``1.`` >
``（1）``, 【bracketed】 names, bare section names) form a tree of nodes, each with the
body paragraphs before its first child."""

from __future__ import annotations

import functools
import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from summarizer.numbers import chinese_number
from summarizer.offline.lexicon import CONTEXT_HEAD, classify_heading
from summarizer.offline.text import ENDS_SENTENCE, SENTENCE_END, latin_heavy

__all__ = [
    "HEADING",
    "INLINE",
    "SPEECH_ORDER",
    "Marker",
    "Markers",
    "Node",
    "Para",
    "all_paras",
    "in_chinese",
    "markers",
    "once_each",
    "outline",
    "paragraphs",
    "splits",
    "until_appendix",
]


HEADING = [  # (rank, pattern): 一、 > （一） > 1. > （1）
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")),
    (2, re.compile(r"^\([一二三四五六七八九十]{1,3}\)[、.．]?")),
    (3, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    (4, re.compile(r"^\(\d{1,2}\)[、.．]?")),
]
INLINE = re.compile(
    r"(?=[\s第一二三四五六七八九十首其再最])"  # fails fast where no marker starts: 1.4x faster
    r"(?:^|(?<=[。;!?:]))\s*(?:第([一二三四五六七八九十]{1,3})(?![次名个条批届年号位种类级期])|"
    r"([一二三四五六七八九十]{1,3})(是|要)|(首先|其次|再次|最后)(?=,))",
    re.MULTILINE,
)
#: A speech's chain: 首先, 其次, 再次 count up; 最后 closes it wherever it stands.
SPEECH_ORDER = {"首先": 1, "其次": 2, "再次": 3}


@dataclass(frozen=True)
class Marker:
    """One 一是 / 第一 / 首先 marker inside the text (:data:`INLINE`)."""

    at: int  # where the marker starts (after any space before it)
    words: int  # where the words after it start
    kind: str  # "第", "是", "要" or "首": a chain is of one kind
    value: int | None  # its place in the chain; None for 最后, which closes any chain


class Markers:
    """The document's inline markers, found once: points are read node by node, and a
    scan per node would read nested spans again (4% of the engine's time)."""

    def __init__(self, text: str) -> None:
        self.found: list[Marker] = []
        for m in INLINE.finditer(text):
            at = m.start() + len(m.group()) - len(m.group().lstrip())
            if m.group(4):
                kind, value = "首", SPEECH_ORDER.get(m.group(4))
            else:
                kind = "第" if m.group(1) else m.group(3)
                value = chinese_number(m.group(1) or m.group(2) or "") or 0
            self.found.append(Marker(at, m.end(), kind, value))
        self.starts = [marker.at for marker in self.found]

    def within(self, start: int, end: int) -> list[Marker]:
        """The markers that start in ``[start, end)``."""
        return self.found[bisect_left(self.starts, start) : bisect_left(self.starts, end)]


@functools.lru_cache(maxsize=8)
def markers(text: str) -> Markers:
    """:class:`Markers` of ``text``, kept for the few documents being read."""
    return Markers(text)


_BRACKET = re.compile(r"^【([^】]{2,12})】")
#: A Markdown heading: "# 工作总结" ranks 1, "## …" 2, and so on.
_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+)$")
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
        cut = SENTENCE_END.search(head)
        return head[: cut.start()] if cut else head


@dataclass
class Node:
    para: Para | None
    rank: int
    depth: int
    children: list[Node] = field(default_factory=list)
    content: list[Para] = field(default_factory=list)  # body paragraphs before the first child


#: A line this long is a document stored without its line breaks (a PDF or a web form
#: flattened): it is read as if it broke before each heading marker after a sentence.
_ONE_LINE = 1500
_INLINE_HEADING = re.compile(
    r"(?<=[。!?;:”])\s*(?=[一二三四五六七八九十]{1,3}、|\d{1,2}\.(?!\d))"
    r"|(?<!第)(?=\([一二三四五六七八九十]{1,3}\))"  # "（一）" breaks even a heading's line
)


def _lines(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` with their offsets; a flattened document's, as it broke."""
    found, pos = [], 0
    for line in text.split("\n"):
        cuts = [m.end() for m in _INLINE_HEADING.finditer(line)] if len(line) >= _ONE_LINE else []
        if len(line) >= _RUN_ON:
            cuts += _next_headings(line)
        if cuts:
            cuts = [0, *sorted(set(cuts)), len(line)]
            found += [(pos + a, line[a:b]) for a, b in itertools.pairwise(cuts) if b > a]
        else:  # most lines: as they are
            found.append((pos, line))
        pos += len(line) + 1
    return found


#: A line this long that opens with 二、 may run on into 三、, 四、 (a form's sections
#: flattened into one line, tables and all): it breaks before each next number in turn.
_RUN_ON = 200
_TOP_NUMBER = re.compile(
    r"(?<![第一二三四五六七八九十])([一二三四五六七八九十]{1,3})、(?![一二三四五六七八九十\d])"
)


def _next_headings(line: str) -> list[int]:
    """Where numbered headings run on inside a line: from a 一、 that opens the line or a
    sentence, each next number in turn (二、, then 三、); a number out of turn is text."""
    cuts: list[int] = []
    if "一、" not in line:
        return cuts  # no list starts here (most lines): nothing to scan
    expected = None
    for m in _TOP_NUMBER.finditer(line):
        value = chinese_number(m.group(1))
        if expected is None:
            k = m.start() - 1
            while k >= 0 and line[k].isspace():  # no copy of the line before it
                k -= 1
            if value == 1 and (k < 0 or line[k] in "。!?;:"):
                cuts.append(m.start())
                expected = 2
        elif value == expected:
            cuts.append(m.start())
            expected += 1
    return cuts


def paragraphs(text: str) -> list[Para]:
    paras: list[Para] = []
    for pos, line in _lines(text):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            para = Para(start, start + len(stripped), body=start)
            if stripped.startswith("——"):  # a dash-led point: the dash is its marker
                para.body = start + len(stripped) - len(stripped.lstrip("—"))
            for rank, pattern in HEADING:
                m = pattern.match(stripped)
                if m and len(stripped) > m.end():
                    para.rank, para.body = rank, start + m.end()
                    break
            if not para.rank and (m := _MARKDOWN.match(stripped)):
                para.rank, para.body = min(len(m.group(1)), 4), start + m.end(1)
                para.label = m.group(2).strip("*# ")
            elif not para.rank and (m := _BRACKET.match(stripped)):
                para.rank, para.body, para.label = 1, start + m.end(), m.group(1)
            elif not para.rank and paras and _is_bare_heading(stripped):
                para.rank, para.body, para.label = 1, start + len(stripped), stripped
            paras.append(para)
    return paras


#: Where the report ends and its attachments begin ("附件：", "附上一份调查"): what follows
#: is a form, a table or a survey, not points of the report.
_APPENDIX = re.compile(r"(附件|附表|附录|附上|附:)")
#: A paragraph this long, seen before, is a repeat; a shorter one only in a repeated run.
_REPEATED = 20


def until_appendix(text: str, paras: list[Para]) -> list[Para]:
    """The report's paragraphs, without the attachments after its end. Only in its second
    half: a "附件：" line under the title lists what is attached, and the report follows."""
    for n, para in enumerate(paras):
        if n and para.start > len(text) // 2 and _APPENDIX.match(text, para.start):
            return paras[:n]
    return paras


#: A paragraph with this many Latin letters, and more than ``_FOREIGN_SHARE`` times as
#: many as Chinese characters, is in another language ("GitHub Copilot使用量增长30%" is not).
_FOREIGN_LETTERS = 8
_FOREIGN_SHARE = 4


def in_chinese(text: str, paras: list[Para]) -> list[Para]:
    """The paragraphs in Chinese: a bilingual report's English lines (its translation,
    which would repeat every point, and its English headings) are not read."""
    spans = [(p.start, p.end) for p in paras]
    foreign = latin_heavy(text, spans, _FOREIGN_LETTERS, _FOREIGN_SHARE)
    return [para for para, other in zip(paras, foreign, strict=True) if not other]


def once_each(text: str, paras: list[Para]) -> list[Para]:
    """Each paragraph once: a report pasted twice, or a news lead repeated in the body, is
    read as written the first time. A paragraph seen before goes; a short one (a heading)
    only inside a repeated run; a table's rule and blank rows repeat by nature and stay."""
    lines = [text[p.start : p.end] for p in paras]
    seen: set[str] = set()
    kept = []
    for n, (para, line) in enumerate(zip(paras, lines, strict=True)):
        again = line in seen and not line.startswith("|")
        seen.add(line)
        if again and (len(line) >= _REPEATED or (n + 1 < len(lines) and lines[n + 1] in seen)):
            continue
        kept.append(para)
    return kept


def _is_bare_heading(line: str) -> bool:
    """An unnumbered line that only names a section (never the first line: the title)."""
    if len(line) > _BARE_HEADING_MAX or ENDS_SENTENCE.search(line) or re.search(r"[,，\d]", line):
        return False
    return classify_heading(line) is not None or bool(CONTEXT_HEAD.match(line))


def outline(paras: list[Para]) -> Node:
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


def splits(parent: Node, child: Node) -> bool:
    """Whether ``child`` is a point of its own or an enumeration inside its parent."""
    return child.rank <= 3 or parent.rank <= 2


def all_paras(node: Node) -> list[Para]:
    paras = [node.para] if node.para else []
    paras += node.content
    for child in node.children:
        paras += all_paras(child)
    return paras
