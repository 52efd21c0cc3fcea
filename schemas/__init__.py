"""The data contract: what a summary is, and what the model is asked to fill.

Installed as ``summarizer.schemas`` (see ``package-dir`` in pyproject.toml).

* :mod:`~summarizer.schemas.output` — ``ReportSummary`` / ``Item`` / ``Metric`` /
  ``Meta``: the output every backend returns, the sections and the span type.
* :mod:`~summarizer.schemas.draft` — ``DraftSummary`` / ``DraftItem`` /
  ``DraftMetric``: the smaller, model-facing schema sent through instructor.
* :mod:`~summarizer.schemas.source` — what the draft validators ask of the document
  (:class:`SourceText`) and the messages they give the model.
"""

from __future__ import annotations

from summarizer.schemas.draft import ITEM_TEXT_HARD_LIMIT, DraftItem, DraftMetric, DraftSummary
from summarizer.schemas.output import (
    ITEM_TEXT_LIMIT,
    SECTIONS,
    AlignmentCounts,
    Dropped,
    Item,
    Meta,
    Metric,
    ReportSummary,
    Section,
    Span,
    Usage,
)
from summarizer.schemas.source import (
    GROUNDING_SOURCE,
    MIN_QUOTE_CHARS,
    Alignment,
    Refusal,
    SourceText,
)

__all__ = [
    "GROUNDING_SOURCE",
    "ITEM_TEXT_HARD_LIMIT",
    "ITEM_TEXT_LIMIT",
    "MIN_QUOTE_CHARS",
    "SECTIONS",
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
    "Section",
    "SourceText",
    "Span",
    "Usage",
]
