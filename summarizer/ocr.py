"""OCR: a scanned PDF or an image read through tesseract, when the user asks (``--ocr``).

Why not by default: recognition errors land in figures and quotes (记 for 讫, 8 for 3),
so a summary of recognized text is marked in ``meta.warnings`` and only made when the
user chose it. Why tesseract: Debian packages it with its Chinese data
(``tesseract-ocr``, ``tesseract-ocr-chi-sim``), it runs offline, and it is a program,
not a library, so nothing is linked. Pages are rendered by PDFium at 300 dpi and
recognized in parallel, one tesseract per core.

The recognized text is laid out as the PDF reader lays out a text layer: tesseract's
blocks are paragraphs (their lines run on), page numbers and a block repeated at the top
or bottom of several pages (a running header) are dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

from summarizer.errors import InputError
from summarizer.extracted import Extracted

__all__ = [
    "IMAGE_SUFFIXES",
    "OCR_FIX",
    "image_kind",
    "needs_ocr",
    "ocr_image",
    "ocr_paragraphs",
    "ocr_warning",
    "recognize_pages",
]

LANGUAGE = "chi_sim"
PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
OCR_FIX = f"it needs OCR: install {PACKAGES} (apt-get install {PACKAGES}) and pass --ocr"
_DPI = 300
#: Seconds one page may take (a dense A4 page takes about 6 s on one core).
_PAGE_TIMEOUT = 120
#: What image files are called (``image_kind`` reads their bytes).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp")
_IMAGES = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
_HAN = r"[\u3400-\u9fff\uf900-\ufaff，。、；：？！“”‘’（）《》【】]"


@cache
def _space_in_chinese() -> re.Pattern[str]:
    """Spaces tesseract puts between Chinese characters (compiled on first use: 5 ms)."""
    return re.compile(rf"(?<={_HAN}) +(?={_HAN})")


def image_kind(data: bytes) -> str | None:
    """The image format of ``data`` (PNG, JPEG, ...) or None when it is no image."""
    return next((kind for magic, kind in _IMAGES if data.startswith(magic)), None)


@cache
def _tesseract() -> str | None:
    """The tesseract program, when it is installed with its Chinese data (asked once)."""
    import subprocess  # here: only a scan or an image needs it

    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return program if LANGUAGE in listed.split() else None


def needs_ocr(what: str) -> str:
    """The one line for a file that only OCR can read: how to get it read."""
    if _tesseract() is not None:
        return f"{what}; it needs OCR: pass --ocr to read it through tesseract"
    return f"{what}; {OCR_FIX}"


def ocr_warning(pages: int) -> str:
    """What a summary of recognized text says in ``meta.warnings``."""
    where = f"{pages} scanned page{'s' if pages != 1 else ''}" if pages else "an image"
    return (
        f"read through OCR (tesseract, {LANGUAGE}) from {where}: recognition errors may "
        "stand in figures and quotes; check them against the original"
    )


#: Tesseracts running at once in this process, however many documents read scans: one
#: per core this process may use.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_RUNNING = threading.BoundedSemaphore(_CORES)


def _recognize(program: str, image: bytes, path: str | None) -> str:
    import subprocess

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per page; pages in parallel
    try:
        with _RUNNING:
            done = subprocess.run(
                [program, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(_DPI)],
                input=image,
                capture_output=True,
                timeout=_PAGE_TIMEOUT,
                env=env,
            )
    except subprocess.TimeoutExpired:
        raise InputError(f"OCR took over {_PAGE_TIMEOUT} s on one page", path=path) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = reason[-1] if reason else f"exit status {done.returncode}"
        raise InputError(f"tesseract could not read it ({why})", path=path)
    return done.stdout.decode("utf-8", "replace")


def _blocks(text: str) -> list[str]:
    """Tesseract's blocks (separated by blank lines), each one paragraph."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        joined = "".join(lines)
        joined = _space_in_chinese().sub("", joined).strip()
        if joined:
            found.append(joined)
    return found


def ocr_paragraphs(pages: list[list[str]]) -> Iterator[str]:
    """Recognized pages' blocks as paragraphs: page numbers and running headers and
    footers dropped by the PDF reader's rules (a block's place: the page's top or
    bottom), and a page's last block run on into the next page's first when it stops
    mid-sentence."""
    from summarizer.pdf import SENTENCE_ENDS, furniture

    placed = [
        [(block, 1.0 if i == 0 else -1.0 if i == len(blocks) - 1 else 0.0)
         for i, block in enumerate(blocks)]
        for blocks in pages
    ]  # fmt: skip
    dropped = furniture(placed)
    carried = ""
    for blocks, gone in zip(pages, dropped, strict=True):
        kept = [b for i, b in enumerate(blocks) if i not in gone]
        if carried and kept:
            kept[0] = carried + kept[0]
            carried = ""
        if kept and kept[-1][-1] not in SENTENCE_ENDS:
            carried = kept.pop()
        yield from kept
    if carried:
        yield carried


def _require(path: str | None, what: str) -> str:
    program = _tesseract()
    if program is None:
        raise InputError(f"{what}; {OCR_FIX}", path=path)
    return program


def ocr_image(data: bytes, kind: str, *, path: str | None = None) -> Extracted:
    """The text of an image file, recognized."""
    program = _require(path, f"this is a {kind} image")
    text = "\n".join(ocr_paragraphs([_blocks(_recognize(program, data, path))]))
    if not text.strip():
        raise InputError("OCR found no text in the image", path=path)
    return Extracted(text + "\n", f"tesseract ({LANGUAGE})", (ocr_warning(0),))


def recognize_pages(
    document: Any, numbers: list[int], *, path: str | None = None
) -> dict[int, list[str]]:
    """The blocks of the scanned pages ``numbers`` of a ``pypdfium2.PdfDocument``.

    Pages are rendered one at a time in this thread (PDFium is not thread-safe) and
    recognized in parallel, no more rendered ahead than there are cores (an A4 page at
    300 dpi is 8.7 MB)."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    program = _require(path, "this PDF has no text layer (a scan)")
    texts: dict[int, str] = {}
    with ThreadPoolExecutor(max_workers=_CORES) as pool:
        ahead: deque[tuple[int, Future[str]]] = deque()
        for n in numbers:
            if len(ahead) >= _CORES:
                done, future = ahead.popleft()
                texts[done] = future.result()
            ahead.append((n, pool.submit(_recognize, program, _page_image(document[n]), path)))
        for done, future in ahead:
            texts[done] = future.result()
    return {n: _blocks(texts[n]) for n in numbers}


def _page_image(page: Any) -> bytes:
    """A page rendered in grey at 300 dpi, as a PGM image (tesseract reads it from stdin)."""
    array = page.render(scale=_DPI / 72, grayscale=True).to_numpy()
    grey = array[:, :, 0] if array.ndim == 3 else array
    height, width = grey.shape
    return f"P5 {width} {height} 255\n".encode() + bytes(grey.tobytes())
