"""``summarizer review``: an HTML page per document, to check a summary by looking."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from summarizer.cli._console import notice, write
from summarizer.cli.options import add_command, add_results_input
from summarizer.cli.progress import Bar

__all__ = ["register"]


_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer batch reports/ --out results.jsonl
      summarizer review results.jsonl --out review/        then open review/index.html
      summarizer review results.jsonl --out review/ --gold eval/gold
      summarizer summarize report.txt > one.json && summarizer review one.json -o review/

    Each page shows the source as the file has it, every evidence quote marked in
    its section's colour (成绩 green, 问题 red, 计划 blue, 指标 yellow), beside the
    summary. Click an item to scroll to its quotes; click a quote to find its item.
    Each quote is badged exact, folded or repaired (how it was aligned), moved (found
    elsewhere than its span: the file changed) or unlocated. The source is read
    from the path the summary records (meta.source); --sources DIR looks for
    <doc_id>.* there instead. The pages load nothing from the network.

    With --gold DIR (<doc_id>.json files, as 'summarizer eval' reads them), items
    are badged matched or extra, the gold points missed are listed and their
    evidence is underlined in the source, and each page shows its P/R/F1.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "review",
        help="write an HTML review page per document (source beside summary)",
        description="Write one self-contained HTML page per document of a results file "
        "(batch JSONL, or a summary's JSON), and an index.html listing them all.",
        epilog=_EPILOG,
    )
    add_results_input(parser, "folder for the pages (created)")
    parser.add_argument("--gold", metavar="DIR", help="gold files to compare against")
    parser.add_argument(
        "--sources", metavar="DIR", help="where the reports are, when not at meta.source"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.results import Failed, load_results
    from summarizer.review import write_review

    results, skipped = load_results(args.results)
    for line in skipped:
        notice(args.quiet, f"warning: {line}")
    bar = Bar(args.quiet, "review", len(results))  # a page each can take minutes in all
    try:
        done = write_review(
            results,
            Path(args.out),
            origin=args.results,
            gold_dir=Path(args.gold) if args.gold else None,
            sources=Path(args.sources) if args.sources else None,
            progress=lambda doc_id: bar.advance(detail=doc_id),
        )
    finally:
        bar.stop()
    for line in done.notices:
        notice(args.quiet, f"warning: {line}")
    failed = sum(isinstance(r, Failed) for r in results)
    notice(
        args.quiet,
        f"review: {len(done.pages)} page(s), {done.highlighted}/{done.quotes} quotes "
        f"highlighted, {failed} failed document(s) listed; open {done.index}",
    )
    write(f"{done.index}\n", None)
    return 0
