"""``summarizer review`` and ``summarizer spreadsheet`` (issue #16) without a browser: the
pages' marks against the summaries' quotes, the index, gold badges, the digest read
back with openpyxl. ``tests/test_browser.py`` loads the pages in Chromium."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.results import Summarized, load_results
from summarizer.review import page_name
from summarizer.review.marks import Quote, Shade, source_html
from summarizer.schemas import SECTIONS, ReportSummary
from tests.conftest import CORPUS, GOLD, ROOT

#: A court's report, a procuratorate's, and a Traditional meeting record with pinyin debris.
REPORTS = [
    CORPUS / "000_1cceb1fd464775c5.txt",
    ROOT / "tests" / "data" / "procuratorate_report.txt",
    ROOT / "tests" / "data" / "meeting_traditional_pinyin.txt",
]


class Marks(HTMLParser):
    """Every <mark>'s attributes and the text inside it, and whether tags balance."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[dict[str, str | None]] = []
        self.text: dict[str, str] = {}  # quote key → its marked text, pieces joined
        self.gold: set[tuple[str, str]] = set()
        self.unbalanced = 0
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (tag in ("script", "img", "iframe") and a.get("src")) or tag == "link":
            self.external.append(f"<{tag} {a}>")
        if tag == "mark":
            self.open.append(a)
            if a.get("data-gold"):
                self.gold.add((a["data-gold"], a["data-gold-item"]))

    def handle_endtag(self, tag):
        if tag == "mark":
            if not self.open:
                self.unbalanced += 1
            else:
                self.open.pop()

    def handle_data(self, data):
        for a in self.open:
            if a.get("data-section"):
                key = f"{a['data-section']}-{a['data-item']}-{a['data-quote']}"
                self.text[key] = self.text.get(key, "") + data


def parse(html: str) -> Marks:
    marks = Marks()
    marks.feed(html)
    marks.close()
    return marks


def quotes(summary: ReportSummary) -> dict[str, str]:
    """Every quote of the summary by the key its marks carry."""
    found = {
        f"{s}-{n}-{k}": q
        for s in SECTIONS
        for n, item in enumerate(getattr(summary, s), 1)
        for k, q in enumerate(item.evidence)
    }
    found |= {f"metrics-{n}-0": m.evidence for n, m in enumerate(summary.metrics, 1)}
    return found


@pytest.fixture
def results(tmp_path: Path) -> Path:
    out = tmp_path / "results.jsonl"
    argv = ["batch", "-q", "--backend", "offline", "--out", str(out), *map(str, REPORTS)]
    assert main(argv) == 0
    with out.open("a", encoding="utf-8") as f:  # and a document that failed
        f.write(json.dumps({"doc_id": "broken", "path": "broken.txt", "error": {
            "type": "InputError", "message": "broken.txt: the file is empty"}}) + "\n")  # fmt: skip
    return out


def test_a_page_per_document_every_quote_marked_verbatim(results, tmp_path, capsys):
    pages = tmp_path / "review"
    assert main(["review", str(results), "--out", str(pages)]) == 0
    assert capsys.readouterr().out.strip() == str(pages / "index.html")
    loaded, _ = load_results(results)
    summaries = [r.summary for r in loaded if isinstance(r, Summarized)]
    assert len(summaries) == 3
    for summary in summaries:
        page = pages / f"{summary.doc_id}.html"
        html = page.read_text(encoding="utf-8")
        marks = parse(html)
        assert marks.unbalanced == 0 and not marks.open
        assert marks.external == [] and "http" not in html.split("<pre>")[0]  # self-contained
        wanted = quotes(summary)
        assert wanted and set(marks.text) == set(wanted)  # every quote marked, no other
        for key, quote in wanted.items():
            assert marks.text[key] == quote  # the marked source reads the quote exactly
        assert f"{len(wanted)}/{len(wanted)} quotes highlighted" in html
    index = (pages / "index.html").read_text(encoding="utf-8")
    for summary in summaries:
        assert f'href="{summary.doc_id}.html"' in index
    assert "failed: broken.txt: the file is empty" in index
    assert "3 summarized, 1 failed" in index


