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
