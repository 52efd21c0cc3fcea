"""The section reader (#26): every label is data with its reason, decided by headings where
the report has them, by turns, lead-ins and cues inside them, by the tense of an unnamed
heading's paragraphs; the points follow it; ranges tile the file for people and the eval."""

from __future__ import annotations

import itertools
import json

import pytest

from summarizer.cli import main
from summarizer.offline import read_report, section_ranges, summarize_offline
from summarizer.read import Document
from summarizer.render import NOT_FOUND, to_markdown
from summarizer.schemas import SECTIONS


def doc(text: str) -> Document:
    return Document(doc_id="t", raw=text)


def sections_of(text: str) -> list[tuple[str, str, str]]:
    """(section, basis, the range's first words) for each range, none left out."""
    d = doc(text)
    return [(r.section, r.basis, d.raw[r.start : r.end].strip()[:6]) for r in section_ranges(d)]


def texts(text: str) -> dict[str, list[str]]:
    summary = summarize_offline(doc(text))
    return {s: [i.text for i in getattr(summary, s)] for s in SECTIONS}


HEADED = """甲县人民法院2023年工作总结

一、主要工作
（一）着力解决执行难问题。全年执结案件1200件，执行到位金额3.2亿元。
（二）深化诉源治理。诉前调解成功860件，同比增长12%。
二、存在的问题
一是案多人少矛盾突出，员额法官人均结案300件。二是信息化水平有待提高，系统运行不够稳定。
三、下一步工作打算
（一）持续提升审判质效，力争结案率达到95%以上。
（二）加强队伍建设，开展专题培训。
"""


def test_headings_decide_and_a_sub_heading_that_acts_on_problems_stays_where_it_is():
    ranges = sections_of(HEADED)
    assert [s for s, _, _ in ranges] == ["none", "achievements", "problems", "plans"]
    assert all(basis == "heading" for s, basis, _ in ranges if s != "none")
    got = texts(HEADED)
    assert [t[:6] for t in got["achievements"]] == ["着力解决执行", "深化诉源治理"]
    assert [t[:6] for t in got["problems"]] == ["案多人少矛盾", "信息化水平有"]
    assert [t[:6] for t in got["plans"]] == ["持续提升审判", "加强队伍建设"]


def test_every_label_says_why_and_how_strongly():
    reading = read_report(doc(HEADED))
    problems = next(x for x in reading.sections.labels if x.section == "problems")
    assert problems.basis == "heading" and problems.strength == 1.0
    assert "存在的问题" in problems.reason


REVIEW_THEN_TURN = """各位代表：

一、过去一年工作回顾
过去一年，我们全力稳增长。地区生产总值增长6.5%，财政收入增长8%。
着力改善民生。新增就业1.2万人，新建学校3所。
在看到成绩的同时，我们也清醒地认识到，发展中还存在不少问题，主要表现在：产业结构不优，新动能培育不足；财政收支矛盾突出，刚性支出持续增长；营商环境有待优化。对此，我们将认真加以解决。
二、今年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业1万人以上。
过去一年，乡村振兴取得新成效。新的一年，要继续巩固拓展脱贫攻坚成果。
各位代表！
让我们团结一心，奋力谱写新篇章！
"""


def test_a_turn_in_the_review_opens_problems_one_point_per_admission():
    got = texts(REVIEW_THEN_TURN)
    assert [t[:6] for t in got["problems"]] == ["产业结构不优", "财政收支矛盾", "营商环境有待"]
    assert not any("认真加以解决" in t for t in got["problems"])  # its plan-like close
    ranges = sections_of(REVIEW_THEN_TURN)
    turn = next(r for r in ranges if r[0] == "problems")
    assert turn[1] == "turn" and turn[2].startswith("在看到成绩")


def test_a_look_back_inside_the_plans_and_the_closing_words():
    ranges = sections_of(REVIEW_THEN_TURN)
    sections = [s for s, _, _ in ranges]
    assert sections[-1] == "none" and ranges[-1][2].startswith("各位代表")
    looked_back = [r for r in ranges if r[1] == "cue" and r[0] == "achievements"]
    assert looked_back and looked_back[0][2].startswith("过去一年")
    got = texts(REVIEW_THEN_TURN)
    assert not any("团结一心" in t for s in SECTIONS for t in got[s])  # a closing call


def test_the_targets_the_plans_set_are_metrics_named_as_targets():
    summary = summarize_offline(doc(REVIEW_THEN_TURN))
    targets = {(m.value, m.unit) for m in summary.metrics if m.name.endswith("（目标）")}
    results = {(m.value, m.unit) for m in summary.metrics if not m.name.endswith("（目标）")}
    assert {("6", "%"), ("1", "万人")} <= targets
    assert ("6.5", "%") in results and ("6", "%") not in results


