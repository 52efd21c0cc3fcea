"""``summarizer check`` (issue #15) against the local server over real HTTP: which modes
work, the models served, the settings in force with their sources, the key never shown."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.settings import MODES, Settings
from tests.fake_openai import FakeOpenAI, Step, answer, error

KEY = "sk-test-not-real-7b3f"


def _mode_of(body: dict[str, Any]) -> str:
    """Which instructor mode a request was sent in, read from its body."""
    if "tools" in body:
        return "tools"
    kind = (body.get("response_format") or {}).get("type")
    return {"json_object": "json", "json_schema": "json_schema"}.get(kind, "md_json")


def _refusing(*modes: str) -> Any:
    """A responder that refuses requests in ``modes`` as a server without them does."""

    def respond(body: dict[str, Any]) -> Step:
        if _mode_of(body) in modes:
            return error(400, "response_format / tools are not supported by this server")
        return answer({"word": "你好"})

    return respond


def _check(monkeypatch: pytest.MonkeyPatch, server: FakeOpenAI, *argv: str) -> int:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return main(["check", *argv])


def test_each_mode_is_tried_once_and_the_working_one_is_named(monkeypatch, server, capsys):
    server.responder = _refusing("tools", "json_schema")
    assert _check(monkeypatch, server, "--model", "fake-model") == 0
    out, err = capsys.readouterr()
    assert sorted(_mode_of(b) for b in server.requests) == sorted(MODES)  # no retry, no re-ask
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines() if line[:1].isalpha()}
    assert rows["tools"] == rows["json_schema"] == "fails"
    assert rows["json"] == rows["md_json"] == "works"
    assert "HTTP 400" in out
    # --mode tools (the default) does not work: one line says what to set instead
    assert err.strip() == (
        "summarizer: --mode tools does not work here: use --mode json (SUMMARIZER_MODE=json)"
    )


def test_no_working_mode_exits_1(monkeypatch, server, capsys):
    server.default = Step(content="I am a chatbot, I do not speak JSON.")
    assert _check(monkeypatch, server) == 1
    out, err = capsys.readouterr()
    assert out.count(" fails ") == len(MODES)
    assert "did not fit the schema" in out
    assert "no mode works" in err and len(err.splitlines()) == 1


def test_settings_are_shown_with_their_sources_and_the_key_only_as_set(monkeypatch, server, capsys):
    server.responder = _refusing()
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "33")
    assert _check(monkeypatch, server, "--mode", "json", "--context-tokens", "8192") == 0
    out, err = capsys.readouterr()
    assert KEY not in out + err
    settings = {
        line.split()[0]: line.split() for line in out.split("settings in force")[1].splitlines()[1:]
    }
    assert settings["api_key"] == ["api_key", "set", "OPENAI_API_KEY"]
    assert settings["base_url"][1:] == [server.url, "OPENAI_BASE_URL"]
    assert settings["timeout"][1:] == ["33.0", "SUMMARIZER_TIMEOUT"]
    assert settings["mode"][1:] == ["json", "--mode"]
    assert settings["context_tokens"][1:] == ["8192", "--context-tokens"]
    assert settings["model"][1:] == ["gpt-4o-mini", "default"]
    assert err == ""  # the mode in force works


def test_json_report_for_programs(monkeypatch, server, capsys):
    server.models = ["qwen2.5-7b-instruct"]
    server.responder = _refusing("tools")
    assert _check(monkeypatch, server, "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["models"]["kind"] == "Served"
    assert report["models"]["models"] == ["qwen2.5-7b-instruct"]
    works = {m["mode"]: m["works"] for m in report["modes"]}
    assert works == {"tools": False, "json": True, "json_schema": True, "md_json": True}
    assert report["modes"][0]["mode"] == "tools"  # the mode in force comes first
    assert report["settings"]["api_key"] == {"value": "set", "source": "OPENAI_API_KEY"}
    assert report["settings"]["context_tokens"] == {"value": 128_000, "source": "default"}


def test_a_model_the_endpoint_does_not_list_is_pointed_out(monkeypatch, server, capsys):
    server.models = ["qwen2.5-7b-instruct", "bge-m3"]
    server.responder = _refusing()
    assert _check(monkeypatch, server) == 0
    out = capsys.readouterr().out
    assert "models    2 served" in out
    assert "model 'gpt-4o-mini' is not among them" in out


def test_a_server_without_a_models_route_is_still_probed(monkeypatch, server, capsys):
    server.models = None
    server.responder = _refusing()
    assert _check(monkeypatch, server) == 0
    out = capsys.readouterr().out
    assert "models    not listed (" in out and "HTTP 404" in out
    assert out.count(" works ") == len(MODES)


def test_an_unreachable_endpoint_sends_no_mode_and_exits_1(monkeypatch, capsys):
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert "models    unreachable: cannot reach" in out
    assert "result  seconds" not in out  # no mode is tried against a dead endpoint
    assert err.count("\n") == 1 and "connection refused" in err


def test_no_endpoint_configured_says_how_to_set_one(capsys):
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("endpoint  none configured\n") and "settings in force" in out
    assert "OPENAI_BASE_URL" in err and err.count("\n") == 1


def test_a_bad_setting_is_bad_usage(monkeypatch, capsys):
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "soon")
    assert main(["check"]) == 2
    assert "SUMMARIZER_TIMEOUT" in capsys.readouterr().err


def test_sources_follow_the_precedence_of_load():
    env = {"OPENAI_MODEL": "from-openai", "SUMMARIZER_MODEL": "from-ours", "SUMMARIZER_MODE": " "}
    sources = Settings.sources(env, timeout=5.0, cache=False, max_retries=None)
    assert sources["model"] == "SUMMARIZER_MODEL"  # ours before the client's own
    assert sources["mode"] == "default"  # a blank variable is not set
    assert sources["timeout"] == "--timeout"
    assert sources["cache"] == "--no-cache"  # the flag the user typed, not the field
    assert sources["max_retries"] == "default"  # None means not given
    assert Settings.load(env).model == "from-ours"
