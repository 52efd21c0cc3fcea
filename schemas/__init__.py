"""The data contract: what a summary is, and what the model is asked to fill.

Installed as ``summarizer.schemas`` (see ``package-dir`` in pyproject.toml).

Two families of models live here:

* ``ReportSummary`` / ``Item`` / ``Metric`` / ``Meta`` — the output every backend
  returns. Field names follow ``../shared/gold/README.md`` so the evaluator and
  users can rely on them. ``extra="forbid"``.
* ``DraftSummary`` / ``DraftItem`` / ``DraftMetric`` — the smaller, model-facing
  schema sent through instructor. No spans and no meta: code computes those.
  Unknown keys are ignored (a model that echoes ``doc_id`` is not worth a re-ask).

The draft validators carry the grounding rules. They know nothing about how a
document is normalized: the caller passes a :class:`SourceText` as the pydantic
validation context (``context={"source": ...}``), and every message is written
for the model to act on, because instructor pastes it into the re-ask.
Without that context the grounding checks are skipped (schema export, tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "APPROXIMATION_WORDS",
    "GROUNDING_SOURCE",
    "ITEM_TEXT_LIMIT",
    "MIN_QUOTE_CHARS",
    "THOUSANDS_SEPARATOR",
    "Alignment",
    "AlignmentCounts",
    "DraftItem",
    "DraftMetric",
    "DraftSummary",
    "Dropped",
    "Item",
    "Meta",
    "Metric",
    "Refusal",
    "ReportSummary",
    "SourceText",
    "Usage",
    "numbers_in",
    "numbers_text",
    "without_approximation",
]

#: What the prompt asks for; ``ITEM_TEXT_HARD_LIMIT`` is where a re-ask starts.
ITEM_TEXT_LIMIT = 80
ITEM_TEXT_HARD_LIMIT = 100
#: Shorter quotes match almost anywhere and prove nothing.
MIN_QUOTE_CHARS = 5

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: The comma in 1,343: dropped before numbers are compared.
THOUSANDS_SEPARATOR = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")  # comma first: fast to scan
#: Words a report writes around a number or between it and its unit, which a value and
#: a unit leave out (``2000余人次`` → 2000, 人次; ``60万余人`` → 60, 万人; ``近1400个``).
#: The one list: the validators and the evaluator both use it.
APPROXIMATION_WORDS = ("有余", "以上", "左右", "超过", "余", "多", "近", "约", "逾")
_APPROXIMATION = re.compile("|".join(APPROXIMATION_WORDS))
_VALUE_FORM = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def without_approximation(text: str) -> str:
    """``text`` without the approximation words: how values and units are compared."""
    return _APPROXIMATION.sub("", text)


def numbers_text(text: str) -> str:
    """``text`` with thousands separators dropped, so ``1,343`` reads as ``1343``."""
    return THOUSANDS_SEPARATOR.sub("", text)


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text`` (``1,343`` counts as ``1343``), in order."""
    return _NUMBER.findall(numbers_text(text))


#: How an evidence quote was tied to the document: ``exact`` (the raw file has it as
#: written), ``folded`` (equal after width, script, whitespace, quote-mark and
#: thousands-separator folding), ``repaired`` (a slipped copy, aligned to the one
#: passage it matches; see ``summarizer.repair``).
Alignment = Literal["exact", "folded", "repaired"]


@dataclass(frozen=True)
class Refusal:
    """Why a quote is not accepted as evidence; ``closest`` is the nearest passage, if any.

    ``short``: too short to prove anything; ``absent``: nothing like it in the document;
    ``number``: a near passage, but with other figures; ``ambiguous``: it fits two
    passages equally."""

    reason: Literal["short", "absent", "number", "ambiguous"]
    closest: str | None = None


@runtime_checkable
class SourceText(Protocol):
    """The document, as the validators see it (implemented in ``summarizer.grounding``)."""

    def refusal(self, quote: str) -> Refusal | None:
        """None when ``quote`` grounds in the document (exactly, folded, repaired, or in
        parts around an ellipsis), else why not."""

    def fold(self, text: str) -> str:
        """``text`` folded the way the document is for matching (width, script, spaces)."""

    def fold_many(self, texts: Iterable[str]) -> None:
        """Fold ``texts`` now, together, so that later :meth:`fold` calls find them ready."""

    def has_number(self, number: str) -> bool:
        """Whether ``number`` is written somewhere in the document."""

    def empty_hint(self) -> str | None:
        """For a draft with no point at all: what to tell the model, the first time only,
        when the document makes points; None otherwise."""


#: The document being validated, for callers that cannot pass a validation context.
#: The LLM backend uses this rather than instructor's ``context=``, because instructor
#: also renders every message as a Jinja2 template with that context: a report that
#: contains ``{{`` or ``{%`` would be rewritten, or fail, before the model saw it.
GROUNDING_SOURCE: ContextVar[SourceText | None] = ContextVar("grounding_source", default=None)


