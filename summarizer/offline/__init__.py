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

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from summarizer.doubt import reading_warnings
from summarizer.errors import SummarizationError
from summarizer.grounding import alignment_counts, verify
from summarizer.offline.figures import Figures
from summarizer.offline.header import (
    organization_of,
    organizations,
    period_of,
    speaker_of,
    speakers_of,
    title_of,
)
from summarizer.offline.items import item_of, once
from summarizer.offline.lexicon import UNFOUND_CUES, sentence_class
from summarizer.offline.metrics import metrics
from summarizer.offline.outline import (
    Para,
    in_chinese,
    once_each,
    outline,
    paragraphs,
    until_appendix,
)
from summarizer.offline.points import (
    Point,
    find_points,
    heading_lines,
    is_debris,
    split_at_sections,
)
from summarizer.offline.sections import STRENGTH, Label, SectionMap, read_sections
from summarizer.offline.text import Boundaries
from summarizer.overview import compose_overview
from summarizer.read import Document
from summarizer.schemas import SECTIONS, Item, Meta, ReportSummary, Section

__all__ = ["ENGINE_VERSION", "Reading", "read_report", "section_ranges", "summarize_offline"]

ENGINE_VERSION = "offline-1"


@dataclass(frozen=True)
class Reading:
    """What the engine reads from a report before it writes the summary."""

    text: str  # the normalized view
    paras: list[Para]
    sections: SectionMap
    title: str | None
    points: list[Point]
    figures: Figures
    bounds: Boundaries

    @property
    def figure_points(self) -> list[Point]:
        """Where figures are read from, in the report's order: the points, headings that
        run on into text, and paragraphs no point holds that state several figures (a
        section's opening summary, 2004年，国内生产总值达到13.65万亿元…, lies before its
        first sub-heading and is no point of its own)."""
        found = self.points + heading_lines(self.paras, self.points)
        held = sorted((p.start, p.end) for p in found)
        starts = [a for a, _ in held]
        opening = self._opening()
        for para in self.paras:
            n = bisect_right(starts, para.start) - 1
            if n >= 0 and held[n][1] > para.start:
                continue  # inside a point
            label = self.sections.at(para.start)
            if label is None or label.section == "none":
                continue
            stated = len(self.figures.within(para.start, para.end))
            table = self.text.startswith("|", para.start)  # a table's figures are metrics
            lead = para.start in opening
            if stated >= _SUMMARY_FIGURES or (stated and (table or lead)):
                found.append(Point(para.start, para.end, para.body, label.section, lead=lead))
        return sorted(found, key=lambda p: p.start)

    def _opening(self) -> set[int]:
        """Where the paragraphs of the review's opening stand: after its heading, before
        its first sub-heading (———经济快速发展。国内生产总值…增长9.1%…; 全年受理案件…)."""
        for n, para in enumerate(self.paras):
            label = self.sections.at(para.start)
            if para.rank and label is not None and label.basis == "heading":
                if label.section != "achievements":
                    return set()  # the report opens with no review
                after = itertools.takewhile(lambda p: not p.rank, self.paras[n + 1 :])
                return {p.start for p in after}
        return set()


#: A paragraph outside every point is read for figures when it states this many.
_SUMMARY_FIGURES = 3


def _paragraphs(text: str) -> list[Para]:
    """Step 1's paragraphs: in Chinese, each once, before the attachments."""
    return once_each(text, until_appendix(text, in_chinese(text, paragraphs(text))))


def read_report(doc: Document) -> Reading:
    """Steps 1–3 (outline, sections, points) and the figures, for the summary and for
    experiments that rank or classify what was read (``eval/lodo_metrics.py``)."""
    text = doc.normalized.view.text
    paras = _paragraphs(text)
    title = title_of(text)
    sections = read_sections(text, paras)
    points = split_at_sections(text, find_points(text, outline(paras), title), sections)
    kept = []
    for point in points:
        label = sections.at(point.body)
        if label is not None and label.strength > STRENGTH["order"]:
            if label.files_under is None:
                continue  # the closing words: no point
            point.section = label.files_under
        elif point.section is None:
            point.section = sentence_class(text[point.body : point.end][:60])
        kept.append(point)
    points = kept
    return Reading(text, paras, sections, title, points, Figures(text), Boundaries(text))


