"""Check hand-labelled gold files against their documents before they are used.

    python eval/check_labels.py eval/unseen/dev          # a folder with corpus/ and gold/
    python eval/check_labels.py ../shared/gwr

A gold file may hold section ranges (``ranges``, the format of ``../shared/gwr/README.md``),
item gold (``achievements``/``problems``/``plans``/``metrics``, ``eval/gold/README.md``), or
both. Ranges must tile the decoded text from 0 to its length, in order, each boundary at a
paragraph start, ``first``/``last`` matching; every evidence quote must be in the file as it
is, and a metric's evidence must hold its value. Prints one line per fault and a count per
file; exits 1 when any file has a fault.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from summarizer.read import read_document

SECTIONS = {"achievements", "problems", "plans", "none"}


def range_faults(text: str, ranges: list[dict[str, object]]) -> list[str]:
    faults = []
    at = 0
    for n, r in enumerate(ranges):
        start, end, section = r.get("start"), r.get("end"), r.get("section")
        if not isinstance(start, int) or not isinstance(end, int):
            faults.append(f"range {n}: start/end must be integers")
            continue
        if section not in SECTIONS:
            faults.append(f"range {n}: section {section!r} is not one of {sorted(SECTIONS)}")
        if start != at:
            faults.append(f"range {n}: starts at {start}, the previous one ended at {at}")
        if end <= start:
            faults.append(f"range {n}: empty or reversed ({start}, {end})")
        if start and text[start - 1] != "\n":
            faults.append(f"range {n}: {start} is not at a paragraph start")
        if "first" in r and r["first"] != text[start : start + 20]:
            faults.append(f"range {n}: first {r['first']!r} != {text[start : start + 20]!r}")
        if "last" in r and r["last"] != text[max(start, end - 20) : end]:
            faults.append(f"range {n}: last {r['last']!r} != {text[max(start, end - 20) : end]!r}")
        at = end
    if ranges and at != len(text):
        faults.append(f"ranges end at {at}, the text at {len(text)}")
    return faults


def item_faults(text: str, gold: dict[str, object]) -> list[str]:
    faults = []
    for section in ("achievements", "problems", "plans"):
        for n, item in enumerate(gold.get(section) or []):  # type: ignore[attr-defined]
            if not item.get("text"):
                faults.append(f"{section}[{n}]: no text")
            quotes = item.get("evidence") or []
            if not quotes:
                faults.append(f"{section}[{n}]: no evidence")
            for quote in quotes:
                if quote not in text:
                    faults.append(f"{section}[{n}]: evidence not in the file: {quote[:40]!r}")
    for n, metric in enumerate(gold.get("metrics") or []):  # type: ignore[attr-defined]
        quote = metric.get("evidence") or ""
        if quote not in text:
            faults.append(f"metrics[{n}]: evidence not in the file: {quote[:40]!r}")
        elif str(metric.get("value")) not in quote:
            faults.append(f"metrics[{n}]: value {metric.get('value')!r} not in its evidence")
    return faults


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bad = 0
    for folder in map(Path, argv):
        for path in sorted((folder / "gold").glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))
            doc_id = gold.get("doc_id", path.stem)
            documents = sorted((folder / "corpus").glob(f"{doc_id}.*"))
            if not documents:
                print(f"{path}: no document {doc_id}.* in {folder / 'corpus'}")
                bad += 1
                continue
            text = read_document(documents[0]).raw  # decoded as the package decodes it
            faults = range_faults(text, gold.get("ranges") or []) + item_faults(text, gold)
            for fault in faults:
                print(f"{path.name}: {fault}")
            kinds = [k for k in ("ranges", "achievements") if k in gold]
            print(f"{path.name}: {len(faults)} faults ({'+'.join(kinds) or 'nothing labelled'})")
            bad += bool(faults)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