@cache
def _is_source_type(kind: type) -> bool:
    """``isinstance(x, SourceText)`` by type, once: a Protocol check walks the protocol's
    attributes on every call, and the validators ask a hundred times per document."""
    members = ("refusal", "fold", "fold_many", "has_number", "empty_hint")
    return all(callable(getattr(kind, name, None)) for name in members)


def _source(info: ValidationInfo) -> SourceText | None:
    context = info.context
    if isinstance(context, dict):
        source = context.get("source")
        if source is not None and _is_source_type(type(source)):
            return source  # type: ignore[no-any-return]
    return GROUNDING_SOURCE.get()


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, stripped as the field validators strip them."""
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _invented_numbers(text: str | None, source: SourceText) -> list[str]:
    if not text:
        return []
    return [n for n in dict.fromkeys(numbers_in(source.fold(text))) if not source.has_number(n)]


def _check_numbers(field: str, text: str | None, info: ValidationInfo) -> str | None:
    source = _source(info)
    if source is not None and (invented := _invented_numbers(text, source)):
        listed = "、".join(f"「{n}」" for n in invented)
        raise ValueError(
            f"{field} contains the number(s) {listed}, which the document never states. "
            "Use only figures written in the document (no sums, conversions or rounding), "
            "or leave the number out."
        )
    return text


def _check_quote(quote: str, source: SourceText) -> str | None:
    """Why ``quote`` is not acceptable evidence (a message for the model), or None."""
    refusal = source.refusal(quote)
    if refusal is None:
        return None
    closest = f"「{refusal.closest}」" if refusal.closest else ""
    if refusal.reason == "short":
        return (
            f"evidence quote 「{quote}」 is too short to locate. Quote at least "
            f"{MIN_QUOTE_CHARS} characters copied verbatim from the document."
        )
    if refusal.reason == "number":
        return (
            f"evidence quote 「{quote}」 is close to the document's {closest}, but its figures "
            "differ. Copy the passage with the figures exactly as the document writes them, "
            "or remove this quote."
        )
    if refusal.reason == "ambiguous":
        return (
            f"evidence quote 「{quote}」 is not verbatim and fits more than one passage "
            f"(one is {closest}). Copy one passage exactly, long enough to occur once."
        )
    hint = (
        f" The nearest passage is {closest}; copy it exactly if that is what you mean."
        if closest
        else ""
    )
    return (
        f"evidence quote 「{quote}」 is not in the document. Copy the words exactly as the "
        "document writes them (no paraphrase, no added or dropped characters), "
        f"or remove this quote.{hint}"
    )


# --------------------------------------------------------------------------- model-facing


class DraftItem(BaseModel):
    """一个要点：作者在文中提出的一个成绩、问题或计划。"""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(
        description=(
            f"用简体中文概括这一要点，不超过{ITEM_TEXT_LIMIT}字；"
            "只用文档中写明的事实和数字，不计算、不换算。"
        )
    )
    evidence: list[str] = Field(
        min_length=1,
        description=(
            "支持该要点的原文片段列表：每段都从文档中逐字复制（不改字、不增删、不用省略号），"
            "一般10–40字，足以在文档中唯一定位。"
        ),
    )
    category: str | None = Field(
        default=None,
        description="可选的类别标签，如 审判执行、诉源治理、队伍建设、司法公开；不确定时为 null。",
    )

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_as_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            value = [q.strip() if isinstance(q, str) else q for q in value]
            value = [q for q in value if q != ""]
        return value

    @field_validator("text")
    @classmethod
    def _text_is_short_and_has_no_invented_numbers(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if not value:
            raise ValueError("text is empty. Restate the point in one short sentence.")
        if len(value) > ITEM_TEXT_HARD_LIMIT:
            raise ValueError(
                f"text has {len(value)} characters; restate the point in at most "
                f"{ITEM_TEXT_LIMIT} characters."
            )
        return _check_numbers("text", value, info) or value

    @field_validator("evidence")
    @classmethod
    def _evidence_is_in_document(cls, value: list[str], info: ValidationInfo) -> list[str]:
        source = _source(info)
        if source is not None:
            problems = [p for q in value if (p := _check_quote(q, source))]
            if problems:
                raise ValueError(" ".join(problems))
        return value


class DraftMetric(BaseModel):
    """一个关键量化指标：文档中写明的一个数字及其单位。"""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="指标名称，如 结案率、审执结案件、诉讼费收费，简短。")
    value: str = Field(
        description=(
            '原文写的数字（阿拉伯数字），如 "98.14"、"1343"；"2000余" 写成 "2000"。'
            "必须出现在 evidence 中。"
        )
    )
    unit: str = Field(
        default="",
        description="紧跟数字的单位，如 %、件、万元、人次、名、场次、篇、天；没有单位时为空串。",
    )
    evidence: str = Field(
        description="包含该数字的原文片段，从文档中逐字复制，一般10–30字。",
    )

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_written(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            value = repr(value) if isinstance(value, float) else str(value)
        if isinstance(value, str):
            value = without_approximation(value.strip().replace(",", ""))
        return value

    @field_validator("unit", mode="before")
    @classmethod
    def _unit_may_be_null(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("value")
    @classmethod
    def _value_is_a_number(cls, value: str) -> str:
        if not _VALUE_FORM.match(value):
            raise ValueError(
                f"value 「{value}」 is not a number. Give the number in digits exactly as the "
                'document writes it, e.g. "98.14" or "1343".'
            )
        return value

    @field_validator("name")
    @classmethod
    def _name_has_no_invented_numbers(cls, value: str, info: ValidationInfo) -> str:
        return _check_numbers("name", value.strip(), info) or value.strip()

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> DraftMetric:
        source = _source(info)
        if source is None:
            return self
        problem = _check_quote(self.evidence, source)
        if problem:
            raise ValueError(f"metric 「{self.name}」 (value {self.value}): {problem}")
        folded = source.fold(self.evidence)
        if not re.search(rf"(?<![\d.]){re.escape(self.value)}(?!\d|\.\d)", numbers_text(folded)):
            raise ValueError(
                f"metric 「{self.name}」: value 「{self.value}」 does not appear in its evidence "
                f"「{self.evidence}」. Quote the passage that contains this exact number."
            )
        unit = without_approximation(source.fold(self.unit))
        if unit and unit not in without_approximation(folded):
            raise ValueError(
                f"metric 「{self.name}」: unit 「{self.unit}」 does not appear in its evidence "
                f"「{self.evidence}」. Use the unit written right after the number."
            )
        return self


class DraftSummary(BaseModel):
    """一份中文工作报告的结构化摘要。只写文档中有的内容。"""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, description="文档标题，照原文；没有标题时为 null。")
    organization: str | None = Field(
        default=None,
        description=(
            "汇报工作的单位，如 XX人民法院；多个单位发言的材料填讲话或发文的机关；未写明时为 null。"
        ),
    )
    period: str | None = Field(
        default=None, description="报告所述期间，如 2022年、2023年上半年；未写明时为 null。"
    )
    overview: str | None = Field(
        default=None, description="用2–3句简体中文概括全文：谁、在什么期间、做了什么、效果如何。"
    )
    achievements: list[DraftItem] = Field(
        default_factory=list,
        description="成绩：报告期内已经做了的工作、采取的措施、取得的成效、创新和荣誉。每个要点一项。",
    )
    problems: list[DraftItem] = Field(
        default_factory=list,
        description="问题：文档自己承认的不足、困难、短板和风险。文档没有写时为空列表，不要编造。",
    )
    plans: list[DraftItem] = Field(
        default_factory=list,
        description="计划：文档说下一步或明年要做的事、打算、举措，以及提出的意见和建议。没有时为空列表。",
    )
    metrics: list[DraftMetric] = Field(
        default_factory=list,
        description="最重要的约10–20个量化指标（件数、比率、金额、人次、排名）。",
    )

    @model_validator(mode="before")
    @classmethod
    def _fold_every_string_at_once(cls, data: Any, info: ValidationInfo) -> Any:
        """The field validators below fold each quote, text and name one by one; folding
        them all in one pass first costs a fifth as much (the per-call overhead of a
        dozen regex and table passes dominates on a 20-character quote)."""
        source = _source(info)
        if source is not None and isinstance(data, dict):
            source.fold_many(_strings(data))
        return data

    @field_validator("title", "organization", "period", "overview")
    @classmethod
    def _no_invented_numbers(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            value = value.strip() or None
        return _check_numbers(info.field_name or "field", value, info)

    @field_validator("achievements", "problems", "plans", "metrics", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _has_points(self, info: ValidationInfo) -> DraftSummary:
        """A reply with no point for a report that makes points is asked again, once."""
        source = _source(info)
        if source is None or self.achievements or self.problems or self.plans:
            return self
        hint = source.empty_hint()
        if hint:
            raise ValueError(hint)
        return self

    @property
    def points(self) -> int:
        """How many achievements, problems and plans the draft holds."""
        return len(self.achievements) + len(self.problems) + len(self.plans)


# --------------------------------------------------------------------------- output


class Item(BaseModel):
    """One point the report makes, with the raw text that supports it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description=f"The point restated in Simplified Chinese, about ≤{ITEM_TEXT_LIMIT} chars."
    )
    evidence: list[str] = Field(
        description="Verbatim quotes from the raw document that support the point."
    )
    spans: list[tuple[int, int]] = Field(
        description="One [start, end) character offset pair per evidence quote, into the raw "
        "input text, such that raw[start:end] == quote."
    )
    category: str | None = Field(default=None, description="Optional topic label.")
    alignment: list[Alignment] = Field(
        default_factory=list,
        description="How each evidence quote was matched: exact, folded or repaired "
        "(one per quote; empty in hand-labelled gold).",
    )

    @model_validator(mode="after")
    def _one_span_per_quote(self) -> Item:
        if len(self.spans) != len(self.evidence):
            raise ValueError("spans must pair one-to-one with evidence")
        if self.alignment and len(self.alignment) != len(self.evidence):
            raise ValueError("alignment must pair one-to-one with evidence")
        return self


