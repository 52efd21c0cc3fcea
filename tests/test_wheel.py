"""A built wheel, installed into a fresh venv, finds its templates and schemas."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHECK = """
import importlib.resources as r, json, summarizer
from summarizer.prompts import build_messages, prompt_version
from summarizer.schemas import ReportSummary
assert r.files("summarizer.schemas").joinpath("report_summary.schema.json").is_file()
messages = build_messages("今年审结案件100件。", "d")
assert "<document>" in messages[1]["content"] and len(prompt_version()) == 12
print(summarizer.__file__)
"""


@pytest.mark.slow
def test_wheel_in_a_fresh_venv(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("summarizer", "schemas", "prompts"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        check=True,
        timeout=600,
    )
    wheel = next(dist.glob("zh_report_summarizer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "summarizer/prompts/system.j2",
        "summarizer/prompts/user.j2",
        "summarizer/prompts/__init__.py",
        "summarizer/schemas/__init__.py",
        "summarizer/schemas/report_summary.schema.json",
        "summarizer/schemas/draft_summary.schema.json",
        "summarizer/review/templates/page.html.j2",
        "summarizer/review/templates/index.html.j2",
        "summarizer/review/templates/review.css",
        "summarizer/review/templates/review.js",
    ):
        assert needed in names
    # every module of every sub-package (a package missing from pyproject's list is lost)
    modules = {
        f"summarizer/{p.relative_to(ROOT / 'summarizer').as_posix()}"
        for p in (ROOT / "summarizer").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    modules |= {
        f"summarizer/{d}/{p.name}" for d in ("schemas", "prompts") for p in (ROOT / d).glob("*.py")
    }
    assert modules - names == set()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    # Dependencies come from this environment; the package itself only from the wheel.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    where = subprocess.run(
        [str(python), "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(site)
    script = subprocess.run(
        [str(env_dir / "bin" / "summarizer"), "schema"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 0 and '"ReportSummary"' in script.stdout
