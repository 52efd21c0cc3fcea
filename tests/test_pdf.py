"""PDF files read directly (issue #29): the extracted text is the document, page
furniture left out, paragraphs whole across pages, every quote checkable.

The layout rules are tested on lines placed by hand; the reader on real PDFs printed by
Chromium (two committed in tests/data, made by tests/make_pdf_fixtures.py; the corpus,
a Traditional-script report, a 60-page report and a scan printed here when Chromium is
installed, as CI does).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.errors import InputError
from summarizer.grounding import verify
from summarizer.normalize import fold
from summarizer.normalize.layout import is_page_number
from summarizer.offline import summarize_offline
from summarizer.pdf import Line, _lines, _without_furniture, furniture, paragraphs
from summarizer.read import read_document
from tests.conftest import DOC_IDS, corpus_path
from tests.make_pdf_fixtures import LONG, TITLE

DATA = Path(__file__).parent / "data"


def line(text, left=90.0, right=505.0, bottom=700.0, page=0, height=15.0):
    return Line(text, left, right, bottom, bottom + height, page)


# ---------------------------------------------------------------- layout rules, by hand


def test_lines_run_on_into_paragraphs_until_an_indent_a_short_line_or_a_heading():
    lines = [
        line("一、主要工作", right=190, bottom=700),
        line("全年审结案件1343件，结案率", left=120, bottom=680),  # indented: opens
        line("98.14%，同比上升2个百分点。", right=300, bottom=660),  # short: closes
        line("审判质效稳步提升，群众满意度", left=120, bottom=640),
        line("持续提高，各项工作取得新进展", bottom=620),  # full: runs on
        line("（一）强化审判管理", bottom=600, right=250),  # heading: opens
    ]
    assert list(paragraphs(lines)) == [
        "一、主要工作",
        "全年审结案件1343件，结案率98.14%，同比上升2个百分点。",
        "审判质效稳步提升，群众满意度持续提高，各项工作取得新进展",
        "（一）强化审判管理",
    ]


def test_a_line_short_by_less_than_the_number_that_follows_did_not_end_its_paragraph():
    """A number is never broken, so a line ends short when the next begins with one: the
    gap of 40 points could not hold "1746万人次。" after a stop ... but "。" then a gap
    of 40 points (2.7 glyphs) ends a paragraph, and a line stopping mid-sentence runs on
    over such a gap (line breaking keeps a quote or a word with its neighbours)."""
    lines = [
        line("各地法院积极创新对失信被执行人的惩戒措施，通过抖音、手机", left=120, bottom=740),
        line("彩铃等方法，增加被执行人的失信成本，使其一处失信、处处受", bottom=720),
        line("限。", right=120, bottom=700),
        line("失信将受到信用惩戒，全国法院累计限制", left=120, right=465, bottom=680),
        line("1746万人次购买机票。", right=260, bottom=660),
        line("全国351万失信被执行人自动履行了", left=120, right=465, bottom=640),
        line("义务。全国法院执结案件1939万件。", right=465, bottom=620),
        line("执行难问题基本解决。", right=300, bottom=600),
    ]
    assert list(paragraphs(lines))[1:] == [
        "失信将受到信用惩戒，全国法院累计限制1746万人次购买机票。",
        "全国351万失信被执行人自动履行了义务。全国法院执结案件1939万件。",
        "执行难问题基本解决。",
    ]


def test_a_paragraph_runs_on_over_a_page_break_and_a_wider_gap_ends_one():
    lines = [
        line("全年共受理各类案件4521件，审结", left=120, bottom=100, page=0),
        line("4387件，结案率97.04%。", right=300, bottom=700, page=1),
        line("第二段文字。", left=120, right=300, bottom=680, page=1),
        line("全年共受理各类案件", left=120, bottom=620, page=1),  # 3 pitches down
    ]
    assert list(paragraphs(lines))[:2] == [
        "全年共受理各类案件4521件，审结4387件，结案率97.04%。",
        "第二段文字。",
    ]
    assert len(list(paragraphs(lines))) == 3


def test_a_heading_set_large_runs_on_over_its_centred_lines():
    lines = [
        line("2016年至2018年，全国法院共受理执行", left=120, right=475, bottom=760, height=21),
        line("案件2042万件", left=240, right=355, bottom=732, height=21),
        line("公平正义在“最后一公里”提速", left=120, right=330, bottom=700),
        line("执行生效法律文书是实现公平正义的“最后", left=120, bottom=680),
        line("一公里”。", right=160, bottom=660),
    ]
    assert next(iter(paragraphs(lines))) == "2016年至2018年，全国法院共受理执行案件2042万件"


def test_page_numbers_and_running_headers_are_dropped_but_a_title_on_page_one_is_kept():
    def page(n, body):
        return [
            line(TITLE, left=200, right=400, bottom=800, page=n, height=9),  # running header
            *body,
            line(f"— {n + 1} —", left=280, right=320, bottom=40, page=n),
        ]

    pages = [
        page(0, [line(TITLE, left=180, right=420, bottom=740, height=21), line("正文一。")]),
        page(1, [line("正文二。", bottom=700, page=1)]),
        page(2, [line("正文三。", bottom=700, page=2)]),
    ]
    kept = [x.text for x in _without_furniture(pages)]
    assert kept == [TITLE, "正文一。", "正文二。", "正文三。"]


def test_numbered_headings_heading_their_pages_are_kept_but_a_numbered_header_goes():
    """附件1 and 附件2 each head a page (a number that is not the page's); "XX报告 2" on
    page 2 and "XX报告 3" on page 3 is a running header whose number is its page's."""
    pages = [
        [("某某局2023年工作总结", 800), ("正文一。", 700), ("正文二。", 680)],
        [("XX报告 2", 810), ("附件1", 780), ("正文三。", 700), ("— 2 —", 40)],
        [("XX报告 3", 810), ("附件2", 780), ("正文四。", 700), ("— 3 —", 40)],
    ]
    assert furniture(pages) == [set(), {0, 3}, {0, 3}]


def test_glyphs_make_lines_over_a_drifting_baseline_and_with_a_superscript():
    def glyph(char, left, baseline, size=12.0):
        return (char, left, left + size, baseline - 2, baseline - 2 + size * 1.1, baseline)

    skewed = [glyph(c, 90 + 12 * i, 700 + i * 0.8) for i, c in enumerate("全年完成固定资产投资")]
    below = [glyph(c, 90 + 12 * i, 670) for i, c in enumerate("同比增长")]
    square = [glyph(c, 90 + 12 * i, 640) for i, c in enumerate("面积120万m")]
    square.append(glyph("2", 90 + 12 * 7, 644, size=8))  # m², set small and raised
    lines = list(_lines(skewed + below + square, 0))
    assert [x.text for x in lines] == ["全年完成固定资产投资", "同比增长", "面积120万m2"]


def test_a_page_shown_turned_reads_as_shown(tmp_path):
    """A page drawn sideways and turned upright by /Rotate 90 reads as the upright page."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    source = pdfium.PdfDocument(str(DATA / "two_pages.pdf"))
    for page in source:
        width, height = page.get_size()
        turn = pdfium_c.FS_MATRIX(0, 1, -1, 0, height, 0)  # (x, y) -> (height - y, x)
        pdfium_c.FPDFPage_TransFormWithClip(page.raw, ctypes.byref(turn), None)
        page.set_mediabox(0, 0, height, width)
        page.set_rotation(90)
        page.gen_content()
    source.save(str(tmp_path / "turned.pdf"))
    turned = read_document(tmp_path / "turned.pdf").raw
    assert turned == read_document(DATA / "two_pages.pdf").raw


def test_a_text_report_that_mentions_pdf_is_read_as_text(tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text("关于%PDF-1.7格式文件的说明\n全年办理案件100件。\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.extracted_with is None and "%PDF-1.7" in doc.raw


def test_a_page_number_like_line_amid_the_text_is_kept():
    pages = [[line("标题"), line("1/2", bottom=600), line("正文。", bottom=500)]]
    assert [x.text for x in _without_furniture(pages)] == ["标题", "1/2", "正文。"]


# ---------------------------------------------------------------- real printed files


def test_a_printed_report_reads_as_its_paragraphs_with_no_page_furniture():
    """Two pages; its long paragraph runs over the page break ("— 1 —" and the running
    title fall inside it in the file): one line in the text, every sentence whole."""
    doc = read_document(DATA / "two_pages.pdf")
    assert doc.extracted_with and doc.extracted_with.startswith("pypdfium2 ")
    assert doc.encoding is None
    lines = doc.raw.splitlines()
    assert lines[:2] == [TITLE, "一、主要工作"]
    assert LONG in lines  # the paragraph over the page break, whole, on one line
    assert not any(is_page_number(x) for x in lines)
    assert doc.raw.count(TITLE) == 1  # the running header is gone
    summary = summarize_offline(doc)
    assert summary.meta.extracted_with == doc.extracted_with
    assert verify(summary, doc.raw) == []
    assert [i.text for i in summary.problems] and [i.text for i in summary.plans]


def test_an_encrypted_pdf_is_one_line():
    with pytest.raises(InputError, match="encrypted") as raised:
        read_document(DATA / "encrypted.pdf")
    assert "encrypted.pdf" in str(raised.value) and "\n" not in str(raised.value)


def test_a_damaged_pdf_is_one_line(tmp_path):
    path = tmp_path / "坏.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(InputError, match="damaged"):
        read_document(path)


def _scan_pdf(path: Path, pages: int = 1, text_pages: int = 0) -> Path:
    """A PDF of ``pages`` scanned pages (an image each, no text), after ``text_pages``
    pages of the two-page fixture's text."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument.new()
    if text_pages:
        pdf.import_pages(pdfium.PdfDocument(str(DATA / "two_pages.pdf")), list(range(text_pages)))
    for _ in range(pages):
        page = pdf.new_page(595, 842)
        bitmap = pdfium.PdfBitmap.new_native(200, 100, pdfium_c.FPDFBitmap_BGR)
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, 200, 100)
        image = pdfium.PdfImage.new(pdf)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(400, 200).translate(100, 500))
        page.insert_obj(image)
        page.gen_content()
    pdf.save(str(path))
    return path


