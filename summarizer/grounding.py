"""Grounding: tie every quote to the raw document, or refuse it.

The draft validators in ``summarizer.schemas`` ask a :class:`SourceText` whether a
quote grounds. :class:`GroundedSource` answers on the ``key`` view (width-,
script- and whitespace-folded, debris removed), then maps the match back to raw
offsets, so a model that quotes the Simplified prompt text of a Traditional
report, or writes “” for "", still lands on the exact raw substring. A quote the
key does not hold is aligned (``summarizer.repair``) before it is refused, and a
quote with an ellipsis is located part by part. Every match says how it was made.

:func:`ground` turns a validated draft into the output ``ReportSummary``: the
evidence becomes ``raw[start:end]`` and the spans are those offsets; a title,
organization or period the document does not state becomes null. :mod:`summarizer.salvage`
keeps what grounds of an answer whose re-asks ran out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from summarizer.clauses import Passages, names
from summarizer.errors import SummarizationError
from summarizer.normalize import NormalizedText, clean_many, fold, fold_many
from summarizer.numbers import numbers_text, quantities, written_figures
from summarizer.overview import compose_overview
from summarizer.read import Document
from summarizer.repair import Aligned, align
from summarizer.schemas import (
    MIN_QUOTE_CHARS,
    SECTIONS,
    Alignment,
    AlignmentCounts,
    DraftItem,
    DraftMetric,
    DraftSummary,
    Dropped,
    Item,
    Meta,
    Metric,
    Refusal,
    ReportSummary,
)

__all__ = [
    "HEADERS",
    "Conversation",
    "GroundedSource",
    "Located",
    "alignment_counts",
    "ground",
    "validation_context",
    "verify",
]

#: An ellipsis a model writes to skip part of a passage: each side is located on its own.
_ELLIPSIS = re.compile(r"…+|\.{3,}|。{3,}")
#: Header text that is the schema's own name, not the document's.
_SCHEMA_NAME = re.compile(r"\b(Draft(Summary|Item|Metric)|ReportSummary)\b")
#: Marks a model puts around a title that the document does not.
_TITLE_MARKS = '《》〈〉"“”「」 '
HEADERS = ("title", "organization", "period")
#: A figure that is part of a date: checked against the document, not the item's passage.
_DATE_PART = re.compile(r"(?:[、和至到-]\d+)*(?:[年月日号级届]|月份)")
#: A figure inside a name (M2, 5G, C#6, 0.8.1): not a quantity.
_IN_NAME = re.compile(r"[A-Za-z.#]")


def _is_date(text: str, figure: str, end: int) -> bool:
    """Whether ``figure``, ending at ``end`` in ``text``, is part of a date or a cohort
    (2022年, 9月, 06级) or of a name (M2, 5G, version 0.8.1): not a quantity a point
    reports."""
    at = end - len(figure)
    return bool(
        _DATE_PART.match(text, end)
        or (at and _IN_NAME.match(text, at - 1))
        or (_IN_NAME.match(text, end) and not text.startswith(".", end))
    )


@dataclass(frozen=True)
class Located:
    """One quote (or one part of a quote around an ellipsis) tied to the raw document."""

    span: tuple[int, int]
    alignment: Alignment


class GroundedSource:
    """A :class:`summarizer.schemas.SourceText` over one normalized document.

    ``points`` returns the points a structural reading finds (the offline engine's item
    texts): asked only when a model answers with none, to tell it what it missed."""

    def __init__(
        self, normalized: NormalizedText, points: Callable[[], Sequence[str]] | None = None
    ) -> None:
        self._doc = normalized
        self._find_points = points
        self._spans: dict[str, tuple[int, int] | None] = {}
        self._matches: dict[str, tuple[Located, ...] | Refusal] = {}
        self._folds: dict[str, str] = {}

    def fold(self, text: str) -> str:
        folded = self._folds.get(text)
        if folded is None:
            folded = self._folds[text] = fold(text)
        return folded

    def fold_many(self, texts: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self._folds]
        self._folds.update(zip(new, fold_many(new), strict=True))

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Raw ``[start, end)`` of ``quote`` found after folding, or None (no repair)."""
        if quote in self._spans:
            return self._spans[quote]
        span = None
        needle = self.fold(quote)
        if needle:
            at = self._doc.key.text.find(needle)
            if at >= 0:
                span = self._doc.key.raw_span(at, at + len(needle))
        self._spans[quote] = span
        return span

    def match(self, quote: str) -> tuple[Located, ...] | Refusal:
        """Where ``quote`` is: one :class:`Located` per part (parts are split at an
        ellipsis), or why it is not accepted."""
        found = self._matches.get(quote)
        if found is None:
            parts = [p.strip() for p in _ELLIPSIS.split(quote) if p.strip()] or [quote]
            each = [self._match_one(part) for part in parts]
            refused = [r for r in each if isinstance(r, Refusal)]
            located = tuple(piece for r in each if not isinstance(r, Refusal) for piece in r)
            found = self._matches[quote] = refused[0] if refused else located
        return found

    def _match_one(self, quote: str) -> tuple[Located, ...] | Refusal:
        """Where one part is: one span, or on a web page the pieces around inline markup."""
        needle = self.fold(quote)
        if len(needle) < MIN_QUOTE_CHARS:
            return Refusal("short")
        span = self.locate(quote)
        how: Alignment
        if span is not None:
            how = "exact" if self._doc.raw[span[0] : span[1]] == quote else "folded"
        else:
            key = self._doc.key
            aligned = align(needle, key.text)
            if not isinstance(aligned, Aligned):
                return aligned
            span, how = key.raw_span(aligned.start, aligned.end), "repaired"
        pieces = self._doc.quotable(span, min_chars=MIN_QUOTE_CHARS)
        if not pieces:
            return Refusal("short")
        if pieces != [span] and how == "exact":
            how = "folded"  # the quote as the model gave it was not the file's text
        return tuple(Located(piece, how) for piece in pieces)

    def refusal(self, quote: str) -> Refusal | None:
        found = self.match(quote)
        return found if isinstance(found, Refusal) else None

    def states(self, text: str) -> bool:
        """Whether the document writes ``text`` (folded; no repair): for header fields."""
        needle = self.fold(text.strip(_TITLE_MARKS))
        return bool(needle) and needle in self._doc.key.text

    def has_number(self, number: str) -> bool:
        return self._doc.states(number)

    @cached_property
    def _passages(self) -> Passages:
        return Passages(self._doc)

    def _spans_of(self, quotes: Iterable[str]) -> list[tuple[int, int]]:
        found = (self.match(q) for q in quotes)
        return [p.span for f in found if not isinstance(f, Refusal) for p in f]

    def _figures_beyond(
        self, text: str, quotes: Sequence[str]
    ) -> list[tuple[str, frozenset[Decimal]]]:
        """The figures ``text`` gives that its ``quotes`` do not show (dates left out:
        2022年 or 9月 only needs the document to state it)."""
        plain = numbers_text(self.fold(text))
        figures = [(w, r) for w, r, end in written_figures(plain) if not _is_date(plain, w, end)]
        if not figures:
            return []
        stated = quantities(" ".join(self.fold(q) for q in quotes))
        return [(w, r) for w, r in figures if not r & stated]

    def unsupported_figures(self, text: str, quotes: Sequence[str]) -> list[str]:
        """The figures ``text`` gives that neither its ``quotes`` nor the paragraph around
        them state (:meth:`summarizer.clauses.Passages.sentence`)."""
        missing = self._figures_beyond(text, quotes)
        if missing:
            near = self._passages.values_near(self._spans_of(quotes))
            missing = [(w, r) for w, r in missing if not r & near]
        return list(dict.fromkeys(w for w, _ in missing))

    def attachments(self, text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
        """For each figure ``text`` gives that no quote shows, the raw span of the clause
        near the quotes that states it: so that every figure stands in a quote."""
        spans = self._spans_of(quotes)
        found = []
        for _, readings in self._figures_beyond(text, quotes):
            span = self._passages.clause_stating(spans, readings)
            if span is not None:
                found += self._doc.quotable(span, min_chars=MIN_QUOTE_CHARS)
        return found

    def name_support(self, name: str, quote: str, value: str) -> tuple[bool, str] | None:
        """Whether the words around ``value`` (where ``quote`` stands) name it ``name``
        (:func:`summarizer.clauses.names`), and the sentence; None when it is not there."""
        for span in self._spans_of([quote]):
            around = self._passages.around_value(span, value)
            if around is not None:
                sentence, lead = around
                self.fold_many([name, sentence, lead])  # one folding pass, not three
                return names(self.fold(name), self.fold(sentence), self.fold(lead)), sentence
        return None

    @cached_property
    def _points(self) -> Sequence[str]:
        """The structural reading, made once (it runs the offline engine) and only when a
        draft has no point: the hint, the empty check and salvage all ask."""
        return self._find_points() if self._find_points is not None else ()

    def empty_hint(self) -> str | None:
        """None: the document alone tells the model nothing. A stored or salvaged answer
        may rightly hold no point (a part of a long report that makes none); a model is
        told once per :class:`Conversation`."""
        return None

    def points_hint(self) -> str | None:
        """What to tell a model whose draft has no point, when the report makes some."""
        points = self._points
        if not points:
            return None
        examples = "；".join(f"「{p}」" for p in points[:3])
        return (
            "the summary has no achievements, problems or plans, but this report makes about "
            f"{len(points)} points (for example {examples}). List each point the report makes "
            "in achievements, problems or plans, with evidence copied verbatim."
        )

    @property
    def points(self) -> int:
        """How many points a structural reading of the document finds."""
        return len(self._points)


class Conversation:
    """The document as one conversation with a model sees it: the source, and whether the
    model was told yet that the report makes points. It is told once: the state of one
    call's asks and re-asks (and of a batch engine's rounds of one call, ``told``), never
    of the document or of the planned call, which stay as they were made."""

    def __init__(self, source: GroundedSource, *, told: bool = False) -> None:
        self.source = source
        self.told = told

    def refusal(self, quote: str) -> Refusal | None:
        return self.source.refusal(quote)

    def fold(self, text: str) -> str:
        return self.source.fold(text)

    def fold_many(self, texts: Iterable[str]) -> None:
        self.source.fold_many(texts)

    def has_number(self, number: str) -> bool:
        return self.source.has_number(number)

    def unsupported_figures(self, text: str, quotes: Sequence[str]) -> list[str]:
        return self.source.unsupported_figures(text, quotes)

    def name_support(self, name: str, quote: str, value: str) -> tuple[bool, str] | None:
        return self.source.name_support(name, quote, value)

    def empty_hint(self) -> str | None:
        hint = None if self.told else self.source.points_hint()
        self.told = self.told or hint is not None
        return hint


def validation_context(
    doc: Document, points: Callable[[], Sequence[str]] | None = None
) -> dict[str, GroundedSource]:
    """The pydantic validation context that switches the grounding checks on."""
    return {"source": GroundedSource(doc.normalized, points)}


def _overview(draft: DraftSummary) -> str:
    return draft.overview or compose_overview(
        draft.title,
        draft.organization,
        draft.period,
        {s: [i.text for i in getattr(draft, s)] for s in SECTIONS},
    )


def _located(quote: str, source: GroundedSource) -> tuple[Located, ...]:
    found = source.match(quote)
    if isinstance(found, Refusal):  # validation accepted it: only a broken source gets here
        raise SummarizationError(f"evidence 「{quote}」 is not in the document")
    return found


def _ground_items(
    items: list[DraftItem], doc: Document, source: GroundedSource, cleaned: dict[str, str]
) -> list[Item]:
    grounded = []
    for item in items:
        evidence: list[str] = []
        spans: list[tuple[int, int]] = []
        how: list[Alignment] = []
        located = [
            part for quote in dict.fromkeys(item.evidence) for part in _located(quote, source)
        ]
        located += [Located(p, "attached") for p in source.attachments(item.text, item.evidence)]
        for part in located:
            if part.span not in spans:
                spans.append(part.span)
                evidence.append(doc.raw[part.span[0] : part.span[1]])
                how.append(part.alignment)
        grounded.append(
            Item(
                text=cleaned[item.text],
                evidence=evidence,
                spans=spans,
                category=item.category,
                alignment=how,
            )
        )
    return grounded


def _ground_metric(
    m: DraftMetric, doc: Document, source: GroundedSource, cleaned: dict[str, str]
) -> Metric:
    parts = _located(m.evidence, source)
    # around an ellipsis, the part that writes the value is the evidence
    with_value = [p for p in parts if m.value in fold(doc.raw[p.span[0] : p.span[1]])]
    part = (with_value or list(parts))[0]
    return Metric(
        name=cleaned[m.name],
        value=m.value,
        unit=cleaned[m.unit],
        evidence=doc.raw[part.span[0] : part.span[1]],
        span=part.span,
        alignment=part.alignment,
    )


def _headers(
    draft: DraftSummary, source: GroundedSource, cleaned: dict[str, str]
) -> tuple[dict[str, str | None], list[Dropped]]:
    """Title, organization and period as the document states them, else null: a model
    that names the schema, or composes a period the report never writes, is not quoted."""
    values: dict[str, str | None] = {}
    dropped = []
    for name in HEADERS:
        raw_value = getattr(draft, name)
        value = cleaned[raw_value] if raw_value else ""
        if value and (_SCHEMA_NAME.search(value) or not source.states(value)):
            dropped.append(Dropped(section=name, text=value, reason="not stated in the document"))
            value = ""
        values[name] = value or None
    return values, dropped


def alignment_counts(items: Iterable[Item], metrics: Iterable[Metric]) -> AlignmentCounts:
    """How many quotes of a summary matched each way (``meta.alignment``)."""
    tally = {"exact": 0, "folded": 0, "repaired": 0, "attached": 0}
    for item in items:
        for how in item.alignment:
            tally[how] += 1
    for m in metrics:
        if m.alignment:
            tally[m.alignment] += 1
    return AlignmentCounts(**tally)


def ground(
    draft: DraftSummary, doc: Document, meta: Meta, source: GroundedSource | None = None
) -> ReportSummary:
    """The output summary for a validated ``draft``: raw evidence and raw spans.

    Pass the ``source`` that validated the draft to reuse the quotes it already located."""
    source = source or GroundedSource(doc.normalized)
    overview = _overview(draft)
    sections = (draft.achievements, draft.problems, draft.plans)
    texts = [draft.title or "", draft.organization or "", draft.period or "", overview]
    texts += [item.text for items in sections for item in items]
    texts += [part for m in draft.metrics for part in (m.name, m.unit)]
    unique = list(dict.fromkeys(texts))
    cleaned = dict(zip(unique, clean_many(unique), strict=True))  # one pass for all of them

    headers, dropped = _headers(draft, source, cleaned)
    if _SCHEMA_NAME.search(cleaned[overview]):
        dropped.append(
            Dropped(section="overview", text=cleaned[overview], reason="names the schema")
        )
        overview = compose_overview(
            headers["title"],
            headers["organization"],
            headers["period"],
            {"achievements": [i.text for i in draft.achievements]},
        )
        cleaned.update(zip([overview], clean_many([overview]), strict=True))
    achievements = _ground_items(draft.achievements, doc, source, cleaned)
    problems = _ground_items(draft.problems, doc, source, cleaned)
    plans = _ground_items(draft.plans, doc, source, cleaned)
    metrics = [_ground_metric(m, doc, source, cleaned) for m in draft.metrics]
    update: dict[str, Any] = {
        "alignment": alignment_counts(achievements + problems + plans, metrics)
    }
    if dropped:  # headers are judged here on every grounding: replace, never repeat
        earlier = [d for d in meta.dropped if d.section not in (*HEADERS, "overview")]
        update["dropped"] = [*earlier, *dropped]
    return ReportSummary(
        doc_id=doc.doc_id,
        title=headers["title"],
        organization=headers["organization"],
        period=headers["period"],
        overview=cleaned[overview],
        achievements=achievements,
        problems=problems,
        plans=plans,
        metrics=metrics,
        meta=meta.model_copy(update=update),
    )


def verify(summary: ReportSummary, raw: str) -> list[str]:
    """Every place where a span does not index its evidence in ``raw`` (empty when sound).

    Run on every summary before it is returned, cached ones included: the
    contract is that ``raw[start:end] == evidence``, always.
    """
    problems = []
    for section in SECTIONS:
        for n, item in enumerate(getattr(summary, section)):
            for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
                if raw[start:end] != quote:
                    problems.append(f"{section}[{n}]: span [{start}, {end}) is not 「{quote}」")
    for n, m in enumerate(summary.metrics):
        if raw[m.span[0] : m.span[1]] != m.evidence:
            problems.append(f"metrics[{n}]: span {list(m.span)} is not 「{m.evidence}」")
    return problems
