"""Batch summarization of whole folders: fast, resumable, nothing lost.

* **Inputs** (:func:`collect`): files, folders (recursive; text, Markdown and web pages by default)
  and list files. A document's ``doc_id`` is its path relative to the folder it
  was found under, without the suffix (``2023/court-a``), so ids are unique and
  stable across runs.
* **Concurrency**: asyncio workers over one ``AsyncOpenAI`` client. Requests in
  flight are bounded by a shared :class:`~summarizer.llm.Throttle`, which also
  makes every worker back off on a 429 and adapts the bound down and back up.
  Reading, normalizing, the cache and grounding run in worker threads
  (``Summarizer.asummarize``), so a long document never stalls the event loop.
* **Nothing lost** (:class:`~summarizer.results_file.JsonlOutput`): each finished
  document is one JSON line, appended as soon as it is done; a rerun skips the documents
  that have a summary in the output and retries the ones that have an error record.
* **Paid for once**: the summary cache (diskcache, SQLite, safe across
  processes) serves any document summarized before, by this or another run.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
import time
from collections.abc import (
    AsyncGenerator,
    Callable,
    Coroutine,
    Generator,
    Iterator,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import (
    DoubtfulInputError,
    NotAttemptedError,
    ResendError,
    UnreachableError,
)
from summarizer.inputs import DEFAULT_GLOB, Job, collect
from summarizer.pipeline import Summarizer
from summarizer.pricing import Prices, Spend
from summarizer.results import Failed, Result, Summarized
from summarizer.results_file import JsonlOutput
from summarizer.settings import DEFAULT_CONCURRENCY, Settings
from summarizer.steps import ONLINE, Engine
from summarizer.throttle import Throttle

__all__ = [
    "BatchStats",
    "Job",
    "Result",
    "asummarize_batch",
    "collect",
    "summarize_batch",
]

#: A batch stops sending once the endpoint was unreachable (no name, nothing listening)
#: for this many documents in a row, or for the first it asked.
UNREACHABLE_RUN = 3


# --------------------------------------------------------------------------- running


#: What a batch yields for each document: the results line (:mod:`summarizer.results`).
BatchResult = Result


@dataclass
class BatchStats:
    """Running totals, for the progress bar and the final line."""

    total: int = 0  # documents this run will do (known once the output is read)
    skipped: int = 0  # already in the output when the run began
    ok: int = 0  # summarized, ``cached`` of them served by the cache
    failed: int = 0  # written as error records
    doubtful: int = 0  # left out as no report (--skip-doubtful): records, not failures
    cached: int = 0
    #: Tokens and US$ spent by this run (a cached summary was paid for by an earlier one).
    spend: Spend = field(default_factory=Spend)
    prices: Prices = field(default_factory=Prices)
    started: float = field(default_factory=time.perf_counter)
    throttle: Throttle | None = None
    #: Documents that failed for want of a batch engine's answer (``--import`` with no
    #: endpoint): what ``--export`` writes for a resend.
    resend: set[str] = field(default_factory=set)

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.doubtful

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def add(self, result: Result) -> None:
        if isinstance(result.exception, DoubtfulInputError):
            self.doubtful += 1
            return
        if result.summary is None:
            self.failed += 1
            if isinstance(result.exception, ResendError):
                self.resend.add(result.doc_id)
            return
        self.ok += 1
        meta = result.summary.meta
        if meta.cached:
            self.cached += 1
        else:
            self.spend.add(meta.model_dump(), self.prices)


async def asummarize_batch(
    inputs: Sequence[str | os.PathLike[str]] | Sequence[Job],
    *,
    out: str | os.PathLike[str] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    glob: str = DEFAULT_GLOB,
    resume: bool = True,
    settings: Settings | None = None,
    stats: BatchStats | None = None,
    on_start: Callable[[BatchStats], None] | None = None,
    freeze_heap: bool = False,
    engine: Engine = ONLINE,
    **overrides: Any,
) -> AsyncGenerator[Result, None]:
    """Summarize many documents concurrently; yield each result as it finishes.

    ``inputs``: files and folders (see :func:`collect`) or ready :class:`Job` s.
    With ``out``, every result is also appended to that JSONL file, and documents
    that already have a summary there are skipped (``resume=False`` starts it
    afresh). Failures are yielded as results with ``error`` set; they never stop
    the batch. ``stats`` (pass your own to watch it) is filled as results come.
    ``freeze_heap``: keep what is alive at the start out of the garbage collector's full
    passes while the batch runs (``gc.freeze``; faster cached reruns, see
    ``eval/bench_batch.py``). Off by default: it changes the whole process's collector,
    which a library should not do unasked; the CLI turns it on.
    ``engine``: how calls meet the network (see :class:`Summarizer`); ``Imported(replies)``
    takes each document's first answer from a batch engine's (``summarizer batch --import``).
    """
    jobs = [j for j in inputs if isinstance(j, Job)]
    if len(jobs) != len(inputs):
        jobs = collect([i for i in inputs if not isinstance(i, Job)], glob=glob) + jobs
    stats = stats if stats is not None else BatchStats()
    concurrency = max(1, int(concurrency))
    throttle = Throttle(concurrency)
    stats.throttle = throttle
    output = JsonlOutput(out, resume=resume) if out is not None else None
    summarizer = Summarizer(settings, throttle=throttle, engine=engine, **overrides)
    try:
        with _frozen_heap() if freeze_heap else contextlib.nullcontext():
            if output is not None:
                todo = [j for j in jobs if j.doc_id not in output.state.done]
                output.forget({j.doc_id for j in todo})
            else:
                todo = jobs
            stats.total, stats.skipped = len(todo), len(jobs) - len(todo)
            if on_start is not None:
                on_start(stats)
            results: asyncio.Queue[Result | None] = asyncio.Queue(maxsize=2 * concurrency)
            pending = iter(todo)
            breaker = _Breaker()

            refrozen = False

            async def worker() -> None:
                nonlocal refrozen
                for job in pending:  # a shared iterator: each job goes to exactly one worker
                    result = breaker.stopped(job) or await _one(summarizer, job)
                    if freeze_heap and not refrozen and summarizer.connected:
                        # the client exists only once a report was really asked (a cached
                        # rerun never imports openai): freeze what it brought in, too
                        refrozen = True
                        gc.freeze()
                    breaker.saw(result)
                    if output is not None:
                        output.write(result.line())
                    stats.add(result)
                    await results.put(result)
                await results.put(None)

            workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(todo)))]
            try:
                finished = 0
                while finished < len(workers):
                    result = await results.get()
                    if result is None:
                        finished += 1
                    else:
                        yield result
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
    finally:
        await summarizer.aclose()
        if output is not None:
            output.close()


_freezes = 0
_freeze_lock = threading.Lock()


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep what is alive when a batch starts (modules, the client, schemas: ~180k
    objects) out of the collector's full passes while it runs. Each full pass otherwise
    walks all of them, ~100 ms every few hundred documents: it halved the rate of a
    cached rerun and stalled every request in flight. Nothing is lost: the objects go
    back to the collector when the batch ends (the last of several concurrent ones), and
    garbage frozen with them is collected then. (Collecting first would cost the very
    full pass this avoids.)"""
    global _freezes
    with _freeze_lock:
        if _freezes == 0:
            gc.freeze()
        _freezes += 1
    try:
        yield
    finally:
        with _freeze_lock:
            _freezes -= 1
            if _freezes == 0:
                gc.unfreeze()


