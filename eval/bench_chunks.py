"""Long reports at small contexts: ``python eval/bench_chunks.py``.

Runs the LLM path over real HTTP against the local test server answering as
:class:`tests.chunk_model.SeeingModel` (a model that sees only its request: the gold
points whose evidence is in the chunk it was sent), after a fixed latency, for the long
reports of ``eval/corpus`` and for three of them bound into one ~35,000-character
file, at contexts of 4k, 8k, 32k and 128k tokens. Prints per report and context:

* requests sent (re-asks included) and chunks,
* prompt tokens as the server counts them (``--counts`` tokens per estimated one: 1 is
  the package's own estimate, Qwen's tokenizer ~0.7) and their ratio to the one-request
  figure (the 128k row),
* each report twice in one run: cold, then warm (the summarizer has learned from the
  first run's answers how the server counts),
* wall time (the chunks of a report are asked at once),
* gold points back: the share of the report's gold achievements/problems/plans in the
  summary, and points that came back twice.

Target (issue #14), a ~30,000-character report at an 8k context: ≥ 95% of the points
one request gets, no duplicates, prompt tokens ≤ 1.3× the one-request figure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.normalize import fold  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402
from summarizer.read import read_document  # noqa: E402
from summarizer.schemas import SECTIONS, ReportSummary  # noqa: E402
from summarizer.settings import Settings  # noqa: E402
from tests.chunk_model import SeeingModel  # noqa: E402
from tests.fake_openai import FakeOpenAI, Step  # noqa: E402

HERE = Path(__file__).resolve().parent
#: Reports at least this long (normalized characters) are "long".
LONG_CHARS = 6000
#: (context tokens, max_tokens): the answer's room grows with the context.
CONTEXTS = [(4_000, 1_000), (8_192, 1_500), (32_768, 4_096), (131_072, 8_192)]
#: Three reports bound into one file, as a year's reports often are.
BOUND = ("b01_gov_report_2019", "a02_spp_work_report_2020_abstract", "000_1cceb1fd464775c5")


def bound_report(model: SeeingModel) -> str:
    """The three reports in one text, with their gold joined, under the id ``bound``."""
    raw = "\n\n".join(model.corpus[d] for d in BOUND)
    joined: dict[str, Any] = {"title": None, "organization": None, "period": None}
    for section in (*SECTIONS, "metrics"):
        joined[section] = [x for d in BOUND for x in model.gold[d].get(section) or []]
    model.gold["bound"], model.corpus["bound"] = joined, raw
    return raw


def run_one(
    server: FakeOpenAI, doc_id: str, raw: str, context: int, out: int
) -> list[dict[str, Any]]:
    """The report summarized twice by one summarizer: cold, then having learned from the
    first run's answers how the server counts tokens."""
    settings = Settings.load(
        env={},
        backend="llm",
        base_url=server.url,
        api_key="bench-key-not-real",
        model="fake-model",
        cache=False,
        cache_dir=tempfile.mkdtemp(),
        context_tokens=context,
        max_tokens=out,
    )
    runs: list[dict[str, Any]] = []

    async def ask() -> None:
        summarizer = Summarizer(settings)
        try:
            for _ in range(2):
                before, started = len(server.requests), time.perf_counter()
                summary = await summarizer.asummarize(raw, doc_id=doc_id)
                runs.append(
                    {
                        "summary": summary,
                        "requests": len(server.requests) - before,
                        "seconds": time.perf_counter() - started,
                    }
                )
        finally:
            await summarizer.aclose()

    asyncio.run(ask())
    return runs


def points_back(summary: ReportSummary, gold: dict[str, Any]) -> tuple[int, int, int]:
    """(gold points back, gold points, points that came back twice), by folded text."""
    back = total = twice = 0
    for section in SECTIONS:
        texts = [fold(i.text) for i in getattr(summary, section)]
        twice += len(texts) - len(set(texts))
        wanted = [fold(g["text"]) for g in gold.get(section) or []]
        total += len(wanted)
        back += sum(1 for w in wanted if w in texts)
    return back, total, twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.5, help="server seconds per answer")
    parser.add_argument(
        "--counts",
        type=float,
        default=1.0,
        help="tokens the server counts per estimated token (its tokenizer; Qwen ~0.7)",
    )
    args = parser.parse_args()
    model = SeeingModel.from_dirs(HERE / "gold", HERE / "corpus")
    model.counts = args.counts
    server = FakeOpenAI().start()
    server.responder = lambda body: replace(model(body) or Step(), delay=args.latency)
    reports = {
        d: model.corpus[d]
        for d in sorted(model.gold)
        if len(read_document(HERE / "corpus" / f"{d}.txt").normalized.text) >= LONG_CHARS
    }
    reports["bound"] = bound_report(model)
    try:
        print(
            f"# Long reports in chunks (server latency {args.latency} s, counting "
            f"{args.counts:g} tokens per estimated token)\n"
        )
        print(
            "| report | chars | context | run | chunks | requests | prompt tokens "
            "| × one request | seconds | gold points back | twice |"
        )
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for doc_id, raw in reports.items():
            rows = [(c, run_one(server, doc_id, raw, c, o)) for c, o in CONTEXTS]
            whole = rows[-1][1][0]["summary"]
            one = whole.meta.usage.prompt_tokens or 1
            one_back = points_back(whole, model.gold[doc_id])[0] or 1
            for context, runs in rows:
                for run, r in zip(("cold", "warm"), runs, strict=True):
                    s = r["summary"]
                    back, total, twice = points_back(s, model.gold[doc_id])
                    print(
                        f"| {doc_id} | {len(raw):,} | {context // 1000}k | {run} "
                        f"| {s.meta.chunks} | {r['requests']} | {s.meta.usage.prompt_tokens:,} "
                        f"| {s.meta.usage.prompt_tokens / one:.2f} | {r['seconds']:.1f} "
                        f"| {back}/{total} ({back / one_back:.0%} of one request) | {twice} |"
                    )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
