"""Write the corpus reports as people receive them (issue #29): each ``eval/corpus``
report as a Word file (python-docx, a ``— PAGE —`` footer), as a PDF printed by
Chromium (A4, running title header, ``— N —`` footer) and as a PDF printed by
LibreOffice from the Word file. ``eval/bench_pdf.py`` and ``eval/score_formats.py``
read them.

    python eval/make_formats.py [--out /tmp/formats] [--corpus eval/corpus] [--no-libreoffice]

Needs Debian's ``chromium`` (and ``fonts-noto-cjk``); LibreOffice for the third form.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.office_files import (  # noqa: E402
    chromium_pdfs,
    libreoffice_pdf,
    report_html,
    write_docx,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/formats"))
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    for sub in ("docx", "chromium", "libreoffice"):
        (args.out / sub).mkdir(parents=True, exist_ok=True)
    reports = sorted(p for p in args.corpus.glob("*.txt"))
    jobs = []
    for path in reports:
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        docx_path = write_docx(args.out / "docx" / f"{path.stem}.docx", lines, page_numbers=True)
        jobs.append((report_html(text), args.out / "chromium" / f"{path.stem}.pdf"))
        if not args.no_libreoffice:
            libreoffice_pdf(docx_path, args.out / "libreoffice")
        print(f"{path.stem}: docx", file=sys.stderr)
    chromium_pdfs(jobs)
    print(f"{len(reports)} reports written under {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
