"""``summarizer batch``: folders of reports into one JSONL file; concurrent, cached,
resumable, with a progress bar on a terminal."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from summarizer.cli._console import PROG, notice, write
from summarizer.cli.options import add_command, add_engine_options, load_settings
from summarizer.errors import NotAttemptedError, SummarizerError, UnreachableError, UsageError
from summarizer.inputs import DEFAULT_GLOB

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

    exit status: 0 every document summarized; 1 some failed (see their error
    records); 2 bad usage.
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
        "--glob",
        default=DEFAULT_GLOB,
        help=f'which files in folders to take, comma-separated (default: "{DEFAULT_GLOB}")',
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
        "-c",
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests in flight at most (default: 8); adapts down on HTTP 429",
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
        "--prices", metavar="FILE", help="cost table for the final line (see 'summarizer eval')"
    )
    add_engine_options(parser, run)
    parser.set_defaults(handler=run_batch)


def run_batch(args: argparse.Namespace) -> int:
    from summarizer.batch import BatchStats, summarize_batch
    from summarizer.inputs import collect
    from summarizer.pricing import Prices

    if not args.inputs and not args.list_files:
        raise UsageError("nothing to do: pass report files or folders, or --list FILE")
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    prices = Prices.load(args.prices) if args.prices else Prices()
    jobs = collect(args.inputs, glob=args.glob, list_files=args.list_files)
    if not jobs:
        raise SummarizerError(
            f"no files matching {args.glob!r} under {', '.join(args.inputs)}; "
            "check the path or pass --glob"
        )
    settings = load_settings(args)
    stats = BatchStats(prices=prices)
    progress = _Progress(args, stats)
    results = summarize_batch(
        jobs,
        out=args.out,
        concurrency=args.concurrency,
        resume=not args.restart,
        settings=settings,
        stats=stats,
        on_start=progress.start,
        freeze_heap=not args.no_freeze_heap,
    )
    dead = _Unreachable()
    try:
        for result in results:
            if args.out is None:
                write(result.line() + "\n", None)
            if dead.took(result):
                pass  # said once, at the end
            elif result.error is not None:
                progress.log(f"{PROG}: error: {result.error['message']}")
            elif result.summary is not None and not args.quiet:
                for warning in result.summary.meta.warnings:
                    progress.log(f"{PROG}: warning: {result.path}: {warning}")
            progress.update()
    finally:
        results.close()
        progress.stop()
    if dead.cause is not None:
        print(f"{PROG}: error: {dead.line()}", file=sys.stderr)
    notice(args.quiet, _batch_line(stats))
    return 1 if stats.failed else 0


class _Unreachable:
    """The documents an unreachable endpoint cost, told in one line rather than one each
    (their error records are in the output all the same)."""

    def __init__(self) -> None:
        self.cause: UnreachableError | None = None
        self.failed = self.skipped = 0

    def took(self, result: Any) -> bool:
        """Whether ``result`` is one of them (and counted)."""
        exc = result.exception
        if isinstance(exc, UnreachableError):
            self.cause = self.cause or exc
            self.failed += 1
        elif isinstance(exc, NotAttemptedError):
            self.skipped += 1
        else:
            return False
        return True

    def line(self) -> str:
        assert self.cause is not None
        stopped = (
            f"; the batch stopped sending, {self.skipped} not attempted" if self.skipped else ""
        )
        return (
            f"{self.cause.message} ({self.failed} document(s) failed on it{stopped}; "
            "a rerun retries them)"
        )


def _batch_line(stats: Any) -> str:
    cost = stats.spend.cost
    seconds = stats.seconds
    rate = stats.done / seconds if seconds > 0 else 0.0
    parts = [
        f"{stats.ok} ok ({stats.cached} cached), {stats.failed} failed"
        + (f", {stats.skipped} already in the output" if stats.skipped else ""),
        f"tokens {stats.spend.prompt_tokens:,} in / {stats.spend.completion_tokens:,} out",
        "cost n/a (pass --prices)" if cost is None else f"cost ${cost:.4f}",
        f"{seconds:.1f} s",
        f"{rate:.1f} docs/s",
    ]
    throttle = stats.throttle
    if throttle is not None and throttle.rate_limited:
        parts.append(
            f"{throttle.rate_limited} rate-limited (concurrency down to {throttle.lowest})"
        )
    return "batch: " + " · ".join(parts)


#: The narrowest the bar is drawn; at 80 columns it gets more.
BAR_MIN_WIDTH = 5


def progress_bar(console: Any, label: str = "batch") -> Any:
    """The batch's bar, drawn on ``console``: it fits 80 columns with room for the bar
    itself. The counts are one short text, the rate has no unit words, the elapsed time
    is left to the summary line at the end, and the bar takes what width is left."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    def whole() -> Column:  # a text column is never cut: the bar gives way instead
        return Column(no_wrap=True, overflow="ignore")

    return Progress(
        TextColumn(f"[bold]{label}", table_column=whole()),
        BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=BAR_MIN_WIDTH)),
        MofNCompleteColumn(table_column=whole()),
        TextColumn("{task.fields[detail]}", table_column=whole()),
        TextColumn("{task.fields[rate]}", table_column=whole()),
        TextColumn("ETA", table_column=whole()),
        TimeRemainingColumn(table_column=whole()),
        console=console,
        transient=False,
        expand=True,
    )


def progress_detail(stats: Any) -> str:
    """The counts beside the bar: failed and cached only once there are some."""
    parts = [f"{stats.ok} ok"]
    parts += [f"{stats.failed} failed"] if stats.failed else []
    parts += [f"{stats.cached} cached"] if stats.cached else []
    return " · ".join(parts)


class _Progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, args: argparse.Namespace, stats: Any) -> None:
        self.stats = stats
        self.quiet = args.quiet
        self._bar: Any = None
        self._task: Any = None

    def start(self, stats: Any) -> None:  # the on_start callback: stats is self.stats
        if self.quiet or not sys.stderr.isatty():
            return
        from rich.console import Console

        self._bar = progress_bar(Console(file=sys.stderr))
        self._bar.start()
        self._task = self._bar.add_task("batch", total=stats.total, detail="", rate="")
        self.update()

    def update(self) -> None:
        if self._bar is None:
            return
        s = self.stats
        rate = s.done / s.seconds if s.seconds > 0 else 0.0
        self._bar.update(
            self._task, completed=s.done, detail=progress_detail(s), rate=f"{rate:.1f}/s"
        )

    def log(self, line: str) -> None:
        """An error line: shown even with --quiet (above the bar when there is one)."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
