"""Benchmarks: offline speed on one core, CLI import time, prompt size after normalization.

    python eval/bench.py            # prints a Markdown report
    python eval/bench.py --runs 15  # more repetitions

Figures are medians over ``--runs`` repetitions taken in this one run (the
machine is noisy; compare ratios from the same run, not across runs). Targets:
≥ 100 documents/s for 20,000-character reports on one core; importing the CLI
≤ 0.5 s. Nothing here is asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from summarizer.offline import summarize_offline
from summarizer.prompts import build_messages
from summarizer.read import Document, read_document

HERE = Path(__file__).resolve().parent
TARGET_CHARS = 20_000
#: A year's reports bound into one file.
LONG_CHARS = 300_000


def one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity here)"


def synthetic(docs: list[Document], chars: int) -> Document:
    """A report of ``chars`` characters stitched from the corpus (structure and all)."""
    text = ""
    while len(text) < chars:
        for d in docs:
            text += d.raw + "\n"
    return Document(doc_id=f"synthetic-{chars}", raw=text[:chars])


def numbered(docs: list[Document], chars: int) -> Document:
    """A report of ``chars`` characters from the corpus's lines, each line made unique
    (a number added) so that no paragraph is a repeat the engine reads once."""
    lines, size, round_ = [], 0, 0
    while size < chars:
        for d in docs:
            for line in d.raw.split("\n"):
                line = f"{line}（{round_}）" if line.strip() else line
                lines.append(line)
                size += len(line) + 1
        round_ += 1
    return Document(doc_id=f"numbered-{chars}", raw="\n".join(lines)[:chars])


def docs_per_second(docs: list[Document], runs: int) -> tuple[float, float]:
    """Median docs/s and median ms/doc, each run from raw text (normalization included).
    A run covers at least 30 documents, so that a timing is not a few milliseconds."""
    docs = docs * -(-30 // len(docs))
    timings = []
    for _ in range(runs):
        fresh = [Document(doc_id=d.doc_id, raw=d.raw) for d in docs]  # no cached views
        started = time.perf_counter()
        for d in fresh:
            summarize_offline(d)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    return len(docs) / median, median / len(docs) * 1000


def read_and_summarize(paths: list[Path], runs: int) -> float:
    paths = paths * -(-30 // len(paths))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        for p in paths:
            summarize_offline(read_document(p))
        timings.append(time.perf_counter() - started)
    return len(paths) / statistics.median(timings)


def subprocess_seconds(code: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running ``code``."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def import_seconds(module: str, runs: int) -> float:
    """Median in-process import time of ``module`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    values = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        values.append(float(out.stdout))
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args(argv)

    pinned = one_core()
    paths = sorted(args.corpus.glob("*.txt"))
    corpus = [read_document(p) for p in paths]
    big = [synthetic(corpus, TARGET_CHARS)]
    for d in [*corpus, big[0]]:  # load OpenCC, compile patterns, fill caches once
        summarize_offline(Document(doc_id="warm", raw=d.raw))

    print(f"# Benchmarks ({pinned}, median of {args.runs} runs)\n")
    print("## Offline engine\n")
    print("| documents | chars each | docs/s | ms/doc |")
    print("|---|---:|---:|---:|")
    for name, docs in (("corpus reports", corpus), (f"{TARGET_CHARS:,}-char reports", big)):
        rate, ms = docs_per_second(docs, args.runs)
        sizes = sorted(len(d.raw) for d in docs)
        chars = f"{sizes[0]:,}–{sizes[-1]:,}" if sizes[0] != sizes[-1] else f"{sizes[0]:,}"
        print(f"| {name} | {chars} | {rate:.0f} | {ms:.1f} |")
    with_reading = read_and_summarize(paths, args.runs)
    print(f"\nReading the files too (decode + summarize): {with_reading:.0f} docs/s")
    print(f"Target: ≥ 100 docs/s for {TARGET_CHARS:,}-char reports.\n")
    print("Long input (the corpus's lines, each made unique), one report at a time:\n")
    for chars in (LONG_CHARS // 15, LONG_CHARS // 3, LONG_CHARS):
        long = numbered(corpus, chars)
        timings = []
        for _ in range(max(3, args.runs // 3)):
            started = time.perf_counter()
            summarize_offline(Document(doc_id=long.doc_id, raw=long.raw))
            timings.append(time.perf_counter() - started)
        print(f"- {chars:,} characters: {statistics.median(timings) * 1000:.0f} ms")
    print(f"Target (#14): {LONG_CHARS:,} characters well under a second.\n")

    print("## Start-up\n")
    bare = subprocess_seconds("pass", args.runs)
    cli = subprocess_seconds("import summarizer.cli", args.runs)
    print(
        f"- import summarizer.cli, in process: {import_seconds('summarizer.cli', args.runs):.3f} s"
    )
    print(f"- python -c 'import summarizer.cli': {cli:.3f} s wall (bare interpreter {bare:.3f} s)")
    openai_import = import_seconds("openai", args.runs)
    print(f"- for scale, import openai: {openai_import:.3f} s (loaded only by the llm backend)")
    print("Target: CLI import ≤ 0.5 s.\n")

    print("## What the LLM reads\n")
    print("| document | raw chars | normalized chars | saved | prompt chars (with instructions) |")
    print("|---|---:|---:|---:|---:|")
    raw_total = view_total = 0
    web_page = HERE.parent / "tests" / "data" / "web_page_report.txt"
    for d in corpus + ([read_document(web_page)] if web_page.exists() else []):
        view = d.normalized.text
        prompt = sum(len(m["content"]) for m in build_messages(view, d.doc_id))
        raw_total += len(d.raw)
        view_total += len(view)
        saved = 1 - len(view) / len(d.raw)
        print(f"| {d.doc_id} | {len(d.raw):,} | {len(view):,} | {saved:.1%} | {prompt:,} |")
    print(f"| all | {raw_total:,} | {view_total:,} | {1 - view_total / raw_total:.1%} | |")
    print("\nThe prompt adds about 1,000 characters of instructions to each document.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
