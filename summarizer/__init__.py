"""summarizer: grounded structured summaries of Chinese work reports.

    from summarizer import summarize
    s = summarize("report.txt")           # a path or the text itself
    s.achievements[0].text, s.achievements[0].evidence, s.achievements[0].spans

Exports are loaded lazily so that ``summarizer --help`` does not pay for openai.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "summarize": "summarizer.pipeline.api",
    "asummarize": "summarizer.pipeline.api",
    "Summarizer": "summarizer.pipeline",
    "summarize_batch": "summarizer.batch",
    "asummarize_batch": "summarizer.batch",
    "Settings": "summarizer.settings",
    "ReportSummary": "summarizer.schemas",
    "Item": "summarizer.schemas",
    "Metric": "summarizer.schemas",
    "Meta": "summarizer.schemas",
    "SummarizerError": "summarizer.errors",
}

__all__ = [
    "Item",
    "Meta",
    "Metric",
    "ReportSummary",
    "Settings",
    "Summarizer",
    "SummarizerError",
    "__version__",
    "asummarize",
    "asummarize_batch",
    "summarize",
    "summarize_batch",
]

if TYPE_CHECKING:
    from summarizer.batch import asummarize_batch, summarize_batch
    from summarizer.errors import SummarizerError
    from summarizer.pipeline import Summarizer
    from summarizer.pipeline.api import asummarize, summarize
    from summarizer.schemas import Item, Meta, Metric, ReportSummary
    from summarizer.settings import Settings


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
