"""Word files (.docx): their text, as the document every span indexes.

Why a text and not the file: quotes and spans must be checkable, and a .docx is XML in a
ZIP. The extracted text *is* the document from here on (``Document.raw``); ``meta``
says it came from a Word file and with what reader (``Document.extracted_with``).

What is read, in the body's order: each paragraph on its own line, as the reader typed
it, and a list number Word adds itself (automatic numbering, 一、 （一） 1.) written before
it as the reader sees it; each table row as one Markdown line (``| 项目 | 数量 |``), so that the
offline engine reads its figures as metrics and never a row as a point. Headers,
footers, footnotes and comments are left out: they are not the report's text.
python-docx (MIT) is imported on first use: reading text files never loads it.
"""

from __future__ import annotations

import io
import re
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
    numbering = _Numbering(document)
    found: list[list[str]] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = _clean(paragraph.text)
            label = numbering.label(paragraph)  # counted even when empty, as Word does
            found.append([label + text if text.strip() else text])
        elif tag == "tbl":
            found.append(_rows(Table(child, document)))
    return found


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE_DIGITS = "〇一二三四五六七八九"
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _chinese(n: int) -> str:
    """一 … 九十九 as Word writes a list number in chineseCounting (十一, 二十, 二十一)."""
    if n < 10:
        return _CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    if tens >= 10:
        return str(n)  # a hundred items in one Chinese-numbered list: plain digits
    return (
        (_CHINESE_DIGITS[tens] if tens > 1 else "") + "十" + (_CHINESE_DIGITS[ones] if ones else "")
    )


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def _formatted(n: int, fmt: str) -> str:
    """A list number in one of Word's formats (w:numFmt)."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "ideographDigital",
    ):
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)  # decimal, decimalFullWidth and the rest


class _Numbering:
    """Word's automatic list numbers (一、 （一） 1.), rendered as the reader sees them:
    the level's text (w:lvlText, %1 … %9 each level's count in its format), counted per
    abstract list (two lists sharing one definition count on), a level's count restarting
    when a level above it moves on, a list's ``startOverride`` restarting it. A bullet
    renders as nothing: it is no number the report cites. Not read: list styles
    (``numStyleLink``), whose paragraphs get no number."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[tuple[str, int], tuple[int, str, str, str]] = {}
        self._abstract: dict[str, str] = {}
        self._overrides: dict[str, dict[int, int]] = {}
        self._counts: dict[str, dict[int, int]] = {}
        self._used: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.iter(f"{_W}abstractNum"):
            aid = abstract.get(f"{_W}abstractNumId")
            for lvl in abstract.iter(f"{_W}lvl"):
                self._levels[(aid, int(lvl.get(f"{_W}ilvl", "0")))] = (
                    int(_val(lvl, "start") or 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                    _val(lvl, "suff") or "tab",
                )
        for num in root.iter(f"{_W}num"):
            num_id, abstract_id = num.get(f"{_W}numId"), _val(num, "abstractNumId")
            if abstract_id is None:
                continue
            self._abstract[num_id] = abstract_id
            for override in num.iter(f"{_W}lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None:
                    level = int(override.get(f"{_W}ilvl", "0"))
                    self._overrides.setdefault(num_id, {})[level] = int(start)

    def label(self, paragraph: Any) -> str:
        """The number Word shows before ``paragraph`` ("" when it has none)."""
        num_id, ilvl = _numbered(paragraph)
        abstract = self._abstract.get(num_id or "")
        if num_id is None or abstract is None or (abstract, ilvl) not in self._levels:
            return ""
        counts = self._counts.setdefault(abstract, {})
        if num_id not in self._used:  # a list's first paragraph: its restarts apply
            self._used.add(num_id)
            for restarted, start in self._overrides.get(num_id, {}).items():
                counts[restarted] = start - 1
                for deeper in [k for k in counts if k > restarted]:
                    del counts[deeper]
        start, fmt, text, suffix = self._levels[(abstract, ilvl)]
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a level moving on restarts those below it
        if fmt in ("bullet", "none"):
            return ""

        def level(match: Any) -> str:
            at = int(match.group(1)) - 1
            lvl_start, lvl_fmt, _, _ = self._levels.get((abstract, at), (1, "decimal", "", ""))
            return _formatted(counts.get(at, lvl_start), lvl_fmt)

        label = re.sub(r"%([1-9])", level, text)
        if label and suffix != "nothing" and label[-1].isascii():
            label += " "  # "1." then a tab: "1. " (never "1.2023年", read as 1.2)
        return label


def _val(element: Any, name: str) -> str | None:
    child = element.find(f"{_W}{name}")
    return None if child is None else child.get(f"{_W}val")


def _numbered(paragraph: Any) -> tuple[str | None, int]:
    """The list (numId) and level of a paragraph: each from its own numPr where that says
    it, else from its style's, or the style that style is based on."""
    num_id: str | None = None
    ilvl: str | None = None
    for holder in (paragraph._p.pPr, *_style_pprs(paragraph)):
        num_pr = None if holder is None else holder.find(f"{_W}numPr")
        if num_pr is None:
            continue
        num_id = num_id if num_id is not None else _val(num_pr, "numId")
        ilvl = ilvl if ilvl is not None else _val(num_pr, "ilvl")
        if num_id is not None and ilvl is not None:
            break
    if num_id is None or num_id == "0":
        return None, 0  # not numbered, or numbering switched off on this paragraph
    return num_id, int(ilvl or 0)


def _style_pprs(paragraph: Any) -> list[Any]:
    """The paragraph properties of its style and of the styles that one is based on."""
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return []
    found = []
    seen = 0
    while style is not None and seen < 10:  # a based-on chain, with a guard on loops
        found.append(style.element.pPr)
        style, seen = style.base_style, seen + 1
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
