"""The package type-checks under mypy --strict (configured in pyproject.toml).

mypy cannot follow the editable install's package-dir mapping (``schemas/`` and
``prompts/`` install as ``summarizer.schemas`` and ``summarizer.prompts``), so the
package is laid out as installed in a temporary folder and checked there; an error
is reported with its source path. Strict mode also reports every ``type: ignore``
that no longer ignores anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_the_package_passes_mypy_strict(tmp_path):
    package = tmp_path / "summarizer"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "summarizer", package, ignore=ignore)
    for name in ("schemas", "prompts"):
        shutil.copytree(ROOT / name, package / name, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "summarizer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    report = result.stdout.replace("summarizer/schemas/", "schemas/")
    report = report.replace("summarizer/prompts/", "prompts/")
    assert result.returncode == 0, report