@pytest.fixture
def no_tesseract(tmp_path, monkeypatch):
    """A PATH without tesseract (whether it is installed is asked once a process)."""
    from summarizer.ocr import _tesseract

    monkeypatch.setenv("PATH", str(tmp_path))
    _tesseract.cache_clear()
    yield
    _tesseract.cache_clear()


def test_a_scan_without_ocr_names_the_packages_that_read_it(tmp_path, no_tesseract):
    path = _scan_pdf(tmp_path / "扫描件.pdf")
    with pytest.raises(InputError, match="no text layer") as raised:
        read_document(path)
    message = str(raised.value)
    assert "tesseract-ocr-chi-sim" in message and "--ocr" in message and "扫描件.pdf" in message
    with pytest.raises(InputError, match="tesseract-ocr-chi-sim"):
        read_document(path, ocr=True)  # asked for, but not installed: the same advice


def test_a_partly_scanned_pdf_is_read_without_its_scanned_pages_and_says_which(tmp_path):
    doc = read_document(
        _scan_pdf(tmp_path / "部分扫描.pdf", pages=2, text_pages=2)
    )  # the fixture's two pages, then two scans
    assert LONG in doc.raw.splitlines()
    assert len(doc.warnings) == 1 and "page(s) 3, 4 have no text layer" in doc.warnings[0]
    assert "--ocr" in doc.warnings[0]
    summary = summarize_offline(doc)
    assert summary.meta.warnings[0] == doc.warnings[0]


