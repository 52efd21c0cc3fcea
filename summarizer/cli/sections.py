"""``summarizer sections``: where the report reviews, admits and plans, and why.

The offline engine's section reader, shown as a person reads it: one line per range of the
file with its section, what decided it (a heading, a turn, a lead-in, a cue, the tense of its
paragraphs, the genre's order) and how strong that is. A wrong label is visible at a glance;
``--format json`` gives the ranges in the section-gold format (``../shared/gwr/README.md``)."""

from __future__ import annotations

import argparse
import json
import textwrap

from summarizer.cli.options import add_command, add_text_or_json

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer sections report.txt                 one line per range
      summarizer sections report.txt -f json > r.json
      cat report.txt | summarizer sections -

    Each line: [start:end) of the decoded file, the section (achievements, problems,
    plans, none), what decided it and its strength (heading 1.0, lead-in and turn 0.8,
    cue 0.6, tense vote 0.5, order 0.3), the reason's words, and the range's first
    words. The offline engine files each point under the section of where it stands;
    a model's answer is checked against the strong ones.
    """
)

#: Characters of a range's opening shown on its line.
_OPENING = 24


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "sections",
        help="show where a report reviews, admits and plans, and why",
        description=(
            "Show the sections the offline engine reads in a report: each range of the "
            "file with its section, the reason that decided it and how strong it is."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="report file(s); - reads stdin")
    add_text_or_json(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from summarizer.offline import section_ranges
    from summarizer.read import STDIN, read_document, read_stdin

    records = []
    for path in args.files:
        doc = read_stdin() if path == STDIN else read_document(Path(path))
        ranges = section_ranges(doc)
        if args.format == "json":
            records.append(
                {
                    "doc_id": doc.doc_id,
                    "ranges": [
                        {
                            "section": r.section,
                            "start": r.start,
                            "end": r.end,
                            "first": doc.raw[r.start : r.start + 20],
                            "last": doc.raw[max(r.start, r.end - 20) : r.end],
                            "basis": r.basis,
                            "strength": r.strength,
                            "reason": r.reason,
                        }
                        for r in ranges
                    ],
                }
            )
            continue
        if len(args.files) > 1:
            print(f"# {doc.source}")
        for r in ranges:
            opening = " ".join(doc.raw[r.start : r.end].split())[:_OPENING]
            print(
                f"[{r.start}:{r.end}) {r.section:<12} {r.basis} {r.strength:.1f}  "
                f"{r.reason}  「{opening}…」"
            )
    if args.format == "json":
        print(
            json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False, indent=1)
        )
    return 0
