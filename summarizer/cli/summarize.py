"""``summarizer summarize``: report files in, summaries out (JSON, JSONL or Markdown)."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.cli._console import fail, notice, print_traceback, write
from summarizer.cli.options import add_command, add_engine_options, load_settings
from summarizer.errors import DoubtfulInputError, describe

if TYPE_CHECKING:
    from summarizer.schemas import ReportSummary

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer summarize report.txt                      JSON on stdout
      summarizer summarize report.txt --format markdown    for people
      summarizer summarize report.txt -f markdown --evidence full
                                                           every quote whole, with its span
      summarizer summarize a.txt b.txt --format jsonl -o out.jsonl
      pdftotext report.pdf - | summarizer summarize -      a report piped in

    configuration: every flag has a variable, named on its line; flags win over
    SUMMARIZER_* variables, which win over OPENAI_* ones (OPENAI_BASE_URL,
    OPENAI_API_KEY, OPENAI_MODEL). With --backend auto (the default), no endpoint
    and no key means the offline engine; a notice on stderr says so.
    'summarizer check' shows every setting in force and where it came from.

    Every evidence quote in the output is verbatim from the input file and
    raw[start:end] == quote for its span; a reply that cannot be grounded is
    re-asked, and refused (exit 1) when the re-asks run out.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "summarize",
        help="summarize report files",
        description="Summarize one or more report files (UTF-8, GBK/GB18030, Big5, UTF-16).",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="report file(s) to summarize; - reads stdin"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-f",
        "--format",
        choices=("json", "jsonl", "markdown"),
        default="json",
        help="json: one object, or for several files one array with an error record in "
        "place of each that failed; jsonl: one line per file, error records too; "
        "markdown: readable report (default: json)",
    )
    out.add_argument(
        "--evidence",
        choices=("short", "full"),
        default="short",
        help="markdown only: short gives each item the opening words of its first quote; "
        "full gives every quote whole with its [start:end] span (default: short)",
    )
    out.add_argument(
        "-o",
        "--out",
        "--output",
        dest="output",
        metavar="PATH",
        help="write here instead of stdout (its folder is created)",
    )
    add_engine_options(parser, out)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.pipeline import Summarizer
    from summarizer.read import STDIN, STDIN_ID, read_stdin
    from summarizer.render import to_json, to_markdown
    from summarizer.results import error_record
    from summarizer.schemas import ReportSummary

    settings = load_settings(args)
    summarizer = Summarizer(settings)
    results: list[ReportSummary | dict[str, Any]] = []  # a summary, or its error record
    failed = 0
    with summarizer:
        for n, path in enumerate(args.files, 1):
            if len(args.files) > 1:
                notice(args.quiet, f"[{n}/{len(args.files)}] {path}")
            try:
                # a path, never text; stdin read as a file would be (--ocr too)
                source = read_stdin(ocr=settings.ocr) if path == STDIN else Path(path)
                summary = summarizer.summarize(source)
                results.append(summary)
                for warning in summary.meta.warnings:
                    notice(args.quiet, f"warning: {path}: {warning}")
            except DoubtfulInputError as exc:  # left out as asked: one line, no failure
                notice(args.quiet, describe(exc, path))
                doc_id = STDIN_ID if path == STDIN else Path(path).stem
                results.append(error_record(doc_id, path, exc))
            except Exception as exc:  # a bug, too, must cost this file only, not the run
                failed += 1
                fail(describe(exc, path))
                doc_id = STDIN_ID if path == STDIN else Path(path).stem
                results.append(error_record(doc_id, path, exc))
                if args.debug:
                    print_traceback()
    summaries = [r for r in results if isinstance(r, ReportSummary)]

    def as_json(result: ReportSummary | dict[str, Any], indent: int | None = 2) -> str:
        if isinstance(result, ReportSummary):
            return to_json(result, indent=indent)
        return json.dumps(result, ensure_ascii=False, indent=indent)

    if args.format == "markdown":
        text = "\n---\n\n".join(to_markdown(r, evidence=args.evidence) for r in summaries)
    elif args.format == "jsonl":
        text = "".join(as_json(r, indent=None) + "\n" for r in results)
    elif len(args.files) == 1:
        text = to_json(summaries[0]) + "\n" if summaries else ""
    else:
        text = "[\n" + ",\n".join(as_json(r) for r in results) + "\n]\n"
    if text:
        write(text, args.output)
    return 1 if failed else 0
