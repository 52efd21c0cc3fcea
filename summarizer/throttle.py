"""Rate limits handled together: one :class:`Throttle` shared by every worker of a batch.

It knows nothing of providers: the LLM layer takes a slot around each HTTP request
and reports the status it got back (and the server's ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

__all__ = ["MAX_RETRY_AFTER", "Throttle"]

#: The longest pause a server's ``Retry-After`` may impose, in seconds.
MAX_RETRY_AFTER = 60.0


class Throttle:
    """Rate limits handled together: one of these is shared by every worker of a batch.

    At most ``limit`` requests are in flight. A 429 anywhere pauses *every*
    worker until its ``Retry-After`` has passed (not just the one that got it),
    and halves ``limit`` (at most once per pause, so one burst of 429s is one
    cut); after ``limit`` successes in a row the limit grows by one again, up to
    the ``ceiling`` the user asked for (additive increase, multiplicative
    decrease, as TCP does). The per-call tenacity retry still decides whether a
    request is tried again; this only decides when requests may go out.
    """

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.in_flight = 0
        self.rate_limited = 0  # 429s seen
        self.lowest = self.ceiling
        self._clock = clock
        self._paused_until = 0.0
        self._successes = 0
        self._condition: asyncio.Condition | None = None

    def _cond(self) -> asyncio.Condition:
        if self._condition is None:
            self._condition = asyncio.Condition()
        return self._condition

    async def acquire(self) -> None:
        cond = self._cond()
        async with cond:
            while True:
                pause = self._paused_until - self._clock()
                if pause > 0:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(cond.wait(), pause)
                elif self.in_flight < self.limit:
                    self.in_flight += 1
                    return
                else:
                    await cond.wait()

    async def release(self, status: int | None, retry_after: float | None = None) -> None:
        """Give the slot back; ``status`` is the HTTP status (None: no response)."""
        cond = self._cond()
        async with cond:
            self.in_flight -= 1
            if status == 429:
                self._on_rate_limited(retry_after)
            elif status is not None and status < 500:
                self._on_success()
            cond.notify_all()

    def _on_rate_limited(self, retry_after: float | None) -> None:
        now = self._clock()
        self.rate_limited += 1
        pause = min(retry_after if retry_after is not None else 1.0, MAX_RETRY_AFTER)
        if now >= self._paused_until:  # the first 429 of a burst cuts; the rest only wait
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self._successes = 0
        self._paused_until = max(self._paused_until, now + pause)

    def _on_success(self) -> None:
        self._successes += 1
        if self.limit < self.ceiling and self._successes >= self.limit:
            self.limit += 1
            self._successes = 0
