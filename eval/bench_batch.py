"""Batch benchmark against the local OpenAI-compatible test server (prints figures; not a test).

    python eval/bench_batch.py                 # the full set (about 3 minutes)
    python eval/bench_batch.py --docs 64 --rss-docs 1000   # a quicker look

What it measures, each in one run on this machine:

1. **Server ceiling**: a bare httpx client (no openai client, no instructor, no
   validation) posting ``--docs`` requests shaped and sized like ours to the same server
   at the same concurrency. It shows what the server, the loopback and the workload
   allow, so the last column is about our client, not about the stdlib server.
   "Best possible" is the workload's own limit: ``docs / concurrency`` rounds of one
   latency each, the last one partly filled (200 at 32 is 7 rounds, 0.89 of ideal).
2. **Throughput**: ``asummarize_batch`` over ``--docs`` reports at concurrency 1, 8
   and 32 with the server answering after ``--latency`` seconds, as a ratio of the
   ideal ``concurrency / latency`` documents per second, and of the bare client.
3. **Cached reruns**: the same folder into a fresh output with a warm cache, and into
   the same output (resume: nothing left to do), in documents per second.
4. **Client CPU per 20,000-character report**: normalize + validate the model's reply
   (grounding validators) + ground (spans) + verify, median of 31.
5. **Peak RSS** of ``summarizer batch`` (a child process) at ``--docs`` and at
   ``--rss-docs`` documents, latency 0: growth must stay small, since results stream
   to disk.

The server runs in its own process (``python -m tests.fake_openai``), so its threads
do not share our GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch import asummarize_batch  # noqa: E402
from summarizer.settings import Settings  # noqa: E402

GOLD = ROOT / "eval" / "gold"
CORPUS = ROOT / "eval" / "corpus"
DOC_IDS = sorted(p.stem for p in GOLD.glob("*.json"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m tests.fake_openai`` in a child process."""

    def __init__(self, latency: float, *extra: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_openai", "--gold", str(GOLD), "--quiet",
             "--port", str(self.port), "--latency", str(latency), *extra],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "serving …": it is listening
        self.url = f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def make_folder(root: Path, n: int) -> Path:
    """``n`` reports: corpus copies made unique by a first line, named after their gold."""
    texts = {d: (CORPUS / f"{d}.txt").read_text(encoding="utf-8") for d in DOC_IDS}
    root.mkdir(parents=True)
    for i in range(n):
        d = DOC_IDS[i % len(DOC_IDS)]
        (root / f"{d}__{i:05d}.txt").write_text(f"编号{i:05d}\n{texts[d]}", encoding="utf-8")
    return root


def settings(url: str, cache: Path) -> Settings:
    return Settings.load(
        env={}, backend="llm", base_url=url, api_key="bench-key-not-real", model="bench",
        cache_dir=cache, timeout=60.0,
    )  # fmt: skip


async def run_batch(
    folder: Path, out: Path, s: Settings, concurrency: int, *, freeze_heap: bool = True
) -> tuple[int, float]:
    """As the CLI runs it (``freeze_heap`` on unless ``--no-freeze-heap``)."""
    started = time.perf_counter()
    ok = 0
    batch = asummarize_batch(
        [folder], out=out, concurrency=concurrency, settings=s, freeze_heap=freeze_heap
    )
    async for result in batch:
        ok += result.ok
    return ok, time.perf_counter() - started


def raw_bodies() -> list[bytes]:
    """Request bodies shaped and sized like ours (a report's prompt, the summary schema as a
    tool), one per gold document, so the server's share of the cost is the same."""
    from summarizer.normalize import normalize
    from summarizer.prompts import build_messages
    from summarizer.schemas import DraftSummary

    tool = {"type": "function", "function": {"name": "DraftSummary",
            "parameters": DraftSummary.model_json_schema()}}  # fmt: skip
    bodies = []
    for d in DOC_IDS:
        text = normalize((CORPUS / f"{d}.txt").read_text(encoding="utf-8")).text
        choice = {"type": "function", "function": {"name": "DraftSummary"}}
        body = {"model": "bench", "messages": build_messages(text, d), "tools": [tool],
                "tool_choice": choice}  # fmt: skip
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


async def raw_client(url: str, n: int, concurrency: int) -> float:
    """Seconds for ``n`` bare chat requests at ``concurrency``: httpx only, no openai client,
    no instructor, no validation, the reply read and dropped. What the server allows."""
    import httpx

    bodies = raw_bodies()
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(i: int) -> None:
            async with gate:
                body = bodies[i % len(bodies)]
                r = await client.post(f"{url}/chat/completions", content=body, headers=headers)
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - started


