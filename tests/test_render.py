"""The Markdown for reading (issue #15): short evidence references by default, every
quote with its span on request, and a summary a fraction of the report's length."""

from __future__ import annotations

import re

import pytest

from summarizer import Summarizer
from summarizer.cli import main
from summarizer.render import SHORT_QUOTE_CHARS, to_markdown
from summarizer.schemas import SECTIONS
from tests.conftest import corpus_path

LONG = "b01_gov_report_2019"


@pytest.fixture(scope="module")
def summary():
    with Summarizer(backend="offline", cache=False) as offline:
        return offline.summarize(corpus_path(LONG))


def _item_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if re.match(r"\d+\. ", line)]


def test_short_evidence_is_one_line_per_item_naming_its_first_quote(summary):
    md = to_markdown(summary)
    items = [item for section in SECTIONS for item in getattr(summary, section)]
    lines = _item_lines(md)
    assert len(lines) == len(items) > 10
    for line, item in zip(lines, items, strict=True):
        opening = " ".join(item.evidence[0].split())[:SHORT_QUOTE_CHARS]
        more = f"等{len(item.evidence)}处" if len(item.evidence) > 1 else ""
        cut = "…" if len(" ".join(item.evidence[0].split())) > SHORT_QUOTE_CHARS else ""
        assert line.endswith(f"〔原文「{opening}{cut}」{more}〕"), line
    assert not re.search(r"`\[\d+:\d+\]`", md)  # no spans
    assert "\n   > 「" not in md  # no whole quotes


def test_full_evidence_prints_every_quote_with_its_span(summary):
    md = to_markdown(summary, evidence="full")
    spans = re.findall(r"`\[(\d+):(\d+)\]`", md)
    items = [item for section in SECTIONS for item in getattr(summary, section)]
    assert len(spans) == sum(len(item.spans) for item in items)
    for item in items:
        for quote in item.evidence:
            assert f"「{' '.join(quote.split())}」" in md


def test_a_summary_is_a_fraction_of_the_report(summary):
    size = len(corpus_path(LONG).read_text(encoding="utf-8"))
    short, full = len(to_markdown(summary)), len(to_markdown(summary, evidence="full"))
    assert short < 0.5 * size < full  # was 0.83× with every quote inline


def test_warnings_reach_the_reader(summary):
    warned = summary.model_copy(
        update={"meta": summary.meta.model_copy(update={"warnings": ["某条警告"]})}
    )
    assert "> 注意：某条警告" in to_markdown(warned)
    assert "注意" not in to_markdown(
        summary.model_copy(update={"meta": summary.meta.model_copy(update={"warnings": []})})
    )


def test_the_command_takes_evidence_full(capsys):
    path = str(corpus_path(LONG))
    assert main(["summarize", "-q", "--backend", "offline", "-f", "markdown", path]) == 0
    short = capsys.readouterr().out
    assert (
        main(
            [
                "summarize",
                "-q",
                "--backend",
                "offline",
                "-f",
                "markdown",
                "--evidence",
                "full",
                path,
            ]
        )
        == 0
    )
    full = capsys.readouterr().out
    assert "〔原文「" in short and "〔原文「" not in full
    assert re.search(r"`\[\d+:\d+\]`", full)
