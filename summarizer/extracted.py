"""What a reader of Word, PDF and image files hands on: the text it extracted (which
becomes ``Document.raw``, the text every span indexes), the reader's name and version
(``meta.extracted_with``), and what a reader of the summary should know (OCR)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Extracted"]


@dataclass(frozen=True)
class Extracted:
    """A file's text, the reader that extracted it, and what a reader should know."""

    text: str
    reader: str
    warnings: tuple[str, ...] = ()