def test_a_blank_pdf_holds_no_text(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(str(tmp_path / "空白.pdf"))
    with pytest.raises(InputError, match="holds no text"):
        read_document(tmp_path / "空白.pdf")


def test_an_image_names_ocr(tmp_path, no_tesseract):
    path = tmp_path / "照片.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    for ocr in (False, True):
        with pytest.raises(InputError, match="tesseract-ocr-chi-sim"):
            read_document(path, ocr=ocr)


def test_summarize_reads_a_pdf_and_a_folder_takes_pdfs(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(DATA / "two_pages.pdf", folder / "报告.pdf")
    assert main(["summarize", str(folder / "报告.pdf"), "--format", "json"]) == 0
    assert '"extracted_with": "pypdfium2' in capsys.readouterr().out
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(folder), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count('"doc_id":"报告"') == 1


# ---------------------------------------------------------------- printed here by Chromium


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The corpus, a Traditional-script report, a 60-page report and a scan, printed."""
    from tests.office_files import chromium_page, print_pdf, report_html, scan, system_chromium

    executable = system_chromium()
    pytest.importorskip("playwright.sync_api")
    out = tmp_path_factory.mktemp("pdf")
    texts = {d: corpus_path(d).read_text(encoding="utf-8") for d in DOC_IDS}
    traditional = (DATA / "meeting_traditional_pinyin.txt").read_text(encoding="utf-8")
    paragraphs_ = [x for t in texts.values() for x in t.splitlines() if x.strip()]
    files = {}
    with chromium_page(executable) as page:
        for doc_id, text in texts.items():
            files[doc_id] = print_pdf(page, report_html(text), out / f"{doc_id}.pdf")
        files["traditional"] = print_pdf(page, report_html(traditional), out / "trad.pdf")
        files["long"] = print_pdf(page, report_html("\n".join(paragraphs_ * 2)), out / "long.pdf")
        picture = scan(page, report_html("\n".join(texts[DOC_IDS[0]].splitlines()[:8])),
                       out / "scan.pdf")  # fmt: skip
        files["scan"] = out / "scan.pdf"
        (out / "scan.png").write_bytes(picture)
        files["scan.png"] = out / "scan.png"
    return files


@pytest.mark.slow
def test_each_corpus_report_as_pdf_gives_the_items_of_its_text(printed):
    """≥ 95 % of the text summary's quotes again, every quote verbatim in the extracted
    text, none holding a page number."""
    same = total = 0
    for doc_id in DOC_IDS:
        as_text = summarize_offline(read_document(corpus_path(doc_id)))
        doc = read_document(printed[doc_id])
        as_pdf = summarize_offline(doc)
        assert verify(as_pdf, doc.raw) == [], doc_id
        own = {fold(x) for x in corpus_path(doc_id).read_text("utf-8").splitlines()}
        for item in as_pdf.achievements + as_pdf.problems + as_pdf.plans:
            for quote in item.evidence:
                added = [p for p in quote.splitlines() if is_page_number(p) and fold(p) not in own]
                assert added == [], (doc_id, quote)
        quotes = [fold(q) for s in ("achievements", "problems", "plans")
                  for i in getattr(as_text, s) for q in i.evidence]  # fmt: skip
        again = {fold(q) for s in ("achievements", "problems", "plans")
                 for i in getattr(as_pdf, s) for q in i.evidence}  # fmt: skip
        same += sum(q in again for q in quotes)
        total += len(quotes)
    assert same >= 0.95 * total, f"{same}/{total}"


@pytest.mark.slow
def test_a_traditional_script_pdf_gives_the_items_of_its_text(printed):
    as_text = summarize_offline(read_document(DATA / "meeting_traditional_pinyin.txt"))
    doc = read_document(printed["traditional"])
    as_pdf = summarize_offline(doc)
    assert verify(as_pdf, doc.raw) == []
    for section in ("achievements", "problems", "plans"):
        texts = [fold(i.text) for i in getattr(as_text, section)]
        again = [fold(i.text) for i in getattr(as_pdf, section)]
        assert again == texts, section


@pytest.mark.slow
def test_a_sixty_page_pdf_reads_whole(printed):
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(str(printed["long"]))) >= 60
    doc = read_document(printed["long"])
    added = [x for x in doc.raw.splitlines() if is_page_number(x)]
    sources = "\n".join(corpus_path(d).read_text("utf-8") for d in DOC_IDS)
    own = sum(1 for x in sources.splitlines() if is_page_number(x))  # b03 holds "— 2 —" lines
    assert len(added) <= 2 * own  # the report is printed twice over: its own, none added
    sentences = [s for s in re.split(r"[。；！？\n]", fold(sources)) if len(s) >= 6]
    lines = fold(doc.raw)
    assert sum(s in lines for s in sentences) >= 0.99 * len(sentences)


def _tesseract_ready() -> bool:
    from summarizer.ocr import _tesseract

    return _tesseract() is not None


@pytest.mark.slow
def test_a_scan_says_it_needs_ocr_and_with_ocr_is_read_and_marked(printed, monkeypatch):
    with pytest.raises(InputError, match="no text layer"):
        read_document(printed["scan"])
    if not _tesseract_ready():
        if os.environ.get("SUMMARIZER_REQUIRE_OCR") == "1":
            pytest.fail("no tesseract with chi_sim: apt-get install tesseract-ocr-chi-sim")
        pytest.skip("no tesseract with chi_sim (apt-get install tesseract-ocr-chi-sim)")
    for path in (printed["scan"], printed["scan.png"]):
        doc = read_document(path, ocr=True)
        assert doc.extracted_with == "tesseract (chi_sim)"
        assert "OCR" in doc.warnings[0]
        first = corpus_path(DOC_IDS[0]).read_text("utf-8").splitlines()[0]
        assert fold(first)[:8] in fold(doc.raw)  # the title, recognized
        summary = summarize_offline(doc)
        assert summary.meta.warnings[0] == doc.warnings[0]
        assert verify(summary, doc.raw) == []


# ---------------------------------------------------------------- real folders


def test_a_real_folder_takes_its_reports_and_leaves_out_what_is_no_report(tmp_path, capsys):
    """--skip-doubtful: a README is left out with one line (not a failure, exit 0);
    --save-text keeps each report's text, in which every quote is text[start:end]."""
    import json

    folder = tmp_path / "下载"
    folder.mkdir()
    shutil.copy(DATA / "two_pages.pdf", folder / "报告.pdf")
    shutil.copy(corpus_path(DOC_IDS[0]), folder / "报告.txt")
    (folder / "README.md").write_text("# 说明\n这些是下载的报告。\n", encoding="utf-8")
    out, texts = tmp_path / "out.jsonl", tmp_path / "texts"
    argv = ["batch", str(folder), "-o", str(out), "--save-text", str(texts)]
    assert main([*argv, "--skip-doubtful"]) == 0
    err = capsys.readouterr().err
    left_out = [x for x in err.splitlines() if "left out" in x and "README.md" in x]
    assert len(left_out) == 1 and "1 left out as no report" in err
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by_id = {r["doc_id"]: r for r in records}
    assert set(by_id) == {"报告.pdf", "报告.txt", "README"}  # same name, suffix kept
    assert by_id["README"]["error"]["type"] == "DoubtfulInputError"
    for doc_id in ("报告.pdf", "报告.txt"):
        text = (texts / f"{doc_id}.txt").read_text(encoding="utf-8")
        for item in by_id[doc_id]["achievements"]:
            for quote, (start, end) in zip(item["evidence"], item["spans"], strict=True):
                assert text[start:end] == quote
    assert main([*argv, "--restart"]) == 0  # without the flag: summarized, with its doubt
    assert "README.md: this does not look like" in capsys.readouterr().err


def test_the_review_page_of_a_pdf_names_the_original_file_and_its_reader(tmp_path):
    source = shutil.copy(DATA / "two_pages.pdf", tmp_path / "报告.pdf")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "-q"]) == 0
    assert main(["review", str(out), "-o", str(tmp_path / "pages"), "-q"]) == 0
    page = next(p for p in (tmp_path / "pages").glob("*.html") if p.name != "index.html")
    html = page.read_text(encoding="utf-8")
    assert "原文件" in html and str(source) in html and "pypdfium2" in html
    shown = re.sub(r"<[^>]+>", "", html)  # the extracted text, its quotes marked up
    assert LONG in shown


