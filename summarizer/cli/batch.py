"""``summarizer batch``: folders of reports into one JSONL file; concurrent, cached,
resumable, with a progress bar on a terminal."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from summarizer.cli._console import PROG, notice, write
from summarizer.cli.options import add_command, add_engine_options, load_settings
from summarizer.errors import (
    NotAttemptedError,
    SummarizerError,
    UnreachableError,
    UsageError,
    describe,
)
from summarizer.inputs import DEFAULT_GLOB

__all__ = ["register"]

#: Seconds between looks at a provider's batch (it takes minutes to hours).
DEFAULT_POLL = 60.0

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
        "--poll",
        type=float,
        default=DEFAULT_POLL,
        metavar="SECONDS",
        help=f"with --via openai-batch, how often to look at the batch (default: {DEFAULT_POLL:g})",
    )
    engines.add_argument(
        "--on-interrupt",
        choices=("ask", "cancel", "keep"),
        default="ask",
        help="with --via openai-batch, what Ctrl-C does to the remote batch: ask (on a "
        "terminal; else keep), cancel it, or keep it running for a rerun (default: ask)",
    )
    add_engine_options(parser, run)
    parser.set_defaults(handler=run_batch)


def run_batch(args: argparse.Namespace) -> int:
    from summarizer.batch import BatchStats
    from summarizer.inputs import collect
    from summarizer.pricing import Prices

    if not args.inputs and not args.list_files:
        raise UsageError("nothing to do: pass report files or folders, or --list FILE")
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    _check_engine_flags(args)
    prices = Prices.load(args.prices) if args.prices else Prices()
    jobs = collect(args.inputs, glob=args.glob, list_files=args.list_files)
    if not jobs:
        raise SummarizerError(
            f"no files matching {args.glob!r} under {', '.join(args.inputs)}; "
            "check the path or pass --glob"
        )
    offloaded = bool(args.export or args.import_files or args.via != "online")
    settings = load_settings(args, announce=not offloaded)
    if offloaded and settings.backend == "offline":
        raise UsageError("--export, --import and --via are for the model; drop --backend")
    if args.export and not args.import_files:
        return _export(args, jobs, settings)
    stats = BatchStats(prices=prices)
    progress = _Progress(args, stats)
    results = _results(args, jobs, settings, stats, progress)
    status = _report(args, results, stats, progress)
    if args.export:  # after --import: what is left to resend
        resend = [j for j in jobs if j.doc_id in stats.resend]
        status = max(status, _export(args, resend, settings) if resend else 0)
        if not resend:
            notice(args.quiet, f"nothing to resend; {args.export} not written")
    return status


def _check_engine_flags(args: argparse.Namespace) -> None:
    """The batch-engine flags that cannot go together, refused before any work."""
    if args.via != "online":
        if args.export or args.import_files:
            raise UsageError(
                "--via openai-batch exports and imports by itself; drop --export/--import"
            )
        if not args.out:
            raise UsageError(
                "--via openai-batch needs --out: the batch id is kept beside it for a rerun"
            )
        if args.poll <= 0:
            raise UsageError("--poll must be more than 0 seconds")
    if args.export and args.out and args.export == args.out:
        raise UsageError("--export and --out name the same file")


def _results(
    args: argparse.Namespace, jobs: list[Any], settings: Any, stats: Any, progress: _Progress
) -> Any:
    """The results to report: online, imported, or through the provider's Batch API."""
    from summarizer.batch import summarize_batch

    if args.via == "openai-batch":
        from summarizer.offload.remote import Hooks, run_remote

        remote = _RemoteView(args, progress)
        hooks = Hooks(
            say=remote.say,
            exported=remote.exported,
            status=remote.status,
            cancel=remote.cancel,
            notice=progress.log,
        )
        return run_remote(
            jobs,
            out=args.out,
            settings=settings,
            poll=args.poll,
            hooks=hooks,
            stats=stats,
            on_start=progress.start,
            concurrency=args.concurrency,
        )
    replies = None
    if args.import_files:
        from summarizer.batchfiles import read_results

        replies = read_results(args.import_files, progress.log)
    return summarize_batch(
        jobs,
        out=args.out,
        concurrency=args.concurrency,
        resume=not args.restart,
        settings=settings,
        stats=stats,
        on_start=progress.start,
        freeze_heap=not args.no_freeze_heap,
        replies=replies,
    )


def _report(args: argparse.Namespace, results: Any, stats: Any, progress: _Progress) -> int:
    """Each result to stdout (without --out) and its errors and warnings to stderr; the
    final line; the exit status."""
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


