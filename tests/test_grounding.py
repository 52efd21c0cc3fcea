"""Normalization offsets and grounding validators, on cases worked out by hand."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from summarizer.grounding import ground, verify
from summarizer.normalize import clean, fold, normalize
from summarizer.read import Document
from summarizer.schemas import DraftItem, DraftMetric, DraftSummary, Meta
from summarizer.source import Conversation, GroundedSource, validation_context
from tests.conftest import DOC_IDS, corpus_path, gold
from tests.good_answers import LABELLER_COUNTS, good_answer

RAW = "第一行\n　　現(xiàn)場會議召開，ＡＢＣ１２３。\n\n\n\n“尾”  部"


def test_views_by_hand():
    n = normalize(RAW)
    assert n.view.text == "第一行\n现场会议召开,ABC123。\n\n“尾” 部"
    assert n.key.text == '第一行现场会议召开,abc123。"尾"部'
    assert fold("現(xiàn)場  會議“好”") == '现场会议"好"'
    assert clean(" 現(xiàn)場　會議 ") == "现场 会议"


def test_spans_map_back_to_raw_including_debris_inside():
    n = normalize(RAW)
    at = n.key.text.find("现场会议")
    assert n.key.raw_span(at, at + 4) == (6, 16)
    assert RAW[6:16] == "現(xiàn)場會議"
    at = n.view.text.find("ABC123")
    start, end = n.view.raw_span(at, at + 6)
    assert RAW[start:end] == "ＡＢＣ１２３"


def test_locate_folds_script_width_space_and_quote_marks():
    source = GroundedSource(normalize(RAW))
    assert source.locate("现场会议召开,ABC123") == (6, 25)
    assert RAW[6:25] == "現(xiàn)場會議召開，ＡＢＣ１２３"
    assert source.locate('"尾" 部') == (len(RAW) - 6, len(RAW))
    assert source.locate("现场会议闭幕") is None
    assert source.has_number("123") and not source.has_number("12")


def test_a_conversation_tells_a_model_of_the_missed_points_once():
    source = GroundedSource(normalize(RAW), points=lambda: ["审结案件1343件", "队伍力量薄弱"])
    assert source.empty_hint() is None  # a stored answer may rightly hold no point
    talk = Conversation(source)
    hint = talk.empty_hint()
    assert hint is not None and "about 2 points" in hint and "「队伍力量薄弱」" in hint
    assert talk.empty_hint() is None and talk.told
    assert Conversation(source, told=True).empty_hint() is None  # told in an earlier round
    assert Conversation(GroundedSource(normalize(RAW))).empty_hint() is None  # no points


def context(raw: str) -> dict:
    return validation_context(Document(doc_id="d", raw=raw))


DOCTEXT = (
    "一、基本情况\n今年共审结案件1,343件，结案率达98.14%，参加人数2000余人次。\n"
    "二、存在的问题\n队伍力量薄弱。"
)


def test_quote_not_in_document_is_rejected_with_the_quote():
    with pytest.raises(ValidationError) as info:
        DraftItem.model_validate(
            {"text": "审结案件", "evidence": ["今年共审结案件1,343件", "今年共审结案件9999件"]},
            context=context(DOCTEXT),
        )
    message = str(info.value)
    assert "「今年共审结案件9999件」 is not in the document" in message
    assert "「今年共审结案件1,343件」" not in message


def test_thousands_separator_is_folded_and_evidence_stays_raw():
    source = context(DOCTEXT)["source"]
    start, end = source.locate("今年共审结案件1343件")
    assert DOCTEXT[start:end] == "今年共审结案件1,343件"


@pytest.mark.parametrize(
    ("quote", "needle"),
    [("今年共审结……结案率", "too short"), ("结案率", "too short"), ("", "at least 1 item")],
)
def test_unusable_quotes(quote, needle):
    with pytest.raises(ValidationError) as info:
        DraftItem.model_validate({"text": "x", "evidence": [quote]}, context=context(DOCTEXT))
    assert needle in str(info.value)


def test_invented_number_in_text():
    with pytest.raises(ValidationError) as info:
        DraftItem.model_validate(
            {"text": "审结案件1400件", "evidence": ["今年共审结案件1,343件"]},
            context=context(DOCTEXT),
        )
    assert "「1400」" in str(info.value)
    ok = DraftItem.model_validate(
        {"text": "审结案件1343件，结案率98.14%", "evidence": ["今年共审结案件1,343件"]},
        context=context(DOCTEXT),
    )
    assert ok.text.startswith("审结")


def test_text_length_limit():
    with pytest.raises(ValidationError) as info:
        DraftItem.model_validate({"text": "长" * 101, "evidence": ["今年共审结案件"]})
    assert "at most 80" in str(info.value)


def metric(**kw) -> dict:
    return {"name": "结案率", "value": "98.14", "unit": "%", "evidence": "结案率达98.14%", **kw}


def test_metric_rules():
    ctx = context(DOCTEXT)
    assert DraftMetric.model_validate(metric(), context=ctx).value == "98.14"
    m = DraftMetric.model_validate(
        metric(name="参加人数", value="2000余", unit="人次", evidence="参加人数2000余人次"),
        context=ctx,
    )
    assert m.value == "2000"
    assert DraftMetric.model_validate(metric(value=98.14), context=ctx).value == "98.14"
    cases = [
        (metric(value="98"), "does not appear in its evidence"),  # part of 98.14
        (metric(value="99.1"), "does not appear in its evidence"),
        (metric(unit="件"), "unit 「件」"),
        (metric(evidence="结案率达99.14%"), "its figures differ"),  # near, other figure
        (metric(evidence="今年审议通过了规划纲要"), "is not in the document"),
        (metric(value="百分之九十八"), "is not a number"),
    ]
    for data, needle in cases:
        with pytest.raises(ValidationError) as info:
            DraftMetric.model_validate(data, context=ctx)
        assert needle in str(info.value), data


def test_without_context_grounding_is_skipped():
    DraftSummary.model_validate({"achievements": [{"text": "x", "evidence": ["任何文字都行"]}]})


def test_ground_gives_raw_evidence_and_spans():
    raw = "一、基本情況\n今年共審結案件1,343件，結案率達98.14%。\n"
    doc = Document(doc_id="d", raw=raw)
    draft = DraftSummary.model_validate(
        {
            "title": None,
            "achievements": [
                {
                    "text": "審結案件1343件",
                    "evidence": ["今年共审结案件1,343件", "今年共审结案件1,343件"],
                }
            ],
            "metrics": [metric(evidence="结案率达98.14%")],
        },
        context=validation_context(doc),
    )
    summary = ground(draft, doc, Meta(backend="llm"))
    item = summary.achievements[0]
    assert item.text == "审结案件1343件"  # Simplified
    assert item.evidence == ["今年共審結案件1,343件"] and item.spans == [(7, 20)]
    assert summary.metrics[0].evidence == "結案率達98.14%" and summary.metrics[0].span == (21, 31)
    assert summary.overview  # composed from grounded parts when the draft has none
    assert verify(summary, raw) == []
    tampered = summary.model_copy(deep=True)
    tampered.achievements[0].spans[0] = (8, 21)
    assert verify(tampered, raw)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_gold_summaries_pass_the_validators(doc_id):
    """The answer key, as a good model gives it, is never re-asked: validators and gold
    agree. A good model quotes each figure its text gives (tests/good_answers.py); a
    figure the labeller counted is refused, naming the figure."""
    raw = corpus_path(doc_id).read_text(encoding="utf-8")
    doc = Document(doc_id=doc_id, raw=raw)
    for (gold_id, section, n), figure in LABELLER_COUNTS.items():
        if gold_id == doc_id:
            with pytest.raises(ValidationError, match=f"gives 「{figure}」"):
                DraftItem.model_validate(gold(doc_id)[section][n], context=validation_context(doc))
    answer = good_answer(doc_id, gold(doc_id), raw)
    draft = DraftSummary.model_validate(answer, context=validation_context(doc))
    summary = ground(draft, doc, Meta(backend="llm"))
    assert verify(summary, raw) == []
    for g_item, item in zip(answer["achievements"], summary.achievements, strict=True):
        given = len(g_item["evidence"])
        assert [fold(q) for q in item.evidence[:given]] == [fold(q) for q in g_item["evidence"]]
        assert set(item.alignment[given:]) <= {"attached"}  # clauses for figures the text gives


def test_a_reply_is_folded_in_one_pass_before_the_field_validators(monkeypatch):
    """Every string of the reply is folded together up front (fold_many), so the field
    validators find each one ready: single-string fold() is never called."""
    import summarizer.source as grounding

    doc_id = DOC_IDS[0]
    raw = corpus_path(doc_id).read_text(encoding="utf-8")
    doc = Document(doc_id=doc_id, raw=raw)
    blob = json.dumps(good_answer(doc_id, gold(doc_id), raw), ensure_ascii=False)
    calls = []
    monkeypatch.setattr(grounding, "fold", lambda text: calls.append(text) or fold(text))
    draft = DraftSummary.model_validate_json(blob, context=validation_context(doc))
    assert draft.achievements and calls == [], calls[:5]


# ----------------------------------------------------------------- real shapes, long documents

#: Shapes seen in real reports where the raw file has spaces, line breaks and half-width
#: units that a model copies exactly. Padded far past the fast path's size threshold.
REAL_SHAPES = (
    "全年共受理案件 839 件，同比上升。\n"
    "近三年收案数年均上升幅度达18 %，办案压力较大。\n"
    "成立 CnPack 公益基金，用于支持开源。\n"
    "我院坚持司法为民，\n持续推进诉源治理工作。\n"
)


@pytest.mark.parametrize("padding", [0, 300, 20_000])
@pytest.mark.parametrize(
    "quote",
    [
        "受理案件 839 件",
        "年均上升幅度达18 %",
        "CnPack 公益基金",
        "坚持司法为民，\n持续推进诉源治理",
    ],
)
def test_verbatim_quotes_of_real_shapes_are_found_at_any_length(quote, padding):
    raw = ("法院工作稳步推进。" * (padding // 9 + 1))[:padding] + REAL_SHAPES
    source = GroundedSource(normalize(raw))
    span = source.locate(quote)
    assert span is not None, f"{quote!r} refused in a {len(raw)}-character document"
    assert raw[span[0] : span[1]] == quote


@pytest.mark.parametrize(
    ("evidence", "name", "value", "unit"),
    [
        ("法信平台注册用户达到60万余人", "注册用户", "60", "万人"),
        ("为6038万余件案件提供查询冻结服务", "查询冻结案件", "6038", "万件"),
        ("参加人数2000余人次", "参加人数", "2000余", "人次"),
        ("已有近 1400 个政策文件", "政策文件", "1400", "个"),
        ("受理案件1000件以上", "受理案件", "1000", "件"),
    ],
)
def test_approximation_words_between_number_and_unit_are_skipped(evidence, name, value, unit):
    raw = "一、基本情况\n" + evidence + "。\n"
    metric = DraftMetric.model_validate(
        {"name": name, "value": value, "unit": unit, "evidence": evidence}, context=context(raw)
    )
    assert metric.value == value.rstrip("余") and metric.unit == unit


def test_a_unit_the_evidence_does_not_write_is_still_refused():
    raw = "一、基本情况\n法信平台注册用户达到60万余人。\n"
    with pytest.raises(ValidationError, match="unit 「万元」"):
        DraftMetric.model_validate(
            {"name": "用户", "value": "60", "unit": "万元", "evidence": "注册用户达到60万余人"},
            context=context(raw),
        )


def test_a_quote_across_a_page_footer_shows_the_report_text_not_the_footer():
    """A PDF's page footer ("— 2 —") between two lines is dropped from the view; a quote
    that runs across it is cut around it, so its figures are the report's, and a quote of
    text with pinyin debris inside stays whole (an inline removal cuts nothing)."""
    first = "全年完成市政府及市政府办公厅公文公开属性审查166件、"
    raw = "一、总体情况\n" + first + "\n— 2 —\n发布审查330件，现(xiàn)场答复公众来信58件。\n"
    n = normalize(raw)
    assert "— 2 —" not in n.view.text
    quote = "审查166件、发布审查330件"
    at = n.key.text.index(fold(quote))
    span = n.key.raw_span(at, at + len(fold(quote)))
    assert "— 2 —" in raw[span[0] : span[1]]  # the raw span covers the footer…
    pieces = n.quotable(span, min_chars=5)
    assert [raw[a:b] for a, b in pieces] == ["审查166件、", "发布审查330件"]  # …its quotes do not
    located = GroundedSource(n).match(quote)
    assert isinstance(located, tuple)
    assert [raw[p.span[0] : p.span[1]] for p in located] == ["审查166件、", "发布审查330件"]
    at = n.key.text.index(fold("现场答复公众来信"))
    span = n.key.raw_span(at, at + len(fold("现场答复公众来信")))
    assert n.quotable(span, min_chars=5) == [span]  # "(xiàn)" is inside, as written


@given(
    st.lists(
        st.sampled_from(
            ["全年受理案件一千件。", "审结案件九百件", "— 3 —", "第 2 页 共 9 页", "", "普法宣传"]
        ),
        min_size=3,
        max_size=40,
    ),
    st.data(),
)
def test_quotes_are_cut_around_every_dropped_line_and_keep_everything_else(lines, data):
    """Any span of the view, quoted from the raw file: no piece shows a page-number line
    the view dropped, and the pieces hold every other character of the span."""
    raw = "\n".join(lines)
    n = normalize(raw)
    if not n.view.text:
        return
    a = data.draw(st.integers(0, len(n.view.text) - 1))
    b = data.draw(st.integers(a + 1, len(n.view.text)))
    pieces = n.quotable(n.view.raw_span(a, b), min_chars=1)
    shown = "".join(raw[x:y] for x, y in pieces)
    assert "—" not in shown and "页" not in shown
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", n.view.text[a:b])
