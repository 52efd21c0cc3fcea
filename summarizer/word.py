"""Word files (.docx): their text, as the document every span indexes.

Why a text and not the file: quotes and spans must be checkable, and a .docx is XML in a
ZIP. The extracted text *is* the document from here on (``Document.raw``); ``meta``
says it came from a Word file and with what reader (``Document.extracted_with``).

What is read, in the body's order: each paragraph on its own line, as the reader typed
it (a number the report typed, 一、 or （一）, stays; Word's automatic numbering is not
rendered yet); each table row as one Markdown line (``| 项目 | 数量 |``), so that the
offline engine reads its figures as metrics and never a row as a point. Headers,
footers, footnotes and comments are left out: they are not the report's text.
python-docx (MIT) is imported on first use: reading text files never loads it.
"""

from __future__ import annotations

import io
from typing import Any

from summarizer.errors import InputError
from summarizer.extracted import Extracted

__all__ = ["WORD_SUFFIXES", "looks_like_word", "word_text"]

#: The suffixes read as Word files.
WORD_SUFFIXES = (".docx",)
_ZIP = b"PK\x03\x04"


def looks_like_word(data: bytes, suffix: str) -> bool:
    """Whether ``data`` is a .docx: a ZIP named so, or one holding word/document.xml."""
    if not data.startswith(_ZIP):
        return False
    return suffix.lower() in WORD_SUFFIXES or b"word/document.xml" in data[:65536]


def word_text(data: bytes, *, path: str | None = None) -> Extracted:
    """The text of a .docx and the reader that extracted it (``python-docx 1.2.0``)."""
    import zipfile
    from importlib.metadata import version

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(
            f"this ZIP is not a readable Word file ({exc}); open it in Word or WPS and "
            "save it again as .docx",
            path=path,
        ) from None
    lines = [line for block in _blocks(document) for line in block]
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise InputError("the Word file holds no text; nothing to summarize", path=path)
    return Extracted(text + "\n", f"python-docx {version('python-docx')}")


def _blocks(document: Any) -> list[list[str]]:
    """The body's paragraphs and tables in order, each as its lines."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    found: list[list[str]] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            found.append([_clean(Paragraph(child, document).text)])
        elif tag == "tbl":
            found.append(_rows(Table(child, document)))
    return found


def _rows(table: Any) -> list[str]:
    """A table's rows as Markdown lines; a cell merged across columns is given once."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:
                continue  # the same cell again: merged across columns
            last = cell._tc
            cells.append(" ".join(_clean(p.text) for p in cell.paragraphs if p.text.strip()))
        lines.append("| " + " | ".join(cells) + " |")
    return ["", *lines, ""]


def _clean(text: str) -> str:
    """A paragraph's text on one line: soft line breaks and tabs as spaces."""
    return text.replace("\n", " ").replace("\t", " ").rstrip()
