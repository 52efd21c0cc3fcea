"""``summarizer spreadsheet``: the results as a spreadsheet digest (.xlsx or .csv).

It was called ``export`` before, a name that still works; ``batch --export`` is another
thing (a batch engine's request lines)."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from summarizer.cli._console import notice
from summarizer.cli.options import add_command, add_results_input

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer spreadsheet results.jsonl --out digest.xlsx
      summarizer spreadsheet results.jsonl --out digest.csv      the items only

    digest.xlsx has three sheets: items (one row per achievement, problem and
    plan: doc_id, title, organization, period, section, text, evidence, first
    span, category), metrics (doc_id, name, value, unit, evidence, span) and
    documents (counts, backend, model, tokens, cost with --prices, warnings, and
    the error of each document that failed). Header frozen, filters on. The CSV
    is UTF-8 with a byte-order mark, so Excel and WPS open the Chinese correctly.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "spreadsheet",
        aliases=["export"],
        help="write the results as a spreadsheet (.xlsx, or the items as .csv)",
        description="Write a results file (batch JSONL, or a summary's JSON) as a "
        "spreadsheet digest; the format follows the --out name.",
        epilog=_EPILOG,
    )
    add_results_input(parser, "digest.xlsx or digest.csv")
    parser.add_argument(
        "--prices",
        metavar="FILE",
        help="cost table for the documents sheet (see 'summarizer eval')",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.pricing import Prices
    from summarizer.results import load_results
    from summarizer.spreadsheet import write_spreadsheet

    prices = Prices.load(args.prices) if args.prices else None
    results, skipped = load_results(args.results)
    for line in skipped:
        notice(args.quiet, f"warning: {line}")
    written = write_spreadsheet(results, Path(args.out), prices)
    counts = ", ".join(f"{n} {sheet}" for sheet, n in written.items())
    notice(args.quiet, f"spreadsheet: {args.out} ({counts} rows)")
    return 0
