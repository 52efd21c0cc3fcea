"""Reading: a path or a string in, a :class:`Document` out.

``Document.raw`` is the decoded text that every span indexes: exactly what
``Path.read_text(encoding=doc.encoding)`` returns (universal newlines). Nothing
is cleaned here; cleaning happens in views (``summarizer.normalize``) that keep a
map back to ``raw``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from summarizer.errors import InputError
from summarizer.extracted import Extracted
from summarizer.normalize import NormalizedText, normalize
from summarizer.ocr import IMAGE_SUFFIXES, image_kind, needs_ocr, ocr_image
from summarizer.pdf import looks_like_pdf, pdf_text
from summarizer.word import WORD_SUFFIXES, looks_like_word, word_text

__all__ = [
    "EXTRACTED_SUFFIXES",
    "STDIN",
    "Document",
    "TextStore",
    "decode",
    "extraction_key",
    "load",
    "read_document",
    "save_text",
]

#: Past this size a "report" is almost surely something else (a dump, a log).
MAX_BYTES = 20 * 1024 * 1024

_LOOKS_LIKE_PATH = re.compile(r"^[^\n]{1,4096}\.[A-Za-z0-9]{1,8}$")


@dataclass
class Document:
    """One report: its raw text, where it came from, and (lazily) its normalized views."""

    doc_id: str
    raw: str
    source: str | None = None
    encoding: str | None = None
    #: The reader that extracted ``raw`` from a Word or PDF file; None for text files.
    extracted_with: str | None = None
    #: What a reader of its summary should know about how it was read (OCR).
    warnings: tuple[str, ...] = ()

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize(self.raw)


def text_id(text: str) -> str:
    """A stable id for a document given as a string."""
    return "text-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Files that are surely not text, by their first bytes.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx, .pptx or .zip)", "save it as plain text first"),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Office document (.doc, .wps or .xls)",
        "convert it first: libreoffice --headless --convert-to docx FILE",
    ),
    (b"{\\rtf", "an RTF document", "save it as plain text first"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
    (b"Rar!", "a RAR archive", "unpack it first"),
    (b"7z\xbc\xaf", "a 7z archive", "unpack it first"),
    (b"\x7fELF", "a program", "pass a report instead"),
)

#: Chinese encodings tried, in order, when the bytes are not UTF-8.
_CHINESE = ("gb18030", "big5hkscs")
#: Any character that shows: not whitespace, not zero-width, not NUL. A search stops at
#: the first one (a translate of the whole text would cost ~0.5 ms per report).
_VISIBLE = re.compile(r"[^\s\ufeff\u200b\u200c\u200d\u2060\x00]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, *, path: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)`` with universal newlines.

    BOM first, then strict UTF-8, then UTF-16 without BOM, then GB18030 and Big5.
    When both Chinese codecs decode the bytes (GB18030 accepts almost anything),
    charset-normalizer's language model picks. Anything that stays ambiguous or
    does not look like text is refused, never guessed.
    """
    if (kind := image_kind(data)) is not None:
        raise InputError(needs_ocr(f"this is a {kind} image, not a text file"), path=path)
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"this is {what}, not a text file; {fix}", path=path)
    if not data.strip(b" \t\r\n\x00"):
        raise InputError("the file is empty; nothing to summarize", path=path)
    text, encoding = _decode(data, path)
    if not _VISIBLE.search(text):
        raise InputError("the file holds only whitespace; nothing to summarize", path=path)
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise InputError("the file holds binary data, not text", path=path)
    return _universal_newlines(text), encoding


