"""How fast a review page is made and opened: ``python eval/bench_review.py``.

Summarizes (offline engine) a 30,000-character report made of three corpus reports
bound together, and every corpus report, writes their review pages against gold, and
prints per page: characters, quotes marked, the seconds to write it, and, in headless
Chromium (Debian's ``chromium``; skipped when absent), the milliseconds until the page
is loaded and laid out. Issue #16 asks that a 30,000-character report open instantly.
``--screenshot PATH`` saves the README's picture of a page; it is committed after
``pngquant --quality 60-85`` (Debian's pngquant) to keep it small.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer  # noqa: E402
from summarizer.results import Summarized  # noqa: E402
from summarizer.review import write_review  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, LONG  # noqa: E402

CORPUS = ROOT / "eval" / "corpus"
#: The page the README shows: a court's report against its gold file.
SHOWN = "000_1cceb1fd464775c5"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, help="save a PNG of one page here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    long = work / "long_report.txt"
    long.write_text(
        "\n\n".join((CORPUS / f"{n}.txt").read_text(encoding="utf-8") for n in LONG), "utf-8"
    )
    paths = [long, *sorted(CORPUS.glob("*.txt"))]
    with Summarizer(backend="offline", cache=False) as offline:
        results = [Summarized(offline.summarize(p), str(p)) for p in paths]
    rows = []
    for result in results:
        start = time.perf_counter()
        done = write_review(
            [result], work / "pages", origin="bench", gold_dir=ROOT / "eval" / "gold"
        )
        seconds = time.perf_counter() - start
        size = len(Path(result.summary.meta.source or "").read_text(encoding="utf-8"))
        rows.append([result.doc_id, size, done.highlighted, done.quotes, seconds, None])
    chromium = shutil.which("chromium")
    if chromium:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for row in rows:
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto((work / "pages" / f"{row[0]}.html").as_uri())
                row[5] = page.evaluate(
                    "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
                )
                if args.screenshot and row[0] == SHOWN:
                    page.click("#item-achievements-5")
                    page.wait_for_timeout(400)
                    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.screenshot))
                page.close()
            browser.close()
    print(f"{'document':<36} {'chars':>6} {'marked':>9} {'write s':>8} {'open ms':>8}")
    for doc_id, size, marked, quotes, seconds, ms in rows:
        opened = "n/a" if ms is None else f"{ms:.0f}"
        print(f"{doc_id:<36} {size:>6} {marked:>4}/{quotes:<4} {seconds:8.3f} {opened:>8}")
    print(f"median write {statistics.median(r[4] for r in rows):.3f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
