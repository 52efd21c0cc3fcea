"""The offline engine: grounded by construction, structured like the genre, measured on gold."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.evaluation import Report, score_document
from summarizer.normalize import HAN, HAN_RANGES
from summarizer.offline.metrics import headline_count
from summarizer.offline.outline import INLINE, Markers
from summarizer.offline.targets import MAX_TARGETS, TARGET_MARK
from summarizer.offline.text import (
    BOUNDARY_MARKS,
    Boundaries,
    chinese_marks,
    latin_heavy,
    sentences,
)
from summarizer.read import read_document
from summarizer.schemas import SECTIONS, DraftSummary, ReportSummary
from summarizer.settings import Settings
from summarizer.source import validation_context
from tests.conftest import DOC_IDS, ROOT, TUNED_DOC_IDS, corpus_path, gold, summarize_once

DATA = ROOT / "tests" / "data"
FIXTURES = sorted(DATA.glob("*.txt"))


def offline(path):
    return summarize_once(Settings.load(backend="offline"), path)


def assert_verbatim(summary: ReportSummary, raw: str) -> None:
    for section in (summary.achievements, summary.problems, summary.plans):
        for item in section:
            assert item.evidence
            for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
                assert raw[start:end] == quote
    for m in summary.metrics:
        assert raw[m.span[0] : m.span[1]] == m.evidence
        assert m.value in m.evidence.replace(",", "")


@pytest.mark.parametrize("path", [corpus_path(d) for d in DOC_IDS] + FIXTURES, ids=lambda p: p.stem)
def test_every_quote_is_verbatim_and_passes_the_llm_validators(path):
    """The offline output obeys the same grounding rules a model's answer must."""
    doc = read_document(path)
    summary = offline(path)
    assert_verbatim(summary, doc.raw)
    assert summary.meta.backend == "offline" and summary.meta.engine_version
    assert summary.meta.model is None and summary.meta.usage.total_tokens == 0
    draft = summary.model_dump(exclude={"meta", "doc_id"})
    DraftSummary.model_validate(draft, context=validation_context(doc))
    assert len(summary.metrics) <= headline_count(doc.normalized.view.text) + MAX_TARGETS <= 28
    for item in summary.achievements + summary.problems + summary.plans:
        assert len(item.text) <= 100
        assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", item.text)  # no pinyin debris


@pytest.mark.parametrize("doc_id", TUNED_DOC_IDS)
def test_header_facts_match_gold(doc_id):
    summary = offline(corpus_path(doc_id))
    g = gold(doc_id)
    assert (summary.title, summary.organization, summary.period) == (
        g["title"],
        g["organization"],
        g["period"],
    )


def test_quality_floors_on_the_shared_gold():
    scores = [
        score_document(offline(corpus_path(d)), gold(d), corpus_path(d).read_text("utf-8"))
        for d in TUNED_DOC_IDS
    ]
    report = Report(scores)
    assert report.macro_f1 >= 0.6
    assert report.metrics.recall >= 0.7
    assert sum(d.items_in_empty_sections for d in report.documents) == 0
    assert report.grounding_rate == 1.0


def test_a_report_that_admits_no_problem_gets_none():
    summary = offline(corpus_path("002_22b2fcdac678e5fd"))
    assert summary.problems == [] and summary.plans == []
    assert len(summary.achievements) >= 10


def test_meeting_of_several_units_in_traditional_with_pinyin_debris():
    path = DATA / "meeting_traditional_pinyin.txt"
    raw = path.read_text(encoding="utf-8")
    assert "(xiàn)" in raw and "會" in raw
    summary = offline(path)
    assert summary.organization == "市中级人民法院"  # the body that convenes, not a speaker
    texts = " ".join(i.text for i in summary.achievements)
    for unit in ("甲区人民法院", "乙县人民法院", "丙市人民法院"):
        assert unit in texts  # each speaking unit named in its item
    assert any("會(huì)" in q or "(tiáo)" in q for i in summary.achievements for q in i.evidence)
    assert len(summary.problems) == 1 and "不平衡" in summary.problems[0].text
    assert len(summary.plans) == 1 and "共享法庭" in summary.plans[0].text
    assert {"87.5", "1260", "580", "320"} <= {m.value for m in summary.metrics}


