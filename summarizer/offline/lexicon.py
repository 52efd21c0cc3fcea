"""The cue words of the genre: which heading opens which section, which sentence is a
problem or a plan, what makes a paragraph concrete."""

from __future__ import annotations

import functools
import re

from summarizer.schemas import Section

__all__ = [
    "ACHIEVEMENT_HEAD",
    "ACTS_ON",
    "CONCRETE",
    "CONTEXT_HEAD",
    "FUTURE_WORDS",
    "LEAD_IN",
    "LEAD_IN_CHARS",
    "LOOKS_AHEAD",
    "LOOKS_BACK_OPENING",
    "NOT_A_POINT",
    "PAST_WORDS",
    "PLAN_CUE",
    "PLAN_HEAD",
    "PLAN_TURN",
    "PROBLEM_CUE",
    "PROBLEM_HEAD",
    "PROBLEM_TURN",
    "SALUTATION_NAMES",
    "SETTLED",
    "TURN_OPENS",
    "UNFOUND_CUES",
    "classify_heading",
    "heading_names_section",
    "opens_turn",
    "sentence_class",
]


# A problems heading opens or closes with its word: 存在的问题, 面临的困难和问题,
# 存在的问题及原因分析, 工作中的不足; not 坚持问题导向.
PROBLEM_HEAD = re.compile(
    r"^(存在|面临|当前|突出|主要)?的?(主要|突出)?(问题|困难|不足|短板|差距|瓶颈|挑战)"
    r"|(问题|困难|不足|短板|差距|薄弱环节|瓶颈|挑战|失误)(及.{0,8}|和.{0,8})?$"
    r"|原因分析|原因剖析|产生的原因|问题根源"  # why the problems arose: still the problems
)
# Not a bare 建议: 代表建议办理情况 reports work done.
PLAN_HEAD = re.compile(
    r"下一步|下步|下阶段|计划|打算|思路|今后|明年|来年|展望|意见和建议|意见建议|对策建议|几点建议|"
    r"努力方向|工作重点|主要举措|工作安排|设想|目标任务|20\d\d年(工作)?(安排|要点|思路|目标)|"
    r"工作任务|总体要求|政策取向|重点任务|主要任务|总体部署|工作部署|的建议$|"
    # a self-check's remedies, a plan's aims and means
    r"整改措施|改进措施|整改方向|改进方向|工作目标|主要目标|奋斗目标|保障措施"
)
ACHIEVEMENT_HEAD = re.compile(
    r"基本情况|做法|成效|成绩|亮点|进展|经验|主要工作|开展情况|完成情况|工作情况|取得|成果|回顾|"
    # not a bare 创新 or 特色: 坚持创新驱动 is a task
    r"(创新|特色)(亮点|做法|举措|工作|成果|成效|经验)|报告的事项|统计表|一览表|"
    r"调解过程|办理过程|办案过程|处理过程|裁判结果|处理结果|调解结果|办理结果|执行结果|工作措施|"
    r"落实情况|整改情况|工作总结|^总结|情况(?=\s|[:：]|$)"
)
#: Sections that give context, not results: a case's facts, its commentary.
CONTEXT_HEAD = re.compile(
    r"^(基本案情|案情|案情简介|案件事实|案件背景|背景|典型意义|法官说法|法官提示|法官点评|案例评析|"
    r"评析|点评|裁判要旨|裁判要点|相关法条|法律依据|编者按|关键词)"
)
#: A heading that looks back ("2018年工作回顾", "重点任务完成情况") is no plan.
_LOOKS_BACK = re.compile(r"回顾|完成情况|落实情况|进展情况|成效|成绩|以来")
#: A heading that opens with its problems, before anything else it names: 存在的问题及
#: 下一步打算, 主要问题和改进措施, 问题及原因 (not 困难群众帮扶, 问题线索处置: acts).
_PROBLEMS_FIRST = re.compile(
    r"^(?:(存在|面临|当前|突出|主要)的?(主要|突出)?(问题|困难|不足|短板|差距|瓶颈|挑战)"
    r"|(问题|困难|不足|短板|差距|瓶颈|挑战)(?=$|及|和|与|、|[:：]))"
)
#: Words that look like a section's name and are not one: 计划生育 is a policy.
_NOT_A_NAME = re.compile(r"计划生育|计划单列")

#: What a heading may end with after its name: "存在的问题有：", "主要进展如下".
_FILLER = re.compile(r"(有|如下|主要有|包括|是)?[:：]?$")


