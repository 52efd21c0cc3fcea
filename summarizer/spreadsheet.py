"""A digest for spreadsheets (``summarizer spreadsheet``): every item and metric a row.

``.xlsx`` (openpyxl): sheets ``items``, ``metrics`` and ``documents``, the header row
frozen, filters on, columns sized to their text (a Chinese character counts twice, as
Excel and WPS draw it) and long text wrapped. ``.csv``: the items sheet alone, UTF-8
with a byte-order mark, which is what makes Excel read it as UTF-8 and not as the
system's code page (the Chinese would come out garbled).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.errors import UsageError
from summarizer.pricing import Prices
from summarizer.results import Failed, Result
from summarizer.schemas import SECTIONS, ReportSummary

__all__ = [
    "DOCUMENT_COLUMNS",
    "FORMATS",
    "ITEM_COLUMNS",
    "METRIC_COLUMNS",
    "rows",
    "write_spreadsheet",
]

ITEM_COLUMNS = (
    "doc_id",
    "title",
    "organization",
    "period",
    "section",
    "text",
    "evidence",
    "first_span",
    "category",
)
METRIC_COLUMNS = ("doc_id", "name", "value", "unit", "evidence", "span")
DOCUMENT_COLUMNS = (
    "doc_id",
    "title",
    "organization",
    "period",
    "achievements",
    "problems",
    "plans",
    "metrics",
    "backend",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "cached",
    "warnings",
    "error",
)
#: The output kinds, by the file's extension.
FORMATS = (".xlsx", ".csv")
#: Quotes of one item are joined with this in a cell.
EVIDENCE_JOIN = " / "
#: The widest a column is drawn, in Excel's character units; longer text wraps.
MAX_COLUMN_WIDTH = 60


def _span(span: Sequence[int] | None) -> str:
    return f"{span[0]}-{span[1]}" if span else ""


def rows(
    results: Sequence[Result], prices: Prices | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """The three sheets' rows, headers first."""
    items: list[tuple[Any, ...]] = [ITEM_COLUMNS]
    metrics: list[tuple[Any, ...]] = [METRIC_COLUMNS]
    documents: list[tuple[Any, ...]] = [DOCUMENT_COLUMNS]
    for result in results:
        if isinstance(result, Failed):
            documents.append((result.doc_id, *[""] * (len(DOCUMENT_COLUMNS) - 2), result.message))
            continue
        s = result.summary
        head = (s.doc_id, s.title or "", s.organization or "", s.period or "")
        for section in SECTIONS:
            for item in getattr(s, section):
                first = item.spans[0] if item.spans else None
                evidence = EVIDENCE_JOIN.join(item.evidence)
                items.append(
                    (*head, section, item.text, evidence, _span(first), item.category or "")
                )
        for m in s.metrics:
            metrics.append((s.doc_id, m.name, m.value, m.unit, m.evidence, _span(m.span)))
        documents.append(_document_row(s, prices))
    return {"items": items, "metrics": metrics, "documents": documents}


def _document_row(s: ReportSummary, prices: Prices | None) -> tuple[Any, ...]:
    meta = s.meta
    cost = (prices or Prices()).cost(meta.model_dump())
    return (
        s.doc_id,
        s.title or "",
        s.organization or "",
        s.period or "",
        *(len(getattr(s, section)) for section in SECTIONS),
        len(s.metrics),
        meta.backend,
        meta.model or "",
        meta.usage.prompt_tokens,
        meta.usage.completion_tokens,
        "" if cost is None else round(cost, 6),
        "yes" if meta.cached else "no",
        "\n".join(meta.warnings),
        "",
    )


def write_spreadsheet(
    results: Sequence[Result], out: Path, prices: Prices | None = None
) -> dict[str, int]:
    """Write the digest to ``out`` (``.xlsx`` or ``.csv``); returns the rows per sheet."""
    kind = out.suffix.lower()
    if kind not in FORMATS:
        raise UsageError(f"{out}: cannot tell the format from the name; end it in .xlsx or .csv")
    sheets = rows(results, prices)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(sheets["items"])
        out.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        return {"items": len(sheets["items"]) - 1}
    _xlsx(sheets, out)
    return {name: len(table) - 1 for name, table in sheets.items()}


def _width(value: Any) -> int:
    """How wide a cell's text is drawn: East Asian wide and full-width characters count 2."""
    text = str(value) if value is not None else ""
    line = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _xlsx(sheets: dict[str, list[tuple[Any, ...]]], out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name)
        for row in table:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table[0]))
        sheet.auto_filter.ref = f"A1:{last}{len(table)}"
        for n in range(1, len(table[0]) + 1):
            letter = get_column_letter(n)
            widest = max(_width(row[n - 1]) for row in table)
            sheet.column_dimensions[letter].width = min(MAX_COLUMN_WIDTH, max(8, widest + 2))
            if widest > MAX_COLUMN_WIDTH:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(out)
