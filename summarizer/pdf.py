"""PDF files: their text, as the document every span indexes.

Why a text and not the file: quotes and spans must be checkable, and a PDF holds
glyphs placed on pages, not paragraphs. The extracted text *is* the document from here
on (``Document.raw``); ``meta.extracted_with`` names the reader.

The reader is PDFium (``pypdfium2``; BSD-3-Clause / Apache-2.0), chosen by measurement
(``eval/bench_pdf.py``): on the corpus printed by Chromium it keeps 97 % of sentences
whole against pdfminer.six's 68 % and pypdf's 73 %, and it reads a 60-page report in a
fraction of a second where the pure-Python readers take several seconds per ten pages.
Each glyph is placed by its box, not taken in the file's drawing order (LibreOffice
draws curly quotes after the line they sit in), then:

* glyphs on one baseline make a line, left to right; a space is put only between two
  Latin letters or digits set apart (PDFium's own guessed spaces, which fall between
  every Chinese character and a number, are left out);
* page furniture is dropped by the text reader's layout rules: a page number at a page's
  top or bottom (``— 2 —``, ``第2页 共9页``) and a running header or footer (the same
  line, digits aside, at the same height on several pages);
* lines run on into paragraphs, across pages too: a line starts a paragraph when it is
  indented, when the line before ended short of the right margin, when it opens a
  heading or list item (``一、``, ``（一）``), or after a wider gap than lines have.

A PDF without a text layer (a scan) is refused with one line, or read through OCR
(:mod:`summarizer.ocr`) when asked for.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from summarizer.errors import InputError
from summarizer.extracted import Extracted
from summarizer.normalize.layout import OPENS_BLOCK, is_page_number

__all__ = ["PDF_MAGIC", "Line", "looks_like_pdf", "paragraphs", "pdf_text"]

PDF_MAGIC = b"%PDF-"
#: A page with fewer visible characters than this holds no text layer worth the name.
_MIN_CHARS_PER_PAGE = 20
#: The lines at each end of a page that may be furniture.
_FURNITURE_LINES = 2
#: A running header or footer is on this share of the pages at least (and on two).
_RUNNING_SHARE = 0.4
_LATIN = re.compile(r"[A-Za-z0-9]")
_DIGITS = re.compile(r"\d+")
_WHITESPACE = re.compile(r"\s+")


@dataclass
class Line:
    """One line of a page: its text and its box (PDF points, y grows upwards)."""

    text: str
    left: float
    right: float
    bottom: float
    top: float
    page: int

    @property
    def height(self) -> float:
        return self.top - self.bottom


def looks_like_pdf(data: bytes) -> bool:
    # A PDF may have a few bytes of junk before its header; readers accept 1 KiB of it.
    return PDF_MAGIC in data[:1024]


def pdf_text(data: bytes, *, path: str | None = None, ocr: bool = False) -> Extracted:
    """The text of a PDF and the reader that extracted it (``pypdfium2 5.x``).

    Raises :class:`InputError` for an encrypted or broken file, and for a scan when
    ``ocr`` is off (or tesseract is missing: the line names the packages).
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower():
            raise InputError(
                "this PDF is encrypted (it needs a password); open it and save or print an "
                "unprotected copy",
                path=path,
            ) from None
        raise InputError(
            "this PDF is damaged or not a PDF; open it and save it again", path=path
        ) from None
    try:
        pages = [list(_page_lines(document[n], n)) for n in range(len(document))]
        visible = sum(len(line.text.replace(" ", "")) for page in pages for line in page)
        if visible < _MIN_CHARS_PER_PAGE * max(1, len(pages)) / 4:
            if not ocr:
                from summarizer.ocr import needs_ocr

                raise InputError(needs_ocr("this PDF has no text layer (a scan)"), path=path)
            from summarizer.ocr import ocr_pdf

            return ocr_pdf(document, path=path)
    finally:
        document.close()
    text = "\n".join(paragraphs(_without_furniture(pages)))
    if not text.strip():
        raise InputError("the PDF holds no text; nothing to summarize", path=path)
    return Extracted(text + "\n", f"pypdfium2 {_version()}")


