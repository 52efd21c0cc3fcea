"""``summarizer eval``: score a backend's summaries, or saved predictions, against gold."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import textwrap
from typing import Any

from summarizer.cli._console import fail, notice, write
from summarizer.cli.options import add_command, add_engine_options, load_settings
from summarizer.errors import SummarizerError, UsageError

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer eval --backend offline                         run the offline engine, score it
      summarizer eval --pred results.jsonl                      score saved predictions
      summarizer eval --pred results.jsonl --json now.json --baseline before.json
      summarizer eval --backend llm --save-pred pred.jsonl --report report.md --fail-under 0.6

    Gold files follow eval/gold/README.md. Items pair one-to-one per section
    (optimal assignment): 1.0 when their evidence overlaps in the document, else
    the character-bigram F1 of their texts, never below 0.5; both sides are
    folded alike (NFKC, Traditional to Simplified, pinyin debris, whitespace).
    Metrics pair by value and unit (2,000 = 2000; 万元 is not 元). A document
    without a prediction, or with an error record, scores as an empty summary.

    exit status: 0 scored; 1 macro F1 under --fail-under, or a gold document
    could not be scored; 2 bad usage, or no document could be scored at all.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "eval",
        help="score summaries against hand-labeled gold files",
        description=(
            "Score a backend's summaries (or saved predictions) against hand-labeled "
            "gold files: per-section precision/recall/F1, metric recall/precision, grounding."
        ),
        epilog=_EPILOG,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--gold", default="eval/gold", metavar="DIR", help="gold *.json files (default: eval/gold)"
    )
    data.add_argument(
        "--corpus",
        default="eval/corpus",
        metavar="DIR",
        help="the documents, <doc_id>.txt (default: eval/corpus)",
    )
    data.add_argument(
        "--pred",
        "--predictions",
        dest="pred",
        metavar="PATH",
        help="score saved predictions: a JSONL file (batch output) or a folder of JSON files; "
        "without it the backend summarizes the corpus",
    )
    data.add_argument(
        "--save-pred",
        metavar="PATH",
        help="also save the predictions made here as JSONL (to score again with --pred)",
    )
    data.add_argument(
        "--prices",
        metavar="FILE",
        help='cost table, US$ per 1M tokens: {"MODEL": {"input": 0.27, "output": 1.1}}; '
        '"*" for any model',
    )
    report = parser.add_argument_group("results")
    report.add_argument(
        "-o", "--out", "--json", dest="json", metavar="PATH", help="write all figures as JSON here"
    )
    report.add_argument(
        "--report",
        metavar="PATH",
        help="write a Markdown report: per document, the matched pairs beside the missed "
        "and extra items",
    )
    report.add_argument(
        "--details",
        action="store_true",
        help="print the same per-document pairs, missed and extra items after the table",
    )
    report.add_argument(
        "--baseline", metavar="PATH", help="an earlier --json file: print the change against it"
    )
    report.add_argument(
        "--fail-under",
        type=float,
        metavar="X",
        help="exit 1 when the items macro F1 < X (for CI gates)",
    )
    add_engine_options(parser, report)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.evaluation import (
        Prediction,
        compare,
        evaluate,
        load_gold,
        load_predictions,
        print_table,
        to_markdown,
    )
    from summarizer.evaluation.matching import require_scipy
    from summarizer.pricing import Prices

    require_scipy()  # before any work: the eval extra may not be installed
    try:
        gold = load_gold(args.gold)
    except SummarizerError as exc:  # no gold, or unreadable gold: the --gold given is wrong
        raise UsageError(str(exc)) from None
    prices = Prices.load(args.prices) if args.prices else Prices()
    baseline = _read_json(args.baseline, "baseline") if args.baseline else None
    notify = functools.partial(notice, args.quiet)
    with contextlib.ExitStack() as stack:
        if args.pred:
            predictions, notices = load_predictions(args.pred)
            for message in notices:
                notify(message)
            known = {str(g["doc_id"]) for g in gold}
            if predictions and not known & set(predictions):
                raise SummarizerError(
                    "no prediction has the doc_id of a gold file; is this the right --gold?",
                    path=args.pred,
                )
            predict: Any = predictions
        else:
            from summarizer.pipeline import Summarizer
            from summarizer.render import to_json
            from summarizer.results import error_record

            summarizer = stack.enter_context(Summarizer(load_settings(args)))
            saved = (
                stack.enter_context(open(args.save_pred, "w", encoding="utf-8"))
                if args.save_pred
                else None
            )

            def predict(doc: Any) -> Prediction:
                try:
                    summary = summarizer.summarize(doc)
                except Exception as exc:
                    record = error_record(doc.doc_id, doc.source, exc)
                    fail(record["error"]["message"])
                    if saved:
                        saved.write(json.dumps(record, ensure_ascii=False) + "\n")
                    return Prediction.from_record(record)
                if saved:
                    saved.write(to_json(summary, indent=None) + "\n")
                return Prediction(doc.doc_id, summary.model_dump(mode="json"))

        report, unscored = evaluate(gold, args.corpus, predict, prices=prices, notify=notify)
    if not report.documents:  # never a score for nothing
        raise UsageError(
            f"no gold document could be scored: none of the {len(gold)} in {args.gold} has "
            f"its document in --corpus {args.corpus}; pass the folder of the <doc_id>.txt files"
        )
    for status, what in (("missing", "have no prediction"), ("invalid", "are not ReportSummary")):
        docs = [d for d in report.documents if d.status == status]
        if docs:
            notify(
                f"{len(docs)} of {len(report.documents)} documents {what} (scored as they are); "
                f"first: {docs[0].doc_id}: {docs[0].error}"
            )
    figures = report.to_dict()
    deltas = compare(figures, baseline) if baseline is not None else None
    if deltas is not None:
        figures["baseline"] = {"path": str(args.baseline), "deltas": deltas}
    if args.json:
        write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", args.json)
    if args.report:
        write(to_markdown(report, deltas), args.report)
    print_table(report, figures, deltas, details=args.details)
    code = 1 if unscored else 0
    if args.fail_under is not None and not report.items_scored:
        notify("--fail-under not applied: no document here has item gold (section ranges only)")
    elif args.fail_under is not None and report.macro_f1 < args.fail_under:
        fail(f"items macro F1 {report.macro_f1:.3f} is under --fail-under {args.fail_under}")
        code = 1
    return code


def _read_json(path: str, what: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise SummarizerError(
            f"cannot read the {what} ({exc.strerror or exc})", path=path
        ) from None
    except ValueError:
        raise SummarizerError(
            f"the {what} is not JSON; pass a file written by --json", path=path
        ) from None
    if not isinstance(data, dict):
        raise SummarizerError(f"the {what} is not a --json file", path=path)
    return data
