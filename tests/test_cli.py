"""The command line: results on stdout, one-line errors on stderr, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from summarizer.cli import main
from summarizer.schemas import ReportSummary
from tests.conftest import DOC_IDS, corpus_path, gold_answer
from tests.fake_openai import answer, error
from tests.test_llm_http import DOC, assert_grounded, bad_answer, raw_of


@pytest.fixture
def endpoint(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-real")
    monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
    return server


def test_summarize_prints_grounded_json(endpoint, capsys):
    endpoint.script(answer(bad_answer()))
    endpoint.default = answer(gold_answer(DOC))
    assert main(["summarize", str(corpus_path(DOC)), "--backend", "llm"]) == 0
    out, err = capsys.readouterr()
    summary = ReportSummary.model_validate_json(out)
    assert_grounded(summary, raw_of())
    assert summary.meta.attempts == 2 and err == ""
    # the same call again sends nothing
    assert main(["summarize", str(corpus_path(DOC))]) == 0
    assert len(endpoint.requests) == 2
    assert ReportSummary.model_validate_json(capsys.readouterr().out).meta.cached


def test_markdown_and_jsonl(endpoint, capsys, tmp_path):
    endpoint.default = answer(gold_answer(DOC))
    assert main(["summarize", str(corpus_path(DOC)), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# 法院2022年法治政府工作总结")
    assert "## 主要成绩" in md and "## 关键指标" in md and "| 指标 |" in md
    copy = tmp_path / "copy.txt"
    copy.write_text(raw_of(), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(corpus_path(DOC)), str(copy), "-f", "jsonl", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["doc_id"] for line in lines] == [DOC, "copy"]


def test_missing_file_is_one_line_and_others_still_run(endpoint, capsys, tmp_path):
    endpoint.default = answer(gold_answer(DOC))
    missing = tmp_path / "nope.txt"
    code = main(["summarize", str(missing), str(corpus_path(DOC)), "-q"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [f"summarizer: error: {missing}: no such file"]
    bad, good = json.loads(out)  # an error record in place of the file that failed
    assert bad["error"]["message"] == f"{missing}: no such file"
    assert good["doc_id"] == DOC  # the good file was not lost


def test_api_error_is_one_line_with_the_fix(endpoint, capsys):
    endpoint.default = error(401)
    code = main(["summarize", str(corpus_path(DOC))])
    _, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "OPENAI_API_KEY" in lines[0] and str(corpus_path(DOC)) in lines[0]
    assert "Traceback" not in err


def test_debug_shows_the_traceback(endpoint, capsys):
    endpoint.default = error(401)
    assert main(["summarize", str(corpus_path(DOC)), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_bad_setting_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "soon")
    assert main(["summarize", str(corpus_path(DOC))]) == 2  # bad usage
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "summarizer: error: SUMMARIZER_TIMEOUT='soon' is not valid: expected a number"
    )


def test_help_teaches(capsys):
    with pytest.raises(SystemExit) as info:
        main(["summarize", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for word in (
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "SUMMARIZER_MODEL",
        "--format",
        "--mode",
        "examples",
    ):
        assert word in text


def _help(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse's wrapping undone


@pytest.mark.parametrize("command", ["summarize", "batch", "eval", "check"])
def test_every_setting_shows_its_variables_and_default_in_help(command, capsys):
    import dataclasses

    from summarizer.settings import Settings

    text = _help(command, capsys)
    for f in dataclasses.fields(Settings):
        variables = " / ".join(Settings.env_vars(f.name))
        assert variables in text, f"{command} --help: no {variables}"
        if f.metadata["env_only"]:
            assert Settings.flag(f.name) not in text  # the key is never a flag
            continue
        flag = Settings.flag(f.name)
        line = text.split(f" {flag} ", 1)[1].split(" --", 1)[0]  # the flag's own help
        assert variables in line and "default: " in line, f"{command} {flag}: {line}"
    assert "OPENAI_MODEL" in text and "default: gpt-4o-mini" in text


def test_the_batch_run_settings_have_flags_variables_and_defaults_in_help(capsys):
    """--concurrency, --glob and --poll come from RunSettings as the engine's come from
    Settings: each with its variable and its default, and only on the batch command."""
    import dataclasses

    from summarizer.settings import RunSettings

    text = _help("batch", capsys)
    for f in dataclasses.fields(RunSettings):
        flag, variable = RunSettings.flag(f.name), RunSettings.env_vars(f.name)[0]
        after = text.split(f" {flag} ", 1)[1][:250]  # the flag's own help, and a little more
        assert f"({variable}; default: {RunSettings.default_shown(f.name)})" in after
    assert "-c CONCURRENCY" in text
    assert "--concurrency" not in _help("summarize", capsys)


def test_a_run_setting_is_read_from_its_variable(tmp_path, monkeypatch, capsys, clean_env):
    (tmp_path / "in").mkdir()
    report = corpus_path(DOC_IDS[0]).read_text(encoding="utf-8")
    (tmp_path / "in" / "a.txt").write_text(report, encoding="utf-8")
    (tmp_path / "in" / "b.md").write_text(report, encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_GLOB", "*.md")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(tmp_path / "in"), "--out", str(out), "--backend", "offline"]) == 0
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["b"]
    assert main(["batch", str(tmp_path / "in"), "--glob", "*.txt", "-o", str(tmp_path / "t")]) == 0
    assert [json.loads(x)["doc_id"] for x in (tmp_path / "t").read_text().splitlines()] == ["a"]


def test_no_command_is_usage_error(capsys):
    assert main([]) == 2
    assert "summarize" in capsys.readouterr().err


def test_schema_command(capsys):
    assert main(["schema"]) == 0
    assert "achievements" in json.loads(capsys.readouterr().out)["properties"]


def test_python_dash_m():
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "summarize" in done.stdout


def test_an_unexpected_error_costs_one_file_only(capsys, monkeypatch, tmp_path):
    import summarizer.pipeline.plan as plan

    real = plan.summarize_offline

    def flaky(doc):
        if doc.doc_id == "boom":
            raise RuntimeError("simulated bug")
        return real(doc)

    monkeypatch.setattr(plan, "summarize_offline", flaky)
    boom = tmp_path / "boom.txt"
    boom.write_text(raw_of(), encoding="utf-8")
    code = main(["summarize", str(boom), str(corpus_path(DOC)), "-f", "jsonl", "-q"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["doc_id"] for line in lines] == ["boom", DOC]
    assert lines[0]["error"]["type"] == "RuntimeError" and "meta" in lines[1]
    assert err.strip().splitlines() == [
        f"summarizer: error: {boom}: internal error (RuntimeError: simulated bug); "
        "rerun with --debug and report it"
    ]


def test_importing_the_cli_loads_no_heavy_library():
    """`summarizer --help` must stay instant: the CLI module imports errors and settings,
    which must not pull in pydantic, numpy, rapidfuzz or a provider (a lazy import each)."""
    import subprocess
    import sys

    code = (
        "import sys, summarizer.cli; "
        "print(sorted(m for m in ('pydantic', 'numpy', 'rapidfuzz', 'openai', 'instructor', "
        "'scipy', 'opencc') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