def client_cpu_ms() -> float:
    """normalize + validate + ground + verify of a 20,000-character report, median ms."""
    from summarizer.grounding import ground, verify
    from summarizer.read import Document
    from summarizer.schemas import DraftSummary, Meta
    from summarizer.source import validation_context

    first = DOC_IDS[0]
    text = (CORPUS / f"{first}.txt").read_text(encoding="utf-8")
    filler = "".join((CORPUS / f"{d}.txt").read_text(encoding="utf-8") for d in DOC_IDS[1:])
    while len(text) < 20_000:
        text += "\n" + filler
    text = text[:20_000]
    from tests.good_answers import good_answer

    gold = json.loads((GOLD / f"{first}.json").read_text(encoding="utf-8"))
    reply = good_answer(first, gold, text)  # each figure its points give, quoted
    reply["overview"] = "本期工作总结。"
    blob = json.dumps(reply, ensure_ascii=False)
    times = []
    for _ in range(31):
        started = time.perf_counter()
        doc = Document(doc_id="bench", raw=text)
        context = validation_context(doc)
        draft = DraftSummary.model_validate_json(blob, context=context)
        summary = ground(draft, doc, Meta(backend="llm"), context["source"])
        assert not verify(summary, doc.raw)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def peak_rss_mb(
    folder: Path, url: str, cache: Path, out: Path, *, check: bool = True
) -> tuple[float, float]:
    """Peak RSS (MB) and seconds of ``summarizer batch`` over ``folder`` in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(OPENAI_BASE_URL=url, OPENAI_API_KEY="bench-key-not-real",
               SUMMARIZER_MODEL="bench", SUMMARIZER_CACHE_DIR=str(cache))  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "batch", str(folder), "--out", str(out), "-c", "32",
         "-q"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if check and status != 0:
        raise SystemExit(f"batch failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_maxrss / 1024, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--rss-docs", type=int, default=5000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        folder = make_folder(work / "reports", args.docs)
        print(
            f"{args.docs} reports, server latency {args.latency}s, python {sys.version.split()[0]}"
        )
        server = Server(args.latency)
        try:
            print(
                "\n| concurrency | ideal docs/s | best possible | bare client | ratio "
                "| summarizer batch | ratio | vs bare client |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|---:|")
            last_cache = work / "cache-1"
            for c in args.concurrency:
                ideal = c / args.latency
                # docs/c rounds of one latency each, the last one partly filled
                best = args.docs / (math.ceil(args.docs / c) * args.latency)
                raw = args.docs / asyncio.run(raw_client(server.url, args.docs, c))
                last_cache = work / f"cache-{c}"
                ok, secs = asyncio.run(
                    run_batch(folder, work / f"out-{c}.jsonl", settings(server.url, last_cache), c)
                )
                assert ok == args.docs, f"{ok} of {args.docs} summarized"
                rate = ok / secs
                print(f"| {c} | {ideal:.1f} | {best:.1f} ({best / ideal:.2f}) | {raw:.1f} | "
                      f"{raw / ideal:.2f} | {rate:.1f} | **{rate / ideal:.2f}** | "
                      f"**{rate / raw:.2f}** |")  # fmt: skip
            s = settings(server.url, last_cache)
            # With and without freeze_heap in turns (ABBA), so that neither setting gets
            # the machine's better minutes: run as two blocks, the order decided the ratio.
            fresh: list[float] = []
            unfrozen: list[float] = []
            for i in range(6):
                freeze = i % 4 in (0, 3)  # on, off, off, on, on, off
                _, t = asyncio.run(
                    run_batch(folder, work / f"again-{i}.jsonl", s, 32, freeze_heap=freeze)
                )
                (fresh if freeze else unfrozen).append(args.docs / t)
            resume = [asyncio.run(run_batch(folder, work / "again-0.jsonl", s, 32))
                      for _ in range(3)]  # fmt: skip
            warm_rate = statistics.median(fresh)
            print(f"\nwarm cache, fresh output: {warm_rate:.0f} docs/s (median of 3)")
            thaw_rate = statistics.median(unfrozen)
            print(
                f"  the same without freeze_heap: {thaw_rate:.0f} docs/s (median of 3, "
                f"taken in turns with the runs above; ratio {warm_rate / thaw_rate:.2f})"
            )
            print(
                f"same output (resume, nothing to do): "
                f"{statistics.median(args.docs / t for _, t in resume):.0f} docs/s (median of 3)"
            )
        finally:
            server.stop()

        print(f"\nclient CPU per 20,000-character report (normalize+validate+ground): "
              f"{client_cpu_ms():.2f} ms (median of 31)")  # fmt: skip

        server = Server(0.0)
        try:
            small, t_small = peak_rss_mb(folder, server.url, work / "rss-cache-a", work / "a.jsonl")
            big_folder = make_folder(work / "many", args.rss_docs)
            big, t_big = peak_rss_mb(big_folder, server.url, work / "rss-cache-b", work / "b.jsonl")
        finally:
            server.stop()
        print(f"\npeak RSS of `summarizer batch -c 32`: {small:.0f} MB at {args.docs} docs "
              f"({t_small:.0f} s), {big:.0f} MB at {args.rss_docs} docs ({t_big:.0f} s): "
              f"growth {big - small:+.0f} MB")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
