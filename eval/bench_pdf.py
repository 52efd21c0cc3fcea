"""Which PDF reader, measured (issue #29): each candidate's text of the corpus printed
to PDF (``eval/make_formats.py``) against the report's own text.

    python eval/make_formats.py            # once: /tmp/formats/{chromium,libreoffice}/*.pdf
    python eval/bench_pdf.py [--formats /tmp/formats] [--pages 60]

For each reader and each printer: the share of the report's sentences (≥ 6 characters,
NFKC-folded) found whole in the reader's text with all whitespace removed (what it
extracts, layout aside), and its seconds over all files. For summarizer's own reader
(PDFium plus its layout) also the share found whole *within one line* (paragraphs
rebuilt), and page furniture left (page-number lines, running headers). Then the time of
a 60-page PDF, whole process (imports included), median of 3.

Candidates not installed are skipped: ``pip install pdfminer.six pdfplumber pypdf``.
pdftotext (poppler) is GPL and a program, not a library: reference only.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.disable(logging.WARNING)  # pdfminer logs a line per glyph on Chromium's fonts


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(str(path)))


def _pdfplumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _pdfium_raw(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _summarizer(path: Path) -> str:
    from summarizer.pdf import pdf_text

    return pdf_text(path.read_bytes(), path=str(path)).text


CANDIDATES: dict[str, tuple[str, Callable[[Path], str]]] = {
    "pdfminer.six": ("pdfminer", _pdfminer),
    "pdfplumber": ("pdfplumber", _pdfplumber),
    "pypdf": ("pypdf", _pypdf),
    "pypdfium2 (raw)": ("pypdfium2", _pdfium_raw),
    "pdftotext (ref)": ("", _pdftotext),
    "summarizer.pdf": ("pypdfium2", _summarizer),
}


def _fold(text: str) -> str:
    return re.sub(r"[ \t\u3000]+", "", unicodedata.normalize("NFKC", text))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。；！？\n]", _fold(text)) if len(s) >= 6]


def _furniture(text: str, source: str) -> int:
    """Page-number lines and lines that are the title, beyond those the report itself
    holds (a report copied out of a PDF keeps its "— 2 —" lines in its text)."""
    from summarizer.normalize.layout import is_page_number

    def count(lines: list[str], title: str) -> int:
        numbers = sum(1 for line in lines if is_page_number(line))
        return numbers + sum(1 for line in lines if _fold(line) == _fold(title))

    title = source.strip().splitlines()[0]
    return count(text.splitlines(), title) - count(source.splitlines(), title)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", type=Path, default=Path("/tmp/formats"))
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()
    for printer in ("chromium", "libreoffice"):
        pdfs = sorted((args.formats / printer).glob("*.pdf"))
        if not pdfs:
            print(f"{printer}: no PDFs under {args.formats / printer}; run eval/make_formats.py")
            continue
        pages = sum(_page_count(p) for p in pdfs)
        print(f"\n{printer}: {len(pdfs)} PDFs, {pages} pages")
        for name, (module, read) in CANDIDATES.items():
            if module and importlib.util.find_spec(module) is None:
                print(f"  {name:18} not installed")
                continue
            if not module and shutil.which("pdftotext") is None:
                continue
            whole = in_line = total = furniture = 0
            seconds = 0.0
            for pdf in pdfs:
                source = (args.corpus / f"{pdf.stem}.txt").read_text(encoding="utf-8")
                started = time.perf_counter()
                text = read(pdf)
                seconds += time.perf_counter() - started
                stream = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
                lines = {_fold(line) for line in text.splitlines()}
                for s in sentences(source):
                    total += 1
                    whole += s in stream
                    in_line += any(s in line for line in lines)
                furniture += max(0, _furniture(text, source))
            extra = (
                f"  whole in one line {in_line / total:.3f}  furniture lines {furniture}"
                if name == "summarizer.pdf"
                else ""
            )
            print(f"  {name:18} sentences whole {whole / total:.3f}  {seconds:6.2f} s{extra}")
    _long(args)


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(str(path)))


def _long(args: argparse.Namespace) -> None:
    """A report of ``--pages`` pages, printed by Chromium, read by a new process."""
    from tests.office_files import chromium_pdfs, report_html

    texts = [p.read_text(encoding="utf-8") for p in sorted(args.corpus.glob("*.txt"))]
    out = args.formats / f"long_{args.pages}.pdf"
    out.unlink(missing_ok=True)
    if not out.exists() or _page_count(out) < args.pages:
        paragraphs = [line for text in texts for line in text.splitlines() if line.strip()]
        take = len(paragraphs) // 2
        while True:  # grow the report until it prints to --pages pages
            body = "\n".join((paragraphs * 10)[:take])
            chromium_pdfs([(report_html(body), out)])
            printed = _page_count(out)
            if printed >= args.pages:
                break
            take = int(take * args.pages / printed) + 5
    import os

    command = [sys.executable, "-m", "summarizer", "text", str(out)]
    for label, cache in (("read", "0"), ("kept text, from the cache", "1")):
        env = {**os.environ, "SUMMARIZER_CACHE": cache}
        runs = []
        for _ in range(4):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            runs.append(time.perf_counter() - started)
        runs = runs[1:] if cache == "1" else runs  # the first run keeps the text
        print(
            f"{_page_count(out)}-page PDF, `summarizer text` in a new process ({label}): "
            f"median {statistics.median(runs):.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)})"
        )


if __name__ == "__main__":
    main()
