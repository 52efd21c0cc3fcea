"""A number is true only where it stands (issue #28): figures in a point's text against
its own quotes, a metric's name against the words around its value. Cases worked out by
hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from summarizer.grounding import ground
from summarizer.normalize import fold
from summarizer.numbers import quantities
from summarizer.read import Document
from summarizer.schemas import DraftItem, DraftMetric, DraftSummary, Meta
from summarizer.source import validation_context

REPORT = (
    "一、主要工作\n"
    "全年受理各类案件15000件，审结14000件，结案率达98.14%。\n"
    "执行到位金额1.2万元，开展普法活动三次。\n"
    "二、队伍建设\n"
    "组织培训12期，参训干警360人次。去年以来，认罪认罚从宽制度全面推行，"
    "12月适用率达83.1%。\n"
    "三、下一步打算\n"
    "1、除110、119等紧急热线外，整合其他热线。\n"
)


def ctx() -> dict:
    return validation_context(Document(doc_id="d", raw=REPORT))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("执行到位1.2万元", {"12000"}),  # the scale is read: 1.2万 is 12000, never 1.2
        ("一千二百件", {"1200"}),
        ("三大攻坚战十分顺利，一是，一个团队", set()),  # a lone numeral in a word: no count
        ("开展普法活动三次", {"3"}),  # …but one with a measure word is
        ("1、建立组织", set()),  # a list's number is an ordinal
        ("除110、119等热线", {"110", "119"}),  # values listed mid-clause are values
        ("受案1,343件，结案率98.14%", {"1343", "98.14"}),
        ("收案3萬3,883件", {"33883"}),  # the mixed form, Traditional: 3万 and 3883
    ],
)
def test_quantities_reads_values_not_words_or_ordinals(text, values):
    assert quantities(fold(text)) == {Decimal(v) for v in values}


def test_a_figure_from_another_paragraph_is_refused_naming_it():
    with pytest.raises(ValidationError, match="gives 「360」"):
        DraftItem.model_validate(
            {"text": "审结案件14000件，另有360人次", "evidence": ["审结14000件"]}, context=ctx()
        )


def test_a_rounded_figure_is_refused_though_the_document_has_its_digits_nearby():
    with pytest.raises(ValidationError, match=r"「98\.1」"):
        DraftItem.model_validate(
            {"text": "结案率达98.1%", "evidence": ["审结14000件，结案率达98.14%"]},
            context=ctx(),
        )


def test_a_figure_written_another_way_with_the_same_value_stands():
    item = DraftItem.model_validate(
        {"text": "执行到位12000元", "evidence": ["执行到位金额1.2万元"]}, context=ctx()
    )
    assert item.text == "执行到位12000元"


def test_a_figure_from_the_quotes_own_sentence_gets_a_quote_of_its_own():
    """審结14000件 is quoted; 15000 stands in the same sentence: accepted, and its clause
    is added to the evidence as ``attached``, so that every figure stands in a quote."""
    draft = DraftSummary.model_validate(
        {
            "achievements": [
                {
                    "text": "受理案件15000件，审结14000件",
                    "evidence": ["审结14000件，结案率达98.14%"],
                }
            ]
        },
        context=ctx(),
    )
    summary = ground(draft, Document(doc_id="d", raw=REPORT), Meta(backend="llm"))
    item = summary.achievements[0]
    assert item.alignment == ["exact", "attached"]
    assert item.evidence[1] == "全年受理各类案件15000件"
    assert summary.meta.alignment.attached == 1


def test_a_date_only_needs_the_document_to_state_it():
    item = DraftItem.model_validate(
        {"text": "12月认罪认罚适用率83.1%", "evidence": ["12月适用率达83.1%"]}, context=ctx()
    )
    assert item.evidence == ["12月适用率达83.1%"]


@pytest.mark.parametrize(
    ("name", "value", "evidence"),
    [
        ("审结案件", "14000", "审结14000件"),
        ("受理案件", "15000", "全年受理各类案件15000件"),
        ("认罪认罚从宽制度适用率", "83.1", "12月适用率达83.1%"),  # the subject stands before
        ("结案率（目标）", "98.14", "结案率达98.14%"),  # a note in brackets is not judged
    ],
)
def test_a_metric_named_by_the_words_around_its_value_stands(name, value, evidence):
    metric = DraftMetric.model_validate(
        {"name": name, "value": value, "unit": "", "evidence": evidence}, context=ctx()
    )
    assert metric.name == name


@pytest.mark.parametrize(
    ("name", "value", "evidence"),
    [
        ("参训干警", "14000", "审结14000件"),  # another figure's name, another sentence
        ("执行到位金额", "360", "参训干警360人次"),
        ("组织培训期数", "98.14", "结案率达98.14%"),
    ],
)
def test_a_real_value_under_another_metrics_name_is_refused(name, value, evidence):
    with pytest.raises(ValidationError, match=f"do not name 「{name}」"):
        DraftMetric.model_validate(
            {"name": name, "value": value, "unit": "", "evidence": evidence}, context=ctx()
        )


def test_headers_the_document_does_not_state_reach_no_field_and_no_overview():
    """The overview is composed from grounded headers only; a model's own overview that
    names a refused header is replaced; every refused header keeps its drop record, an
    earlier one (salvage's) too."""
    from summarizer.schemas import Dropped

    doc = Document(doc_id="d", raw=REPORT)
    point = {"text": "审结案件14000件", "evidence": ["审结14000件"]}
    earlier = Dropped(section="period", text="全年度", reason="not stated in the document")
    for overview in (None, "宇宙第一法院审结案件14000件。"):
        draft = DraftSummary.model_validate(
            {"title": "宇宙第一法院工作报告", "organization": "宇宙第一法院",
             "overview": overview, "achievements": [point]},
            context=ctx(),
        )  # fmt: skip
        summary = ground(draft, doc, Meta(backend="llm", dropped=[earlier]))
        assert summary.title is None and summary.organization is None
        assert "宇宙" not in summary.overview and "审结案件14000件" in summary.overview
        sections = [d.section for d in summary.meta.dropped]
        assert sections.count("period") == 1 and {"title", "organization"} <= set(sections)
        assert ("overview" in sections) == (overview is not None)


def test_a_point_given_twice_in_one_answer_is_merged_keeping_its_quotes():
    doc = Document(doc_id="d", raw=REPORT)
    draft = DraftSummary.model_validate(
        {
            "achievements": [
                {"text": "审结案件14000件", "evidence": ["审结14000件"]},
                {"text": "全年审结14000件", "evidence": ["审结14000件，结案率达98.14%"]},
                {"text": "开展普法活动", "evidence": ["开展普法活动三次"]},
            ]
        },
        context=ctx(),
    )
    summary = ground(draft, doc, Meta(backend="llm"))
    texts = [i.text for i in summary.achievements]
    assert texts == ["审结案件14000件", "开展普法活动"]
    assert summary.achievements[0].evidence == ["审结14000件", "审结14000件，结案率达98.14%"]
    assert [d.section for d in summary.meta.dropped] == ["achievements"]


def test_salvage_drops_a_bad_quote_and_keeps_the_point_its_other_quotes_bear_out():
    from summarizer.salvage import salvage

    source = ctx()["source"]
    reply = {
        "achievements": [
            {"text": "开展普法活动", "evidence": ["开展普法活动三次", "这句话文档里根本没有写过"]},
            # its figure stands only in the quote that does not ground: the point goes
            {"text": "培训时审结14000件", "evidence": ["组织培训12期", "审结了一万四千件案子"]},
        ]
    }
    kept = salvage(reply, source)
    assert kept is not None
    draft, dropped = kept
    assert [(i.text, i.evidence) for i in draft.achievements] == [
        ("开展普法活动", ["开展普法活动三次"])
    ]
    reasons = {d.text: d.reason for d in dropped}
    assert reasons["这句话文档里根本没有写过"].startswith("quote left out")
    assert "培训时审结14000件" in reasons


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("十四五规划", set()),  # a plan's name, not 145 nor 15
        ("一一落实整改", set()),  # a doubled word
        ("千万不要，万一", set()),
        ("一九九八年，二〇二二年", {"1998", "2022"}),
        ("一千零五件", {"1005"}),
        ("1万2千人", {"10000", "2"}),  # never 10002 (nor a 千 of its own)
    ],
)
def test_numerals_that_are_names_or_words_are_no_values(text, values):
    assert quantities(text) == {Decimal(v) for v in values}


