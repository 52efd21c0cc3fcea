"""The output every backend returns: ``ReportSummary`` and its parts.

Field names follow ``eval/gold/README.md`` so the evaluator and users can rely on
them; ``extra="forbid"``. The sections and the span type are defined here once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from summarizer.schemas.source import Alignment

__all__ = [
    "ITEM_TEXT_LIMIT",
    "SECTIONS",
    "AlignmentCounts",
    "Dropped",
    "Item",
    "Meta",
    "Metric",
    "ReportSummary",
    "Section",
    "Span",
    "Usage",
]

#: What the prompt asks an item's text to stay within.
ITEM_TEXT_LIMIT = 80
#: The three lists of points a summary holds, in the order they are shown.
Section = Literal["achievements", "problems", "plans"]
SECTIONS: tuple[Section, ...] = ("achievements", "problems", "plans")
#: ``[start, end)`` character offsets into the raw input text.
Span = tuple[int, int]


class Item(BaseModel):
    """One point the report makes, with the raw text that supports it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description=f"The point restated in Simplified Chinese, about ≤{ITEM_TEXT_LIMIT} chars."
    )
    evidence: list[str] = Field(
        description="Verbatim quotes from the raw document that support the point."
    )
    spans: list[Span] = Field(
        description="One [start, end) character offset pair per evidence quote, into the raw "
        "input text, such that raw[start:end] == quote."
    )
    category: str | None = Field(default=None, description="Optional topic label.")
    alignment: list[Alignment] = Field(
        default_factory=list,
        description="How each evidence quote was matched: exact, folded, repaired or "
        "attached (a clause added for a figure the text gives) "
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
    span: Span = Field(description="[start, end) of evidence in the raw input text.")
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
    batch_prompt_tokens: int = Field(
        default=0,
        description="Of prompt_tokens, those of answers a batch engine gave (summarizer "
        "batch --import / --via openai-batch), paid at its batch price.",
    )
    batch_completion_tokens: int = Field(
        default=0, description="Of completion_tokens, those of answers a batch engine gave."
    )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            estimated=self.estimated or other.estimated,
            batch_prompt_tokens=self.batch_prompt_tokens + other.batch_prompt_tokens,
            batch_completion_tokens=self.batch_completion_tokens + other.batch_completion_tokens,
        )


class AlignmentCounts(BaseModel):
    """How many evidence quotes of a summary were matched each way."""

    model_config = ConfigDict(extra="forbid")

    exact: int = Field(default=0, description="Quotes the raw file has as written.")
    folded: int = Field(default=0, description="Quotes equal to the document after folding.")
    repaired: int = Field(default=0, description="Slipped quotes aligned to their passage.")
    attached: int = Field(
        default=0,
        description="Clauses added next to a point's quotes for a figure its text gives.",
    )


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
    chunks: int = Field(
        default=1,
        description="Parts the report was sent in: 1 when it fit one request, more when it "
        "was longer than the model's context (one request per part, merged).",
    )
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
    extracted_with: str | None = Field(
        default=None,
        description="The reader that extracted the text from a Word or PDF file (its text is "
        "what the spans index); null for a text file.",
    )


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
