"""The command line's conventions (issue #15): exit codes, signals, a closed stdout.

Signals and pipes are tried on the real command in a subprocess, as a user's shell
would: Ctrl-C (SIGINT) and SIGTERM in the middle of an offline batch, and a reader that
stops after one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.cli import main
from tests.conftest import corpus_path

LONG = "b01_gov_report_2019"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "summarizer", *args]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE_DIR"] = str(tmp_path / "cache")
    return env


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """150 distinct copies of a 21,000-character report: a batch of a second or more."""
    folder = tmp_path / "reports"
    folder.mkdir()
    text = corpus_path(LONG).read_text(encoding="utf-8")
    for n in range(150):
        (folder / f"r{n:03}.txt").write_text(f"{text}\n第{n}份。\n", encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["batch", "x", "-c", "0"], {}),
        (["batch"], {}),
        (["summarize", "x.txt", "--timeout", "-1"], {}),
        (["summarize", "x.txt"], {"SUMMARIZER_BACKEND": "bogus"}),
        (["summarize", "x.txt"], {"SUMMARIZER_CONTEXT_TOKENS": "many"}),
    ],
)
def test_bad_usage_exits_2_with_one_line(argv, env, monkeypatch, clean_env, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("summarizer: error: ")


# ---------------------------------------------------------------------------- signals


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code", "says"), [
    (signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated"),
])  # fmt: skip
def test_a_signal_mid_batch_ends_with_one_line_and_loses_nothing(many, tmp_path, sig, code, says):
    out = tmp_path / "out.jsonl"
    run = _command("batch", str(many), "--backend", "offline", "--out", str(out), "--no-cache")
    process = subprocess.Popen(run, env=_env(tmp_path), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)  # until the batch is writing
    process.send_signal(sig)
    err = process.communicate(timeout=60)[1]
    assert process.returncode == code, err
    assert err.strip() == f"summarizer: error: {says}"  # one line, no traceback
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert 0 < len(written) < 150  # valid JSONL of what finished
    again = subprocess.run(run, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(ids) == sorted(f"r{n:03}" for n in range(150))  # each once: nothing lost


def test_a_reader_that_closes_stdout_ends_the_batch_quietly(many, tmp_path):
    run = _command("batch", str(many), "--backend", "offline", "-q", "--no-cache")
    process = subprocess.Popen(
        run, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # `| head -1`
    err = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert json.loads(first)["doc_id"].startswith("r")
    assert process.returncode == 141 and "Traceback" not in err and "Broken" not in err


# ---------------------------------------------------------------------------- dead endpoint


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_dead_endpoint_stops_the_batch_in_one_documents_retries(
    tmp_path, monkeypatch, clean_env, capsys
):
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(20):
        (folder / f"d{n:02}.txt").write_text(f"第{n}份报告。今年审结案件{n}件。", encoding="utf-8")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("SUMMARIZER_TRANSPORT_RETRIES", "2")
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    code = main(["batch", str(folder), "--out", str(out), "-c", "4"])
    took = time.monotonic() - started
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and took < 15, took  # one document's tries (~2 s), not twenty's
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 20 and all("error" in r for r in records)  # nothing left out
    skipped = [r for r in records if r["error"]["type"] == "NotAttemptedError"]
    assert len(skipped) >= 20 - 4 and all("not attempted" in r["error"]["message"] for r in skipped)
    assert len(err) <= 3, err  # one line for all of them, the batch line
    assert "connection refused" in err[0] and "--backend offline" in err[0]
    assert "not attempted" in err[0]


def test_a_host_that_does_not_resolve_is_said_so_and_not_retried(
    monkeypatch, clean_env, capsys, tmp_path
):
    report = tmp_path / "r.txt"
    report.write_text("今年审结案件12件。", encoding="utf-8")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://no-such-host.example:8000/v1")
    started = time.monotonic()
    assert main(["summarize", str(report), "--backend", "llm"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert time.monotonic() - started < 5  # no backoff between tries
    assert len(err) == 1 and "cannot resolve the host no-such-host.example" in err[0]
    assert "DNS" in err[0] and "--backend offline" not in err[0]  # llm was asked for


def test_the_breaker_by_hand():
    from summarizer.batch import UNREACHABLE_RUN, Job, _Breaker
    from summarizer.errors import UnreachableError
    from summarizer.results import Failed, Summarized
    from summarizer.schemas import Meta, ReportSummary

    def result(exc=None):
        if exc is not None:
            return Failed.of("d", "d.txt", exc)
        return Summarized(ReportSummary(doc_id="d", meta=Meta(backend="llm")), "d.txt")

    job = Job(Path("d.txt"), "d")
    dead = UnreachableError("cannot connect")
    breaker = _Breaker()
    breaker.saw(result(dead))  # the first document asked: nothing got through before
    assert breaker.stopped(job) is not None
    breaker = _Breaker()
    breaker.saw(result(ValueError("the model's reply failed validation")))  # it answered
    for _ in range(UNREACHABLE_RUN - 1):
        breaker.saw(result(dead))
        assert breaker.stopped(job) is None
    breaker.saw(result(dead))
    stopped = breaker.stopped(job)
    assert stopped is not None and "not attempted: cannot connect" in stopped.error["message"]


# ---------------------------------------------------------------------------- stdin


def test_summarize_dash_reads_a_report_from_stdin_in_any_encoding(tmp_path):
    raw = corpus_path("003_952be00836213ecb").read_text(encoding="utf-8")
    run = _command("summarize", "-", "--backend", "offline", "-q")
    done = subprocess.run(
        run, input=raw.encode("gb18030"), env=_env(tmp_path), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["doc_id"] == "stdin" and summary["achievements"]
    for item in summary["achievements"]:  # spans index what was piped in, decoded
        assert all(raw[a:b] == q for q, (a, b) in zip(item["evidence"], item["spans"], strict=True))


def test_batch_list_dash_reads_the_list_from_stdin(tmp_path):
    for n in range(3):
        (tmp_path / f"r{n}.txt").write_text(f"第{n}份。今年审结案件{n}0件。", encoding="utf-8")
    run = _command("batch", "--list", "-", "--backend", "offline", "-q")
    listing = "r0.txt\nr2.txt\n"
    done = subprocess.run(
        run, input=listing, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(line)["doc_id"] for line in done.stdout.splitlines()) == ["r0", "r2"]


# ---------------------------------------------------------------------------- eval, package


def test_eval_never_scores_zero_documents(tmp_path, clean_env, capsys):
    from tests.conftest import GOLD

    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["eval", "--gold", str(empty), "--backend", "offline"]) == 2
    assert main(["eval", "--gold", str(GOLD), "--corpus", str(empty), "--backend", "offline"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no table, no F1 of 1.000 for nothing
    assert "no gold document could be scored" in captured.err


def test_eval_without_scipy_names_the_extra(monkeypatch, clean_env, capsys):
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)  # as if not installed
    assert main(["eval", "--backend", "offline"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "summarizer: error: scoring needs scipy, which the eval extra installs: "
        "pip install 'zh-report-summarizer[eval]'"
    )


def test_the_distribution_has_a_name_of_its_own_and_scipy_is_optional():
    import tomllib

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    project = project["project"]
    assert project["name"] != "summarizer"  # another project's on the package index
    assert project["scripts"] == {"summarizer": "summarizer.cli:main"}
    assert not any(d.startswith("scipy") for d in project["dependencies"])
    assert any(d.startswith("scipy") for d in project["optional-dependencies"]["eval"])


# ---------------------------------------------------------------------------- output


def test_json_for_several_files_is_one_array_with_error_records_in_place(
    tmp_path, clean_env, capsys
):
    good = corpus_path("003_952be00836213ecb")
    out = tmp_path / "new" / "folder" / "x.json"  # its folder is created
    argv = ["summarize", str(good), str(tmp_path / "missing.txt"), "--backend", "offline", "-q"]
    assert main([*argv, "-o", str(out)]) == 1
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["doc_id"] for r in records] == ["003_952be00836213ecb", "missing"]
    assert records[0]["achievements"] and "no such file" in records[1]["error"]["message"]
    assert main([*argv, "--format", "jsonl", "--output", str(out)]) == 1  # the old name
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "error" in json.loads(lines[1])


# ---------------------------------------------------------------------------- --debug


def test_debug_logs_the_report_once_and_never_the_key(server, monkeypatch, capsys):
    from tests.conftest import gold_answer
    from tests.fake_openai import answer
    from tests.test_llm_http import DOC, bad_answer, raw_of

    key = "sk-debug-test-not-real-0042"
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    server.script(answer(bad_answer()))  # a re-ask: two requests, each carrying the report
    server.default = answer(gold_answer(DOC))
    assert main(["summarize", "--debug", "--no-cache", str(corpus_path(DOC))]) == 0
    err = capsys.readouterr().err
    assert len(server.requests) == 2
    paragraph = max(raw_of().splitlines(), key=len)[:40]  # a line of the report's own
    assert err.count(paragraph) == 1  # the prompt, once; the requests' records are cut
    assert "more characters cut]" in err
    assert key not in err and key[:8] not in err  # no whole key, no part of one at a cut
    assert "Validation error on attempt 1" in err  # what --debug is for is still there


# ---------------------------------------------------------------------------- the bar


@pytest.mark.parametrize("width", [80, 100, 160])
def test_the_progress_bar_fits_80_columns_whole(width):
    import io
    from types import SimpleNamespace

    from rich.console import Console

    from summarizer.cli.progress import progress_bar, progress_detail

    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    bar = progress_bar(console)
    task = bar.add_task("batch", total=15000, detail="", rate="")
    counts = SimpleNamespace(ok=1490, failed=10, cached=1200)
    bar.update(task, completed=1500, detail=progress_detail(counts), rate="12.3/s")
    with console.capture() as captured:
        console.print(bar.make_tasks_table(bar.tasks))
    line = captured.get().rstrip("\n")
    assert len(line) <= width and "…" not in line
    for part in ("batch ", " 1500/15000 ", " 1490 ok · 10 failed · 1200 cached ", " 12.3/s ETA "):
        assert part in line, line
    assert "╸" in line or "━" in line  # the bar itself still shows
    assert progress_detail(SimpleNamespace(ok=3, failed=0, cached=0)) == "3 ok"