def test_a_sentence_without_stops_is_not_the_whole_document():
    """A long run with no 。: the figures near a quote are those within reach, not every
    one stated before it in the file."""
    raw = "全年审结案件9999件。\n" + "推进各项工作，" * 80 + "办理案件共计300件，成效明显。\n"
    context = validation_context(Document(doc_id="d", raw=raw))
    with pytest.raises(ValidationError, match="gives 「9999」"):
        DraftItem.model_validate(
            {"text": "审结案件9999件，办理300件", "evidence": ["办理案件共计300件"]},
            context=context,
        )
    with pytest.raises(ValidationError, match="do not name"):
        DraftMetric.model_validate(
            {"name": "审结案件", "value": "300", "unit": "件", "evidence": "办理案件共计300件"},
            context=context,
        )


def test_a_figure_with_a_unit_in_letters_is_checked_like_any_other():
    raw = "一、工作\n新建线路200km，运行良好。\n二、其他\n另有其他线路300公里。\n"
    with pytest.raises(ValidationError, match="gives 「300」"):
        DraftItem.model_validate(
            {"text": "新建线路300km", "evidence": ["新建线路200km"]},
            context=validation_context(Document(doc_id="d", raw=raw)),
        )


@pytest.mark.parametrize("evidence", ["全年受理各类案件150", "000件，审结14000件"])
def test_a_value_cut_out_of_a_bigger_figure_is_refused(evidence):
    value = "150" if evidence.endswith("150") else "000"
    with pytest.raises(ValidationError, match="cuts the figure 「15000」"):
        DraftMetric.model_validate(
            {"name": "受理案件", "value": value, "unit": "", "evidence": evidence}, context=ctx()
        )
