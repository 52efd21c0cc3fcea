"""Progress on stderr for every long command (batch, export, a remote batch, review): a bar
when stderr is a terminal and not --quiet; otherwise nothing but the lines logged."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["BAR_MIN_WIDTH", "Bar", "BatchProgress", "progress_bar", "progress_detail"]

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


class BatchProgress:
    """A batch's bar (:class:`Bar`), its counts and rate kept from ``stats`` (a
    :class:`~summarizer.batch.BatchStats`, or any object with its counts)."""

    def __init__(self, quiet: bool, stats: Any) -> None:
        self.quiet = quiet
        self.stats = stats
        self._bar: Bar | None = None

    def start(self, stats: Any) -> None:  # the on_start callback: stats is self.stats
        self._bar = Bar(self.quiet, "batch", stats.total)
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


class Bar:
    """A bar on stderr when it is a terminal and not --quiet (a batch's documents, an
    export's, a remote batch's own counts); lines logged go above it, or to stderr."""

    def __init__(self, quiet: bool, label: str, total: int | None) -> None:
        self._bar: Any = None
        self._task: Any = None
        self.done = 0
        if quiet or not sys.stderr.isatty():
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