def _version() -> str:
    from importlib.metadata import version

    return version("pypdfium2")


#: A glyph: its character, its box's left, right, bottom and top, and its baseline.
_Glyph = tuple[str, float, float, float, float, float]
#: PDFium's mark for a hyphen that ends a line (a word broken there): a hyphen.
_LINE_END_HYPHEN = 2


def _page_lines(page: object, number: int) -> Iterator[Line]:
    """A page's lines, top to bottom, each left to right."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    raw = textpage.raw
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    glyphs: list[_Glyph] = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        if pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code == _LINE_END_HYPHEN:
            code = ord("-")
        if code < 32 or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, ctypes.byref(box)):
            continue
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(x), ctypes.byref(y))
        glyphs.append((chr(code), box.left, box.right, box.bottom, box.top, y.value))
    textpage.close()
    yield from _lines(glyphs, number)


def _lines(glyphs: list[_Glyph], page: int) -> Iterator[Line]:
    """Glyphs grouped by baseline (within a quarter of a glyph's height), each line's
    glyphs left to right."""
    glyphs.sort(key=lambda g: -g[5])
    rows: list[list[_Glyph]] = []
    baseline = 0.0
    for glyph in glyphs:
        if rows and abs(baseline - glyph[5]) <= (glyph[4] - glyph[3]) / 4:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
            baseline = glyph[5]
    for row in rows:
        row.sort(key=lambda g: g[1])
        text = _row_text(row)
        if text.strip():
            ink = [g for g in row if not g[0].isspace()]
            yield Line(
                text=text.strip(),
                left=min(g[1] for g in ink),
                right=max(g[2] for g in ink),
                bottom=min(g[3] for g in row),
                top=max(g[4] for g in row),
                page=page,
            )


def _row_text(row: list[_Glyph]) -> str:
    """A line's glyphs as text: a space between two Latin letters or digits set apart by
    more than a third of their height; spaces the file itself holds kept (one of a run)."""
    parts: list[str] = []
    previous = None
    for glyph in row:
        char = glyph[0]
        if previous is not None and not char.isspace() and not previous[0].isspace():
            gap = glyph[1] - previous[2]
            apart = gap > (glyph[4] - glyph[3]) / 3
            if apart and _LATIN.match(previous[0]) and _LATIN.match(char):
                parts.append(" ")
        if char.isspace() and parts and parts[-1] == " ":
            continue
        parts.append(" " if char.isspace() else char)
        previous = glyph
    return "".join(parts)


def _masked(text: str) -> str:
    return _DIGITS.sub("#", _WHITESPACE.sub("", text))


def _without_furniture(pages: list[list[Line]]) -> list[Line]:
    """Every page's lines but its page numbers and running headers and footers."""
    placed: Counter[tuple[str, int]] = Counter()
    for page in pages:  # each page counts a line once, wherever it is in that page's ends
        ends = page[:_FURNITURE_LINES] + page[-_FURNITURE_LINES:]
        placed.update({(_masked(line.text), round(line.top / 4)) for line in ends})
    running = max(2, round(_RUNNING_SHARE * len(pages)))
    kept = []
    for page in pages:
        at_ends = {id(line) for line in page[:_FURNITURE_LINES] + page[-_FURNITURE_LINES:]}
        edge = {id(page[0]), id(page[-1])} if page else set()
        for line in page:
            if id(line) in edge and is_page_number(line.text):
                continue
            key = (_masked(line.text), round(line.top / 4))
            if id(line) in at_ends and placed[key] >= running:
                continue
            kept.append(line)
    return kept


_LEADING_WORD = re.compile(r"[A-Za-z0-9.,:%/+\-]+")
_NO_LINE_START = "，。、；：？！）》」』”’%"
_SENTENCE_ENDS = "。！？；：.!?;:」』”）)》"


#: How many glyphs short of the margin a line that stops mid-sentence may end and still
#: run on: line breaking keeps a number, a Latin word or a quote with its neighbours.
_MID_SENTENCE_SLACK = 4


def _ended_short(previous: Line, line: Line, right: float, height: float) -> bool:
    """Whether the line before ended its paragraph by ending short of the margin: by more
    than ``line``'s first word needed, or, when it stops mid-sentence (no 。 ！ ？ ； ：),
    by more than a few glyphs."""
    gap = right - previous.right
    needed = _first_word(line.text, height)
    if previous.text[-1] not in _SENTENCE_ENDS:
        needed = max(needed, _MID_SENTENCE_SLACK * height)
    return gap > needed


def _first_word(text: str, height: float) -> float:
    """About how wide a line's first word is: a Latin run or number is never broken, and
    a Chinese character takes the closing punctuation after it along (it cannot start a
    line), so a line before it that ends short by less did not end its paragraph."""
    run = _LEADING_WORD.match(text)
    if run:
        return (len(run.group()) * 0.6 + 0.5) * height
    glued = len(text) > 1 and text[1] in _NO_LINE_START
    return (2.5 if glued else 1.5) * height


def _right_margin(rights: list[float], height: float) -> float:
    """The right margin: the right edge of the rightmost glyph-wide band that a tenth of
    the lines (two at least) reach, so that a few lines running over (a table row, a
    long number) do not move it."""
    bands = Counter(int(r // height) for r in rights)
    enough = max(2, len(rights) // 10)
    band = max((b for b, n in bands.items() if n >= enough), default=max(bands))
    return max(r for r in rights if int(r // height) == band)


def _opens_block(text: str) -> bool:
    """Whether a line opens a heading or list item, by the text reader's rule (which reads
    the width-folded view: （一） as (一))."""
    return bool(OPENS_BLOCK.match(unicodedata.normalize("NFKC", text[:8])))


def _one_heading(previous: Line, line: Line, body: float) -> bool:
    """Whether two lines are one heading set in a larger type than the body's: both a
    fifth larger than it, of one size, one right under the other."""
    size = previous.height
    return (
        size > 1.2 * body
        and abs(line.height - size) < 0.1 * size
        and line.page == previous.page
        and 0 < previous.bottom - line.bottom < 2 * size
    )


def paragraphs(lines: list[Line]) -> Iterator[str]:
    """Lines run on into paragraphs (across pages too); see the module's docstring."""
    import statistics  # here: reading a text file never needs it (fractions, decimal)

    if not lines:
        return
    height = statistics.median(line.height for line in lines)
    margin = Counter(round(line.left) for line in lines).most_common(1)[0][0]
    right = _right_margin([line.right for line in lines], height)
    pitches = [
        a.bottom - b.bottom
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and 0 < a.bottom - b.bottom < 4 * height
    ]
    pitch = statistics.median(pitches) if pitches else 2 * height
    current: list[str] = []
    previous: Line | None = None
    for line in lines:
        starts = (
            previous is None
            or line.left > margin + 0.8 * height  # indented (or centred)
            or _ended_short(previous, line, right, height)
            or (previous.left > margin + 2 * height and previous.right < right - 2 * height)
            or _opens_block(line.text)
            or (line.page == previous.page and previous.bottom - line.bottom > 1.6 * pitch)
        )
        if starts and previous is not None and _one_heading(previous, line, height):
            starts = False  # a heading set large runs on over its lines, centred or not
        if starts and current:
            yield "".join(current)
            current = []
        if current and _LATIN.match(current[-1][-1]) and _LATIN.match(line.text[0]):
            current.append(" ")
        current.append(line.text)
        previous = line
    if current:
        yield "".join(current)