def test_web_page_debris_is_never_evidence():
    path = DATA / "web_page_report.txt"
    summary = offline(path)
    quotes = [
        q for i in summary.achievements + summary.problems + summary.plans for q in i.evidence
    ]
    quotes += [m.evidence for m in summary.metrics]
    for debris in ("首页", "浏览次数", "打印", "上一篇", "http", "Copyright", "版权", "扫一扫"):
        assert not any(debris in q for q in quotes), debris
    assert summary.title == "甲县人民法院2023年上半年工作总结"
    assert (summary.organization, summary.period) == ("甲县人民法院", "2023年上半年")
    assert [len(summary.achievements), len(summary.problems), len(summary.plans)] == [3, 2, 3]
    # a target in the plans is no fact: a metric only as a target, named so
    assert all(m.name.endswith(TARGET_MARK) for m in summary.metrics if m.value == "95")
    # five places for six headline results: the opening point's figures, and the others
    # but one (执行到位1.36亿元 or 调解成功1023件)
    values = {m.value for m in summary.metrics}
    assert {"3256", "2890", "88.76"} <= values and len({"1.36", "1023"} & values) >= 1


def test_case_study_background_is_not_an_achievement():
    summary = offline(DATA / "case_study.txt")
    assert summary.problems == [] and summary.plans == []
    assert len(summary.achievements) == 1
    assert "调解" in summary.achievements[0].text
    assert all("借款5万元" not in q for q in summary.achievements[0].evidence)


def test_news_report_without_sections():
    summary = offline(DATA / "news_report.txt")
    assert summary.title and not any(i.text == summary.title for i in summary.achievements)
    assert len(summary.problems) == 1 and "挑战" in summary.problems[0].text
    assert len(summary.plans) == 1 and summary.plans[0].text.startswith("下一步")
    assert summary.metrics[0].unit == "%"  # the rate leads the headline figures


def test_gb18030_copy_gives_the_same_summary(tmp_path):
    original = corpus_path("003_952be00836213ecb")
    copy = tmp_path / "003_952be00836213ecb.txt"
    copy.write_bytes(original.read_text(encoding="utf-8").encode("gb18030"))
    a, b = offline(original), offline(copy)
    assert b.meta.encoding == "gb18030"
    assert a.model_dump(exclude={"meta"}) == b.model_dump(exclude={"meta"})


def test_cli_defaults_to_offline_and_says_so_on_stderr():
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", str(corpus_path(DOC_IDS[0]))],
        capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        "summarizer: no endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY unset): "
        "using the offline engine"
    ]
    assert json.loads(done.stdout)["meta"]["backend"] == "offline"


