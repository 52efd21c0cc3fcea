"""``summarizer summarize``: report files in, summaries out (JSON, JSONL or Markdown)."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from summarizer.cli._console import fail, notice, print_traceback, write
from summarizer.cli.options import add_command, add_engine_options, load_settings
from summarizer.errors import describe

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer summarize report.txt                      JSON on stdout
      summarizer summarize report.txt --format markdown    for people
      summarizer summarize a.txt b.txt --format jsonl -o out.jsonl
      pdftotext report.pdf - | summarizer summarize -      a report piped in

    configuration (flags win over environment variables):
      OPENAI_BASE_URL      endpoint, e.g. https://api.deepseek.com/v1 or http://localhost:11434/v1
      OPENAI_API_KEY       key for the endpoint (local servers usually need none)
      SUMMARIZER_MODEL     model name (default gpt-4o-mini)
      SUMMARIZER_MODE      tools | json | json_schema | md_json
      SUMMARIZER_CACHE_DIR where validated summaries are cached
      SUMMARIZER_*         any other flag, e.g. SUMMARIZER_TIMEOUT=60
    With --backend auto (the default), no OPENAI_BASE_URL and no key means the
    offline engine; a notice on stderr says so.

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
        help="json: one object (an array for several files); jsonl: one line per file; "
        "markdown: readable report (default: json)",
    )
    out.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    add_engine_options(parser, out)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.inputs import STDIN
    from summarizer.pipeline import Summarizer
    from summarizer.read import read_stdin
    from summarizer.render import to_json, to_markdown

    summarizer = Summarizer(load_settings(args))
    results, failed = [], 0
    with summarizer:
        for n, path in enumerate(args.files, 1):
            if len(args.files) > 1:
                notice(args.quiet, f"[{n}/{len(args.files)}] {path}")
            try:
                source = read_stdin() if path == STDIN else Path(path)  # a path, never text
                summary = summarizer.summarize(source)
                results.append(summary)
                for warning in summary.meta.warnings:
                    notice(args.quiet, f"warning: {path}: {warning}")
            except Exception as exc:  # a bug, too, must cost this file only, not the run
                failed += 1
                fail(describe(exc, path))
                if args.debug:
                    print_traceback()
    if args.format == "markdown":
        text = "\n---\n\n".join(to_markdown(r) for r in results)
    elif args.format == "jsonl":
        text = "".join(to_json(r, indent=None) + "\n" for r in results)
    elif len(args.files) == 1:
        text = to_json(results[0]) + "\n" if results else ""
    else:
        text = "[\n" + ",\n".join(to_json(r) for r in results) + "\n]\n"
    if text:
        write(text, args.output)
    return 1 if failed else 0
