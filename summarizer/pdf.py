"""PDF files: their text, as the document every span indexes.

Why a text and not the file: quotes and spans must be checkable, and a PDF holds
glyphs placed on pages, not paragraphs. The extracted text *is* the document from here
on (``Document.raw``); ``meta.extracted_with`` names the reader.

The reader is PDFium (``pypdfium2``; BSD-3-Clause / Apache-2.0), chosen by measurement
(``eval/bench_pdf.py``): on the corpus printed by Chromium it keeps 97 % of sentences
whole against pdfminer.six's 68 % and pypdf's 73 %, and it reads a 60-page report in a
fraction of a second where the pure-Python readers take several seconds per ten pages.
Each glyph is placed by its box as the page is shown (``/Rotate`` undone), not taken in
the file's drawing order (LibreOffice draws curly quotes after the line they sit in),
then:

* glyphs on one baseline make a line, left to right (a baseline may drift, as on a
  skewed page; a superscript joins its line); a space is put between two Latin letters
  or digits set apart, and between any glyphs set apart by over 1.5 glyphs (table
  cells); PDFium's own guessed spaces, which fall between every Chinese character and a
  number, are left out;
* page furniture is dropped by the text reader's layout rules (:func:`furniture`): a
  page number at a page's top or bottom (``— 2 —``, ``第2页 共9页``) and a running header
  or footer (the same line at the same height on several pages);
* lines run on into paragraphs, across pages too: a line starts a paragraph when it is
  indented, when the line before ended short of the right margin (by more than this
  line's first word needed; by more than a few glyphs when it stopped mid-sentence),
  when it opens a heading or list item (``一、``, ``（一）``), or after a wider gap than
  lines have.

A page without a text layer (scanned) is read through OCR (:mod:`summarizer.ocr`) when
asked for; otherwise a scan is refused with one line, and a partly scanned PDF is read
without those pages, with a warning naming them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from summarizer.errors import InputError
from summarizer.extracted import Extracted
from summarizer.normalize.layout import OPENS_BLOCK, is_page_number

__all__ = [
    "PDF_MAGIC",
    "SENTENCE_ENDS",
    "Line",
    "furniture",
    "looks_like_pdf",
    "paragraphs",
    "pdf_text",
]

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
    """Whether ``data`` is a PDF: its header first (after blank bytes at most), so that a
    text report that mentions ``%PDF-`` is still read as text."""
    return data.lstrip(b" \t\r\n\x00\xef\xbb\xbf").startswith(PDF_MAGIC)


def pdf_text(data: bytes, *, path: str | None = None, ocr: bool = False) -> Extracted:
    """The text of a PDF and the reader that extracted it (``pypdfium2 5.x``).

    A page without a text layer (scanned) is read through OCR when ``ocr`` is on; else a
    wholly scanned PDF is refused with one line naming what reads it, and a partly
    scanned one is read without those pages, with a warning that names them.
    Raises :class:`InputError` for an encrypted or broken file.
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
        pages: list[list[Line]] = []
        scanned: list[int] = []
        for n in range(len(document)):
            page = document[n]  # loading a page costs 8 ms: once each
            pages.append(_page_lines(page, n))
            if _scanned(page, pages[-1]):
                scanned.append(n)
            page.close()
        if scanned and len(scanned) == len(pages) and not ocr:
            from summarizer.ocr import needs_ocr

            raise InputError(needs_ocr("this PDF has no text layer (a scan)"), path=path)
        recognized: dict[int, list[str]] = {}
        if scanned and ocr:
            from summarizer.ocr import recognize_pages

            recognized = recognize_pages(document, scanned, path=path)
    finally:
        document.close()
    text = "\n".join(_paragraphs_of(pages, recognized))
    if not text.strip():
        raise InputError("the PDF holds no text; nothing to summarize", path=path)
    reader = f"pypdfium2 {_version()}"
    warnings: tuple[str, ...] = ()
    if recognized:
        from summarizer.ocr import LANGUAGE, ocr_warning

        reader += f" + tesseract ({LANGUAGE})" if len(recognized) < len(pages) else ""
        if len(recognized) == len(pages):
            reader = f"tesseract ({LANGUAGE})"
        warnings = (ocr_warning(len(recognized)),)
    elif scanned:
        from summarizer.ocr import needs_ocr

        which = ", ".join(str(n + 1) for n in scanned[:10]) + ("…" if len(scanned) > 10 else "")
        warnings = (needs_ocr(f"page(s) {which} have no text layer (scanned) and are left out"),)
    return Extracted(text + "\n", reader, warnings)


def _scanned(page: Any, lines: list[Line]) -> bool:
    """Whether a page is a scan: next to no text, and an image on it."""
    import pypdfium2.raw as pdfium_c

    if sum(len(line.text.replace(" ", "")) for line in lines) >= _MIN_CHARS_PER_PAGE:
        return False
    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


