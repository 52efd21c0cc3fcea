"""``summarizer batch``: folders of reports into one JSONL file; concurrent, cached,
resumable, with a progress bar on a terminal. This module is its parser and manual; the
run is :mod:`summarizer.cli.batch_run`, what it tells :mod:`summarizer.cli.batch_report`."""

from __future__ import annotations

import argparse
import textwrap

from summarizer.cli.batch_run import run_batch
from summarizer.cli.options import add_command, add_engine_options, add_settings_options
from summarizer.settings import RunSettings

__all__ = ["register"]

_EPILOG = textwrap.dedent(
    """\
    examples:
      summarizer batch reports/ --out results.jsonl --concurrency 16
      summarizer batch reports/ --out results.jsonl    again: finished documents skipped
      summarizer batch a.txt b.txt --list more.txt --glob "*.md" --out results.jsonl
      find . -name "*2023*.txt" | summarizer batch --list - --out results.jsonl
      summarizer eval --pred results.jsonl             score the results against gold

    One JSON line per document, written the moment it finishes: its summary, or
    {"doc_id", "path", "error": {"type", "message"}}. doc_id is the path under
    the folder given, without the suffix. Killing the run loses nothing that
    finished; rerunning skips documents with a summary in --out, retries those
    with an error record, and writes no document twice. Summaries are cached:
    a document summarized before (by any run) costs no request.

    On HTTP 429 every worker waits out Retry-After together and concurrency
    halves, then grows back one at a time. Progress shows on stderr when it is a
    terminal; the last line counts ok / failed / cached, tokens, cost and speed.

    batch engines (tens of thousands of reports: about half the price, no rate
    limits, answers within 24 hours; see the README):
      summarizer batch reports/ --export requests.jsonl        the requests; sends nothing
      python -m vllm.entrypoints.openai.run_batch -i requests.jsonl -o answers.jsonl \\
          --model Qwen/Qwen2.5-7B-Instruct        your GPUs answer them (or any engine)
      summarizer batch reports/ --import answers.jsonl --out results.jsonl
      summarizer batch reports/ --via openai-batch --out results.jsonl
                                 the whole round trip; rerun it to resume

    --import treats each answer exactly as an online one (repair, validation,
    grounding, cache). What fails validation, errored or has no line is asked
    online when an endpoint is configured; else the document gets an error
    record, and --import A --export B writes B with just what to resend (a failed
    answer's re-ask, telling the model what was wrong). --export and --import
    must run with the same settings (model, mode, --context-tokens): a report's
    parts are cut the same way. Documents in --out or in the cache are never
    sent again.

    exit status: 0 every document summarized (or exported); 1 some failed (see
    their error records); 2 bad usage; 130 Ctrl-C.
    """
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "batch",
        help="summarize folders of reports into a JSONL file (concurrent, cached, resumable)",
        description="Summarize many reports concurrently into one JSONL file; resumable, cached.",
        epilog=_EPILOG,
    )
    parser.add_argument(
        "inputs", nargs="*", metavar="PATH", help="report files and folders (searched recursively)"
    )
    run = parser.add_argument_group("batch")
    run.add_argument(
        "-o",
        "--out",
        metavar="PATH",
        help="JSONL results file, appended to and resumed (default: stdout, no resume)",
    )
    run.add_argument(
        "--list",
        dest="list_files",
        action="append",
        default=[],
        metavar="FILE",
        help="a file naming one report per line (relative to it; - reads the list from "
        "stdin); repeatable",
    )
    run.add_argument(
        "--restart",
        action="store_true",
        help="empty --out first and do every document again (the cache still answers)",
    )
    run.add_argument(
        "--no-freeze-heap",
        action="store_true",
        help="leave the garbage collector as it is (by default the heap alive at the start "
        "is kept out of its full passes while the batch runs: faster cached reruns)",
    )
    run.add_argument(
        "--prices",
        metavar="FILE",
        help="cost table for the final line (see 'summarizer eval'); batch answers are "
        'counted at its "batch_input"/"batch_output" prices where it gives them',
    )
    engines = parser.add_argument_group("batch engines")
    engines.add_argument(
        "--export",
        metavar="FILE",
        help="write the requests as OpenAI Batch API lines (vllm run-batch reads them too) "
        "and send nothing; with --import, just the requests still to resend",
    )
    engines.add_argument(
        "--import",
        dest="import_files",
        action="append",
        default=[],
        metavar="FILE",
        help="a batch engine's output file: its answers are validated and grounded as "
        "online ones, the failures asked online (or named for --export); repeatable",
    )
    engines.add_argument(
        "--via",
        choices=("online", "openai-batch"),
        default="online",
        help="online: one request per document (default); openai-batch: upload, create, "
        "wait and import through the provider's Files and Batches API (needs --out; the "
        "batch id is kept beside it, so a rerun resumes instead of paying twice)",
    )
    engines.add_argument(
        "--on-interrupt",
        choices=("ask", "cancel", "keep"),
        default="ask",
        help="with --via openai-batch, what Ctrl-C does to the remote batch: ask (on a "
        "terminal; else keep), cancel it, or keep it running for a rerun (default: ask)",
    )
    add_settings_options(parser, of=RunSettings, groups={"batch": run, "batch engines": engines})
    add_engine_options(parser, run)
    parser.set_defaults(handler=run_batch)
