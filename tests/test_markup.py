"""Saved web pages: read as their visible text, with every quote and span still indexing
the raw ``.html`` file and never showing markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.grounding import GroundedSource
from summarizer.normalize import MappedText, normalize
from summarizer.normalize.markup import is_html, visible_text
from summarizer.offline import summarize_offline
from summarizer.read import read_document

PAGE = Path(__file__).parent / "data" / "saved_page.html"
MARKUP = re.compile(r"<[A-Za-z/!]|&[A-Za-z#]")
#: Text of the page that a reader never sees: script, style, head, navigation, footer.
HIDDEN = ("var x", "font-family", "function", "范文网", "首页", "版权所有", "ICP")


def test_the_view_of_a_page_is_its_visible_text():
    view = read_document(PAGE).normalized.view.text
    assert "XX区人民法院2023年工作总结" in view
    assert "全年共受理各类案件12,345件" in view  # across <strong>, one sentence
    for hidden in HIDDEN:
        assert hidden not in view, hidden
    assert "<" not in view and "&" not in view
    # paragraphs of the page are lines of the view
    assert "\n(一)审判质效稳步提升。" in view


def test_every_visible_character_maps_to_itself_in_the_page():
    raw = PAGE.read_text(encoding="utf-8")
    mt = visible_text(MappedText.identity(raw))
    for ch, at in zip(mt.text, mt.origin, strict=True):
        if ch not in " \n":  # breaks sit at their tags; &nbsp; reads as a space
            assert raw[at] == ch or raw[at] == "&", (ch, at)


def test_a_summary_of_a_page_quotes_the_page_without_markup():
    doc = read_document(PAGE)
    summary = summarize_offline(doc)
    quotes = [
        (q, span)
        for section in (summary.achievements, summary.problems, summary.plans)
        for item in section
        for q, span in zip(item.evidence, item.spans, strict=True)
    ] + [(m.evidence, m.span) for m in summary.metrics]
    assert summary.title == "XX区人民法院2023年工作总结"
    assert len(summary.achievements) == 2 and summary.problems and summary.plans
    assert quotes
    for quote, span in quotes:
        assert doc.raw[span[0] : span[1]] == quote
        assert not MARKUP.search(quote), quote
        assert not any(h in quote for h in HIDDEN), quote


def test_a_models_quote_across_inline_markup_grounds_in_pieces():
    normalized = normalize(PAGE.read_text(encoding="utf-8"))
    found = GroundedSource(normalized).match("全年共受理各类案件12,345件，审结11,987件")
    assert isinstance(found, tuple)
    quotes = [normalized.raw[p.span[0] : p.span[1]] for p in found]
    assert quotes == ["全年共受理各类案件", "12,345", "件，审结11,987件"]
    assert {p.alignment for p in found} == {"folded"}


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("<!DOCTYPE html><html><body><p>报告</p></body></html>", True),
        ("<html>\n<body>报告</body>", True),
        ("  <!-- saved --><meta charset=utf-8><div>报告</div>", True),
        ("<div><p>一</p><p>二</p><p>三</p><br><span>四</span></div>", True),
        ("报告中写到 <p> 标签和 a<b 的比较。", False),
        ("一、工作情况\n全年受理案件<1000件>的说法不对。", False),
    ],
)
def test_what_counts_as_a_page(text, page):
    assert is_html(text) is page


def test_plain_text_is_untouched():
    raw = "一、工作情况\n收入<5000元的家庭&其他。"
    assert normalize(raw).view.text == raw