class Metric(BaseModel):
    """A headline figure: a number the document states, with its unit and source."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="What is counted or measured.")
    value: str = Field(description='The number as written ("98.14", "1343"; "2000余" → "2000").')
    unit: str = Field(description='What follows the number ("%", "件", "万元"); "" when none.')
    evidence: str = Field(description="Verbatim raw passage that contains the number.")
    span: tuple[int, int] = Field(description="[start, end) of evidence in the raw input text.")
    alignment: Alignment | None = Field(
        default=None, description="How the evidence was matched: exact, folded or repaired."
    )


class Usage(BaseModel):
    """Tokens spent, summed over every attempt (re-asks and transport retries included)."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = Field(default=0, description="Input tokens over all attempts.")
    completion_tokens: int = Field(default=0, description="Output tokens over all attempts.")
    total_tokens: int = Field(default=0, description="prompt_tokens + completion_tokens.")
    estimated: bool = Field(
        default=False,
        description="True when the server reported no usage and the figures are estimates.",
    )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            estimated=self.estimated or other.estimated,
        )


class AlignmentCounts(BaseModel):
    """How many evidence quotes of a summary were matched each way."""

    model_config = ConfigDict(extra="forbid")

    exact: int = Field(default=0, description="Quotes the raw file has as written.")
    folded: int = Field(default=0, description="Quotes equal to the document after folding.")
    repaired: int = Field(default=0, description="Slipped quotes aligned to their passage.")


