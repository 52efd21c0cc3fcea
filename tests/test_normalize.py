"""Normalization: debris out, offsets always back to raw (property-based), reading real files."""

from __future__ import annotations

import codecs
import re
from types import SimpleNamespace

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.errors import InputError
from summarizer.normalize import (
    FRAGMENT_KEY,
    FRAGMENT_VIEW,
    VIEW,
    MappedText,
    chars,
    clean,
    fold,
    is_debris_line,
    normalize,
)
from summarizer.normalize.stages import KEY
from summarizer.read import decode, read_document
from tests.conftest import CORPUS, DOC_IDS, corpus_path

# ----------------------------------------------------------------- offsets, by property

HAN = "法院审判执行案件调解工作年度总结现场会议发展实际经济国际问题计划队伍建设"
TRADITIONAL = "審執結現場會議發實際經濟國計劃隊伍建設"
PINYIN = ["(xiàn)", "(shí)", "(fā)", "（jì）", "(hui4)"]
WIDE = "ＡＢＣ１２３４，。：（）"
SPACES = [" ", "　", "\t", "\n", "\r\n", "\u200b", "\ufeff", "\n\n\n"]
MARKS = [*'“”"「」—-,，、;；', "1,343", "98.14%"]
DEBRIS = [
    "\n当前位置:首页 > 工作总结 > 正文\n",
    "\n推荐访问:工作总结 法院 审判\n",
    "\n時間:2024-03-28 10:54:01 來源:網友投稿\n",
    "\n下面是小编为大家整理的工作总结,供大家参考。\n",
    "\n文章来源: https://example.com/a/1.html\n",
    "\n欢迎来到专业的秘书网平台! 工作总结 工作计划 心得体会 思想汇报\n",
    "\n【打印】【关闭】\n",
    "\n扫一扫在手机打开当前页\n",
    "\n首页 | 法院动态 | 审判执行 | 司法公开\n",
    "(完整文档)",
]

pieces = st.one_of(
    st.text(alphabet=HAN + TRADITIONAL, min_size=1, max_size=6),
    st.sampled_from(list(TRADITIONAL)).map(lambda c: c + "(xiàn)"),
    st.sampled_from(PINYIN),
    st.text(alphabet=WIDE, min_size=1, max_size=3),
    st.sampled_from(SPACES),
    st.sampled_from(MARKS),
    st.sampled_from(DEBRIS),
)
documents = st.lists(pieces, min_size=1, max_size=40).map("".join)


def digits_joined(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d)", "", text)


@settings(max_examples=300, deadline=None)
@given(raw=documents, data=st.data())
def test_any_key_span_maps_to_raw_that_folds_back(raw, data):
    n = normalize(raw)
    if not n.key.text:
        return
    start = data.draw(st.integers(0, len(n.key.text) - 1))
    end = data.draw(st.integers(start + 1, len(n.key.text)))
    rs, re_ = n.key.raw_span(start, end)
    assert 0 <= rs < re_ <= len(raw)
    # Equal up to a comma between digits: "1,343" folds to "1343", but a fragment that
    # cuts it to "1,3" no longer shows a thousands separator.
    assert digits_joined(normalize(raw[rs:re_]).key.text) == digits_joined(n.key.text[start:end])


@settings(max_examples=300, deadline=None)
@given(raw=documents, data=st.data())
def test_any_view_span_maps_to_raw_that_normalizes_back(raw, data):
    n = normalize(raw)
    if not n.view.text.strip():
        return
    start = data.draw(st.integers(0, len(n.view.text) - 1))
    end = data.draw(st.integers(start + 1, len(n.view.text)))
    rs, re_ = n.view.raw_span(start, end)
    fragment = normalize(raw[rs:re_]).view.text
    assert fragment.split() == n.view.text[start:end].split()  # equal up to edge whitespace


@settings(max_examples=200, deadline=None)
@given(raw=documents)
def test_views_are_clean(raw):
    n = normalize(raw)
    for gone in ("(xiàn)", "当前位置", "小编", "https://", "打印", "完整文档", "\ufeff", "\u200b"):
        assert gone not in n.view.text
    assert len(n.view.origin) == len(n.view.text) and len(n.key.origin) == len(n.key.text)
    assert n.key.text == fold(n.view.text)
    assert n.view.text == opencc.OpenCC("t2s").convert(n.view.text)  # already Simplified


