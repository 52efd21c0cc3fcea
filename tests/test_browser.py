"""The review pages in a real browser (issue #16): headless Chromium, driven by
Playwright, loads each page from the file system. Every quote is highlighted, clicking
an item brings its first quote into view, clicking a quote flashes its item, nothing
is logged to the console, and a screenshot is not blank.

Needs the system Chromium (Debian's ``chromium``; Playwright's own browser download is
not possible here) and a CJK font (``fonts-noto-cjk``); ``.ci/run`` installs both and
sets ``SUMMARIZER_REQUIRE_BROWSER=1``, so in CI a missing browser fails instead of
skipping.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.results import Summarized, load_results
from tests.office_files import CHROMIUM_ARGS, system_chromium
from tests.test_review import REPORTS, quotes


@pytest.fixture(scope="module")
def browser():
    executable = system_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


#: Three corpus reports bound into one: a page of 30,000 characters.
LONG = (
    "b01_gov_report_2019",
    "a02_spp_work_report_2020_abstract",
    "a05_court_enforcement_2016_2018",
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Made before the browser starts: Playwright's sync API holds an event loop that
    the batch's own could not run beside."""
    tmp_path = tmp_path_factory.mktemp("review")
    long = tmp_path / "long_report.txt"
    texts = [(REPORTS[0].parent / f"{name}.txt").read_text(encoding="utf-8") for name in LONG]
    long.write_text("\n\n".join(texts), encoding="utf-8")
    results = tmp_path / "results.jsonl"
    argv = [
        "batch",
        "-q",
        "--backend",
        "offline",
        "-o",
        str(results),
        *map(str, REPORTS),
        str(long),
    ]
    assert main(argv) == 0
    assert main(["review", str(results), "-o", str(tmp_path / "review"), "-q"]) == 0
    summaries = [r.summary for r in load_results(results)[0] if isinstance(r, Summarized)]
    return tmp_path / "review", summaries


def _non_blank(png: bytes) -> bool:
    """Whether a PNG (8-bit RGB or RGBA, as Chromium writes) has more than one colour."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat = 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        if kind == b"IDAT":
            idat += png[at + 8 : at + 8 + length]
        at += 12 + length
    pixels = zlib.decompress(idat)
    return len(set(pixels[:: max(1, len(pixels) // 5000)])) > 20


@pytest.mark.slow
def test_pages_in_chromium(pages, browser):
    folder, summaries = pages
    assert len(summaries) == 4
    assert sum(len(s.achievements) for s in summaries) > 0
    for summary in summaries:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        problems: list[str] = []
        said = problems.append
        page.on("console", lambda m, said=said: said(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, said=said: said(str(e)))
        page.on("request", lambda r, said=said: None if r.url.startswith("file:") else said(r.url))
        page.goto((folder / f"{summary.doc_id}.html").as_uri())
        keys = page.evaluate(
            """() => [...new Set([...document.querySelectorAll('mark[data-section]')]
                  .map(m => m.dataset.section + '-' + m.dataset.item + '-' + m.dataset.quote))]"""
        )
        wanted = quotes(summary)
        assert len(set(keys) & set(wanted)) >= 0.9 * len(wanted)
        assert set(keys) == set(wanted)  # in fact all of them
        # an item near the end of the summary: its first quote is far down the source
        section = next(s for s in ("plans", "problems", "achievements") if getattr(summary, s))
        n = len(getattr(summary, section))
        page.click(f"#item-{section}-{n}")
        first = page.locator(f"#q-{section}-{n}-0")
        box, pane = first.bounding_box(), page.locator("#source").bounding_box()
        assert box is not None and pane is not None
        assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
        assert "flash" in (first.get_attribute("class") or "")
        # a quote in the source brings its item into view and flashes it
        page.locator("mark[data-section='achievements'][data-item='1']").first.click()
        assert "flash" in (page.locator("#item-achievements-1").get_attribute("class") or "")
        shot = page.screenshot()
        assert _non_blank(shot)
        assert problems == [], problems
        page.close()


def test_the_index_lists_every_document(pages, browser):
    folder, summaries = pages
    page = browser.new_page()
    page.goto((folder / "index.html").as_uri())
    links = page.eval_on_selector_all("a[href$='.html']", "as => as.map(a => a.textContent)")
    assert sorted(links) == sorted(s.doc_id for s in summaries)
    page.close()
