"""``summarizer text``: the text a report is read as, the one every span indexes.

For a text file it is the decoded file; for a Word or PDF file, the text extracted from
it (``meta.extracted_with`` names the reader); with ``--ocr``, a scan's recognized text.
A quote of a summary is checked against this text: ``text[start:end]`` is the quote,
always."""

from __future__ import annotations

import argparse
import sys
import textwrap

from summarizer.cli.options import add_command

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer text report.docx                    the text extracted from a Word file
      summarizer text report.docx > report.txt       kept beside the summary, to check quotes
      summarizer text report.pdf                     a PDF's text: paragraphs rebuilt, page
                                                     numbers and running headers left out
      summarizer text scan.pdf --ocr                 a scan, read through tesseract
      summarizer text report.txt | head              a text file as decoded (any encoding)

    The output is UTF-8 and exactly the text the summary's spans index: for a quote with
    span [start, end), characters start to end of this output are the quote.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "text",
        help="print the text a report is read as (what every span indexes)",
        description=(
            "Print the text a report is read as: a text file decoded, a Word or PDF "
            "file's extracted text. Every span of its summary indexes this text."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("file", metavar="FILE", help="report file; - reads stdin")
    parser.add_argument(
        "--ocr",
        action="store_true",
        help="read a scanned PDF or an image through tesseract OCR "
        "(tesseract-ocr and tesseract-ocr-chi-sim)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from summarizer.cache import kept_texts
    from summarizer.read import STDIN, read_document, read_stdin

    texts = kept_texts()  # the text a summary of this file indexes, when one was made
    if args.file == STDIN:
        doc = read_stdin(ocr=args.ocr, texts=texts)
    else:
        doc = read_document(Path(args.file), ocr=args.ocr, texts=texts)
    for warning in doc.warnings:
        print(f"summarizer: warning: {warning}", file=sys.stderr)
    sys.stdout.buffer.write(doc.raw.encode("utf-8"))
    sys.stdout.flush()
    return 0