# ----------------------------------------------------------------- debris, on real pages


def test_template_site_debris_is_removed_and_report_text_kept():
    raw = corpus_path("003_952be00836213ecb").read_text(encoding="utf-8")
    view = normalize(raw).view.text
    for debris in (
        "唐家秘书网",
        "当前位置",
        "网友投稿",
        "小编",
        "推荐访问",
        "猜你喜欢",
        "(完整文档)",
    ):
        assert debris not in view
    assert view.startswith("人民法院公开及审判运行机制改革工作总结")
    assert view.rstrip().endswith("作为责任追究的依据。")


TAIL = (
    "猜你喜欢\n"
    "法院年度工作总结范文\n"
    "今年以来,我院在市委的坚强领导下,认真履行审判职能,各项工作取得新成效。\n"
    "检察院工作总结3篇\n"
    "版权所有 © 某某范文网\n"
)


#: Snippets one after another, no titles between, each cut short as a site cuts them.
SNIPPETS = "".join(
    f"法院工作总结范文{n}:今年以来,我院在市委的坚强领导下,认真履行审判职能,坚持公正司法,"
    "深入推进诉源治理,各项工作取得新成效。审判质效稳步提升,队伍建设持续加强,为..."
    "\n"
    for n in range(8)
)


@pytest.mark.parametrize("tail", [TAIL, "猜你喜欢\n" + SNIPPETS])
def test_a_sites_tail_of_links_and_snippets_is_dropped(tail):
    view = normalize("一、工作情况\n今年审结案件1343件。\n" + tail).view.text
    assert view.strip() == "一、工作情况\n今年审结案件1343件。"


@pytest.mark.parametrize("second", ["000_1cceb1fd464775c5", "b05_yulin_dangjian_selfeval_2021"])
def test_a_report_after_a_sites_tail_is_kept_with_its_title(second):
    """Pages saved into one file, reports bound together: the tail of the first page ends
    where a report's prose begins (b05 is one 7,700-character line)."""
    first = corpus_path("003_952be00836213ecb").read_text(encoding="utf-8")
    other = corpus_path(second).read_text(encoding="utf-8")
    alone = normalize(other).view.text
    bound = normalize(first + "\n" + TAIL + "\n" + other).view.text
    assert bound.endswith(alone.strip() + "\n") or bound.endswith(alone.strip())
    assert "猜你喜欢" not in bound and "检察院工作总结3篇" not in bound


@pytest.mark.parametrize("doc_id", ["000_1cceb1fd464775c5", "002_22b2fcdac678e5fd"])
def test_clean_reports_lose_no_line(doc_id):
    raw = corpus_path(doc_id).read_text(encoding="utf-8")
    assert [fold(line) for line in raw.splitlines() if line.strip()] == [
        fold(line) for line in normalize(raw).view.text.splitlines() if line.strip()
    ]


def test_circled_list_numbers_stay_list_numbers():
    assert normalize("着力打造①达X中心,②2022年建成").view.text == "着力打造(1)达X中心,(2)2022年建成"


@pytest.mark.parametrize(
    "line",
    [
        "一、基本情况",
        "今年共审结案件1343件,同比上升5%。",
        "打造“一站式”诉讼服务中心,方便群众办理立案、缴费、查询等事项。",
        "办理时间:工作日上午9时至12时。",
        "三是开展“法律六进”活动23场次,发放宣传资料2000余份。",
        "(一)推行扫码立案",
        "开通微信公众号",
        "以下是我们的几点体会:",
        "工 作 总 结",
        "群众可通过12368热线联系我们",
    ],
)
def test_report_lines_are_not_debris(line):
    assert not is_debris_line(clean(line))


@pytest.mark.parametrize("line", [d.strip() for d in DEBRIS if d.startswith("\n")])
def test_debris_lines(line):
    assert is_debris_line(clean(line))


def test_title_tags_from_template_sites_go():
    assert normalize("法院工作总结(完整文档)\n正文。").view.text == "法院工作总结\n正文。"
    assert normalize("实施办法(试行)").view.text == "实施办法(试行)"


