"""The model-facing schema: what instructor sends the model and validates its answer by.

No spans and no meta: code computes those (``summarizer.grounding``). Unknown keys
are ignored (a model that echoes ``doc_id`` is not worth a re-ask). The field
descriptions are what the model reads; the validators carry the grounding rules and
say, in words the model can act on, what to fix.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from summarizer.numbers import VALUE_FORM, numbers_text, without_approximation
from summarizer.schemas.output import ITEM_TEXT_LIMIT, Section
from summarizer.schemas.source import (
    check_figures_in_evidence,
    check_metric_name,
    check_numbers,
    check_quote,
    source_of,
    strings_in,
)

__all__ = ["ITEM_TEXT_HARD_LIMIT", "DraftItem", "DraftMetric", "DraftSummary"]

#: Where a re-ask starts (the prompt asks for ``ITEM_TEXT_LIMIT``).
ITEM_TEXT_HARD_LIMIT = 100


def _untitled(schema: dict[str, Any]) -> None:
    """Drop the title pydantic gives each field (``"title": "Evidence"``): it repeats the
    field's name, and every request carries the schema (a tenth of it was titles), once per
    part of a long report. The model's own title stays: tools mode names its function so."""
    for field in schema.get("properties", {}).values():
        field.pop("title", None)


#: How every model-facing schema is configured: unknown keys ignored, no field titles.
_MODEL_FACING = ConfigDict(extra="ignore", json_schema_extra=_untitled)


class DraftItem(BaseModel):
    """一个要点：作者在文中提出的一个成绩、问题或计划。"""

    model_config = _MODEL_FACING

    text: str = Field(
        description=(
            f"用简体中文概括这一要点，不超过{ITEM_TEXT_LIMIT}字；"
            "只用文档中写明的事实和数字，不计算、不换算、不四舍五入；"
            "写进来的每个数字都必须出现在本要点的某条 evidence 中。"
        )
    )
    evidence: list[str] = Field(
        min_length=1,
        description=(
            "支持该要点的原文片段列表：每段都从文档中逐字复制（不改字、不增删、不用省略号），"
            "一般10–40字，足以在文档中唯一定位；text 中的每个数字都要有一段写着它的原文。"
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
        if isinstance(value, list):  # a null or empty quote is left out, not re-asked
            value = [q.strip() if isinstance(q, str) else q for q in value]
            value = [q for q in value if q is not None and q != ""]
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
        return check_numbers("text", value, info) or value

    @field_validator("evidence")
    @classmethod
    def _evidence_is_in_document(cls, value: list[str], info: ValidationInfo) -> list[str]:
        source = source_of(info)
        if source is not None:
            problems = [p for q in value if (p := check_quote(q, source))]
            if problems:
                raise ValueError(" ".join(problems))
        return value

    @model_validator(mode="after")
    def _figures_stand_in_evidence(self, info: ValidationInfo) -> DraftItem:
        """A figure in the text is this point's only where its own passage states it."""
        source = source_of(info)
        if source is not None:
            problem = check_figures_in_evidence(self.text, self.evidence, source)
            if problem:
                raise ValueError(problem)
        return self


class DraftMetric(BaseModel):
    """一个关键量化指标：文档中写明的一个数字及其单位。"""

    model_config = _MODEL_FACING

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
        if not VALUE_FORM.match(value):
            raise ValueError(
                f"value 「{value}」 is not a number. Give the number in digits exactly as the "
                'document writes it, e.g. "98.14" or "1343".'
            )
        return value

    @field_validator("name")
    @classmethod
    def _name_has_no_invented_numbers(cls, value: str, info: ValidationInfo) -> str:
        return check_numbers("name", value.strip(), info) or value.strip()

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> DraftMetric:
        source = source_of(info)
        if source is None:
            return self
        problem = check_quote(self.evidence, source)
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
        cut = source.cut_figure(self.evidence)
        if cut is not None:
            raise ValueError(
                f"metric 「{self.name}」: evidence 「{self.evidence}」 cuts the figure 「{cut}」 "
                "in two. Quote the passage with the whole figure, and give it as the value."
            )
        problem = check_metric_name(self.name, self.value, self.evidence, source)
        if problem:
            raise ValueError(problem)
        return self


#: What each section holds, as the model reads it in the schema.
_GUIDE: dict[Section, str] = {
    "achievements": (
        "成绩：报告期内已经做了的工作、采取的措施、取得的成效、创新和荣誉。每个要点一项。"
    ),
    "problems": (
        "问题：文档自己承认的不足、困难、短板、差距和风险。文档没有写时为空列表，不要编造。"
    ),
    "plans": (
        "计划：文档说下一步、明年或今后要做的事、打算、举措，以及提出的意见和建议。没有时为空列表。"
    ),
}


class DraftSummary(BaseModel):
    """一份中文工作报告的结构化摘要。只写文档中有的内容。"""

    model_config = _MODEL_FACING

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
    achievements: list[DraftItem] = Field(default_factory=list, description=_GUIDE["achievements"])
    problems: list[DraftItem] = Field(default_factory=list, description=_GUIDE["problems"])
    plans: list[DraftItem] = Field(default_factory=list, description=_GUIDE["plans"])
    metrics: list[DraftMetric] = Field(
        default_factory=list,
        description="最重要的约10–20个量化指标（件数、比率、金额、人次、排名），不要罗列每一个数字。",
    )

    @model_validator(mode="before")
    @classmethod
    def _fold_every_string_at_once(cls, data: Any, info: ValidationInfo) -> Any:
        """The field validators below fold each quote, text and name one by one; folding
        them all in one pass first costs a fifth as much (the per-call overhead of a
        dozen regex and table passes dominates on a 20-character quote)."""
        source = source_of(info)
        if source is not None and isinstance(data, dict):
            source.fold_many(strings_in(data))
        return data

    @field_validator("title", "organization", "period", "overview")
    @classmethod
    def _no_invented_numbers(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            value = value.strip() or None
        return check_numbers(info.field_name or "field", value, info)

    @field_validator("achievements", "problems", "plans", "metrics", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        """A null section is empty; a null entry in one is left out (not re-asked)."""
        if value is None:
            return []
        return [v for v in value if v is not None] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _has_points(self, info: ValidationInfo) -> DraftSummary:
        """A reply with no point for a report that makes points is asked again, once."""
        source = source_of(info)
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
