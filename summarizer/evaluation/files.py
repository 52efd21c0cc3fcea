"""Reading what is scored: gold files, saved predictions, corpus documents."""

from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import Any

from summarizer.errors import InputError
from summarizer.evaluation.scoring import Prediction

__all__ = ["find_document", "load_gold", "load_predictions", "missing_prediction"]


def load_gold(directory: str | Path) -> list[dict[str, Any]]:
    """Every ``*.json`` gold file in ``directory`` (``doc_id`` defaults to the file name)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError("gold folder not found (pass --gold DIR)", path=folder)
    gold = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"unreadable gold file ({_reason(exc)})", path=path) from None
        if not isinstance(record, dict):
            raise InputError("a gold file must hold one JSON object", path=path)
        record.setdefault("doc_id", path.stem)
        gold.append(record)
    if not gold:
        raise InputError("no *.json gold files here", path=folder)
    return gold


def load_predictions(path: str | Path) -> tuple[dict[str, Prediction], list[str]]:
    """Predictions by ``doc_id`` from a JSONL file (batch output) or a folder of JSON files.

    Returns them with notices: unreadable lines (which cost only themselves) and
    repeated ``doc_id``s (the last line wins, as a resumed batch would have it).
    """
    where = Path(path)
    notices: list[str] = []
    records: list[tuple[str, Any]] = []
    try:
        if where.is_dir():
            for file in sorted(where.rglob("*.json")):
                records.append((str(file), _json_or_none(file.read_text(encoding="utf-8"))))
        else:
            with open(where, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        records.append((f"{where}:{n}", _json_or_none(line)))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read predictions ({_reason(exc)})", path=where) from None
    predictions: dict[str, Prediction] = {}
    for origin, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
            notices.append(f"{origin}: not a summary with a doc_id; skipped")
            continue
        if record["doc_id"] in predictions:
            notices.append(f"{origin}: {record['doc_id']} seen before; the last one counts")
        predictions[record["doc_id"]] = Prediction.from_record(record)
    return predictions, notices


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]


def find_document(corpus: str | Path, doc_id: str) -> Path | None:
    """The corpus file for ``doc_id``: ``<doc_id>.txt``, else any ``<doc_id>.*``."""
    folder = Path(corpus)
    exact = folder / f"{doc_id}.txt"
    if exact.is_file():
        return exact
    found = sorted(p for p in folder.glob(f"{glob.escape(doc_id)}.*") if p.is_file())
    return found[0] if found else None


def missing_prediction(doc_id: str) -> Prediction:
    """What a document without a prediction scores as: an empty summary."""
    return Prediction(doc_id, {}, "missing", "no prediction for this document")
