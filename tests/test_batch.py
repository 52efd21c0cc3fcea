"""Batch summarization over real HTTP: concurrency, nothing lost, resume, shared 429s."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch import collect, summarize_batch
from summarizer.cli import main
from summarizer.errors import InputError
from summarizer.results_file import JsonlOutput
from summarizer.throttle import Throttle
from tests.conftest import DOC_IDS, ROOT, corpus_path, gold_answer
from tests.fake_openai import FakeOpenAI, Step, answer, error

BINARY = bytes(range(256)) * 8


def make_folder(root: Path, n: int, *, binary: bool = True) -> list[str]:
    """``n`` reports (corpus copies made unique by a first line) in two sub-folders, plus a
    binary file; returns the expected doc_ids of the reports."""
    ids = []
    for i in range(n):
        gold_id = DOC_IDS[i % len(DOC_IDS)]
        sub = root / ("a" if i % 2 else "b")
        sub.mkdir(parents=True, exist_ok=True)
        text = f"编号{i:04d}\n" + corpus_path(gold_id).read_text("utf-8")
        (sub / f"{gold_id}__{i:04d}.txt").write_text(text, encoding="utf-8")
        ids.append(f"{sub.name}/{gold_id}__{i:04d}")
    if binary:
        (root / "scan.txt").write_bytes(BINARY)
    return ids


def by_document(latency: float = 0.0) -> Any:
    """A responder answering each request with the gold summary of the document it names."""

    def respond(body: dict[str, Any]) -> Step:
        prompt = json.dumps(body.get("messages"), ensure_ascii=False)
        gold_id = next(d for d in DOC_IDS if d in prompt)
        return answer(gold_answer(gold_id), delay=latency)

    return respond


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def endpoint_env(server: FakeOpenAI, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(
        OPENAI_BASE_URL=server.url,
        OPENAI_API_KEY="test-key-not-real",
        SUMMARIZER_MODEL="fake-model",
        SUMMARIZER_CACHE_DIR=str(cache),
    )
    return env


# --------------------------------------------------------------------------- inputs


def test_collect_ids_are_relative_paths_without_suffix(tmp_path):
    ids = make_folder(tmp_path / "in", 4, binary=False)
    (tmp_path / "in" / "notes.md").write_text("x", "utf-8")
    (tmp_path / "in" / "page.html").write_text("x", "utf-8")
    (tmp_path / "in" / "data.csv").write_text("x", "utf-8")
    jobs = collect([tmp_path / "in"])  # text, Markdown and saved pages; not the csv
    assert sorted(j.doc_id for j in jobs) == sorted([*ids, "notes", "page"])
    assert [j.doc_id for j in collect([tmp_path / "in"], glob="*.md")] == ["notes"]
    both = collect([tmp_path / "in"], glob="*.md, *.html")
    assert sorted(j.doc_id for j in both) == ["notes", "page"]
    single = collect([tmp_path / "in" / "a" / f"{DOC_IDS[1]}__0001.txt"])
    assert [j.doc_id for j in single] == [f"{DOC_IDS[1]}__0001"]


def test_collect_list_files_and_missing_paths(tmp_path):
    make_folder(tmp_path / "in", 2, binary=False)
    listing = tmp_path / "in" / "todo.txt"
    listing.write_text(f"# two reports\na/{DOC_IDS[1]}__0001.txt\ngone.txt\n", "utf-8")
    jobs = collect([], list_files=[listing])
    assert [j.doc_id for j in jobs] == [f"a/{DOC_IDS[1]}__0001", "gone"]  # missing: a job still


def test_collect_refuses_two_documents_with_one_id(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "r.txt").write_text("一", "utf-8")
    (tmp_path / "y" / "r.txt").write_text("二", "utf-8")
    with pytest.raises(InputError, match="share doc_id 'r'"):
        collect([tmp_path / "x" / "r.txt", tmp_path / "y" / "r.txt"])
    assert len(collect([tmp_path])) == 2  # from their common folder: x/r and y/r


def test_files_that_differ_only_in_their_suffix_keep_it_in_their_ids(tmp_path):
    """report.txt and report.md in one folder are two reports, not an aborted batch."""
    (tmp_path / "report.txt").write_text("一", "utf-8")
    (tmp_path / "report.md").write_text("二", "utf-8")
    (tmp_path / "other.txt").write_text("三", "utf-8")
    jobs = collect([tmp_path])
    assert sorted(j.doc_id for j in jobs) == ["other", "report.md", "report.txt"]
    named = collect([tmp_path / "report.txt", tmp_path / "report.md"])
    assert sorted(j.doc_id for j in named) == ["report.md", "report.txt"]


# --------------------------------------------------------------------------- the output file


def test_output_cuts_a_torn_line_and_knows_what_is_done(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text(
        '{"doc_id": "a", "meta": {}}\n{"doc_id": "b", "error": {"type": "X", "message": "m"}}\n'
        '{"doc_id": "c", "ti',
        "utf-8",
    )
    with JsonlOutput(path) as out:
        assert out.state.done == {"a"} and out.state.failed == {"b"} and out.state.torn_bytes
        out.forget({"b"})
        out.write('{"doc_id": "b", "meta": {}}')
    assert [r["doc_id"] for r in lines(path)] == ["a", "b"]


def test_a_second_writer_is_refused(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlOutput(path), pytest.raises(InputError, match="another batch"):
        JsonlOutput(path)


# --------------------------------------------------------------------------- throttle


@pytest.mark.slow
def test_throttle_backs_off_together_and_recovers_by_hand():
    now = [100.0]
    t = Throttle(8, clock=lambda: now[0])

    async def scenario() -> None:
        for _ in range(3):
            await t.acquire()
        assert t.in_flight == 3
        await t.release(429, retry_after=2.0)  # first 429 of a burst: 8 → 4, pause 2 s
        await t.release(429, retry_after=2.0)  # same burst: no second cut
        assert (t.limit, t.rate_limited) == (4, 2)
        waiter = asyncio.create_task(t.acquire())
        await asyncio.sleep(0.05)
        assert not waiter.done()  # everyone waits out Retry-After, not only the one hit
        now[0] += 2.5
        await asyncio.wait_for(waiter, 2)
        for _ in range(4):  # 4 successes at limit 4 → 5
            await t.release(200)
            await t.acquire()
        assert t.limit == 5 and t.lowest == 4

    asyncio.run(scenario())


# --------------------------------------------------------------------------- running


def test_batch_writes_every_document_once_and_an_error_record(server, llm_settings, tmp_path):
    ids = make_folder(tmp_path / "in", 9)
    server.responder = by_document(latency=0.1)
    out = tmp_path / "out.jsonl"
    results = list(
        summarize_batch([tmp_path / "in"], out=out, concurrency=4, settings=llm_settings())
    )
    assert len(results) == 10 and sum(r.ok for r in results) == 9
    records = lines(out)
    assert sorted(r["doc_id"] for r in records if "meta" in r) == sorted(ids)
    (bad,) = [r for r in records if "error" in r]
    assert bad["doc_id"] == "scan" and bad["error"]["type"] == "InputError"
    assert "scan.txt" in bad["error"]["message"]
    assert len(server.requests) == 9
    assert server.max_in_flight > 1  # the requests overlapped
    for record in records:
        if "meta" in record:  # every span reads its quote in the file it names
            raw = Path(record["meta"]["source"]).read_text(encoding="utf-8")
            for item in record["achievements"]:
                for quote, (s, e) in zip(item["evidence"], item["spans"], strict=True):
                    assert raw[s:e] == quote

    again = list(
        summarize_batch([tmp_path / "in"], out=out, concurrency=4, settings=llm_settings())
    )
    assert [r.doc_id for r in again] == ["scan"]  # only the failed one is retried
    assert len(server.requests) == 9
    assert Counter(r["doc_id"] for r in lines(out)).most_common(1)[0][1] == 1


def test_a_fresh_output_is_served_from_the_cache(server, llm_settings, tmp_path):
    make_folder(tmp_path / "in", 6, binary=False)
    server.responder = by_document()
    list(summarize_batch([tmp_path / "in"], out=tmp_path / "1.jsonl", settings=llm_settings()))
    results = list(
        summarize_batch([tmp_path / "in"], out=tmp_path / "2.jsonl", settings=llm_settings())
    )
    assert len(server.requests) == 6 and all(r.cached for r in results)


def test_cache_hits_skip_the_thread_hop_but_long_documents_take_it(
    server, llm_settings, tmp_path, monkeypatch
):
    """A cached small report is answered in the event loop (a hop to a thread costs more
    than the lookup); reading and normalizing a long one still happens in a thread."""
    import summarizer.pipeline as pipeline

    make_folder(tmp_path / "in", 3, binary=False)
    long_report = tmp_path / "in" / f"{DOC_IDS[0]}__long.txt"
    text = corpus_path(DOC_IDS[0]).read_text("utf-8")
    long_report.write_text("\n".join([text] * (pipeline._INLINE_BYTES // len(text.encode()) + 1)))
    server.responder = by_document()
    first = list(summarize_batch([tmp_path / "in"], settings=llm_settings()))
    assert all(r.ok for r in first)

    hops: list[str] = []
    real = asyncio.to_thread

    def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        source = args[0] if args else None
        hops.append(Path(getattr(source, "source", None) or source or "").name)
        return real(func, *args, **kwargs)

    monkeypatch.setattr(pipeline.asyncio, "to_thread", counting)
    again = list(summarize_batch([tmp_path / "in"], settings=llm_settings()))
    assert all(r.cached for r in again) and len(again) == 4
    assert hops == [long_report.name]


def test_the_heap_is_frozen_only_when_asked_and_given_back_after(tmp_path):
    """With freeze_heap, full garbage collections skip what was alive at the start; the
    objects return to the collector when the batch ends. Without it (the library's
    default) the collector is left alone."""
    import gc

    make_folder(tmp_path / "in", 2, binary=False)
    before = gc.get_freeze_count()
    folder = [tmp_path / "in"]
    during = [gc.get_freeze_count() for _ in summarize_batch(folder, backend="offline")]
    assert before == 0 and max(during) == 0
    batch = summarize_batch(folder, backend="offline", freeze_heap=True)
    during = [gc.get_freeze_count() for _ in batch]
    assert min(during) > 0 and gc.get_freeze_count() == 0


def test_failures_cost_only_themselves(server, llm_settings, tmp_path):
    make_folder(tmp_path / "in", 4, binary=False)
    calls = Counter()

    def respond(body: dict[str, Any]) -> Step:
        prompt = json.dumps(body.get("messages"), ensure_ascii=False)
        calls["n"] += 1
        if "编号0002" in prompt:
            return error(400, "this one is refused")
        return by_document()(body)

    server.responder = respond
    results = {
        r.doc_id: r
        for r in summarize_batch([tmp_path / "in"], concurrency=2, settings=llm_settings())
    }
    assert sum(r.ok for r in results.values()) == 3
    (failed,) = [r for r in results.values() if not r.ok]
    assert failed.error["type"] == "EndpointError" and "HTTP 400" in failed.error["message"]


def test_a_429_slows_every_worker_and_the_run_still_finishes(server, llm_settings, tmp_path):
    make_folder(tmp_path / "in", 8, binary=False)
    server.script(error(429, "slow down", headers={"Retry-After": "1"}))
    server.responder = by_document(latency=0.2)
    from summarizer.batch import BatchStats

    stats = BatchStats()
    results = list(
        summarize_batch([tmp_path / "in"], concurrency=8, settings=llm_settings(), stats=stats)
    )
    assert all(r.ok for r in results) and len(results) == 8
    assert stats.throttle is not None and stats.throttle.rate_limited == 1
    assert stats.throttle.lowest == 4
    first = server.arrivals[0]
    later = [t - first for t in server.arrivals[1:]]
    # requests already on their way when the 429 came back arrive at once; after that,
    # nothing is sent until Retry-After has passed
    assert len(later) == 8
    waited = [t for t in later if t >= 0.9]
    assert len(waited) >= 1 and all(t < 0.3 or t >= 0.9 for t in later)


def test_two_runs_at_once_share_the_cache_and_pay_once(server, llm_settings, tmp_path):
    make_folder(tmp_path / "in", 6, binary=False)
    server.responder = by_document(latency=0.3)

    async def both() -> None:
        from summarizer.batch import asummarize_batch

        async def run(name: str) -> list[Any]:
            return [
                r
                async for r in asummarize_batch(
                    [tmp_path / "in"], out=tmp_path / name, concurrency=3, settings=llm_settings()
                )
            ]

        a, b = await asyncio.gather(run("a.jsonl"), run("b.jsonl"))
        assert all(r.ok for r in a + b) and len(a) == len(b) == 6

    asyncio.run(both())
    assert len(server.requests) == 6  # each document paid for once, by one of the two runs
    assert len(lines(tmp_path / "a.jsonl")) == len(lines(tmp_path / "b.jsonl")) == 6


def test_offline_batch_and_stopping_early(tmp_path):
    import summarizer

    assert summarizer.summarize_batch is summarize_batch  # the documented import works
    make_folder(tmp_path / "in", 5)
    out = tmp_path / "out.jsonl"
    for n, _ in enumerate(summarize_batch([tmp_path / "in"], out=out, backend="offline"), 1):
        if n == 2:
            break
    assert len(lines(out)) >= 2  # what finished is kept
    rest = list(summarize_batch([tmp_path / "in"], out=out, backend="offline"))
    records = lines(out)
    assert len(records) == 6 and len({r["doc_id"] for r in records}) == 6
    assert len(rest) == 6 - (len(records) - len(rest))


# --------------------------------------------------------------------------- the command


def test_cli_batch_exit_status_and_final_line(server, tmp_path, capsys, monkeypatch, clean_env):
    make_folder(tmp_path / "in", 3)
    server.responder = by_document()
    for k, v in endpoint_env(server, clean_env).items():
        if k.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.setenv(k, v)
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(tmp_path / "in"), "--out", str(out), "-c", "2"]) == 1
    err = capsys.readouterr().err
    assert "scan.txt" in err and "3 ok (0 cached), 1 failed" in err and "docs/s" in err
    assert main(["batch", str(tmp_path / "in"), "--out", str(out), "--restart"]) == 1
    assert "3 ok (3 cached)" in capsys.readouterr().err
    (tmp_path / "in" / "scan.txt").unlink()
    assert main(["batch", str(tmp_path / "in"), "--out", str(out)]) == 0  # nothing left to do
    assert len(lines(out)) == 4  # the record of a file no longer given is left alone
    assert main(["batch", str(tmp_path / "nothing-here")]) == 1  # a missing path: error record
    assert main(["batch"]) == 2 and "nothing to do" in capsys.readouterr().err  # usage: 2
    assert main(["batch", str(tmp_path / "in"), "-c", "0"]) == 2
    assert "--concurrency=0 is not valid: expected a whole number ≥ 1" in capsys.readouterr().err
    monkeypatch.setenv("SUMMARIZER_CONCURRENCY", "0")  # the variable is checked as the flag is
    assert main(["batch", str(tmp_path / "in")]) == 2
    assert "SUMMARIZER_CONCURRENCY='0' is not valid" in capsys.readouterr().err


@pytest.mark.slow
def test_a_killed_run_resumes_without_loss_or_duplicates(server, tmp_path, clean_env):
    ids = make_folder(tmp_path / "in", 24)
    server.responder = by_document(latency=0.3)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "batch", str(tmp_path / "in"), "--out", str(out)]
    env = endpoint_env(server, clean_env)
    proc = subprocess.Popen([*command, "-c", "4"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_bytes().splitlines()) >= 6:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = len(lines(out))
    assert 6 <= finished < 25
    done = subprocess.run([*command, "-c", "8"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # the binary file failed
    records = lines(out)
    assert sorted(r["doc_id"] for r in records if "meta" in r) == sorted(ids)
    assert [r["doc_id"] for r in records if "error" in r] == ["scan"]
    assert len(records) == 25


def test_a_cached_rerun_never_imports_the_model_client(server, tmp_path, clean_env):
    """A rerun whose every report is in the cache imports neither openai nor instructor
    (2 s of start-up, issue #30); a run that asks does."""
    make_folder(tmp_path / "in", 4, binary=False)
    server.responder = by_document()
    env = endpoint_env(server, clean_env)
    script = (
        "import sys; from summarizer.cli import main; code = main(sys.argv[1:]); "
        "print('openai' in sys.modules, 'instructor' in sys.modules, file=sys.stderr); "
        "sys.exit(code)"
    )

    def run(out: str) -> str:
        argv = ["batch", str(tmp_path / "in"), "--out", str(tmp_path / out), "-q"]
        done = subprocess.run([sys.executable, "-c", script, *argv], env=env, cwd=ROOT,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stderr.strip().splitlines()[-1]

    assert run("1.jsonl") == "True True"  # asked the model
    assert run("2.jsonl") == "False False"  # every report from the cache
    assert len(server.requests) == 4
