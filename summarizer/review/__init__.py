"""Review: summaries a person checks by looking (``summarizer review``).

One self-contained HTML page per document, the source (as the file has it) with every
evidence quote marked beside the summary, and an ``index.html`` listing every document
with its counts, warnings and failures. Against a gold folder, each item is marked
matched or extra and the gold points the summary missed are shown with their evidence.
Pages load nothing: styles and script are inline, so they open from the file system
and work offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.cache import kept_texts
from summarizer.errors import SummarizerError
from summarizer.read import TextStore, read_document
from summarizer.results import Failed, Result, Summarized
from summarizer.review.gold import compare_with_gold
from summarizer.review.page import assets, render_page, template
from summarizer.schemas import SECTIONS, ReportSummary

__all__ = ["Reviewed", "page_name", "write_review"]


@dataclass
class Reviewed:
    """What ``write_review`` wrote."""

    index: Path
    pages: dict[str, Path] = field(default_factory=dict)
    quotes: int = 0
    highlighted: int = 0
    #: One line per document whose source or gold could not be used.
    notices: list[str] = field(default_factory=list)


_UNSAFE = re.compile(r"[^\w.\-]+")


def page_name(doc_id: str, taken: set[str]) -> str:
    """A file name holding the ``doc_id`` (characters a file system refuses become ``_``;
    two ids that end up alike get ``-2``, ``-3``)."""
    base = _UNSAFE.sub("_", doc_id).strip("._") or "document"
    name, n = f"{base}.html", 1
    while name.lower() in taken or name == "index.html":
        n += 1
        name = f"{base}-{n}.html"
    taken.add(name.lower())
    return name


def _source(
    summary: ReportSummary, sources: Path | None, texts: TextStore | None
) -> tuple[str | None, str]:
    """The raw text the summary quotes, or None and why not."""
    candidates: list[Path] = []
    if summary.meta.source and summary.meta.source != "-":
        candidates.append(Path(summary.meta.source))
    if sources is not None:
        from summarizer.evaluation.files import find_document

        found = find_document(sources, summary.doc_id)
        if found is not None:
            candidates.append(found)
    extracted_with = summary.meta.extracted_with or ""
    ocr = "tesseract" in extracted_with  # a scan: read the way its summary was
    for path in candidates:
        if path.is_file():
            try:
                return read_document(path, ocr=ocr, texts=texts).raw, ""
            except SummarizerError:
                continue
    where = summary.meta.source or "no file (the text was given directly)"
    return None, (
        f"source not found ({where}); pass --sources DIR, the folder holding "
        f"{summary.doc_id}.*, to show it"
    )


def write_review(
    results: Sequence[Result],
    out: Path,
    *,
    origin: str,
    gold_dir: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Reviewed:
    """A page per document and ``index.html`` in ``out`` (created)."""
    golds: dict[str, dict[str, Any]] = {}
    if gold_dir is not None:  # read as 'summarizer eval' reads it, once
        from summarizer.evaluation.files import load_gold

        golds = {str(g["doc_id"]): g for g in load_gold(gold_dir)}
    out.mkdir(parents=True, exist_ok=True)
    done = Reviewed(index=out / "index.html")
    texts = kept_texts()  # a Word, PDF or scan's text as its summary read it
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    for result in results:
        if isinstance(result, Failed):
            rows.append({"doc_id": result.doc_id, "page": None, "error": result.message})
            if progress is not None:
                progress(result.doc_id)
            continue
        summary = result.summary
        raw, note = _source(summary, sources, texts)
        if raw is None:
            done.notices.append(f"{summary.doc_id}: {note}")
        gold_record = golds.get(summary.doc_id)
        if gold_dir is not None and gold_record is None:
            done.notices.append(f"{summary.doc_id}: no gold file {summary.doc_id}.json")
        gold = (
            compare_with_gold(summary, gold_record, raw)
            if gold_record is not None and raw is not None
            else None
        )
        page = render_page(summary, raw, gold, note)
        name = page_name(summary.doc_id, taken)
        (out / name).write_text(page.html, encoding="utf-8")
        done.pages[summary.doc_id] = out / name
        done.quotes += page.quotes
        done.highlighted += page.highlighted
        meta = summary.meta
        rows.append(
            {
                "doc_id": summary.doc_id,
                "page": name,
                "title": summary.title or "",
                "organization": summary.organization or "",
                "counts": [len(getattr(summary, s)) for s in SECTIONS] + [len(summary.metrics)],
                "quotes": page.quotes,
                "highlighted": page.highlighted,
                "warnings": len(meta.warnings),
                "warning_text": "\n".join(meta.warnings),
                "dropped": len(meta.dropped),
                "score": gold.score if gold is not None else None,
            }
        )
        if progress is not None:
            progress(summary.doc_id)
    ok = sum(1 for r in results if isinstance(r, Summarized))
    index = template("index.html.j2").render(
        rows=rows,
        ok=ok,
        failed=len(results) - ok,
        origin=origin,
        gold_dir=str(gold_dir) if gold_dir else "",
        **assets(),
    )
    done.index.write_text(index, encoding="utf-8")
    return done
