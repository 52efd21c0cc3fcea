"""Reading: a path or a string in, a :class:`Document` out.

``Document.raw`` is the decoded text that every span indexes: exactly what
``Path.read_text(encoding=doc.encoding)`` returns (universal newlines). Nothing
is cleaned here; cleaning happens in views (``summarizer.normalize``) that keep a
map back to ``raw``.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from summarizer.errors import InputError
from summarizer.normalize import NormalizedText, normalize

__all__ = ["Document", "decode", "load", "read_document"]

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

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize(self.raw)


def text_id(text: str) -> str:
    """A stable id for a document given as a string."""
    return "text-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def decode(data: bytes, *, path: str | None = None) -> tuple[str, str]:
    """Decode file bytes to text with universal newlines; return ``(text, encoding)``."""
    if not data.strip():
        raise InputError("the file is empty; nothing to summarize", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the file is not valid UTF-8; re-save it as UTF-8", path=path) from None
    return _universal_newlines(text), "utf-8"


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: str | os.PathLike[str], *, doc_id: str | None = None) -> Document:
    """Read a report file. Raises :class:`InputError` with a one-line reason."""
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise InputError("is a directory, not a report file", path=name)
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"the file is {size // (1024 * 1024)} MiB; reports over "
                f"{MAX_BYTES // (1024 * 1024)} MiB are refused",
                path=name,
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=name) from None
    text, encoding = decode(data, path=name)
    return Document(doc_id=doc_id or p.stem, raw=text, source=name, encoding=encoding)


def load(source: str | os.PathLike[str], *, doc_id: str | None = None) -> Document:
    """A document from a path or from the text itself.

    A ``Path`` is always a file. A string is a file when it names one that exists,
    or when it looks like a file name (one line ending in an extension), in which
    case a missing file is an error rather than a one-line "report"; otherwise the
    string is the report text.
    """
    if isinstance(source, os.PathLike):
        return read_document(source, doc_id=doc_id)
    if not isinstance(source, str):
        raise InputError(f"expected a path or a string, got {type(source).__name__}")
    one_line = "\n" not in source and len(source) < 4096
    if one_line and (os.path.isfile(source) or _LOOKS_LIKE_PATH.match(source.strip())):
        return read_document(source, doc_id=doc_id)
    if not source.strip():
        raise InputError("the text is empty; nothing to summarize")
    return Document(doc_id=doc_id or text_id(source), raw=source)
