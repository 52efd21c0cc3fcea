"""The round trip through a provider's Files and Batches API (``--via openai-batch``):
export, upload, create, wait, download, import.

**Paid for once.** The batch's id is written beside ``--out`` (``OUT.batch.json``) the
moment the provider returns it, before anything else happens. A rerun after a crash, a
kill or Ctrl-C finds that record and picks the same batch up (waits for it, or imports
its output) instead of creating and paying for another. The record goes once the batch's
output is imported whole; a batch the provider failed (nothing run, nothing charged) has
its record removed at once, so the next run makes a new one.

**Nothing lost.** The answers are imported as ``--import`` does: each document's
first answer from the batch, validated and grounded as online; what failed validation is
re-asked online, and what the batch did not answer (errors, expiry, cancellation) is
asked online, since this path always has an endpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from summarizer.batch import BatchStats, summarize_batch
from summarizer.batchfiles import Outcome, read_results
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.inputs import Job
from summarizer.llm.batches import BatchAPI, RemoteBatch
from summarizer.offload.requests import Exported, write_requests
from summarizer.results import Result
from summarizer.settings import DEFAULT_CONCURRENCY, Settings
from summarizer.steps import Imported

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_REQUESTS",
    "BatchRecord",
    "Hooks",
    "run_remote",
]

#: The OpenAI Batch API's limits on one input file.
MAX_BATCH_REQUESTS = 50_000
MAX_BATCH_BYTES = 200 * 1024 * 1024
#: Beside ``--out``: the record of the batch in flight, the requests sent, its answers.
RECORD_SUFFIX, REQUESTS_SUFFIX, RESULTS_SUFFIX = (
    ".batch.json",
    ".batch-requests.jsonl",
    ".batch-results.jsonl",
)


@dataclass(frozen=True)
class BatchRecord:
    """What is kept beside ``--out`` while a batch is in flight."""

    batch_id: str
    input_file_id: str
    host: str
    model: str
    requests: int
    created: float

    @classmethod
    def load(cls, path: Path) -> BatchRecord | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(
                f"unreadable batch record ({exc}); it names a batch in flight: look the "
                "batch up with the provider, then delete this file to start a new one",
                path=str(path),
            ) from None

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(temporary, path)


@dataclass
class Hooks:
    """What the round trip tells its caller, as it goes."""

    #: A line worth showing (the batch created, resumed, downloaded).
    say: Callable[[str], None] = lambda line: None
    #: Each document exported.
    exported: Callable[[Exported], None] = lambda exported: None
    #: The batch as the provider reports it, at each look.
    status: Callable[[RemoteBatch], None] = lambda batch: None
    #: On Ctrl-C while waiting: whether to cancel the remote batch (else it runs on, and a
    #: rerun picks it up).
    cancel: Callable[[RemoteBatch], bool] = lambda batch: False
    #: A results-file line that could not be read.
    notice: Callable[[str], None] = lambda line: None


def run_remote(
    jobs: Sequence[Job],
    *,
    out: str | os.PathLike[str],
    settings: Settings,
    poll: float,
    hooks: Hooks,
    stats: BatchStats | None = None,
    on_start: Callable[[BatchStats], None] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Iterator[Result]:
    """Summarize ``jobs`` through the provider's Batch API into ``out``; yield each
    document's result as it is imported."""
    if not settings.endpoint_configured:
        raise ConfigError(
            "--via openai-batch needs the provider's endpoint: set OPENAI_API_KEY (and "
            "OPENAI_BASE_URL for a provider other than OpenAI)"
        )
    base = Path(out)
    record_at = base.with_name(base.name + RECORD_SUFFIX)
    api = BatchAPI(settings)
    try:
        record = _resumed(record_at, settings, hooks) or _submitted(
            jobs, base, record_at, settings, api, hooks
        )
        answers: dict[str, Outcome] = {}
        if record is not None:
            batch = _wait(api, record, poll, hooks)
            if batch.status == "failed":
                record_at.unlink(missing_ok=True)
                raise SummarizerError(
                    f"the provider failed batch {batch.id} before running it (nothing is "
                    f"charged): {'; '.join(batch.errors[:3]) or 'no reason given'}; fix "
                    "that and rerun, which makes a new batch"
                )
            answers = read_results(_download(api, batch, base, hooks), hooks.notice)
        yield from summarize_batch(
            jobs,
            out=out,
            settings=settings,
            engine=Imported(answers),
            stats=stats,
            on_start=on_start,
            concurrency=concurrency,
        )
        record_at.unlink(missing_ok=True)  # imported whole: the batch is spent
        base.with_name(base.name + REQUESTS_SUFFIX).unlink(missing_ok=True)
    finally:
        api.close()