def test_offline_path_never_loads_openai():
    code = (
        "import sys, summarizer.cli\n"
        "from summarizer import summarize\n"
        f"summarize({str(corpus_path(DOC_IDS[0]))!r}, backend='offline')\n"
        "print(sorted(m for m in ('openai', 'instructor', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_procuratorate_report_with_yi_yao_plans():
    summary = offline(DATA / "procuratorate_report.txt")
    assert (summary.title, summary.organization, summary.period) == (
        "乙市人民检察院2023年工作报告",
        "乙市人民检察院",
        "2023年",
    )
    assert [len(summary.achievements), len(summary.problems), len(summary.plans)] == [4, 3, 4]
    assert summary.plans[0].text == "更加主动服务大局，依法惩治各类犯罪"  # marker gone, ，kept
    assert summary.metrics[0].unit in ("%", "个百分点")


def test_justice_bureau_numbered_sections_and_labels():
    summary = offline(DATA / "justice_bureau_summary.txt")
    assert (summary.organization, summary.period) == ("丙区司法局", "2022年度")  # not 海淀法院
    assert [len(summary.achievements), len(summary.problems), len(summary.plans)] == [6, 1, 1]
    assert not any(re.match(r"^\d\)", i.text) for i in summary.achievements)  # no "(1)" left over
    names = {m.value: m.name for m in summary.metrics}
    assert names["1024"] == "办理法律援助案件"
    assert names["4586"] == "全区人民调解组织共调解各类矛盾纠纷"
    # a 500-character report keeps a handful: its rates, sums and counts, not "5个" or "86场"
    assert len(summary.metrics) == 5 and "5" not in names and "86" not in names


def test_units_are_named_with_or_without_a_place_word():
    from summarizer.offline.header import organizations

    text = "海淀法院开展讲座。海淀法院组织活动。朝阳法院参加。李某遂诉至法院。乙市人民检察院。"
    assert organizations(text) == {"海淀法院": 2, "乙市人民检察院": 1}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_offline_quote_says_it_is_exact_and_meta_counts_them(doc_id):
    summary = offline(corpus_path(doc_id))
    items = summary.achievements + summary.problems + summary.plans
    assert all(item.alignment == ["exact"] * len(item.evidence) for item in items)
    assert all(m.alignment == "exact" for m in summary.metrics)
    counts = summary.meta.alignment
    assert (counts.folded, counts.repaired) == (0, 0)
    assert counts.exact == sum(len(i.evidence) for i in items) + len(summary.metrics) > 0


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("共受理案件12,345件", [("12345", None, "件")]),
        ("为6038万余件案件", [("6038", "余", "万件")]),
        ("总量突破90万亿元", [("90", None, "万亿元")]),
        ("培训1000人次以上", [("1000", "以上", "人次")]),
        ("提高5个百分点,新增8批次", [("5", None, "个百分点"), ("8", None, "批次")]),
        ("每案配备1—2名法官,增长6%-6.5%", []),  # the ends of a range are no facts
        ("2018年,收案3件", [("3", None, "件")]),  # a year is not a figure
        (
            "全年主动公开规章 22 件，粉丝数累积超 3170 万。",
            [("22", None, "件"), ("3170", None, "万")],
        ),
        # counting words of laws, problems and rounds; 部门 and 处理 are no units
        (
            "制定修订行政法规37部，发现问题12处，开展3轮",
            [("37", None, "部"), ("12", None, "处"), ("3", None, "轮")],
        ),
        ("会同12部门，已处理5批", [("5", None, "批")]),
        ("近14亿人口", [("14", None, "亿人口")]),
    ],
)
def test_figures_are_read_whole(text, figures):
    from summarizer.normalize import normalize
    from summarizer.offline.figures import Figures, parts

    view = normalize(text).view.text
    assert [parts(m)[1:] for m in Figures(view).matches] == figures


def test_a_speech_turns_from_results_to_shortcomings_to_tasks_without_headings():
    """过去一年… 在肯定成绩的同时，我们也要清醒看到… 新的一年 首先/其次/再次/最后: the
    genre's turns decide the sections; the preamble, the turn itself and the closing call
    are no points."""
    summary = offline(DATA / "speech_report.txt")
    texts = {s: [i.text for i in getattr(summary, s)] for s in SECTIONS}
    assert [t[:9] for t in texts["problems"]] == [
        "一些农村学校办学条",
        "部分学校安全管理制",
        "教师队伍老化问题比",
    ]
    assert [t[:8] for t in texts["plans"]] == [
        "要加快推进学校建",
        "要全面加强教师队",
        "要扎实抓好校园安",
        "要持续深化教育教",
    ]
    everything = " ".join(t for s in SECTIONS for t in texts[s])
    for not_a_point in ("今天召开", "清醒看到", "同志们", "让我们"):
        assert not_a_point not in everything
    assert all("新建" not in t for t in texts["achievements"])  # a task is no result


def test_a_report_stored_as_one_line_is_read_at_its_headings():
    line = (
        "关于2021年度工作的报告。一、工作开展情况全年完成售电量357.84亿千瓦时、同比增长17.46%。"
        + "公司开展各类活动，取得显著成效。" * 100
        + "二、存在的问题与不足（一）基层党建方面部分党支部规范化程度有待提升。"
        + "（二）干部队伍方面个别干部担当作为不够。"
        + "三、下一步工作打算（一）强化政治引领，推动学习教育走深走实。"
        + "（二）深化融入中心，促进价值创造。"
    )
    summary = offline(line)
    assert [i.text[:6] for i in summary.problems] == ["基层党建方面", "干部队伍方面"]
    assert [i.text[:6] for i in summary.plans] == ["强化政治引领", "深化融入中心"]
    # the heading's line runs on into its text, and its figures are read there
    assert ("357.84", "亿千瓦时") in {(m.value, m.unit) for m in summary.metrics}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_item_texts_keep_chinese_punctuation_and_balance_no_worse(doc_id):
    summary = offline(corpus_path(doc_id))
    for section in SECTIONS:
        for item in getattr(summary, section):
            assert len(item.text) <= 80
            assert not re.search(r"[\u4e00-\u9fff][,:;?!]|[,:;?!][\u4e00-\u9fff]", item.text), (
                item.text
            )