class Dropped(BaseModel):
    """A part of the model's answer left out of the summary, and why."""

    model_config = ConfigDict(extra="forbid")

    section: Literal[
        "title",
        "organization",
        "period",
        "overview",
        "achievements",
        "problems",
        "plans",
        "metrics",
    ] = Field(description="Where in the summary it would have been.")
    text: str = Field(description="What the model wrote (item text, metric name, or the value).")
    reason: str = Field(description="Why it was left out.")


class Meta(BaseModel):
    """How this summary was made."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["llm", "offline"] = Field(description="Which engine produced the summary.")
    model: str | None = Field(default=None, description="Model name (llm backend).")
    mode: str | None = Field(default=None, description="instructor mode (llm backend).")
    prompt_version: str | None = Field(
        default=None, description="Hash of the prompt templates (llm backend)."
    )
    engine_version: str | None = Field(
        default=None, description="Version of the offline engine (offline backend)."
    )
    usage: Usage = Field(default_factory=Usage, description="Token usage over all attempts.")
    attempts: int = Field(default=0, description="Completion requests that got an answer.")
    cached: bool = Field(default=False, description="True when served from the cache.")
    seconds: float = Field(default=0.0, description="Wall-clock seconds for this call.")
    alignment: AlignmentCounts = Field(
        default_factory=AlignmentCounts, description="Evidence quotes by how they were matched."
    )
    dropped: list[Dropped] = Field(
        default_factory=list,
        description="Items, metrics and header fields of the model's answer that could not be "
        "grounded after every re-ask, left out rather than losing the report.",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What a reader should know about this summary (a fallback, dropped parts).",
    )
    source: str | None = Field(default=None, description="Input file path, when read from a file.")
    encoding: str | None = Field(default=None, description="Detected encoding of the input file.")


class ReportSummary(BaseModel):
    """The structured, grounded summary of one work report."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="The input file's name without extension, or a text hash.")
    title: str | None = Field(default=None, description="Title as the document states it.")
    organization: str | None = Field(default=None, description="The unit whose work is reported.")
    period: str | None = Field(default=None, description='Period reported, e.g. "2022年".')
    overview: str = Field(default="", description="Two or three sentences on the whole report.")
    achievements: list[Item] = Field(default_factory=list, description="What was done or reached.")
    problems: list[Item] = Field(
        default_factory=list, description="Shortcomings the document itself admits; [] if none."
    )
    plans: list[Item] = Field(
        default_factory=list, description="What the document says comes next."
    )
    metrics: list[Metric] = Field(default_factory=list, description="Headline figures.")
    meta: Meta = Field(description="How the summary was made: backend, model, usage, cache.")