def _decode(data: bytes, path: str | None) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(
                    f"the file starts with a {encoding} BOM but is not valid "
                    f"{encoding}; re-save it as UTF-8",
                    path=path,
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.count(0) > len(data) // 8:  # UTF-16 without a BOM: every ASCII char has a NUL
        zeros_odd = data[1::2].count(0) > data[0::2].count(0)
        encoding = "utf-16-le" if zeros_odd else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise InputError("the file holds binary data, not text", path=path) from None
    decodable = [e for e in _CHINESE if _decodes(data, e)]
    if len(decodable) == 1:
        return data.decode(decodable[0]), decodable[0]
    import charset_normalizer

    isolation = decodable or None
    best = charset_normalizer.from_bytes(data, cp_isolation=isolation).best()
    if best is None or best.chaos > 0.25:
        if len(_CONTROL_BYTES.findall(data)) > max(8, len(data) // 100):
            raise InputError("the file holds binary data, not text", path=path)
        raise InputError(
            "cannot tell the file's encoding (it is not UTF-8, GB18030 or Big5); "
            "re-save it as UTF-8",
            path=path,
        )
    return str(best), best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TextStore(Protocol):
    """Where extracted texts are kept, by :func:`extraction_key` (the summary cache)."""

    def get_text(self, key: str) -> Extracted | None: ...

    def set_text(self, key: str, extracted: Extracted) -> None: ...


#: File names whose text is extracted rather than decoded (a Word file, a PDF, a picture).
EXTRACTED_SUFFIXES = (*WORD_SUFFIXES, ".pdf", *IMAGE_SUFFIXES)
#: Bumped when a reader's output changes, so that a kept text is extracted again.
READERS_VERSION = 1


#: The library behind each kind of reader, whose version is part of a kept text's key.
_LIBRARIES = {"docx": "python-docx", "pdf": "pypdfium2"}


def extraction_key(data: bytes, kind: str, ocr: bool) -> str:
    """The key of a file's extracted text: its bytes, the reader (ours and its library's
    version: an upgrade reads the file again), and whether OCR was on."""
    from importlib.metadata import version

    digest = hashlib.sha256(data).hexdigest()
    library = _LIBRARIES.get(kind)
    used = f"{library}-{version(library)}" if library else kind
    return f"{kind}:{READERS_VERSION}:{used}:{int(ocr)}:{digest}"


def _kind(data: bytes, suffix: str, ocr: bool) -> str | None:
    """Which reader extracts the file's text (``docx``, ``pdf``, ``image`` with OCR on);
    None for a file to decode as text."""
    if looks_like_word(data, suffix):
        return "docx"
    if looks_like_pdf(data):
        return "pdf"
    if ocr and image_kind(data) is not None:
        return "image"
    return None


def _extracted(
    data: bytes, kind: str, source: str, ocr: bool, texts: TextStore | None
) -> Extracted:
    """The file's extracted text, from ``texts`` when it was extracted before."""
    key = extraction_key(data, kind, ocr)
    if texts is not None and (kept := texts.get_text(key)) is not None:
        return kept
    if kind == "docx":
        extracted = word_text(data, path=source)
    elif kind == "pdf":
        extracted = pdf_text(data, path=source, ocr=ocr)
    else:
        extracted = ocr_image(data, image_kind(data) or "image", path=source)
    if texts is not None:
        texts.set_text(key, extracted)
    return extracted


def _document(
    data: bytes,
    doc_id: str,
    source: str,
    suffix: str,
    ocr: bool,
    texts: TextStore | None = None,
) -> Document:
    """The document in a file's bytes: a Word or PDF file's extracted text (an image's,
    through OCR when asked for), else the decoded text."""
    kind = _kind(data, suffix, ocr)
    if kind is not None:
        extracted = _extracted(data, kind, source, ocr, texts)
        return Document(
            doc_id=doc_id,
            raw=extracted.text,
            source=source,
            extracted_with=extracted.reader,
            warnings=extracted.warnings,
        )
    text, encoding = decode(data, path=source)
    return Document(doc_id=doc_id, raw=text, source=source, encoding=encoding)


def _refuse_over_max(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise InputError(
            f"the input is over {MAX_BYTES // (1024 * 1024)} MiB; reports that long are refused",
            path=name,
        )


def read_document(
    path: str | os.PathLike[str],
    *,
    doc_id: str | None = None,
    ocr: bool = False,
    texts: TextStore | None = None,
) -> Document:
    """Read a report file. Raises :class:`InputError` with a one-line reason.

    ``ocr``: read a scanned PDF or an image through tesseract (:mod:`summarizer.ocr`).
    ``texts``: where a Word, PDF or scanned file's extracted text is kept and found again.
    """
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise InputError("is a directory, not a report file", path=name)
        _refuse_over_max(p.stat().st_size, name)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=name) from None
    return _document(data, doc_id or p.stem, name, p.suffix, ocr, texts)


def save_text(doc: Document, folder: Path) -> Path:
    """Keep ``doc``'s text (what its spans index) as ``folder/DOC_ID.txt`` in UTF-8, so that
    each quote can be checked against it: ``text[start:end]`` is the quote."""
    path = folder / f"{doc.doc_id}.txt"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.raw, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write its text ({exc.strerror or exc})", path=str(path)) from None
    return path


#: The path that means standard input, on every command that reads a file.
STDIN = "-"
#: What a report read from standard input is called (its doc_id and its source).
STDIN_ID = "stdin"


def read_stdin(
    *, doc_id: str | None = None, ocr: bool = False, texts: TextStore | None = None
) -> Document:
    """A report piped in (``summarizer summarize -``), read as bytes and decoded as a
    file would be."""
    data = sys.stdin.buffer.read(MAX_BYTES + 1)  # one byte over says it is too long
    _refuse_over_max(len(data), "-")
    return _document(data, doc_id or STDIN_ID, STDIN, "", ocr, texts)


def load(
    source: str | os.PathLike[str],
    *,
    doc_id: str | None = None,
    ocr: bool = False,
    texts: TextStore | None = None,
) -> Document:
    """A document from a path or from the text itself.

    A ``Path`` is always a file. A string is a file when it names one that exists,
    or when it looks like a file name (one line ending in an extension), in which
    case a missing file is an error rather than a one-line "report"; otherwise the
    string is the report text.
    """
    if isinstance(source, os.PathLike):
        return read_document(source, doc_id=doc_id, ocr=ocr, texts=texts)
    if not isinstance(source, str):
        raise InputError(f"expected a path or a string, got {type(source).__name__}")
    one_line = "\n" not in source and len(source) < 4096
    if one_line and (os.path.exists(source) or _LOOKS_LIKE_PATH.match(source.strip())):
        return read_document(source, doc_id=doc_id, ocr=ocr, texts=texts)
    if not source.strip():
        raise InputError("the text is empty; nothing to summarize")
    return Document(doc_id=doc_id or text_id(source), raw=source)