def _head(title: str) -> str:
    """A heading's words as its section is read from them: its first 30 characters, without
    a trailing filler (有：, 如下) or words that only look like a name (计划生育)."""
    return _NOT_A_NAME.sub("", _FILLER.sub("", title[:30]))


@functools.lru_cache(maxsize=4096)
def classify_heading(title: str) -> Section | None:
    head = _head(title)
    if CONTEXT_HEAD.match(head):
        return None
    if _PROBLEMS_FIRST.match(head):
        return "problems"  # 存在的问题及下一步打算, 主要问题和改进措施: the problems come first
    if PLAN_HEAD.search(head) and not _LOOKS_BACK.search(head):
        return "plans"
    if PROBLEM_HEAD.search(head):
        return "problems"
    if ACHIEVEMENT_HEAD.search(head):
        return "achievements"
    return None


#: A sub-heading that acts on problems names an act, not the problems: 着力解决突出问题,
#: 大力加强薄弱环节, 补齐短板.
ACTS_ON = re.compile(
    r"解决|加强|破解|整治|治理|化解|补齐|补短|攻坚|针对|聚焦|着力|重视|推动|推进|防范|应对|帮助|"
    r"帮扶|处置|清理|办理"
)


#: Words that name a review in a sub-heading (not 确保…取得成效: an aim).
_REVIEW_NAME = re.compile(r"回顾|完成情况|落实情况|进展情况|以来|取得的成绩|主要成绩|工作成效$")
#: Words that name the plans wherever they stand in a sub-heading; the others (工作重点,
#: 主要任务, 保障措施) name them only at its start or end: 把握工作重点，扎实推进… is an act.
_PLAN_NAME = re.compile(
    r"下一步|下步|下阶段|今后|明年|来年|展望|计划|打算|安排|整改措施|改进措施|努力方向|设想"
)


def heading_names_section(title: str, section: Section) -> bool:
    """Whether a sub-heading classified ``section`` names that section rather than an act
    inside another: a sub-heading overrides the section above it only then."""
    head = _head(title)
    if section == "problems":
        return not ACTS_ON.search(head)
    if section == "plans":
        named = PLAN_HEAD.search(head)
        return bool(_PLAN_NAME.search(head)) or (
            named is not None and (named.start() <= 2 or named.end() >= len(head) - 1)
        )
    return bool(_REVIEW_NAME.search(head))


#: The tense of a stretch, for a heading that names no section: a past told with 了 and its
#: results, a future with 要 / 将 and its aims (rates per 1,000 characters on the section
#: gold: 了 6.2 in reviews, 0.6 in plans; 要 3.1 and 8.6).
PAST_WORDS = re.compile(r"(?<![为除])了(?!解)|取得|比上年|同比|增长\d|一年来|去年")
#: 要 as a modal, not in 主要 / 重要 / 需要 / 要求 / 纲要; 将 not in 奖将 or 将近.
FUTURE_WORDS = re.compile(
    r"(?<![主重需纲摘概扼紧必])要(?![求点素件案闻])|将(?!近)|今年|明年|确保|力争|大力"
)
#: A paragraph that opens looking back, inside the plans: 过去一年, 一年来, 五年来.
LOOKS_BACK_OPENING = re.compile(r"^.{0,4}(过去(的)?(一|五|几)?年|一年来|五年来|去年|上一年)")
#: A paragraph that opens looking ahead, inside the review.
LOOKS_AHEAD = re.compile(
    r"^.{0,4}(下一步|下一阶段|下阶段|新的一年|今后|明年|来年|接下来|展望|我们将|今年(要|将))"
)
#: A lead-in that labels the list under it: it ends its paragraph with a colon.
LEAD_IN = re.compile(r"[^。！？!?]{0,30}(如下|以下|主要有|主要是|包括|有)?[:：]\s*$")
#: A lead-in is at most this long: it introduces a list and is no point of its own.
LEAD_IN_CHARS = 40