def section_ranges(doc: Document) -> list[Label]:
    """The report's sections as ranges of the raw text (what ``spans`` index), tiling it
    from 0 to its end as section gold does. A range starts its line (indentation and tags
    included) except where a turn or a lead-in starts inside a paragraph, which section gold
    cannot say; a label runs on over the blank lines after it; text the engine does not read
    (the page's debris, a translation, the attachments) is ``none``. For ``summarizer
    sections`` and the review page."""
    view = doc.normalized.view
    out: list[Label] = []
    at = 0  # the raw text covered so far

    def up_to(until: int) -> None:
        """Cover ``[at, until)``: unread text is none; blank lines go to the range before."""
        if doc.raw[at:until].strip():
            out.append(Label(at, until, "none", "order", _UNREAD))
        elif out:
            out[-1] = replace(out[-1], end=until)

    text = view.text
    for label in read_sections(text, _paragraphs(text)).labels:  # no points needed here
        a, b = view.raw_span(label.start, label.end)
        line = doc.raw.rfind("\n", 0, a) + 1
        if line >= at and _INDENT.fullmatch(doc.raw, line, a):
            a = line  # a range starts its line, indentation and tags included, as gold's do
        up_to(a)
        out.append(replace(label, start=out[-1].end if out else 0, end=b))
        at = b
    up_to(len(doc.raw))
    return out


#: What may stand on a line before its text: indentation (full-width too) and tags.
_INDENT = re.compile(r"(?:\s|<[^<>]*>)*")
#: Why text between the labels is none.
_UNREAD = "未读：网页残留、译文或附件"


#: Cue sentences an empty section must not ignore: this many, and the warning is given.
_UNFOUND_MIN = 2


def unfound(text: str, sections: dict[Section, list[Item]]) -> list[str]:
    """A warning for each of problems and plans left empty although the text carries their
    cues: the engine missed them, or the report mentions them only in passing."""
    warnings = []
    for section in ("problems", "plans"):
        if not sections[section]:
            cues = UNFOUND_CUES[section].findall(text)
            if len(cues) >= _UNFOUND_MIN:
                shown = "、".join(dict.fromkeys(cues[:20]))
                warnings.append(
                    f"no {section} were found, though the text has {len(cues)} of their cues "
                    f"({shown}); read the report for them"
                )
    return warnings


def summarize_offline(doc: Document) -> ReportSummary:
    """Summarize ``doc`` from its own structure; fast, local, deterministic."""
    reading = read_report(doc)
    text, paras, title, points = reading.text, reading.paras, reading.title, reading.points
    units = organizations(text)
    speakers = speakers_of(text, units, paras)
    sections: dict[Section, list[Item]] = {s: [] for s in SECTIONS}
    for point in points:
        if is_debris(text, point):
            continue  # a table's row (its figures are metrics), a dateline, a credit, a contact
        unit = speaker_of(text, point, speakers)
        made = item_of(doc, reading.figures, reading.bounds, point, unit)
        if made is not None and point.section is not None:
            sections[point.section].append(made)
    sections = once(sections)

    organization = organization_of(text, units, speakers, title)
    period = period_of(text, title, [p for p in points if p.section != "plans"])
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
        metrics=metrics(doc, reading.figures, reading.bounds, reading.figure_points),
        meta=Meta(
            backend="offline",
            engine_version=ENGINE_VERSION,
            source=doc.source,
            encoding=doc.encoding,
            extracted_with=doc.extracted_with,
            warnings=reading_warnings(doc) + unfound(text, sections),
        ),
    )
    summary.meta.alignment = alignment_counts(
        summary.achievements + summary.problems + summary.plans, summary.metrics
    )
    problems = verify(summary, doc.raw)
    if problems:  # spans come from the offset map, so this means a bug: refuse, never mislead
        raise SummarizationError("offline grounding check failed: " + "; ".join(problems[:3]))
    return summary
