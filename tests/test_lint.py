"""ruff is part of the test suite, so CI enforces it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_clean():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "summarizer",
            "schemas",
            "prompts",
            "tests",
            "eval",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
