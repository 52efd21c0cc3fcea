"""A batch engine's request file: one line per document, or per part of a report sent in
parts, whose body is the request the online path would send first. Nothing is sent.

Documents with a summary in ``--out`` are left out, and so are those the cache answers
(a summary, or each of its parts); a part whose engine answer failed validation gets the
re-ask it led to (:meth:`Summarizer.batch_requests`). The file is written beside its
name and moved into place when whole, so an interrupted export leaves no half file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.batchfiles import request_line
from summarizer.errors import InputError, SummarizerError
from summarizer.inputs import Job
from summarizer.pipeline import Summarizer
from summarizer.results_file import output_state
from summarizer.settings import Settings
from summarizer.steps import ExportOnly

__all__ = ["Exported", "write_requests"]


@dataclass(frozen=True)
class Exported:
    """One document of an export: how many request lines it got (0: nothing left to ask,
    or already in ``--out``), or why it could not be exported."""

    job: Job
    lines: int = 0
    skipped: bool = False
    error: BaseException | None = None


def write_requests(
    jobs: Sequence[Job],
    path: str | os.PathLike[str],
    *,
    settings: Settings,
    out: str | os.PathLike[str] | None = None,
) -> Iterator[Exported]:
    """Write the request lines of ``jobs`` to ``path``; yield each document as it is done.
    The file is complete once the generator is exhausted (closing it early leaves none)."""
    done = _done_in(out)
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        handle = open(partial, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(
            f"cannot write the requests ({exc.strerror or exc})", path=str(path)
        ) from None
    taken: dict[str, str] = {}
    finished = False
    try:
        with handle, Summarizer(settings, engine=ExportOnly()) as summarizer:
            for job in jobs:
                if job.doc_id in done:
                    yield Exported(job, skipped=True)
                    continue
                try:
                    lines = summarizer.batch_requests(job.path, doc_id=job.doc_id)
                    for custom, _ in lines:
                        if taken.setdefault(custom, job.doc_id) != job.doc_id:
                            raise InputError(
                                f"its line id {custom!r} is also {taken[custom]!r}'s; "
                                "rename one of the two files",
                                path=str(job.path),
                            )
                except Exception as exc:  # a bad file costs that file
                    yield Exported(job, error=exc)
                    continue
                handle.writelines(request_line(custom, body) + "\n" for custom, body in lines)
                yield Exported(job, lines=len(lines))
        os.replace(partial, target)
        finished = True
    finally:
        if not finished:
            with contextlib.suppress(OSError):
                partial.unlink()


def _done_in(out: str | os.PathLike[str] | None) -> set[str]:
    """The documents with a summary in the results file ``out`` (none when it is absent)."""
    if out is None:
        return set()
    try:
        return output_state(Path(out).read_bytes()).done
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise SummarizerError(
            f"cannot read the output ({exc.strerror or exc})", path=str(out)
        ) from None