def _paragraphs_of(pages: list[list[Line]], recognized: dict[int, list[str]]) -> Iterator[str]:
    """The document's paragraphs: each run of pages with a text layer laid out by their
    lines, each run of recognized pages by their OCR blocks, in page order."""
    from summarizer.ocr import ocr_paragraphs

    run: list[int] = []
    for n in range(len(pages) + 1):
        ends = n == len(pages) or (run and ((n in recognized) != (run[0] in recognized)))
        if ends and run:
            if run[0] in recognized:
                yield from ocr_paragraphs([recognized[k] for k in run])
            else:
                yield from paragraphs(_without_furniture([pages[k] for k in run]))
            run = []
        if n < len(pages):
            run.append(n)


def _version() -> str:
    from importlib.metadata import version

    return version("pypdfium2")


#: A glyph: its character, its box's left, right, bottom and top, and its baseline.
_Glyph = tuple[str, float, float, float, float, float]
#: PDFium's mark for a hyphen that ends a line (a word broken there): a hyphen.
_LINE_END_HYPHEN = 2


def _turned(
    rotation: int, width: float, height: float
) -> Callable[[float, float], tuple[float, float]]:
    """A point of the page's own space as the page is shown (``/Rotate``: 90, 180, 270
    degrees clockwise), so that lines run left to right and top to bottom as read."""
    if rotation == 90:
        return lambda x, y: (y, width - x)
    if rotation == 180:
        return lambda x, y: (width - x, height - y)
    if rotation == 270:
        return lambda x, y: (height - y, x)
    return lambda x, y: (x, y)


def _page_lines(page: Any, number: int) -> list[Line]:
    """A page's lines, top to bottom, each left to right, as the page is shown."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    turn = _turned(page.get_rotation() % 360, page.get_width(), page.get_height())
    if page.get_rotation() % 180 == 90:  # get_width/height give the shown size: unturn it
        turn = _turned(page.get_rotation() % 360, page.get_height(), page.get_width())
    upright = page.get_rotation() % 360 == 0
    textpage = page.get_textpage()
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
        if upright:  # the usual page: no turning (a third of the time of a page)
            glyphs.append((chr(code), box.left, box.right, box.bottom, box.top, y.value))
            continue
        (x0, y0), (x1, y1) = turn(box.left, box.bottom), turn(box.right, box.top)
        _, baseline = turn(x.value, y.value)
        glyphs.append((chr(code), min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1), baseline))
    textpage.close()
    return list(_lines(glyphs, number))


def _lines(glyphs: list[_Glyph], page: int) -> Iterator[Line]:
    """Glyphs grouped into lines, each line's glyphs left to right.

    A glyph joins the line of the glyph before it (taken by height) when its baseline is
    within a quarter of its height of that glyph's: a line whose baseline drifts (a
    skewed page) stays one line. A line of small glyphs that overlaps the next or the
    previous line (a superscript, m², or a subscript) joins that line.
    """
    glyphs.sort(key=lambda g: -g[5])
    rows: list[list[_Glyph]] = []
    for glyph in glyphs:
        if rows and abs(rows[-1][-1][5] - glyph[5]) <= (glyph[4] - glyph[3]) / 4:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    rows = _small_rows_joined(rows)
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


def _small_rows_joined(rows: list[list[_Glyph]]) -> list[list[_Glyph]]:
    """A row of glyphs under nine tenths the height of a row its boxes overlap (a
    superscript, m², or a subscript) joined to that row: the next first, as a superscript
    stands above its line's baseline."""

    def smaller(row: list[_Glyph], other: list[_Glyph]) -> bool:
        tallest = max(g[4] - g[3] for g in other)
        return max(g[4] - g[3] for g in row) < 0.9 * tallest and _overlap(row, other)

    joined: list[list[_Glyph]] = []
    pending: list[_Glyph] = []
    for n, row in enumerate(rows):
        row = pending + row
        pending = []
        if n + 1 < len(rows) and smaller(row, rows[n + 1]):
            pending = row
        elif joined and smaller(row, joined[-1]):
            joined[-1].extend(row)
        else:
            joined.append(row)
    if pending:
        joined.append(pending)
    return joined


def _overlap(a: list[_Glyph], b: list[_Glyph]) -> bool:
    """Whether two rows' boxes overlap in height."""
    return max(g[4] for g in a) > min(g[3] for g in b) and max(g[4] for g in b) > min(
        g[3] for g in a
    )


