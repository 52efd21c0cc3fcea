"""Batch engines (#17), measured: what --export and --import cost per document, and the
issue's outside check.

1. ``--export`` over the corpus (each report copied ``--copies`` times, made unique by a
   first line): request lines per document, ms per document, nothing sent.
2. An independent engine answers the lines from the gold files; the first answer of every
   ``--bad-every``-th document carries a fabricated quote, and one line errors.
3. ``--import`` with no endpoint: documents summarized, error records naming the resend,
   quotes verbatim, fabricated items (must be 0); ms per document.
4. ``--import`` with an endpoint (the test server answering from gold): every document
   summarized, what was re-asked online, quotes verbatim, fabricated items.

    python eval/bench_offload.py [--copies 20] [--bad-every 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch import summarize_batch  # noqa: E402
from summarizer.batchfiles import read_results  # noqa: E402
from summarizer.grounding import verify  # noqa: E402
from summarizer.inputs import collect  # noqa: E402
from summarizer.offload import write_requests  # noqa: E402
from summarizer.read import read_document  # noqa: E402
from summarizer.settings import Settings  # noqa: E402
from summarizer.steps import Imported  # noqa: E402
from tests.fake_openai import FakeOpenAI, answer, completion  # noqa: E402

GOLD, CORPUS = ROOT / "eval" / "gold", ROOT / "eval" / "corpus"
FABRICATED = "全年审结各类案件99999件"


def gold_answer(doc_id: str) -> dict[str, Any]:
    gold = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
    first = gold["achievements"][0]["text"] if gold["achievements"] else "工作"
    gold["overview"] = f"{gold.get('organization') or '该单位'}总结了本期工作。{first}。"
    return gold


def gold_of(body: dict[str, Any], ids: list[str]) -> str:
    prompt = json.dumps(body.get("messages"), ensure_ascii=False)
    return next(d for d in ids if d in prompt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--bad-every", type=int, default=5)
    args = parser.parse_args()
    ids = sorted(p.stem for p in GOLD.glob("*.json"))
    work = Path(tempfile.mkdtemp(prefix="bench_offload_"))
    folder = work / "in"
    folder.mkdir()
    for n in range(args.copies):
        for doc in ids:
            text = f"编号{n:04d}\n" + (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")
            (folder / f"{doc}__{n:04d}.txt").write_text(text, encoding="utf-8")
    jobs = collect([folder])
    offline = Settings.load(env={}, backend="llm", model="m", cache_dir=work / "cache-a")

    # 1. export
    requests = work / "requests.jsonl"
    times, lines = [], 0
    start = time.perf_counter()
    for exported in write_requests(jobs, requests, settings=offline):
        now = time.perf_counter()
        times.append(now - start)
        start = now
        lines += exported.lines
    print(
        f"export: {len(jobs)} documents, {lines} lines, median "
        f"{statistics.median(times) * 1e3:.1f} ms/doc, "
        f"{requests.stat().st_size / len(jobs) / 1024:.1f} KiB/doc"
    )

    # 2. the independent engine
    answers = work / "answers.jsonl"
    written, bad = [], set()
    rows = [json.loads(x) for x in requests.read_text(encoding="utf-8").splitlines()]
    for n, row in enumerate(rows):
        custom, body = row["custom_id"], row["body"]
        payload = gold_answer(gold_of(body, ids))
        if n % args.bad_every == 0:
            bad.add(custom)
            payload["achievements"][0]["evidence"] = [FABRICATED]
        if n == 1:
            written.append({"custom_id": custom, "response": None, "error": {"message": "boom"}})
            continue
        response = {"status_code": 200, "body": completion(body, answer(payload))}
        written.append({"custom_id": custom, "response": response, "error": None})
    answers.write_text("\n".join(json.dumps(w, ensure_ascii=False) for w in written), "utf-8")
    replies = read_results([answers], print)

    def check(results: list[Any]) -> tuple[int, int, int]:
        ok = [r for r in results if r.ok]
        fabricated = sum(
            FABRICATED in q
            for r in ok
            for i in r.summary.achievements + r.summary.problems + r.summary.plans
            for q in i.evidence
        )
        unverified = sum(bool(verify(r.summary, read_document(r.path).raw)) for r in ok)
        return len(ok), fabricated, unverified

    # 3. import, no endpoint
    start = time.perf_counter()
    results = list(
        summarize_batch(jobs, settings=offline, engine=Imported(replies), out=work / "a.jsonl")
    )
    seconds = time.perf_counter() - start
    ok, fabricated, unverified = check(results)
    resend = sum(r.error is not None and r.error["type"] == "ResendError" for r in results)
    print(
        f"import, no endpoint: {ok}/{len(jobs)} summarized, {resend} named for a resend "
        f"(expected {len(bad) + 1}), {fabricated} fabricated quotes, {unverified} summaries "
        f"with a quote not verbatim; {seconds / len(jobs) * 1e3:.1f} ms/doc"
    )

    # 4. import, with an endpoint answering from gold
    server = FakeOpenAI().start()
    server.responder = lambda body: answer(gold_answer(gold_of(body, ids)))
    try:
        online = Settings.load(
            env={},
            backend="llm",
            model="m",
            base_url=server.url,
            api_key="not-real",
            cache_dir=work / "cache-b",
        )
        results = list(summarize_batch(jobs, settings=online, engine=Imported(replies)))
    finally:
        server.stop()
    ok, fabricated, unverified = check(results)
    reasks = sum(
        FABRICATED in json.dumps(b["messages"], ensure_ascii=False) for b in server.requests
    )
    print(
        f"import, endpoint: {ok}/{len(jobs)} summarized, {len(server.requests)} requests "
        f"online ({reasks} re-asks of fabricated answers, {len(server.requests) - reasks} "
        f"for the errored line), {fabricated} fabricated quotes, {unverified} not verbatim"
    )


if __name__ == "__main__":
    main()
