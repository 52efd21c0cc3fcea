"""Reports written as people receive them (issue #29): a text report as a Word file
(python-docx) and as a PDF printed by Chromium (through Playwright) or by LibreOffice.

Shared by the tests and by ``eval/make_formats.py`` / ``eval/bench_pdf.py``. The PDF
looks like a downloaded government PDF: A4, Chinese body text with a first-line
indent, a running header (the report's title) and a page footer ``— N —``, so that
page furniture falls inside sentences as it does in real files.
"""

from __future__ import annotations

import base64
import html
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "CHROMIUM_ARGS",
    "chromium_page",
    "chromium_pdfs",
    "libreoffice_pdf",
    "print_pdf",
    "report_html",
    "scan",
    "system_chromium",
    "write_docx",
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_STYLE = (
    "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:15pt;"
    "line-height:1.65}p{margin:0;text-indent:2em}h1{font-size:20pt;text-align:center}"
)


#: A first line longer than this is no title (a report flattened into one line).
_TITLE = 60


def report_html(text: str, *, title: str | None = None) -> str:
    """A text report as a page to print: its first line a centred title (when it is as
    short as one), each other line a paragraph with a first-line indent; the running
    header is the title, cut to a header's length."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    titled = bool(lines) and len(lines[0]) <= _TITLE
    head = html.escape(title or (lines[0][:_TITLE] if lines else ""))
    body = [f"<h1>{html.escape(lines[0])}</h1>"] if titled else []
    body += [f"<p>{html.escape(line)}</p>" for line in lines[int(titled) :]]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{head}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


def system_chromium() -> str:
    """The system Chromium, or a skip (a failure where CI requires it: .ci/run sets
    SUMMARIZER_REQUIRE_BROWSER=1)."""
    import pytest

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("SUMMARIZER_REQUIRE_BROWSER") == "1":
            pytest.fail("no chromium on PATH: apt-get install chromium fonts-noto-cjk")
        pytest.skip("no system Chromium (apt-get install chromium fonts-noto-cjk)")
    return found


@contextmanager
def chromium_page(executable: str | None = None) -> Iterator[Any]:
    """A page of one headless system Chromium (Playwright drives it; no download)."""
    from playwright.sync_api import sync_playwright

    executable = executable or shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise RuntimeError("no chromium on PATH: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def print_pdf(page: Any, page_html: str, path: Path, *, furniture: bool = True) -> Path:
    """``page_html`` printed to ``path``: A4, the title as a running header and ``— N —``
    as the page footer (``furniture``), or neither."""
    page.set_content(page_html)
    page.pdf(
        path=str(path),
        format="A4",
        display_header_footer=furniture,
        header_template=(
            "<div style='font-size:9pt;width:100%;text-align:center;"
            "color:#555'><span class='title'></span></div>"
        ),
        footer_template=(
            "<div style='font-size:11pt;width:100%;text-align:center'>"
            "— <span class='pageNumber'></span> —</div>"
        ),
        margin={"top": "2.4cm", "bottom": "2.4cm", "left": "2.6cm", "right": "2.6cm"},
    )
    return path


def scan(page: Any, page_html: str, pdf_path: Path) -> bytes:
    """A scan: ``page_html`` as a picture (returned as PNG bytes) and printed as a PDF that
    holds that picture and no text layer."""
    page.set_viewport_size({"width": 900, "height": 1200})
    page.set_content(page_html)
    picture = bytes(page.screenshot(full_page=True))
    encoded = base64.b64encode(picture).decode("ascii")
    print_pdf(
        page,
        f"<html><body style='margin:0'><img style='width:100%' "
        f"src='data:image/png;base64,{encoded}'></body></html>",
        pdf_path,
        furniture=False,
    )
    return picture


def chromium_pdfs(jobs: Iterable[tuple[str, Path]], *, executable: str | None = None) -> list[Path]:
    """Print each ``(html, path)`` with one Chromium (see :func:`print_pdf`)."""
    with chromium_page(executable) as page:
        return [print_pdf(page, page_html, path) for page_html, path in jobs]


def write_docx(
    path: Path,
    paragraphs: Sequence[str],
    *,
    table: Sequence[Sequence[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    page_numbers: bool = False,
) -> Path:
    """A Word file: one paragraph per line, then a table, a header and a footer when
    given; ``page_numbers`` puts Word's PAGE field in the footer (— N —)."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table is not None:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if page_numbers:
        _page_field(section.footer.paragraphs[0])
    document.save(path)
    return path


def _page_field(paragraph: Any) -> None:
    """``— PAGE —`` in a footer paragraph, as Word writes a page-number field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)
    paragraph.add_run(" —")


def libreoffice_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """The PDF LibreOffice prints from a Word file (``soffice --headless --convert-to pdf``)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("no LibreOffice on PATH: apt-get install libreoffice-writer-nogui")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return out_dir / (docx_path.stem + ".pdf")