def _row_text(row: list[_Glyph]) -> str:
    """A line's glyphs as text. A space goes between two Latin letters or digits set apart
    by more than a sixth of their height (a word gap drawn without a space glyph), and
    between any two glyphs set apart by over one and a half glyphs (table cells); spaces
    the file itself holds are kept (one of a run)."""
    parts: list[str] = []
    previous = None
    for glyph in row:
        char = glyph[0]
        if previous is not None and not char.isspace() and not previous[0].isspace():
            gap = glyph[1] - previous[2]
            size = glyph[4] - glyph[3]
            latin = bool(_LATIN.match(previous[0]) and _LATIN.match(char))
            if (latin and gap > size / 6) or gap > 1.5 * size:
                parts.append(" ")
        if char.isspace() and parts and parts[-1] == " ":
            continue
        parts.append(" " if char.isspace() else char)
        previous = glyph
    return "".join(parts)


def furniture(pages: list[list[tuple[str, float]]]) -> list[set[int]]:
    """Which lines of each page are furniture, given each line's text and height (any
    number that is the same wherever a line stands in the same place).

    Of a page's first and last two lines: a page number at its very top or bottom, and a
    running header or footer — the same text at the same height (within 2 points) on two
    pages and 40 % of them. Numbers may differ only where each is its page's own
    (``XX报告 3``), so that 附件1 and 附件2 heading their pages stay. A line that opens a
    heading or list item is never furniture.
    """
    ends = [
        sorted({*range(min(_FURNITURE_LINES, len(p))), *range(max(0, len(p) - 2), len(p))})
        for p in pages
    ]
    same: dict[str, list[tuple[int, float]]] = {}
    numbered: dict[str, list[tuple[int, float]]] = {}
    for n, (page, at) in enumerate(zip(pages, ends, strict=True)):
        for i in at:
            text, height = page[i]
            same.setdefault(_WHITESPACE.sub("", text), []).append((n, height))
            if _numbers_its_page(text, n):
                numbered.setdefault(_masked(text), []).append((n, height))
    running = max(2, round(_RUNNING_SHARE * len(pages)))

    def repeated(places: list[tuple[int, float]], height: float) -> bool:
        return len({m for m, h in places if abs(h - height) <= 2}) >= running

    dropped: list[set[int]] = []
    for n, (page, at) in enumerate(zip(pages, ends, strict=True)):
        gone = set()
        for i in at:
            text, height = page[i]
            if i in (0, len(page) - 1) and is_page_number(text):
                gone.add(i)
            elif _opens_block(text):
                continue
            elif repeated(same[_WHITESPACE.sub("", text)], height) or (
                _numbers_its_page(text, n) and repeated(numbered[_masked(text)], height)
            ):
                gone.add(i)
        dropped.append(gone)
    return dropped


def _numbers_its_page(text: str, n: int) -> bool:
    """Whether a line holds the number of its page (page ``n`` counted from 0)."""
    return str(n + 1) in _DIGITS.findall(text)


def _masked(text: str) -> str:
    return _DIGITS.sub("#", _WHITESPACE.sub("", text))


def _without_furniture(pages: list[list[Line]]) -> list[Line]:
    """Every page's lines but its page numbers and running headers and footers."""
    dropped = furniture([[(line.text, line.top) for line in page] for page in pages])
    return [line for page, gone in zip(pages, dropped, strict=True)
            for i, line in enumerate(page) if i not in gone]  # fmt: skip


_LEADING_WORD = re.compile(r"[A-Za-z0-9.,:%/+\-@_~?=&#]+")
_NO_LINE_START = "，。、；：？！）》」』”’%"
#: What ends a sentence (or a clause a line may end on): a line stopping on one of these
#: may end its paragraph.
SENTENCE_ENDS = "。！？；：.!?;:」』”）)》"


#: How many glyphs short of the margin a line that stops mid-sentence may end and still
#: run on: line breaking keeps a number, a Latin word or a quote with its neighbours.
_MID_SENTENCE_SLACK = 4


def _ended_short(previous: Line, line: Line, right: float, height: float) -> bool:
    """Whether the line before ended its paragraph by ending short of the margin: by more
    than ``line``'s first word needed, or, when it stops mid-sentence (no 。 ！ ？ ； ：),
    by more than a few glyphs."""
    gap = right - previous.right
    needed = _first_word(line.text, height)
    if previous.text[-1] not in SENTENCE_ENDS:
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
    return (2.2 if glued else 1.2) * height


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
    head = unicodedata.normalize("NFKC", text[:8])
    if head.startswith("-") and not head.startswith("- "):
        return False  # －6.5%: a minus sign (a list dash is followed by a space)
    return bool(OPENS_BLOCK.match(head))


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
        heading_goes_on = previous is not None and _one_heading(previous, line, height)
        if starts and heading_goes_on and not _opens_block(line.text):
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