def _export(args: argparse.Namespace, jobs: list[Any], settings: Any) -> int:
    """``--export``: the request lines of ``jobs`` written to ``args.export``; nothing sent."""
    from summarizer.offload import write_requests

    lines = documents = skipped = cached = failed = 0
    bar = _Bar(args, "export", len(jobs))
    try:
        for exported in write_requests(jobs, args.export, settings=settings, out=args.out):
            if exported.error is not None:
                failed += 1
                bar.log(f"{PROG}: error: {describe(exported.error, str(exported.job.path))}")
            elif exported.skipped:
                skipped += 1
            elif exported.lines == 0:
                cached += 1
            else:
                documents += 1
                lines += exported.lines
            bar.advance()
    finally:
        bar.stop()
    parts = [f"{lines} request line(s) for {documents} document(s) in {args.export}"]
    parts += [f"{skipped} already in {args.out}"] if skipped else []
    parts += [f"{cached} answered by the cache"] if cached else []
    parts += [f"{failed} failed"] if failed else []
    notice(args.quiet, "export: " + " · ".join(parts) + "; nothing sent")
    return 1 if failed else 0


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
    """The batch's bar (:class:`_Bar`), its counts and rate kept from ``stats``."""

    def __init__(self, args: argparse.Namespace, stats: Any) -> None:
        self.args = args
        self.stats = stats
        self._bar: _Bar | None = None

    def start(self, stats: Any) -> None:  # the on_start callback: stats is self.stats
        self._bar = _Bar(self.args, "batch", stats.total)
        self.update()

    def update(self) -> None:
        if self._bar is None:
            return
        s = self.stats
        rate = s.done / s.seconds if s.seconds > 0 else 0.0
        self._bar.advance(s.done, detail=progress_detail(s), rate=f"{rate:.1f}/s")

    def log(self, line: str) -> None:
        """An error line: shown even with --quiet (above the bar when there is one)."""
        if self._bar is not None:
            self._bar.log(line)
        else:
            print(line, file=sys.stderr)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


class _Bar:
    """A bar on stderr when it is a terminal and not --quiet (a batch's documents, an
    export's, a remote batch's own counts); lines logged go above it, or to stderr."""

    def __init__(self, args: argparse.Namespace, label: str, total: int | None) -> None:
        self._bar: Any = None
        self._task: Any = None
        self.done = 0
        if args.quiet or not sys.stderr.isatty():
            return
        from rich.console import Console

        self._bar = progress_bar(Console(file=sys.stderr), label)
        self._bar.start()
        self._task = self._bar.add_task(label, total=total, detail="", rate="")

    def advance(
        self,
        completed: int | None = None,
        total: int | None = None,
        detail: str = "",
        rate: str = "",
    ) -> None:
        """One more done, or ``completed`` done (of ``total``, when it is known now)."""
        self.done = self.done + 1 if completed is None else completed
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=total, detail=detail, rate=rate)

    def log(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    @property
    def drawn(self) -> bool:
        """Whether a bar is on the terminal (else lines say what it would show)."""
        return self._bar is not None

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class _RemoteView:
    """What ``--via openai-batch`` shows while it exports, waits and asks: the export's
    bar, then the batch's own counts (a line per change of state when not a terminal)."""

    def __init__(self, args: argparse.Namespace, progress: _Progress) -> None:
        self.args = args
        self.progress = progress
        self._bar: _Bar | None = None
        self._label = ""
        self._state = ""

    def _use(self, label: str, total: int | None) -> _Bar:
        if self._bar is None or self._label != label:
            if self._bar is not None:
                self._bar.stop()
            self._bar, self._label = _Bar(self.args, label, total), label
        return self._bar

    def say(self, line: str) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        notice(self.args.quiet, line)

    def exported(self, exported: Any) -> None:
        bar = self._use("export", None)
        if exported.error is not None:
            bar.log(f"{PROG}: error: {describe(exported.error, str(exported.job.path))}")
        bar.advance()

    def status(self, batch: Any) -> None:
        bar = self._use("remote", batch.total or None)
        finished = batch.completed + batch.failed
        detail = f"{batch.status}" + (f" · {batch.failed} failed" if batch.failed else "")
        bar.advance(finished, batch.total or None, detail)
        state = f"{batch.status} {finished}/{batch.total}"
        if not bar.drawn and batch.status != self._state:
            notice(self.args.quiet, f"batch {batch.id}: {state}")
        self._state = batch.status

    def cancel(self, batch: Any) -> bool:
        """On Ctrl-C: whether to cancel the remote batch (--on-interrupt)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        choice = self.args.on_interrupt
        if choice == "ask" and sys.stdin.isatty() and sys.stderr.isatty():
            try:
                print(
                    f"\n{PROG}: cancel batch {batch.id} at the provider? What it finished is "
                    "kept and paid for [y/N] ",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
                return input().strip().lower() in ("y", "yes")
            except (EOFError, KeyboardInterrupt):
                return False
        return bool(choice == "cancel")
