"""The one-call API: :func:`summarize` and :func:`asummarize`, one report each, with a
:class:`~summarizer.pipeline.Summarizer` made and closed around it."""

from __future__ import annotations

import re
from typing import Any

from summarizer.pipeline import Source, Summarizer
from summarizer.schemas import ReportSummary
from summarizer.settings import settings_doc

__all__ = ["asummarize", "summarize"]


def summarize(source: Source, *, doc_id: str | None = None, **settings: Any) -> ReportSummary:
    """Summarize one Chinese work report into a :class:`ReportSummary` whose every item
    is grounded: each quote is verbatim in the file, each figure is in the text.

    Args:
        source: a path to the report (``str`` or ``os.PathLike``): plain text, Markdown or
            a saved web page, in UTF-8, GBK/GB18030, Big5 or UTF-16, read as its bytes
            say. Or the report's text itself: a ``str`` that is not one line naming a file
            is read as the text (a ``Path`` is always a file).
        doc_id: the summary's ``doc_id``; by default the file's name without its
            extension, or for a text a hash of it.
        **settings: any setting below by name (``backend="offline"``,
            ``base_url="http://localhost:8000/v1"``, ``model=...``). What is not given
            comes from the environment variables named, then the default. With
            ``backend="auto"`` (the default) no endpoint and no key means the offline
            engine, which fills the same schema from the report's own structure and says
            so in ``meta.warnings``.

    Settings:
    {settings}

    Returns:
        ReportSummary: ``title``, ``organization``, ``period``, ``overview``,
        ``achievements``, ``problems``, ``plans`` (items with ``text``, verbatim
        ``evidence``, its ``spans`` as ``[start, end]`` into the raw text and how each
        quote was aligned) and ``metrics``; ``meta`` tells the engine, model, tokens,
        attempts, whether it came from the cache, and the warnings and dropped items a
        reader should know of.

    Raises:
        InputError: the file is missing, binary, undecodable, empty, an encrypted PDF or
            a scan without ``ocr`` (``DoubtfulInputError``: with ``skip_doubtful``, it
            does not look like a work report).
        ConfigError: a setting is invalid, or the endpoint refused the key, model or URL.
        UnreachableError: no connection to the endpoint (refused, or its name does not
            resolve). TransportError: it stayed overloaded or too slow through every retry.
        SummarizationError: the model's answers never grounded within the re-asks
            (``EmptySummaryError``: it answered with nothing for a report that says
            something). TruncationError: the reply hit the output-token limit.
        ContextLengthError, EndpointError: the endpoint refused the request itself.

        All are :class:`SummarizerError`, whose message is one line naming the file and
        what to do. ``fallback="offline"`` turns the model's failures into the offline
        engine's summary with a warning instead.

    Example::

        from summarizer import summarize
        s = summarize("report.txt", backend="offline")
        s.achievements[0].text, s.achievements[0].evidence, s.achievements[0].spans
    """
    with Summarizer(**settings) as summarizer:
        return summarizer.summarize(source, doc_id=doc_id)


summarize.__doc__ = re.sub(  # the settings, each named once in Settings
    r"^ *\{settings\}", lambda _: settings_doc(), summarize.__doc__ or "", flags=re.MULTILINE
)


async def asummarize(
    source: Source, *, doc_id: str | None = None, **settings: Any
) -> ReportSummary:
    """Async :func:`summarize`."""
    summarizer = Summarizer(**settings)
    try:
        return await summarizer.asummarize(source, doc_id=doc_id)
    finally:  # in this loop, so the async client's connections close cleanly
        await summarizer.aclose()
