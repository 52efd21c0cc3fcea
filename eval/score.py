"""Score a backend's summaries against the hand-labeled gold files.

    python eval/score.py                      # offline engine on eval/corpus vs eval/gold
    python eval/score.py --predictions p.jsonl  # score saved summaries (one JSON per line)
    python eval/score.py --details            # per-document rows too

Prints a Markdown table: per-section precision/recall/F1, macro item-F1, metric
recall, evidence validity, and items in sections whose gold is empty.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from summarizer.evaluation import aggregate, score_document
from summarizer.read import read_document

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--gold", type=Path, default=HERE / "gold")
    parser.add_argument("--predictions", type=Path, help="JSONL of summaries to score")
    parser.add_argument(
        "--backend", default="offline", help="when no --predictions (default offline)"
    )
    parser.add_argument("--details", action="store_true", help="per-document rows")
    args = parser.parse_args(argv)

    saved = {}
    if args.predictions:
        for line in args.predictions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                saved[record["doc_id"]] = record
    else:
        from summarizer.pipeline import Summarizer

        summarizer = Summarizer(backend=args.backend)

    scores = []
    for gold_path in sorted(args.gold.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = read_document(args.corpus / f"{gold['doc_id']}.txt")
        if args.predictions:
            if gold["doc_id"] not in saved:
                print(f"score: no prediction for {gold['doc_id']}", file=sys.stderr)
                continue
            predicted = saved[gold["doc_id"]]
        else:
            predicted = summarizer.summarize(doc).model_dump()
        scores.append(score_document(predicted, gold, doc.raw))

    report = aggregate(scores)
    if args.details:
        print("| document | section | gold | predicted | matched | F1 | metrics found |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for d in report.documents:
            for name, c in d.sections.items():
                print(
                    f"| {d.doc_id} | {name} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | "
                    f"{c.f1:.2f} | {d.metrics_found}/{d.metrics_gold} |"
                )
        print()
    print(report.to_markdown())
    for violation in report.violations:
        print(f"- violation: {violation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