# Sentence cues, for reports without section headings (and the turns they take).
PROBLEM_CUE = re.compile(
    r"还需|有待|不够|不足|短板|差距|薄弱|滞后|不到位|欠缺|亟待|未能|未达到|没有达到|没有完成|缓慢|停滞|瓶颈|"
    r"(存在|仍有|还有|面临|出现).{0,30}(问题|困难|挑战|矛盾|风险|隐患)"
)
#: A plan sentence opens with its cue, perhaps after a short lead-in ("会议要求，"); a
#: meeting's directives open with the meeting ("会议强调，要…"; not "会议指出", a finding).
PLAN_CUE = re.compile(
    r"^(?:(?:会议|会上)(?:强调|要求|提出|部署|明确)|"
    r"(?:[^,。]{0,8}[,:])?(下一步|下一阶段|下阶段|今后|明年|来年|接下来|我们将|拟|计划|力争|"
    r"将继续|将进一步|将持续|将着力|将全力|将加快|将坚持|将深入|"
    r"要(?:进一步|继续|持续|加快|加强|切实|着力|坚持|全力|深入|扎实)))"
)
#: Where a report turns from its results to what it admits, without a heading:
#: "在充分肯定成绩的同时，要清醒看到…", "我们也清醒认识到…", "工作中还存在一些不足".
#: What a turn admits after 存在 / 还有 / 仍有: (不少)…问题, 不足, 差距, 短板.
_ADMITTED = r"(?:的|一些|不少|许多)?[^。,;:]{0,6}(?:问题|不足|差距|短板)"
PROBLEM_TURN = re.compile(
    # every alternative opens with a literal: the scan skips in C to where one could
    # start (3x faster than a lookahead first, and than groups first)
    r"肯定成绩的同时|肯定成就的同时|看到成绩的同时|看到成就的同时|清醒地?(?:看到|认识到)|"
    r"也要看到|也应当?看到|同时也要?看到|"
    rf"存在{_ADMITTED}|还有(?![效力益]){_ADMITTED}|仍有{_ADMITTED}|"
    r"不足之处|问题和不足|差距和不足|困难和(?:问题|挑战)"
)
#: A turn opens its sentence: the cue within this many characters of its start
#: ("我们也要清醒看到", "在看到成绩的同时，我们也应清醒地认识到").
TURN_OPENS = 16
#: ... unless the sentence counts or settles them: "巡察反馈存在问题12个，已全部整改" reports
#: work done (a turn states shortcomings; it neither counts nor closes them).
SETTLED = re.compile(r"整改|解决|查摆|销号|\d")
#: Where a report turns to what comes next, without a heading.
PLAN_TURN = re.compile(r"(下一步|下一阶段|新的一年|今后|明年|来年|展望)")


def opens_turn(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` turns to what the report admits: the cue
    opens it ("在肯定成绩的同时…", "但也存在…"), it does not count or settle them ("存在
    问题12个，已全部整改"), and no act comes with them ("针对…困难和问题", "补齐了…短板")."""
    turn = PROBLEM_TURN.search(text, start, end)
    return (
        turn is not None
        and turn.start() - start <= TURN_OPENS
        and not SETTLED.search(text, start, end)
        and not ACTS_ON.search(text, start, turn.end())
    )


#: What makes a paragraph concrete: a figure, a 《document》, an act that leaves a trace.
CONCRETE = re.compile(r"\d|《|出台|印发|制定|成立|建成")


#: What is never a point, wherever it stands: a dateline or subtitle
#: (——二〇二六年三月九日在…会议上), a wire-service or newspaper credit, a contact line.
NOT_A_POINT = re.compile(
    # a subtitle's dateline (——二〇二六年三月九日在…), a date alone on its line
    r"\s*(?:——\s*[〇一二三四五六七八九十零\d]{2,4}年[〇一二三四五六七八九十\d]{1,2}月|"
    r"[〇一二三四五六七八九十零\d]{2,4}年[〇一二三四五六七八九十\d]{1,2}月[〇一二三四五六七八九十\d]{1,3}日\s*$|"
    # a credit
    r"(?:新华社|中新社|人民网|新华网|央视网|本报|本刊)[^。]{0,16}(?:电|讯)|[(（]记者|"
    # a contact field: its name, a colon, a number or an address
    r"(?:联系电话|联系人|电话|传真|邮箱|电子邮件|E-?mail|QQ群?|微信群?|地址|邮编)\s*[:：]\s*[A-Za-z0-9@._+()-]*\d)",
    re.IGNORECASE,
)


#: Who a speech or a report to a congress calls on: its salutation (各位代表！).
SALUTATION_NAMES = r"各位代表|同志们|各位委员|各位同志|各位领导"
#: The cues that tell a section is there, whatever the engine found: for the warning on an
#: empty problems or plans section.
UNFOUND_CUES: dict[str, re.Pattern[str]] = {
    "problems": re.compile(
        r"存在的问题|问题和不足|不足之处|短板|差距|薄弱环节|有待(?:加强|提高|提升)"
    ),
    "plans": re.compile(
        r"下一步|下一阶段|下阶段|今后|明年|来年|新的一年|工作计划|工作打算|计划如下"
    ),
}


def sentence_class(sentence: str) -> Section:
    if PLAN_CUE.search(sentence):
        return "plans"
    if PROBLEM_CUE.search(sentence):
        return "problems"
    return "achievements"
