"""What ``summarizer batch`` tells as it goes and at the end: each result on stdout
(without --out), errors and warnings on stderr, an unreachable endpoint once, the final
line, the exit status."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from summarizer.cli._console import PROG, notice, write
from summarizer.cli.progress import BatchProgress
from summarizer.errors import DoubtfulInputError, NotAttemptedError, UnreachableError

__all__ = ["batch_line", "report"]


def report(args: argparse.Namespace, results: Any, stats: Any, progress: BatchProgress) -> int:
    """Each result to stdout (without --out) and its errors and warnings to stderr; the
    final line; the exit status."""
    dead = Unreachable()
    try:
        for result in results:
            if args.out is None:
                write(result.line() + "\n", None)
            if dead.took(result):
                pass  # said once, at the end
            elif isinstance(result.exception, DoubtfulInputError):
                progress.log(f"{PROG}: {result.error['message']}")
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
    notice(args.quiet, batch_line(stats))
    return 1 if stats.failed else 0


class Unreachable:
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


def batch_line(stats: Any) -> str:
    cost = stats.spend.cost
    seconds = stats.seconds
    rate = stats.done / seconds if seconds > 0 else 0.0
    parts = [
        f"{stats.ok} ok ({stats.cached} cached), {stats.failed} failed"
        + (f", {stats.doubtful} left out as no report" if stats.doubtful else "")
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