def test_against_gold_items_are_badged_and_missed_points_shown(results, tmp_path, capsys):
    pages = tmp_path / "review"
    assert main(["review", str(results), "--out", str(pages), "--gold", str(GOLD)]) == 0
    err = capsys.readouterr().err
    assert "no gold file procuratorate_report.json" in err  # only 000 has gold
    html = (pages / "000_1cceb1fd464775c5.html").read_text(encoding="utf-8")
    from summarizer.evaluation import score_document

    summary = next(
        r.summary for r in load_results(results)[0] if r.doc_id == "000_1cceb1fd464775c5"
    )
    gold = json.loads((GOLD / "000_1cceb1fd464775c5.json").read_text(encoding="utf-8"))
    score = score_document(summary, gold, REPORTS[0].read_text(encoding="utf-8"))
    matched = sum(c.tp for c in score.sections.values()) + score.metrics.tp
    assert html.count('<span class="badge matched">') == matched
    assert html.count('<span class="badge extra">') == (
        sum(c.fp for c in score.sections.values()) + score.metrics.fp
    )
    missed = sum(len(v) for v in score.missed.values())
    assert html.count('<span class="badge missed">') == missed + len(score.missed_metrics)
    assert parse(html).gold  # the missed points' evidence is underlined in the source
    assert f"F1 {score.micro.f1:.2f}" in html


def test_a_source_that_moved_is_found_with_sources_or_said(results, tmp_path, capsys):
    lines = results.read_text(encoding="utf-8").splitlines()
    record = next(r for r in map(json.loads, lines) if r["doc_id"] == REPORTS[0].stem)
    record["meta"]["source"] = str(tmp_path / "gone" / "x.txt")
    one = tmp_path / "one.json"
    one.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")  # a summary's JSON
    assert main(["review", str(one), "-o", str(tmp_path / "a")]) == 0
    assert "source not found" in capsys.readouterr().err
    page = (tmp_path / "a" / f"{record['doc_id']}.html").read_text(encoding="utf-8")
    assert "pass --sources DIR" in page and "<mark" not in page
    folder = Path(REPORTS[0]).parent
    assert main(["review", str(one), "-o", str(tmp_path / "b"), "--sources", str(folder)]) == 0
    assert "<mark" in (tmp_path / "b" / f"{record['doc_id']}.html").read_text(encoding="utf-8")


def test_overlapping_quotes_each_get_their_marks_and_the_html_balances():
    raw = "一二三四五六七八九十<b>&"
    q = [
        Quote("achievements", 1, 0, "二三四五", (1, 5), "exact"),
        Quote("metrics", 1, 0, "四五六七", (3, 7), "exact"),  # overlaps the first
        Quote("plans", 2, 0, "三四", (2, 4), "folded"),  # inside the first
        Quote("problems", 1, 0, "十<b>&", (9, 14), "exact"),  # markup in the text
        Quote("plans", 3, 0, "不在", None, None),  # found nowhere: no mark
    ]
    html = source_html(raw, q)
    marks = parse(html)
    assert marks.unbalanced == 0 and not marks.open
    assert marks.text == {
        "achievements-1-0": "二三四五",
        "metrics-1-0": "四五六七",
        "plans-2-0": "三四",
        "problems-1-0": "十<b>&",
    }
    assert "&lt;b&gt;&amp;" in html  # the report's text is never markup
    assert html.count('id="q-achievements-1-0"') == 1  # one anchor per quote


def test_the_source_is_shaded_by_section_and_a_quote_across_a_boundary_stays_whole():
    raw = "一、成绩很好。二、存在问题。三、下一步计划。"
    shades = [
        Shade((0, 7), "achievements", "heading 1.0 · 标题「成绩」"),
        Shade((7, 14), "problems", "heading 1.0 · 标题「存在问题」"),
        Shade((14, len(raw)), "plans", 'cue 0.6 · "下一步" <x>'),
    ]
    q = [Quote("achievements", 1, 0, "成绩很好。二、存在", (2, 11), "exact")]  # crosses a shade
    html = source_html(raw, q, (), shades)
    marks = parse(html)
    assert marks.unbalanced == 0 and not marks.open
    assert marks.text == {"achievements-1-0": "成绩很好。二、存在"}
    assert html.count("<span") == html.count("</span>") == 3
    assert [html.index(f"sec-{s}") for s in ("achievements", "problems", "plans")] == sorted(
        html.index(f"sec-{s}") for s in ("achievements", "problems", "plans")
    )
    assert 'title="plans · cue 0.6 · &quot;下一步&quot; &lt;x&gt;"' in html  # escaped
    text_only = re.sub(r"<[^>]+>", "", html)
    assert text_only == raw  # nothing added to or lost from the report's text
    assert source_html(raw, q) == source_html(raw, q, (), ())  # no shades: as before