@given(st.text(alphabet="工作。;!?\n ,年", max_size=80), st.integers(0, 6))
def test_the_first_sentences_are_the_first_of_all_sentences(text, most):
    assert sentences(text, 0, len(text), most=most) == sentences(text, 0, len(text))[:most]


@given(st.text(alphabet="工。;!?\n,、:；a1 ", max_size=80))
def test_boundaries_by_array_are_the_boundary_marks(text):
    expected = [n for n, ch in enumerate(text) if ch in BOUNDARY_MARKS]
    assert Boundaries(text).at == expected
    for start in range(len(text) + 1):
        before = [n for n in expected if start <= n < len(text)]
        assert Boundaries(text).after_last(start, len(text)) == (before[-1] + 1 if before else None)


@given(
    st.lists(
        st.text(alphabet="一二三是要第首先其次最后,。;: \n工作名", max_size=30),
        min_size=1,
        max_size=6,
    )
)
def test_markers_found_once_are_those_a_scan_of_each_span_finds(lines):
    """Markers are found once per document and looked up per span: the same (start,
    words start) as scanning the span itself, for spans of whole lines."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for a in range(len(lines)):
        for b in range(a + 1, len(lines) + 1):
            lo, hi = starts[a], starts[b] - 1
            scanned = [
                (m.start() + len(m.group()) - len(m.group().lstrip()), m.end())
                for m in INLINE.finditer(text, lo, hi)
            ]
            assert [(k.at, k.words) for k in Markers(text).within(lo, hi)] == scanned
            assert bool(INLINE.search(text, lo, hi)) == bool(Markers(text).within(lo, hi))


@given(
    st.text(alphabet="工作abcXYZ１Ａａ é0,。\n\U00020000", max_size=300),
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=8),
    st.integers(1, 10),
    st.integers(0, 5),
)
def test_latin_heavy_by_array_equals_counting_by_hand(text, spans, letters, share):
    """By prefix sums over code points: the same as counting each span's ASCII letters
    and Han characters one by one, for every character class, surrogate pairs included."""
    spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in spans]
    expected = []
    for a, b in spans:
        latin = sum(ch.isascii() and ch.isalpha() for ch in text[a:b])
        han = sum(any(lo <= ord(ch) <= hi for lo, hi in HAN_RANGES) for ch in text[a:b])
        expected.append(latin >= letters and latin > share * han)
    assert latin_heavy(text, spans, letters, share) == expected


#: The pattern chinese_marks used before its mark-first fast form: the reference.
_REFERENCE_MARK = re.compile(f"(?<=[{HAN}”’》）])[,:;?!)]|[,:;?!(](?=[{HAN}“‘《（])")


@given(st.text(alphabet="工作年度,:;?!()”’》）“‘《（ 1a。", max_size=60))
def test_full_width_marks_fast_pattern_equals_the_reference(text):
    wide = str.maketrans(",:;?!()", "，：；？！（）")
    expected = _REFERENCE_MARK.sub(lambda m: m.group().translate(wide), text)
    assert chinese_marks(text) == expected


def test_a_markdown_report_reads_its_headings_and_its_tables_records():
    text = (
        "---\ntitle: 协会学期工作总结\n---\n\n# 工作总结\n\n"
        "| **时间** | **活动** | **结果及成果** |\n|---|---|---|\n"
        "| 十月十一日 | 招新 | 成功招收会员70多个，并让全校各个地 |\n"
        "|  |  | 方的同学都感受到协会的气息。 |\n|---|---|---|\n"
        "| 十月十八日 | 讲座 | 150人的教室无一空位，很多同学驻足学习。 |\n|---|---|---|\n"
        "| 合计 | 2 | 220 |\n|---|---|---|\n\n"
        "# 工作计划\n\n下学期协会将继续坚持每周一个讲座，让更多新生加入维修计划。\n"
    )
    summary = offline(text)
    evidence = [" ".join(i.evidence) for i in summary.achievements]
    assert len(evidence) == 2
    assert "70多个" in evidence[0] and "150人" in evidence[1]  # one item per record
    assert [i.text[:6] for i in summary.plans] == ["下学期协会将"]


@pytest.mark.parametrize(
    ("top", "title", "organization"),
    [
        ("各位代表：\n\n现在，我代表国务院，向大会报告政府工作，请予审议。", None, "国务院"),
        (
            "正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告根据条例编制。",
            "2025 年上海市人民政府办公厅政府信息公开工作年度报告",
            "上海市人民政府办公厅",
        ),
        (
            "---\ntitle: 计算机协会上半学期工作总结\ntags:\n---\n编写：会长",
            "计算机协会上半学期工作总结",
            None,
        ),
    ],
)
def test_the_title_is_found_where_the_genre_puts_it(top, title, organization):
    from summarizer.offline.header import organization_of, organizations, title_of

    text = read_document_text(top)
    found = title_of(text)
    assert found == title
    assert organization_of(text, organizations(text), set(), found) == organization


def read_document_text(raw: str) -> str:
    from summarizer.read import load

    return load(raw).normalized.view.text


def test_a_report_pasted_twice_gives_each_point_once():
    once = (DATA / "news_report.txt").read_text(encoding="utf-8")
    single, double = offline(once), offline(once + "\n" + once)
    for section in SECTIONS:
        texts = [i.text for i in getattr(double, section)]
        assert len(texts) == len(set(texts)) == len(getattr(single, section)), section


def test_a_figure_named_by_what_follows_it():
    text = (
        "一、执行工作情况\n全年执结案件3332件，执行到位金额61.1万元。截止7月31日，对186人发出限制消费令，"
        "将118人纳入失信被执行人名单。\n"
    )
    names = {m.value: m.name for m in offline(text).metrics}
    assert names["186"] == "发出限制消费令" and names["118"] == "纳入失信被执行人名单"
    assert names["3332"] == "执结案件"  # "全年" is no part of the name


def test_where_a_change_started_is_no_headline_figure():
    text = (
        "一、工作情况\n三年来，生效裁判文书的自动履行率逐年提高，从2015年的44.76%提高到2017年的56.97%。"
        "全年受理案件1200件，审结1150件。\n"
    )
    values = [m.value for m in offline(text).metrics]
    assert "56.97" in values and values.index("56.97") < values.index("44.76")


def test_a_change_is_named_by_what_changed_and_a_share_ranks_below_its_count():
    text = (
        "一、工作情况\n被判处三年有期徒刑以上刑罚的占比从45.4%降至21.3%。"
        "全年受理依申请公开1191件，其中不予公开20件，占1.68%。\n"
    )
    found = {m.value: m for m in offline(text).metrics}
    assert found["21.3"].name == "被判处三年有期徒刑以上刑罚的占比"  # not "…占比从45.4%"
    assert "45.4" not in found and "45.4%" in found["21.3"].evidence  # one metric, both ends
    values = [m.value for m in offline(text).metrics]
    assert values.index("20") < values.index("1.68")  # the share ranks below its count


def test_two_figures_of_one_name_are_told_apart_by_their_subject():
    text = (
        "一、审判工作\n新建2个速裁快审团队受案1343件，审结1318件，结案率达98.14%；"
        "1个派驻办案团队受案170件，结案166件，结案率97.65%。关税总水平由9.8%降至7.5%。\n"
    )
    summary = offline(text)
    names = {m.value: m.name for m in summary.metrics}
    assert names["98.14"] == "结案率（新建2个速裁快审团队受案）"
    assert names["97.65"] == "结案率（1个派驻办案团队受案）"
    assert len(set(names.values())) == len(names)  # each name once
    assert "9.8" not in names and names["7.5"] == "关税总水平"  # 7.5%'s quote shows 9.8%
    for m in summary.metrics:  # the quote shows the subject the name gives
        assert m.name.split("（")[-1].rstrip("）") in m.evidence


def test_a_bilingual_report_is_summarized_from_its_chinese():
    """Each line followed by its English translation: the English (and its headings) would
    repeat every point; a Chinese sentence naming a product in Latin letters is Chinese."""
    text = (
        "2023年度工作总结\n2023 Annual Work Summary\n\n一、主要工作成效\nI. Main achievements\n"
        "全年共受理案件1200件，审结1150件，结案率95.8%。\n"
        "We accepted 1,200 cases in the year and concluded 1,150, a clearance rate of 95.8%.\n"
        "上线GitHub Copilot辅助办公，文书撰写效率提升30%。\n"
        "We launched GitHub Copilot for office work, writing documents 30% faster.\n"
        "二、存在的问题\nII. Problems\n案多人少矛盾依然突出，审判力量不足。\n"
        "The imbalance between caseload and staff remains acute.\n"
        "三、下一步工作计划\nIII. Plans for next year\n进一步加强队伍建设，提升审判质效。\n"
        "We will further strengthen the team and improve trial quality.\n"
    )
    summary = offline(text)
    items = summary.achievements + summary.problems + summary.plans
    assert not [
        i.text for i in items if re.search(r"[A-Za-z]{4,}", i.text.replace("GitHub Copilot", ""))
    ]
    assert [len(summary.achievements), len(summary.problems), len(summary.plans)] == [2, 1, 1]
    assert "GitHub Copilot" in summary.achievements[1].text


def test_a_short_sentence_under_a_problems_heading_is_a_point():
    text = (
        "一、工作情况\n全年受理案件1200件，审结1150件。\n二、存在的问题\n队伍建设有待加强。\n"
        "信息化水平不高。\n三、下一步打算\n狠抓队伍建设。\n中华人民共和国著作权法\n"
    )
    summary = offline(text)
    assert [i.text for i in summary.problems] == ["队伍建设有待加强", "信息化水平不高"]
    assert [i.text for i in summary.plans] == ["狠抓队伍建设"]  # a footer line is no plan


#: Genres read section by section, with what each section's items open with.
GENRES = [
    pytest.param(
        (
            "开发成员们，您好！\n\n一、4月份取得的主要进展有：\n1、开发组有了初步的人员分工，各司其职。\n"
            "2、内部测试包已经发布，关注的朋友越来越多。\n\n二、4月份的工作失误和存在的问题有：\n"
            "1、开发组的组织和管理问题是当前最大的症结。\n2、小弟的时间不够，开发方案一拖再拖。\n\n"
            "三、5月份的工作计划：\n1、调整开发组组织结构，建立核心设计组。\n2、大力推广论坛和邮件列表。\n\n"
            "周劲羽\n2002-05-05\n\n附上一份调查（允许多选）：\n1、看到开发组的现状，您觉得：\n"
            "A.大失所望。\n2、您对每个月发布的工作总结的看法：\nA.形式主义，没有必要。\n"
        ),
        {"problems": ["开发组的组织", "小弟的时间不"], "plans": ["调整开发组组", "大力推广论坛"]},
        # "二、4月份的工作失误和存在的问题有：" opens problems; a survey attached after the
        # sign-off ("附上一份调查") is no part of the plans
        id="first-person-monthly-summary-and-its-attachment",
    ),
    pytest.param(
        (
            "关于作风建设的自查报告\n一、自查情况\n对照要求逐项自查，共梳理台账56本，检查案卷320卷。\n"
            "二、存在问题\n（一）学习不够深入，存在以干代学现象。\n（二）服务意识不强，窗口办事效率不高。\n"
            "三、原因分析\n（一）理论学习重视不够，没有把学习摆在重要位置。\n"
            "四、整改措施\n（一）加强理论学习，每月集中学习不少于2次。\n（二）优化办事流程，压缩办理时限。\n"
        ),
        {
            "problems": ["学习不够", "服务意识", "理论学习"],  # 原因分析 is still the problems
            "plans": ["加强理论", "优化办事"],  # 整改措施 are plans
            "achievements": ["对照要求"],
        },
        id="self-check-causes-and-remedies",
    ),
    pytest.param(
        (
            "XX区政府常务会议纪要\n2023年5月10日，区长主持召开区政府第12次常务会议，审议通过了《老旧小区改造实施方案》。\n"
            "会议指出，今年以来全区共完成老旧小区改造32个，惠及居民1.2万户。\n"
            "会议强调，要进一步加快项目建设进度，确保年底前全部完工。\n"
            "会议要求，各相关部门要加强协调配合，压实工作责任。\n"
        ),
        {"plans": ["会议强调", "会议要求"], "achievements": ["2023", "会议指出"]},
        id="meeting-directives-and-findings",
    ),
]


@pytest.mark.parametrize(("text", "expected"), GENRES)
def test_each_genre_is_read_into_its_sections(text, expected):
    summary = offline(text)
    for section, openings in expected.items():
        items = getattr(summary, section)
        assert len(items) == len(openings), (section, [i.text for i in items])
        for item, opening in zip(items, openings, strict=True):
            assert item.text.startswith(opening), (section, item.text)


def test_a_personal_report_names_its_unit_and_ends_before_its_closing_formula():
    text = (
        "2023年个人述职报告\n各位领导、同事：\n本人2023年担任XX县人民法院民事审判庭庭长，现报告如下：\n"
        "一、审判业绩\n全年共审结各类民事案件386件，结案率97.5%。\n"
        "二、今后努力方向\n一是加强学习，提升司法能力；二是加强调研，撰写调研文章不少于2篇。\n"
        "以上是我的述职报告，请各位领导和同事批评指正。\n"
    )
    summary = offline(text)
    assert summary.organization == "XX县人民法院"  # not "担任XX县人民法院"
    assert [i.text for i in summary.plans] == [
        "加强学习，提升司法能力",
        "加强调研，撰写调研文章不少于2篇",
    ]


def test_a_figure_with_a_magnitude_is_no_small_figure():
    text = "一、工作情况\n日均新设企业超过1.8万户，为企业减税降费约1.3万亿元，设立1个窗口。\n"
    units = {m.value: m.unit for m in offline(text).metrics}
    assert units == {"1.8": "万户", "1.3": "万亿元"}  # 1个窗口 stays out


def test_problems_counted_and_settled_are_work_done_not_a_turn():
    text = (
        "一、工作情况\n全年受理案件1200件，审结1150件。\n"
        "针对巡察反馈存在问题12个，制定整改措施35条，已全部整改到位。\n"
        "开展专项培训8期，培训干警600人次。\n"
    )
    summary = offline(text)
    assert not summary.problems and len(summary.achievements) == 3


@pytest.mark.parametrize("path", [corpus_path(d) for d in DOC_IDS] + FIXTURES, ids=lambda p: p.stem)
def test_the_figure_pattern_finds_what_it_finds_without_its_fast_start(path):
    """``METRIC`` opens with a lookahead that fails fast where no figure can start; the
    pattern without it is the reference, on whole (long) reports."""
    from summarizer.offline.figures import METRIC

    reference = re.compile(METRIC.pattern.replace("(?=[第\\d])", "", 1))
    assert reference.pattern != METRIC.pattern
    text = read_document(path).normalized.view.text
    assert [m.span() for m in METRIC.finditer(text)] == [m.span() for m in reference.finditer(text)]


def _once_reference(texts):
    """Each item once, the slow way: drop a text another holds (the later of two equals)."""
    return [
        t
        for n, t in enumerate(texts)
        if not any(m != n and t in u and (t != u or m < n) for m, u in enumerate(texts))
    ]


_TEXTS = st.lists(
    st.sampled_from(["审结案件", "审结案件1200件", "案件", "受理", "", "x审结"]), max_size=8
)


@given(_TEXTS, _TEXTS)
def test_each_item_once_within_its_section_equals_the_pairwise_reference(ours, theirs):
    """Items repeat within a section only: a problem whose text an achievement holds stays."""
    from summarizer.offline.items import once
    from summarizer.schemas import Item

    def items(texts):
        return [Item(text=t or "无", evidence=["全年审结案件"], spans=[(0, 6)]) for t in texts]

    kept = once({"achievements": items(ours), "problems": items(theirs), "plans": []})
    assert [i.text for i in kept["achievements"]] == _once_reference([t or "无" for t in ours])
    assert [i.text for i in kept["problems"]] == _once_reference([t or "无" for t in theirs])
    assert kept["plans"] == []


@pytest.mark.parametrize("path", [corpus_path(d) for d in DOC_IDS] + FIXTURES, ids=lambda p: p.stem)
def test_candidates_left_out_before_naming_could_not_rank_among_those_kept(path):
    """``keep`` skips naming a figure that cannot rank among the best ``keep``: the best
    ``keep`` results are those of the full candidate list, mention for mention."""
    from summarizer.offline import read_report
    from summarizer.offline.metrics import candidates
    from summarizer.offline.ranking import score

    doc = read_document(path)
    r = read_report(doc)
    keep = 5

    def top(found):
        results = [c for c in found if not c.target]
        return [
            (c.value, c.unit, c.start)
            for c in sorted(results, key=lambda c: -score(c.signals))[:keep]
        ]

    full = candidates(doc, r.figures, r.bounds, r.figure_points)
    pruned = candidates(doc, r.figures, r.bounds, r.figure_points, keep=keep)
    assert top(pruned) == top(full)
    assert [c for c in pruned if c.target] == [c for c in full if c.target]