# ----------------------------------------------------------------- reading real files

REPORT = corpus_path(DOC_IDS[0]).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_encodings_decode_to_the_same_text(encoding, tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(REPORT.encode(encoding))
    doc = read_document(path)
    assert doc.raw == REPORT
    assert path.read_text(encoding=doc.encoding) == doc.raw  # the encoding reported reproduces raw


def test_big5_traditional(tmp_path):
    traditional = opencc.OpenCC("s2tw").convert(REPORT)
    path = tmp_path / "big5.txt"
    path.write_bytes(traditional.encode("big5hkscs", errors="strict"))
    doc = read_document(path)
    assert doc.raw == traditional and doc.encoding == "big5hkscs"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("现场会议召开，审判工作", "gb18030"), ("現場會議召開，審判", "big5hkscs")],
)
def test_short_ambiguous_chinese_is_told_apart(text, encoding):
    assert decode(text.encode(encoding)) == (text, encoding)


def test_line_endings_and_nul_bytes():
    text, _ = decode("第一行\r\n第二行\r第三行\x00。".encode())
    assert text == "第一行\n第二行\n第三行\x00。"
    assert normalize(text).view.text == "第一行\n第二行\n第三行。"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
        (bytes(range(256)) * 8, "binary"),
        (b"  \n\t ", "empty"),
        (codecs.BOM_UTF8 + b"\xff\xfe bad", "BOM"),
    ],
)
def test_non_text_is_refused_with_one_line(data, needle, tmp_path):
    path = tmp_path / "renamed.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    message = str(info.value)
    assert needle in message and str(path) in message and "\n" not in message


def test_corpus_files_read(tmp_path):
    for path in sorted(CORPUS.glob("*.txt")):
        assert read_document(path).encoding == "utf-8"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(documents, st.text(max_size=40)))
def test_fast_fold_equals_the_mapped_fold(text):
    """fold() skips the offset map for speed; it must give exactly what the map gives."""
    assert fold(text) == reference(FRAGMENT_KEY, text).text
    assert clean(text) == reference(FRAGMENT_VIEW, text).text.strip()


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(documents, st.text(max_size=30)), max_size=12))
def test_folding_many_at_once_equals_one_by_one(texts):
    """Validation folds a reply's strings in one joined pass; it must change nothing."""
    from summarizer.normalize import clean_many, fold_many

    assert fold_many(texts) == [fold(t) for t in texts]
    assert clean_many(texts) == [clean(t) for t in texts]


def reference(stages, text):
    """The stages' reference forms only (offset-keeping rewrites, no tables, no plain
    shortcut): what every fast path must equal."""
    return _through(stages, MappedText.identity(text))


def _through(stages, mt):
    for stage in stages:
        mt = stage.mapped(mt)
    return mt


def reference_views(raw):
    view = reference(VIEW, raw)
    return SimpleNamespace(view=view, key=_through(KEY, view))


long_documents = st.lists(
    st.one_of(pieces, st.text(max_size=8), st.sampled_from(["①", "㈱", "ﬁ", "½", "𝐀", "\ud800"])),
    min_size=20,
    max_size=120,
).map("".join)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(raw=long_documents)
def test_numpy_tables_give_what_translate_gives(raw):
    """Long texts go through numpy lookup tables; short ones through str.translate.
    Both must produce the same views and the same offset maps."""
    fast, slow = normalize(raw), reference_views(raw)
    for a, b in ((fast.view, slow.view), (fast.key, slow.key)):
        assert a.text == b.text
        assert a.origin == b.origin


# ----------------------------------------------------------------- fast path on long text

#: Every character ``\s`` matches in the BMP: each one must vanish from the key.
EVERY_SPACE = [chr(c) for c in range(0x10000) if re.match(r"\s", chr(c))]
LATIN = "CnPack abc XYZ Court"
DIGITS = "0123456789"


def _long(parts: list[str], at_least: int = 4 * 256) -> str:
    text = "".join(parts)
    while len(text) < at_least:  # well past every size threshold of the fast path
        text += "。" + "".join(parts)
    return text