def test_page_names_hold_the_doc_id_and_never_collide():
    taken: set[str] = set()
    assert page_name("2023年 法院/报告", taken) == "2023年_法院_报告.html"
    assert page_name("2023年:法院?报告", taken) == "2023年_法院_报告-2.html"
    assert page_name("index", taken) == "index-2.html"  # never the index itself
    assert page_name("..", taken) == "document.html"


# ----------------------------------------------------------------------- spreadsheet


def test_xlsx_digest_reads_back_with_every_item_and_metric(results, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "digest.xlsx"
    assert main(["spreadsheet", str(results), "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["items", "metrics", "documents"]
    summaries = [r.summary for r in load_results(results)[0] if isinstance(r, Summarized)]
    items = list(book["items"].iter_rows(values_only=True))
    assert items[0][:6] == ("doc_id", "title", "organization", "period", "section", "text")
    assert len(items) - 1 == sum(len(getattr(s, x)) for s in summaries for x in SECTIONS)
    first = summaries[0].achievements[0]
    row = next(r for r in items if r[0] == summaries[0].doc_id and r[4] == "achievements")
    assert row[5] == first.text and row[6] == " / ".join(first.evidence)
    assert row[7] == f"{first.spans[0][0]}-{first.spans[0][1]}"
    metrics = list(book["metrics"].iter_rows(values_only=True))
    assert len(metrics) - 1 == sum(len(s.metrics) for s in summaries)
    documents = list(book["documents"].iter_rows(values_only=True))
    assert [r[0] for r in documents[1:]] == [*(s.doc_id for s in summaries), "broken"]
    assert documents[-1][-1] == "broken.txt: the file is empty"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    text_width = book["items"].column_dimensions["F"].width
    assert 30 < text_width <= 60  # sized to the Chinese text, wide characters counted twice


def test_csv_digest_is_utf8_with_a_bom_for_excel(results, tmp_path, capsys):
    out = tmp_path / "digest.csv"
    assert main(["spreadsheet", str(results), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["doc_id", "title", "organization", "period", "section"]
    assert any("法院" in cell for row in rows[1:] for cell in row)
    assert main(["spreadsheet", str(results), "-o", str(tmp_path / "digest.pdf")]) == 2
    assert "end it in .xlsx or .csv" in capsys.readouterr().err


def test_a_results_file_with_a_bad_line_costs_that_line(results, tmp_path, capsys):
    lines = results.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], "{not json", lines[1]]) + "\n", encoding="utf-8")
    assert main(["export", str(bad), "-o", str(tmp_path / "d.csv")]) == 0  # its old name
    assert f"{bad}:2: not a summary or an error record with a doc_id; skipped" in (
        capsys.readouterr().err
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["review", str(empty), "-o", str(tmp_path / "r")]) == 1
    assert "no results in this file" in capsys.readouterr().err


def _reference_html(raw: str, quotes: list[Quote]) -> str:
    """The plain reading of ``source_html``: for each piece between cuts, every quote that
    covers it, outermost first, tested one by one (quadratic; the module sweeps)."""
    import html as escape
    import itertools

    spans = sorted(
        ((q.span, q) for q in quotes if q.span and q.span[1] > q.span[0]),
        key=lambda m: (m[0][0], -m[0][1]),
    )
    cuts = sorted({0, len(raw), *(p for (s, e), _ in spans for p in (s, e))})
    seen: set[str] = set()
    out = []
    for start, end in itertools.pairwise(cuts):
        head = []
        covering = [q for (s, e), q in spans if s <= start and end <= e]
        for q in covering:
            tag = (
                f'<mark class="q {q.section}" data-section="{q.section}" '
                f'data-item="{q.item}" data-quote="{q.index}"'
            )
            first = q.key not in seen
            seen.add(q.key)
            head.append(f'{tag} id="q-{q.key}">' if first else f"{tag}>")
        piece = escape.escape(raw[start:end], quote=False)
        out.append("".join(head) + piece + "</mark>" * len(covering))
    return "".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_the_sweep_marks_as_the_plain_reading_does(seed):
    import random

    chance = random.Random(seed)
    alphabet = "审结案件一二三４５6ABc <>&\"'\n　，。％"
    raw = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 400)))
    quotes = []
    for n in range(chance.randint(0, 30)):
        start = chance.randint(0, len(raw))
        end = min(len(raw), start + chance.randint(0, 60))
        section = chance.choice([*SECTIONS, "metrics"])
        quotes.append(Quote(section, n + 1, 0, raw[start:end], (start, end), "exact"))
    assert source_html(raw, quotes) == _reference_html(raw, quotes)
