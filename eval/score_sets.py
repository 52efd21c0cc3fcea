"""The offline engine's figures on every labelled set at once, one line each, so that a
rule is judged on reports it was not written for as well as on those it was.

    python eval/score_sets.py                 # corpus, gwr, unseen dev, unseen check
    python eval/score_sets.py --json now.json --baseline before.json

Sets: ``eval/gold`` + ``eval/corpus`` (the shared ten), ``eval/gwr`` (``../shared/gwr``
copied: twelve government work reports, section ranges and targets), ``eval/unseen/dev``
(read while writing rules) and ``eval/unseen/check`` (scored, never read: see
``eval/unseen/README.md``). Per set: items macro
F1 and each section's F1 over the documents with item gold, metric recall; over those with
section ranges, the share of each section's items that lie in a range of it, in how many
documents each section was found, and the section reader's ranges against the gold's by
character (``chars.*``: of the text gold files under a section, the share read so).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from summarizer.evaluation import evaluate, load_gold
from summarizer.evaluation.scoring import Prediction
from summarizer.offline import summarize_offline
from summarizer.read import Document, read_document

HERE = Path(__file__).resolve().parent
SETS = {
    "corpus": (HERE / "gold", HERE / "corpus"),
    "gwr": (
        HERE / "gwr" / "gold",
        HERE / "gwr" / "corpus",
    ),
    "dev": (HERE / "unseen" / "dev" / "gold", HERE / "unseen" / "dev" / "corpus"),
    "check": (HERE / "unseen" / "check" / "gold", HERE / "unseen" / "check" / "corpus"),
}


def _predict(doc: Document) -> Prediction:
    return Prediction(doc.doc_id, summarize_offline(doc).model_dump(mode="json"))


def _section_chars(gold: list[dict[str, Any]], corpus: Path) -> dict[str, float]:
    """The section reader against the gold ranges, character by character: of the text
    gold files under each section, the share the reader files there too (recall), and
    of all the text gold files under some section, the share read right (accuracy)."""
    try:
        from summarizer.offline import section_ranges
    except ImportError:  # an engine before the section reader (a baseline run)
        return {}
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for record in gold:
        ranges = record.get("ranges") or []
        if not ranges:
            continue
        doc = read_document(next(corpus.glob(f"{record['doc_id']}.*")))
        said = ["none"] * len(doc.raw)
        for r in section_ranges(doc):
            said[r.start : r.end] = [r.section] * (r.end - r.start)
        for r in ranges:
            section = r["section"]
            if section == "none":
                continue
            total[section] = total.get(section, 0) + r["end"] - r["start"]
            hits = sum(1 for x in said[r["start"] : r["end"]] if x == section)
            right[section] = right.get(section, 0) + hits
    out = {f"chars.{s}": round(right[s] / total[s], 3) for s in sorted(total) if total[s]}
    if total:
        out["chars.accuracy"] = round(sum(right.values()) / sum(total.values()), 3)
    return out


def figures(gold_dir: Path, corpus: Path) -> dict[str, Any] | None:
    if not gold_dir.is_dir() or not any(gold_dir.glob("*.json")):
        return None
    gold = load_gold(gold_dir)
    report, _ = evaluate(gold, corpus, _predict)
    out: dict[str, Any] = {"documents": len(report.documents), "item_gold": report.items_scored}
    if report.items_scored:
        out["macro_f1"] = round(report.macro_f1, 3)
        out.update({s: round(c.f1, 3) for s, c in report.sections.items()})
        out["metric_recall"] = round(report.metrics.recall, 3)
    placement = report.placement
    if placement is not None:
        for s in ("achievements", "problems", "plans"):
            share = placement.share_inside(s)
            out[f"in_range.{s}"] = None if share is None else round(share, 3)
            out[f"found.{s}"] = f"{placement.found[s]}/{placement.gold_has[s]}"
        for kind, counts in (("targets", placement.targets), ("outcomes", placement.outcomes)):
            if counts.gold:
                out[f"{kind}_recall"] = round(counts.recall, 3)
        out.update(_section_chars(gold, corpus))
    return out


def _line(name: str, now: dict[str, Any], then: dict[str, Any] | None) -> str:
    parts = []
    for key, value in now.items():
        if key in ("documents", "item_gold"):
            continue
        was = (then or {}).get(key)
        change = ""
        if isinstance(value, float) and isinstance(was, float) and value != was:
            change = f" ({value - was:+.3f})"
        elif isinstance(value, str) and isinstance(was, str) and value != was:
            change = f" (was {was})"
        parts.append(f"{key} {value}{change}")
    head = f"{name} ({now['documents']} docs, {now['item_gold']} with items)"
    return head + ": " + ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--baseline", help="an earlier --json file: show the change")
    args = parser.parse_args()
    baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else {}
    results = {}
    for name, (gold_dir, corpus) in SETS.items():
        now = figures(gold_dir, corpus)
        if now is None:
            print(f"{name}: no gold at {gold_dir}", file=sys.stderr)
            continue
        results[name] = now
        print(_line(name, now, baseline.get(name)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
