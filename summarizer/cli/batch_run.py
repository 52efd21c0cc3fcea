"""``summarizer batch`` run: the flags checked together, the documents collected, then
one of three runs (online or imported answers through :func:`summarize_batch`, the
provider's Batch API through :func:`run_remote`, or an export that sends nothing)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from summarizer.cli._console import PROG, notice
from summarizer.cli.batch_report import report
from summarizer.cli.options import load_run_settings, load_settings
from summarizer.cli.progress import Bar, BatchProgress
from summarizer.errors import DoubtfulInputError, SummarizerError, UsageError, describe
from summarizer.settings import RunSettings

__all__ = ["run_batch"]


def run_batch(args: argparse.Namespace) -> int:
    from summarizer.batch import BatchStats
    from summarizer.inputs import collect
    from summarizer.pricing import Prices

    if not args.inputs and not args.list_files:
        raise UsageError("nothing to do: pass report files or folders, or --list FILE")
    run = load_run_settings(args)
    _check_engine_flags(args)
    prices = Prices.load(args.prices) if args.prices else Prices()
    jobs = collect(args.inputs, glob=run.glob, list_files=args.list_files)
    if not jobs:
        raise SummarizerError(
            f"no files matching {run.glob!r} under {', '.join(args.inputs)}; "
            "check the path or pass --glob"
        )
    offloaded = bool(args.export or args.import_files or args.via != "online")
    settings = load_settings(args, announce=not offloaded)
    if offloaded and settings.backend == "offline":
        raise UsageError("--export, --import and --via are for the model; drop --backend")
    if args.export and not args.import_files:
        return _export(args, jobs, settings)
    stats = BatchStats(prices=prices)
    progress = BatchProgress(args.quiet, stats)
    results = _results(args, run, jobs, settings, stats, progress)
    status = report(args, results, stats, progress)
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
    if args.export and args.out and args.export == args.out:
        raise UsageError("--export and --out name the same file")


def _results(
    args: argparse.Namespace,
    run: RunSettings,
    jobs: list[Any],
    settings: Any,
    stats: Any,
    progress: BatchProgress,
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
            poll=run.poll,
            hooks=hooks,
            stats=stats,
            on_start=progress.start,
            concurrency=run.concurrency,
        )
    from summarizer.steps import Engine, Imported, Online

    engine: Engine = Online()
    if args.import_files:
        from summarizer.batchfiles import read_results

        engine = Imported(read_results(args.import_files, progress.log))
    return summarize_batch(
        jobs,
        out=args.out,
        concurrency=run.concurrency,
        resume=not args.restart,
        settings=settings,
        stats=stats,
        on_start=progress.start,
        freeze_heap=not args.no_freeze_heap,
        engine=engine,
    )


def _export(args: argparse.Namespace, jobs: list[Any], settings: Any) -> int:
    """``--export``: the request lines of ``jobs`` written to ``args.export``; nothing sent."""
    from summarizer.offload import write_requests

    lines = documents = skipped = cached = failed = doubtful = 0
    bar = Bar(args.quiet, "export", len(jobs))
    try:
        for exported in write_requests(jobs, args.export, settings=settings, out=args.out):
            if isinstance(exported.error, DoubtfulInputError):
                doubtful += 1
                bar.log(f"{PROG}: {describe(exported.error, str(exported.job.path))}")
            elif exported.error is not None:
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
    parts += [f"{doubtful} left out as no report"] if doubtful else []
    notice(args.quiet, "export: " + " · ".join(parts) + "; nothing sent")
    return 1 if failed else 0


class _RemoteView:
    """What ``--via openai-batch`` shows while it exports, waits and asks: the export's
    bar, then the batch's own counts (a line per change of state when not a terminal)."""

    def __init__(self, args: argparse.Namespace, progress: BatchProgress) -> None:
        self.args = args
        self.progress = progress
        self._bar: Bar | None = None
        self._label = ""
        self._state = ""

    def _use(self, label: str, total: int | None) -> Bar:
        if self._bar is None or self._label != label:
            if self._bar is not None:
                self._bar.stop()
            self._bar, self._label = Bar(self.args.quiet, label, total), label
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