long_mixed = st.lists(
    st.one_of(
        st.text(alphabet=HAN + TRADITIONAL, min_size=1, max_size=8),
        st.sampled_from(EVERY_SPACE),
        st.text(alphabet=LATIN + DIGITS, min_size=1, max_size=6),
        st.sampled_from(MARKS),
        st.text(alphabet=WIDE, min_size=1, max_size=3),
    ),
    min_size=30,
    max_size=200,
).map(_long)


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(raw=long_mixed)
def test_fast_path_equals_reference_on_long_mixed_text(raw):
    """Texts far past the numpy threshold, with every whitespace character, CJK, Latin and
    digits mixed: the fast views equal the reference views, and the key has no space."""
    fast, slow = normalize(raw), reference_views(raw)
    assert len(raw) >= 4 * 256
    assert fast.key.text == slow.key.text and fast.key.origin == slow.key.origin
    assert fast.view.text == slow.view.text and fast.view.origin == slow.view.origin
    assert not re.search(r"\s", fast.key.text)


@pytest.mark.parametrize("length", [10, 255, 256, 257, 1000, 20_000])
def test_every_whitespace_character_leaves_the_key_at_every_length(length):
    """The defect that lost reports: above 256 characters the key kept spaces and line
    breaks. Each whitespace character, at each length around the threshold."""
    filler = ("法院审判执行案件" * (length // 8 + 1))[: max(length - len(EVERY_SPACE) * 2, 4)]
    raw = filler + "".join(f"{c}案" for c in EVERY_SPACE)
    key = normalize(raw).key.text
    assert not re.search(r"\s", key), [hex(ord(c)) for c in key if re.match(r"\s", c)]
    assert key.count("案") == raw.count("案")


def test_a_pdf_extraction_gets_its_paragraphs_back():
    """Lines broken at the page's width are joined, page numbers dropped; a paragraph's
    short last line, a heading and a list marker still end their line. Spans stay raw."""
    from summarizer.normalize import normalize

    body = "全年主动公开市政府规章二十二件、行政规范性文件三十四件、人事任免文件一百件，" * 3
    other = "持续强化政府网站作为政务公开第一平台的功能定位，加强门户网站内容保障与安全运维。" * 4
    width = 30
    wrap = lambda text: [text[i : i + width] for i in range(0, len(text), width)]  # noqa: E731
    lines = wrap(body.rstrip("，") + "。")
    head, page_break, tail = ["一、总体情况", *lines[:2]], ["— 1 —", ""], lines[2:]
    raw = "\n".join(
        [*head, *page_break, *tail, "（一）主动公开方面", *wrap(other), "第 2 页 共 9 页"]
    )
    body = body.rstrip("，") + "。"
    view = normalize(raw).view
    folded = body.replace("，", ",")
    assert view.text.split("\n")[:3] == ["一、总体情况", folded, "(一)主动公开方面"]
    assert "— 1 —" not in view.text and "第 2 页" not in view.text
    at = view.text.index(folded)
    start, end = view.raw_span(at, at + len(folded))
    assert raw[start:end].replace("\n— 1 —\n\n", "").replace("\n", "") == body


def test_a_report_with_its_own_line_breaks_is_left_as_written():
    from summarizer.normalize import normalize

    raw = (
        "一、工作情况\n全年受理案件1200件。\n审结1150件，结案率95.8%。\n二、存在问题\n人员不足。\n"
    )
    assert normalize(raw).view.text.split("\n")[:5] == [
        "一、工作情况",
        "全年受理案件1200件。",
        "审结1150件,结案率95.8%。",
        "二、存在问题",
        "人员不足。",
    ]


#: The line-edge space pattern before its space-first fast form, and str.translate: the
#: references the fast forms must equal.
_REFERENCE_EDGE = re.compile(r" (?=\n|\Z)|(?<![^\n]) ")


@given(st.text(alphabet=" \n\t工a", max_size=40))
def test_line_edge_spaces_fast_pattern_equals_the_reference(text):
    assert [m.span() for m in chars._EDGE_SPACE.finditer(text)] == [
        m.span() for m in _REFERENCE_EDGE.finditer(text)
    ]


@given(st.text(alphabet="“”「」‘’—–－•・AZaz工1 ,", max_size=40))
def test_unify_equals_translate(text):
    assert chars.unify(text) == text.translate(chars.UNIFY)
