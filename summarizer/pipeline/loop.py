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
import concurrent.futures
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
        Interrupted while waiting (Ctrl-C), the work is cancelled, not left running.

        Why not ``asyncio.run_coroutine_threadsafe``: its future exists only once the
        work is scheduled, so a Ctrl-C that lands between the two leaves the work running
        with nothing to cancel it. Here the future is made first and the scheduling is
        inside the ``try``."""
        loop = self._started()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            loop.call_soon_threadsafe(_start, loop, work, done)
            return done.result()
        except BaseException:
            done.cancel()
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


def _start(
    loop: asyncio.AbstractEventLoop,
    work: Coroutine[Any, Any, T],
    done: concurrent.futures.Future[T],
) -> None:
    """On the loop: start ``work`` as a task tied to ``done`` both ways (a cancelled
    ``done`` cancels the task; the task's end settles ``done``). Cancelled before it
    started, the work is closed without running."""
    if done.cancelled():
        work.close()
        return
    task = loop.create_task(work)
    done.add_done_callback(
        lambda d: loop.call_soon_threadsafe(task.cancel) if d.cancelled() else None
    )
    task.add_done_callback(lambda t: _settle(done, t))


def _settle(done: concurrent.futures.Future[T], task: asyncio.Task[T]) -> None:
    if task.cancelled():
        done.cancel()
    elif done.set_running_or_notify_cancel():
        error = task.exception()
        if error is None:
            done.set_result(task.result())
        else:
            done.set_exception(error)