def test_the_extracted_text_is_kept_in_the_cache_and_read_from_it(tmp_path):
    """A rerun reads the text its spans index from the cache, not from the file again (an
    OCR'd scan is not recognized twice): the kept text is what the summary quotes."""
    from summarizer import Summarizer
    from summarizer.cache import SummaryCache
    from summarizer.extracted import Extracted
    from summarizer.read import extraction_key

    path = shutil.copy(DATA / "two_pages.pdf", tmp_path / "报告.pdf")
    with Summarizer(backend="offline", cache_dir=tmp_path / "cache") as summarizer:
        summary = summarizer.summarize(path)
    key = extraction_key(path.read_bytes(), "pdf", False)
    kept = SummaryCache(tmp_path / "cache").get_text(key)
    assert kept is not None and kept.reader == summary.meta.extracted_with
    start, end = summary.achievements[0].spans[0]
    assert kept.text[start:end] == summary.achievements[0].evidence[0]

    class Store(dict):
        def get_text(self, key):
            return self.get(key)

        def set_text(self, key, extracted):
            self[key] = extracted

    other = Extracted("另一段文字。\n", "kept reader", ("kept",))
    doc = read_document(path, texts=Store({key: other}))
    assert Extracted(doc.raw, doc.extracted_with or "", doc.warnings) == other
    fresh = Store()
    assert read_document(path, texts=fresh).raw == kept.text and list(fresh) == [key]
    assert read_document(path, texts=fresh, ocr=True).raw == kept.text
    assert len(fresh) == 2  # with OCR on, the same bytes may read otherwise: a key of its own


def test_summarize_leaves_out_what_is_no_report_without_failing(tmp_path, capsys, monkeypatch):
    """summarize --skip-doubtful: a README (a file or piped in) is one line and no failure."""
    import io

    readme = tmp_path / "README.md"
    readme.write_text("# README\n\nInstall with pip.\n", encoding="utf-8")
    argv = ["summarize", str(readme), str(corpus_path(DOC_IDS[0])), "-f", "jsonl"]
    assert main([*argv, "--skip-doubtful"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("left out (--skip-doubtful)") == 1
    assert captured.out.count('"DoubtfulInputError"') == 1
    stdin = io.TextIOWrapper(io.BytesIO(readme.read_bytes()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["summarize", "-", "--skip-doubtful", "--save-text", str(tmp_path / "t")]) == 0
    assert "-: left out" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()  # left out before its text is kept