LEAD_IN = """某开发组2012年工作总结

一、发布 1.0 正式版，增加对新平台的支持。
二、公益基金继续公开接受用户捐助。
三、每月活动用户数已超过五万。

2013 年开发组的计划如下：

一、继续增强功能、修复 Bug。
二、进一步加强国内外的宣传工作。
三、补充和完善各类文档。
"""


def test_a_lead_in_labels_the_list_that_starts_again_at_one():
    got = texts(LEAD_IN)
    assert [t[:4] for t in got["achievements"]] == ["发布 1", "公益基金", "每月活动"]
    assert [t[:4] for t in got["plans"]] == ["继续增强", "进一步加", "补充和完"]
    assert any(basis == "lead-in" for _, basis, _ in sections_of(LEAD_IN))


FLATTENED = (
    "本报告根据条例编制。一、总体情况 2023年，本区坚持依法公开，主动公开信息6289条。"
    "二、主动公开政府信息情况 规章000行政规范性文件77132470"
    "三、收到和处理政府信息公开申请情况 本年新收申请数量80 1000081"
    "四、存在的主要问题及改进情况存在的问题主要有以下几个方面：一是部分单位信息发布属性界定还不够精确；"
    "二是开拓创新不够有力。2024年，我区将采取以下措施加以改进：一是加大政务公开检查力度，定期抽查。"
    "二是提升政务公开内容质量，清理栏目噪音。五、其他需要报告的事项 本年度未收取信息处理费。"
)


def test_numbered_headings_run_on_in_one_line_and_a_lead_in_inside_a_paragraph():
    ranges = sections_of(FLATTENED)
    assert [s for s, _, _ in ranges if s != "none"] == [
        "achievements",
        "achievements",
        "achievements",
        "problems",
        "plans",
        "achievements",
    ]
    got = texts(FLATTENED)
    assert [t[:6] for t in got["problems"]] == ["部分单位信息", "开拓创新不够"]
    assert [t[:6] for t in got["plans"]] == ["加大政务公开", "提升政务公开"]


UNNAMED = """市政府工作报告

一、2022年工作回顾
全年完成了固定资产投资120亿元，比上年增长10%，取得了明显成效。
二、坚持创新驱动
要加快建设创新平台，今年要新建研发中心3个，确保研发投入增长15%。将大力培育高新技术企业，力争新增20家。
三、持续改善民生
要扩大就业，今年要新增就业5000人，将确保养老金按时足额发放。
"""


def test_an_unnamed_heading_takes_the_tense_of_its_own_paragraphs():
    ranges = sections_of(UNNAMED)
    voted = [(s, basis) for s, basis, first in ranges if first.startswith(("二、", "三、"))]
    assert voted == [("plans", "vote"), ("plans", "vote")]
    got = texts(UNNAMED)
    assert [t[:4] for t in got["plans"]] == ["要加快建", "要扩大就"]  # a point per paragraph
    assert [t[:4] for t in got["achievements"]] == ["全年完成"]


def test_debris_is_no_point_but_a_table_still_gives_figures():
    text = (
        "某单位2023年工作总结\n\n"
        "——2024年1月5日在全体职工大会上\n\n"
        "新华社北京1月6日电\n\n"
        "一、主要工作\n"
        "全年完成项目验收12个，客户满意度达98.5%。\n"
        "| 指标 | 数量 |\n|---|---|\n| 新签合同金额 | 326万元 |\n"
        "联系电话：0471-1234567\n"
    )
    summary = summarize_offline(doc(text))
    items = [i.text for s in SECTIONS for i in getattr(summary, s)]
    for debris in ("2024年1月5日", "新华社", "联系电话", "| 指标", "|---"):
        assert not any(debris in t for t in items), debris
    assert ("326", "万元") in {(m.value, m.unit) for m in summary.metrics}


def test_an_empty_section_says_not_found_and_a_missed_one_is_warned_about():
    text = (
        "某中心2023年工作总结\n\n全年接待来访群众3200人次，办结率达99%。\n\n"
        "当前工作中仍有短板，队伍建设存在差距，人员流动较大的薄弱环节仍需补齐。\n"
    )
    summary = summarize_offline(doc(text))
    if not summary.problems:  # the engine missed them: the summary must not say "none"
        assert any("no problems were found" in w for w in summary.meta.warnings)
    markdown = to_markdown(summary)
    assert NOT_FOUND in markdown and "文档未提及" not in markdown


