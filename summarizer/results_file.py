"""The results file a batch appends to and resumes from: one JSON line per finished
document (its ``ReportSummary``, or ``{"doc_id", "path", "error": {"type", "message"}}``),
appended with a single ``write`` as soon as it is done.

A kill at any moment leaves a valid JSONL of what finished (a torn last line, if the kill
lands inside that write, is cut off on the next run). A rerun skips the documents that
have a summary in the output, retries the ones that have an error record (replacing the
record), and never writes a document twice. The output is locked while a batch writes
it."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import InputError
from summarizer.results import is_error_record

__all__ = ["JsonlOutput", "OutputState", "output_state"]


@dataclass
class OutputState:
    """What an existing output file already holds."""

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    torn_bytes: int = 0


def output_state(data: bytes) -> OutputState:
    """What a results file's bytes hold: the documents done, those failed, and the bytes
    of a last line torn by a kill (not counted)."""
    state = OutputState()
    end = data.rfind(b"\n") + 1
    state.torn_bytes = len(data) - end
    for line in data[:end].splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("doc_id"), str):
            if is_error_record(record):
                state.failed.add(record["doc_id"])
            else:
                state.done.add(record["doc_id"])
    state.failed -= state.done
    return state


class JsonlOutput:
    """An append-only JSONL results file that survives a kill at any moment.

    Opening it reads what is already there (``state``), cuts off a torn last
    line, and, with ``retry``, drops the error records of documents about to be
    retried (an atomic rewrite). Each :meth:`write` is one ``os.write`` of one
    whole line on an ``O_APPEND`` descriptor, so lines never interleave or tear
    short of a kill inside that very call. The file is locked (``flock``) so a
    second batch cannot write the same output.
    """

    def __init__(self, path: str | os.PathLike[str], *, resume: bool = True) -> None:
        self.path = Path(path)
        self.state = OutputState()
        try:
            if self.path.parent:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise InputError(
                f"cannot open the output ({exc.strerror or exc})", path=str(path)
            ) from None
        try:
            self._lock()
            if resume:
                self.state = self._scan()
            else:
                os.ftruncate(self._fd, 0)
        except BaseException:
            os.close(self._fd)
            raise

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock, documented
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(
                "another batch is writing this output; wait for it or choose another --out",
                path=str(self.path),
            ) from None

    def _scan(self) -> OutputState:
        data = self.path.read_bytes()
        state = output_state(data)
        if state.torn_bytes:  # a line torn by a kill: cut it, its document is redone
            os.ftruncate(self._fd, len(data) - state.torn_bytes)
        return state

    def forget(self, doc_ids: set[str]) -> None:
        """Drop the error records of ``doc_ids`` (about to be retried): an atomic rewrite."""
        doc_ids = doc_ids & self.state.failed
        if not doc_ids:
            return
        kept = []
        for line in self.path.read_bytes().splitlines(keepends=True):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not (isinstance(record, dict) and record.get("doc_id") in doc_ids):
                kept.append(line)
        temporary = self.path.with_name(self.path.name + ".rewrite")
        temporary.write_bytes(b"".join(kept))
        os.replace(temporary, self.path)
        # the lock and the descriptor belong to the old inode: move both to the new file
        old = self._fd
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        os.close(old)
        self._lock()
        self.state.failed -= doc_ids

    def write(self, line: str) -> None:
        """Append one JSON line (see :meth:`summarizer.results.Summarized.line`)."""
        data = (line.rstrip("\n") + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> JsonlOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