async def _one(summarizer: Summarizer, job: Job) -> Result:
    try:
        summary = await summarizer.asummarize(job.path, doc_id=job.doc_id)
    except Exception as exc:  # a bug, too, costs this document only
        return _failed(job, exc)
    return Summarized(summary, str(job.path))


def _failed(job: Job, exc: BaseException) -> Failed:
    return Failed.of(job.doc_id, str(job.path), exc)


@dataclass
class _Breaker:
    """Stops a batch sending once the endpoint is unreachable: for the first document
    that asked it (nothing got through before), or for :data:`UNREACHABLE_RUN` in a row.
    Each document after gets an error record saying it was not attempted (a rerun retries
    it), so a dead ``OPENAI_BASE_URL`` costs one document's transport retries, not every
    document's. Cached summaries never ask the endpoint and count for nothing here."""

    run: int = 0
    through: bool = False
    cause: UnreachableError | None = None

    def saw(self, result: Result) -> None:
        if isinstance(result.exception, UnreachableError):
            self.run += 1
            if not self.through or self.run >= UNREACHABLE_RUN:
                self.cause = self.cause or result.exception
        elif not result.cached and not isinstance(result.exception, NotAttemptedError):
            self.run, self.through = 0, True

    def stopped(self, job: Job) -> Result | None:
        """The not-attempted result of ``job`` once the batch has stopped sending."""
        if self.cause is None:
            return None
        return _failed(job, NotAttemptedError(f"not attempted: {self.cause.message}"))


def summarize_batch(
    inputs: Sequence[str | os.PathLike[str]] | Sequence[Job], **options: Any
) -> Generator[Result, None, None]:
    """Synchronous :func:`asummarize_batch`: ``for result in summarize_batch(paths): ...``.

    Runs its own event loop; it advances while you iterate. Breaking out of the
    loop stops the batch cleanly (what finished is in ``out``).
    """
    loop = asyncio.new_event_loop()
    results = asummarize_batch(inputs, **options)
    try:
        while True:
            step = loop.create_task(results.__anext__())
            try:
                yield loop.run_until_complete(step)
            except StopAsyncIteration:
                return
            except BaseException:  # Ctrl-C or SIGTERM inside the loop: unwind the batch
                if not step.done():  # the generator is mid-step: cancel it to its cleanup
                    step.cancel()
                    with contextlib.suppress(BaseException):
                        loop.run_until_complete(step)
                raise
    finally:
        _complete(loop, results.aclose())
        _complete(loop, loop.shutdown_default_executor())
        loop.close()


def _complete(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end on ``loop``. A signal that arrived just after a step had
    finished leaves that step's "stop the loop" callback queued, and it would stop this
    run before ``work`` is done (RuntimeError: Event loop stopped before Future completed):
    the loop is run again until it is."""
    task = loop.create_task(work)
    while not task.done():
        try:
            loop.run_until_complete(task)
        except RuntimeError as exc:
            if task.done() or "stopped before Future completed" not in str(exc):
                raise
    task.result()