def _resumed(record_at: Path, settings: Settings, hooks: Hooks) -> BatchRecord | None:
    """The batch a run before this one created, when its record is beside ``--out``."""
    record = BatchRecord.load(record_at)
    if record is None:
        return None
    if (record.host, record.model) != (settings.host, settings.model):
        raise ConfigError(
            f"{record_at} records batch {record.batch_id} at {record.host} for model "
            f"{record.model}; rerun with that endpoint and --model to pick it up, or delete "
            "the record to make a new batch (the old one is still paid for)",
        )
    hooks.say(f"resuming batch {record.batch_id} ({record.requests} requests; {record_at})")
    return record


def _submitted(
    jobs: Sequence[Job],
    base: Path,
    record_at: Path,
    settings: Settings,
    api: BatchAPI,
    hooks: Hooks,
) -> BatchRecord | None:
    """Export what is left to ask, upload it and create the batch; its record saved at
    once. None when nothing is left to ask (everything is in ``--out`` or the cache)."""
    requests = base.with_name(base.name + REQUESTS_SUFFIX)
    lines = 0
    failed: list[Exported] = []
    for exported in write_requests(jobs, requests, settings=settings, out=base):
        lines += exported.lines
        if exported.error is not None:
            failed.append(exported)
        hooks.exported(exported)
    if failed:  # they fail again, one record each, in the import that follows
        hooks.say(f"{len(failed)} document(s) could not be exported; they are tried online")
    if lines == 0:
        hooks.say("nothing to send: every document is in the output or the cache")
        requests.unlink(missing_ok=True)
        return None
    size = requests.stat().st_size
    if lines > MAX_BATCH_REQUESTS or size > MAX_BATCH_BYTES:
        raise InputError(
            f"{lines:,} requests in {size / 2**20:.0f} MB exceed one batch "
            f"({MAX_BATCH_REQUESTS:,} requests, {MAX_BATCH_BYTES // 2**20} MB); run on parts "
            "of the inputs (--list), each with its own --out",
            path=str(requests),
        )
    file_id = api.upload(requests)
    batch = api.create(file_id, {"tool": "summarizer", "out": base.name})
    record = BatchRecord(batch.id, file_id, settings.host, settings.model, lines, time.time())
    record.save(record_at)
    hooks.say(f"created batch {batch.id}: {lines} requests; its id is kept in {record_at}")
    return record


def _wait(api: BatchAPI, record: BatchRecord, poll: float, hooks: Hooks) -> RemoteBatch:
    """The batch once it reached a final state, looked at every ``poll`` seconds."""
    batch = api.get(record.batch_id)
    try:
        while True:
            hooks.status(batch)
            if batch.finished:
                return batch
            time.sleep(poll)
            batch = api.get(record.batch_id)
    except KeyboardInterrupt:
        if hooks.cancel(batch):
            with contextlib.suppress(SummarizerError):
                api.cancel(batch.id)
                hooks.say(
                    f"cancelled batch {batch.id}; rerun to import what it finished and ask "
                    "the rest online"
                )
        else:
            hooks.say(f"batch {batch.id} runs on; rerun the same command to pick it up")
        raise


def _download(api: BatchAPI, batch: RemoteBatch, base: Path, hooks: Hooks) -> list[Path]:
    """The batch's answers and its error lines, downloaded beside ``--out``."""
    files = []
    for kind, file_id in (("results", batch.output_file_id), ("errors", batch.error_file_id)):
        if file_id:
            suffix = RESULTS_SUFFIX if kind == "results" else ".batch-errors.jsonl"
            path = base.with_name(base.name + suffix)
            api.download(file_id, path)
            files.append(path)
    unanswered = batch.total - batch.completed
    tail = f"; {unanswered} unanswered are asked online" if unanswered > 0 else ""
    hooks.say(f"batch {batch.id} {batch.status}: {batch.completed}/{batch.total} answered{tail}")
    return files
