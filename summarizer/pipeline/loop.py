"""The event loop of the sync API: one async implementation, which the sync methods run
on a loop of their own in a background thread.

Why a thread and not ``asyncio.run`` per call: the async HTTP client (its connection
pool) belongs to the loop that made it, so a loop per call would reconnect for every
document; and a sync caller may itself be running inside an event loop (a notebook),
where ``asyncio.run`` refuses. The thread starts with the first call that needs it: the
offline engine and cache hits never start it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """A private event loop, run in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._loop is not None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the loop and wait for its result (its exception raised here).
        Interrupted while waiting (Ctrl-C), the work is cancelled, not left running."""
        future = asyncio.run_coroutine_threadsafe(work, self._started())
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def close(self, last: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``last`` on the loop (closing what belongs to it), then stop the thread.
        A later :meth:`run` starts a new one."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            if last is not None:
                asyncio.run_coroutine_threadsafe(last(), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="summarizer-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop
