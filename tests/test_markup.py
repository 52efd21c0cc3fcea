"""Saved web pages: read as their visible text, with every quote and span still indexing
the raw ``.html`` file and never showing markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.normalize import MappedText, normalize
from summarizer.normalize.markup import is_html, visible_text
from summarizer.offline import summarize_offline
from summarizer.read import read_document
from summarizer.source import GroundedSource

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


def test_a_page_after_a_front_matter_and_a_long_style_is_a_page():
    raw = (
        "---\ntitle: 报告\n---\n<style>" + "p{margin:0}" * 600 + "</style>\n"
        "<html><body><p>一、主要工作</p><p>全年办结案件1200件，结案率98%。</p></body></html>"
    )
    assert is_html(raw)
    assert normalize(raw).view.text.startswith("一、主要工作\n全年办结案件1200件")


def test_html_inside_a_text_that_is_no_page_is_taken_out_and_its_lines_kept():
    """A Markdown post with a bold heading pasted as <strong> and an HTML table: the tags go,
    the lines stay (a page's reader would join them), a row reads as a table's row, and no
    quote shows a tag."""
    raw = (
        "某局2023年工作总结\n\n<p><strong>一、主要成绩</strong></p>\n\n"
        "全年完成项目验收12个，客户满意度达98.5%。\n\n"
        "<p><strong>二、存在的问题</strong></p>\n\n一是人员不足，技术骨干流失严重。"
        "二是资金短缺，项目推进缓慢。\n\n"
        '<table border="1"><tr><td>新签合同金额</td><td>326万元</td></tr></table>\n'
    )
    assert not is_html(raw)
    view = normalize(raw).view.text
    assert "<" not in view and "一、主要成绩\n" in view and "| 新签合同金额 |326万元 |" in view
    summary = summarize_offline(normalize_doc(raw))
    assert [i.text[:4] for i in summary.problems] == ["人员不足", "资金短缺"]
    quotes = [
        q for s in ("achievements", "problems") for i in getattr(summary, s) for q in i.evidence
    ]
    quotes += [m.evidence for m in summary.metrics]
    assert quotes and not any("<" in q or ">" in q for q in quotes)
    assert all(q in raw for q in quotes)
    assert ("326", "万元") in {(m.value, m.unit) for m in summary.metrics}


def normalize_doc(raw: str):
    from summarizer.read import Document

    return Document(doc_id="t", raw=raw)


def test_a_quote_never_ends_in_a_piece_of_a_tag():
    raw = (
        "某局工作总结\n\n一、主要成绩\n\n全年完成项目验收12个。\n\n<table><tr><td>项目</td><td>数量</td>"
        "</tr><tr><td>办结案件数量统计情况汇总说明</td><td>1200件</td></tr></table>\n"
    )
    summary = summarize_offline(normalize_doc(raw))
    quotes = [q for i in summary.achievements for q in i.evidence]
    quotes += [m.evidence for m in summary.metrics]
    assert quotes and all(q in raw and "<" not in q and ">" not in q for q in quotes)