def test_sections_command_prints_the_ranges_and_json_tiles_the_file(tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text(HEADED, encoding="utf-8")
    assert main(["sections", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(
        "problems" in line and "heading 1.0" in line and "存在的问题" in line for line in lines
    )
    assert main(["sections", str(path), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    ranges = record["ranges"]
    assert ranges[0]["start"] == 0 and ranges[-1]["end"] == len(HEADED)
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(ranges))
    assert all(r["first"] == HEADED[r["start"] : r["start"] + 20] for r in ranges)


@pytest.mark.parametrize("text", [HEADED, REVIEW_THEN_TURN, LEAD_IN, FLATTENED, UNNAMED, "", "一"])
def test_ranges_tile_the_raw_text_whatever_it_holds(text):
    d = doc(text)
    ranges = section_ranges(d)
    if not text.strip():
        assert all(r.section == "none" for r in ranges)
        return
    assert ranges[0].start == 0 and ranges[-1].end == len(text)
    assert all(a.end == b.start and a.start < a.end for a, b in itertools.pairwise(ranges))


def test_every_figure_a_statement_of_targets_lists_is_a_target():
    text = (
        "市政府工作报告\n\n一、2023年工作回顾\n全年地区生产总值增长5.2%，财政收入达到2.3万亿元。\n"
        "二、2024年工作安排\n今年经济社会发展的主要预期目标是：地区生产总值增长6%；"
        "城镇新增就业1.2万人；居民消费价格涨幅3%。要抓好以下工作。\n"
        "完成投资120亿元的项目建设。\n"
    )
    summary = summarize_offline(doc(text))
    targets = {(m.value, m.unit) for m in summary.metrics if m.name.endswith("（目标）")}
    assert targets == {("6", "%"), ("1.2", "万人"), ("3", "%")}  # the list, not what follows
    results = {(m.value, m.unit) for m in summary.metrics if not m.name.endswith("（目标）")}
    assert {("5.2", "%"), ("2.3", "万亿元")} <= results


def test_a_larger_magnitude_never_weighs_less():
    from summarizer.offline.ranking import unit_weight as _unit_weight

    assert _unit_weight("万亿元") > _unit_weight("亿元") >= _unit_weight("元")
    assert _unit_weight("万亿美元") > _unit_weight("美元")
    assert _unit_weight("万吨") > _unit_weight("吨")


def test_a_review_written_before_the_first_heading_is_read_and_its_turn_found():
    """A report that opens with its year under no heading and numbers only its tasks: the
    opening is no preamble (its paragraphs are long), its points are read, and a turn that
    names 突出矛盾和问题 opens its problems."""
    text = (
        "政府工作报告\n\n各位代表：\n\n"
        "过去一年，全市经济保持平稳较快发展。地区生产总值增长7.5%，财政收入增长9%，"
        "固定资产投资增长12%，社会消费品零售总额增长11%，进出口总额增长6%，"
        "各项事业取得了新进展，人民生活水平持续提高。\n\n"
        "着力改善民生。全年新增就业3.2万人，新建保障性住房5000套，完成了棚户区改造任务，"
        "城乡居民收入分别增长8%和10%，基本养老保险参保人数达到120万人。\n\n"
        "但是，经济社会发展中仍然存在一些突出矛盾和问题。产业结构不合理，自主创新能力不强；"
        "财政收支矛盾突出，刚性支出增加较快；城乡区域发展不平衡，群众关心的一些问题还没有解决好。\n\n"
        "一、扩大内需，保持经济平稳较快发展\n"
        "要加快重点项目建设，今年要完成投资200亿元。要扩大消费，将大力培育消费热点。\n"
        "二、加快转变发展方式\n"
        "要大力发展现代服务业，将加快推进产业结构调整，确保服务业增加值增长10%。\n"
    )
    got = texts(text)
    assert [t[:4] for t in got["achievements"]] == ["过去一年", "着力改善"]
    assert [t[:6] for t in got["problems"]] == ["产业结构不合", "财政收支矛盾", "城乡区域发展"]
    assert len(got["plans"]) == 2


def test_a_report_that_opens_with_a_lead_in_inside_its_paragraph_is_read_and_shown():
    text = "2024年,将采取以下措施:一是加强队伍建设;二是推进信息化。\n全年办结案件1200件。\n"
    ranges = section_ranges(doc(text))
    assert ranges[0].start == 0 and ranges[-1].end == len(text)
    assert any(r.section == "plans" and r.basis == "lead-in" for r in ranges)
    inside = (
        "一、主要工作\n全年办结案件1200件。\n2024年,将采取以下措施:一是加强队伍;二是推进信息化。"
    )
    assert "plans" in {s for s, _, _ in sections_of(inside)}  # its paragraph's first sentence


def test_this_year_in_a_year_end_summary_is_the_year_reviewed():
    text = (
        "2023年工作总结\n今年我们完成了各项任务，全年办结案件1200件，同比增长12%。\n"
        "我们加强了队伍建设，开展培训20次。\n"
    )
    assert texts(text)["plans"] == []
    assert sections_of("一、今年主要工作\n全年新增就业1200人，开展了招聘会20场。")[0][0] != "plans"


def test_a_completed_target_is_a_result_and_an_act_on_a_shortfall_no_turn():
    review = (
        "过去一年，全年主要目标任务全面完成，地区生产总值增长6.2%，一般公共预算收入达到520亿元，"
        "城镇新增就业12万人。"
    )
    summary = summarize_offline(doc("一、工作回顾\n" + review + "\n"))
    assert not any(m.name.endswith("（目标）") for m in summary.metrics)
    acted = (
        "一、主要工作\n全年新建学校3所，新增学位2000个。同时还有效补齐了教育短板。"
        "新建医院2所，新增床位500张。\n"
    )
    assert texts(acted)["problems"] == []


@pytest.mark.parametrize(
    "line",
    [
        "电话回访当事人356人次，满意率达到98%，群众满意度明显提升。",
        "邮箱受理群众来信45件，全部按期办结回复。",
        "记者节期间开展新闻宣传活动3场，发稿20篇。",
        "——2023年全市地区生产总值增长5.2%，经济运行稳中向好。",
    ],
)
def test_a_point_that_opens_like_debris_is_still_a_point(line):
    got = texts("一、主要工作\n" + line + "\n开展普法宣传活动20场，覆盖群众3000人次。\n")
    assert len(got["achievements"]) == 2


def test_a_heading_after_a_salutation_is_no_closing_words_and_acts_are_no_problems():
    text = (
        "一、工作回顾\n全年完成投资120亿元，增长10%。\n二、今年工作安排\n要加快项目建设，确保投资增长8%。\n"
        "各位代表！\n三、加强政府自身建设\n要全面加强政府建设，提高行政效能，建设人民满意的政府。\n"
    )
    assert any(t.startswith("要全面加强") for t in texts(text)["plans"])
    headed = (
        "一、主要工作\n（一）困难群众帮扶\n发放救助金300万元，帮扶困难群众1200户。\n"
        "（二）问题线索处置\n处置问题线索45件，全部办结。\n"
    )
    assert texts(headed)["problems"] == []


def test_numbered_headings_run_on_only_in_turn():
    from summarizer.offline.outline import _next_headings

    assert _next_headings("完成任务,一、加强学习" * 50) == []  # 一、 after a comma opens nothing
    line = "前言。一、总体情况 全年办结1200件二、主要做法 见下三、存在问题 人手不足"
    assert [line[c : c + 2] for c in _next_headings(line)] == ["一、", "二、", "三、"]


def test_the_headings_under_a_lead_in_and_their_paragraphs_are_its_list():
    text = (
        "一、主要工作\n全年办结案件1200件。\n"
        "为进一步做好明年各项工作，结合本院实际，明年的工作安排主要有：\n"
        "（一）加强队伍建设\n组织培训30次，确保取得实效。\n（二）推进信息化\n建设系统2个。\n"
        "二、存在的问题\n一是人手不足，案多人少矛盾突出。\n"
    )
    ranges = sections_of(text)
    assert [s for s, _, _ in ranges] == ["achievements", "plans", "problems"]
    assert ranges[1][1] == "lead-in" and ranges[1][2].startswith("（一）")


def test_a_range_starts_its_line_with_its_indentation():
    text = (
        "2023年工作总结\n　　一、主要工作\n　　全年办结案件1200件。\n"
        "　　二、存在的问题\n　　一是人手不足。\n"
    )
    starts = [r.start for r in section_ranges(doc(text))]
    assert all(a == 0 or text[a - 1] == "\n" for a in starts)


def test_a_lead_in_that_introduces_the_whole_report_opens_no_list_of_plans():
    text = (
        "某院2023年工作总结\n现将我院2023年工作开展情况和2024年工作计划报告如下：\n"
        "一、全年办结案件1200件，结案率达98%。\n二、开展普法宣传活动20场，覆盖群众3000人次。\n"
    )
    got = texts(text)
    assert len(got["achievements"]) == 2 and got["plans"] == []
