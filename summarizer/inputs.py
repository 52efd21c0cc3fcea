"""Which documents a run takes: files, folders searched for report files, and list
files naming one path per line; each document with the id its results are keyed by.

Apart from the batch (which loads the engines) so the command line can name its
defaults without loading them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError
from summarizer.read import STDIN
from summarizer.settings import DEFAULT_GLOB

__all__ = ["DEFAULT_GLOB", "Job", "collect"]


@dataclass(frozen=True)
class Job:
    """One document to summarize."""

    path: Path
    doc_id: str


def collect(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    glob: str = DEFAULT_GLOB,
    list_files: Iterable[str | os.PathLike[str]] = (),
) -> list[Job]:
    """The jobs for ``inputs`` (files and folders) and ``list_files`` (one path per line,
    relative to the list file; ``#`` starts a comment; :data:`STDIN` reads the list from
    standard input, relative to the working folder), in a stable order.

    A folder is searched recursively for ``glob``; its documents' ids are their
    paths relative to it without the suffix. A file's id is its name without the
    suffix. A path that does not exist still becomes a job (its error record
    says so): one bad path costs that document only. Files that differ only in
    their suffix (``report.txt``, ``report.docx``) keep it in their ids. Two other
    documents with the same id are refused before anything runs, since the output
    could not tell them apart.
    """
    jobs: list[Job] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            patterns = [g.strip() for g in glob.split(",") if g.strip()]
            found = sorted({p for g in patterns for p in path.rglob(g) if p.is_file()})
            jobs += [Job(p, p.relative_to(path).with_suffix("").as_posix()) for p in found]
        else:
            jobs.append(Job(path, path.stem))
    for list_file in list_files:
        listing = Path(list_file)
        try:
            if str(list_file) == STDIN:  # `find … | summarizer batch --list -`
                listing = Path.cwd() / STDIN
                lines = sys.stdin.read().lstrip("\ufeff").splitlines()
            else:
                lines = listing.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InputError(f"cannot read the list file ({reason})", path=str(listing)) from None
        for line in lines:
            entry = line.split("#", 1)[0].strip()
            if entry:
                path = Path(entry) if Path(entry).is_absolute() else listing.parent / entry
                jobs.append(Job(path, _list_id(path, listing.parent)))
    jobs = _suffixed_where_shared(jobs)
    seen: dict[str, Path] = {}
    for job in jobs:
        if job.doc_id in seen and seen[job.doc_id] != job.path:
            raise InputError(
                f"two documents would share doc_id {job.doc_id!r}: {seen[job.doc_id]} and "
                f"{job.path}; pass their common folder instead, so ids keep their sub-folders"
            )
        seen[job.doc_id] = job.path
    unique = {job.doc_id: job for job in jobs}  # the same file named twice is one job
    return list(unique.values())


def _suffixed_where_shared(jobs: list[Job]) -> list[Job]:
    """Jobs whose ids are shared by files that differ only in their suffix, with the
    suffix kept in the id (``report.txt`` and ``report.md``): both are summarized."""
    paths: dict[str, set[Path]] = {}
    for job in jobs:
        paths.setdefault(job.doc_id, set()).add(job.path)
    shared = {
        doc_id
        for doc_id, found in paths.items()
        if len(found) > 1 and len({p.with_suffix("") for p in found}) == 1
    }
    return [Job(j.path, j.doc_id + j.path.suffix) if j.doc_id in shared else j for j in jobs]


def _list_id(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).with_suffix("").as_posix()
    except ValueError:
        return path.stem
