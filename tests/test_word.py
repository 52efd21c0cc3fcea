"""Word files read directly (issue #29): the extracted text is the document."""

from __future__ import annotations

import pytest

from summarizer.errors import InputError
from summarizer.grounding import verify
from summarizer.normalize import fold
from summarizer.offline import summarize_offline
from summarizer.read import read_document
from tests.conftest import DOC_IDS, corpus_path
from tests.office_files import write_docx

docx = pytest.importorskip("docx")


def test_a_word_file_is_its_paragraphs_and_table_rows_without_headers_or_footers(tmp_path):
    path = write_docx(
        tmp_path / "报告.docx",
        ["XX人民法院2023年工作总结", "一、主要工作", "全年审结案件1343件，结案率98.14%。"],
        table=[["项目", "数量"], ["受理", "1500件"]],
        header="内部资料 注意保存",
        footer="第1页 共3页",
    )
    doc = read_document(path)
    assert doc.raw.splitlines()[:3] == ["XX人民法院2023年工作总结", "一、主要工作",
                                        "全年审结案件1343件，结案率98.14%。"]  # fmt: skip
    assert "| 项目 | 数量 |" in doc.raw and "| 受理 | 1500件 |" in doc.raw
    assert "内部资料" not in doc.raw and "第1页" not in doc.raw
    assert doc.extracted_with and doc.extracted_with.startswith("python-docx ")
    assert doc.doc_id == "报告" and doc.encoding is None
    summary = summarize_offline(doc)
    assert summary.meta.extracted_with == doc.extracted_with
    assert verify(summary, doc.raw) == []


def test_a_cell_merged_across_columns_is_given_once(tmp_path):
    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    merged = grid.cell(0, 0).merge(grid.cell(0, 2))
    merged.text = "2023年主要指标"
    for c, value in enumerate(["结案率", "98%", "同比"]):
        grid.cell(1, c).text = value
    document.add_paragraph("全年审结案件1343件。")
    document.save(tmp_path / "t.docx")
    raw = read_document(tmp_path / "t.docx").raw
    assert "| 2023年主要指标 |" in raw and "| 结案率 | 98% | 同比 |" in raw


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_a_corpus_report_as_word_gives_the_items_of_its_text(tmp_path, doc_id):
    """Each line of the .txt as a paragraph: the same points, every quote verbatim in the
    extracted text (≥ 95% of quotes identical after folding)."""
    text = corpus_path(doc_id).read_text(encoding="utf-8")
    as_text = summarize_offline(read_document(corpus_path(doc_id)))
    doc = read_document(write_docx(tmp_path / f"{doc_id}.docx", text.split("\n")))
    as_word = summarize_offline(doc)
    assert verify(as_word, doc.raw) == []
    for section in ("achievements", "problems", "plans"):
        quotes = [fold(q) for i in getattr(as_text, section) for q in i.evidence]
        again = {fold(q) for i in getattr(as_word, section) for q in i.evidence}
        if quotes:
            assert sum(q in again for q in quotes) >= 0.95 * len(quotes), section


def test_an_old_word_file_names_the_command_that_converts_it(tmp_path):
    path = tmp_path / "旧报告.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match="libreoffice --headless --convert-to docx"):
        read_document(path)


def test_a_broken_word_file_is_one_clear_line(tmp_path):
    path = tmp_path / "坏.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="not a readable Word file") as raised:
        read_document(path)
    assert "坏.docx" in str(raised.value) and "\n" not in str(raised.value)


def test_summarizer_text_prints_what_every_span_indexes(tmp_path, capsysbinary):
    """A quote of the summary of a Word file is text[start:end] of `summarizer text`."""
    from summarizer.cli import main

    path = write_docx(tmp_path / "r.docx", corpus_path(DOC_IDS[0]).read_text("utf-8").split("\n"))
    assert main(["text", str(path)]) == 0
    printed = capsysbinary.readouterr().out.decode("utf-8")
    summary = summarize_offline(read_document(path))
    item = summary.achievements[0]
    start, end = item.spans[0]
    assert printed[start:end] == item.evidence[0]


def _numbered_docx(path, rows, more=""):
    """A Word file whose list numbers are Word's own (w:numPr), not typed: level 0
    一、, level 1 （一）, level 2 1. (as a government report sets its headings)."""
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    levels = (("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."))
    lvls = "".join(
        f'<w:lvl {w} w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for n, (fmt, text) in enumerate(levels)
    )
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(
        0, parse_xml(f'<w:abstractNum {w} w:abstractNumId="90">{lvls}</w:abstractNum>')
    )
    numbering.append(parse_xml(f'<w:num {w} w:numId="91"><w:abstractNumId w:val="90"/></w:num>'))
    if more:  # list 92: the same definition, its first level restarting at 5
        numbering.append(parse_xml(
            f'<w:num {w} w:numId="92"><w:abstractNumId w:val="90"/><w:lvlOverride '
            f'w:ilvl="0"><w:startOverride w:val="{more}"/></w:lvlOverride></w:num>'
        ))  # fmt: skip
    for level, text, *num in rows:
        paragraph = document.add_paragraph(text)
        if level is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="{num[0] if num else 91}"/>'
                "</w:numPr>"
            ))  # fmt: skip
    document.save(path)
    return path


def test_words_own_list_numbers_are_written_as_the_reader_sees_them(tmp_path):
    rows = [
        (None, "XX人民法院2023年工作总结"),
        (0, "主要工作"),
        (1, "审判执行"),
        (2, "全年审结案件1343件。"),
        (2, "2023年结案率98.14%。"),
        (1, "队伍建设"),
        (2, "开展培训12期。"),
        (0, "存在的问题"),
        (1, "案多人少矛盾突出。"),
    ]
    raw = read_document(_numbered_docx(tmp_path / "n.docx", rows)).raw
    assert raw.splitlines() == [
        "XX人民法院2023年工作总结",
        "一、主要工作",
        "（一）审判执行",
        "1. 全年审结案件1343件。",
        "2. 2023年结案率98.14%。",  # a space, so that 2.2023 is never read as a number
        "（二）队伍建设",
        "1. 开展培训12期。",  # a level moving on restarts the ones below
        "二、存在的问题",
        "（一）案多人少矛盾突出。",
    ]


def test_list_numbers_count_as_word_counts_them():
    """An empty numbered paragraph takes its number; a second list of the same definition
    counts on; a list restarted by startOverride starts there."""
    import tempfile
    from pathlib import Path

    rows = [
        (0, "主要工作"),
        (0, ""),  # 二、 shown on an empty line
        (None, "正文段落。"),
        (0, "存在的问题", 92),  # list 92, restarted at 5: 五、
        (0, "下一步计划", 91),  # list 91 again: one definition counts on
    ]
    with tempfile.TemporaryDirectory() as folder:
        raw = read_document(_numbered_docx(Path(folder) / "n.docx", rows, more="5")).raw
    assert [x for x in raw.splitlines() if x] == [
        "一、主要工作", "正文段落。", "五、存在的问题", "六、下一步计划",
    ]  # fmt: skip
