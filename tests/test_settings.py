"""Settings: arguments > SUMMARIZER_* > OPENAI_* > defaults, with clear errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.settings import Settings


def test_defaults():
    s = Settings.load(env={})
    assert (s.backend, s.model, s.mode, s.temperature, s.max_retries) == (
        "auto",
        "gpt-4o-mini",
        "tools",
        0.0,
        2,
    )
    assert s.resolved_backend == "offline" and s.cache


def test_precedence_arguments_then_summarizer_then_openai():
    env = {
        "OPENAI_BASE_URL": "http://openai-env/v1",
        "OPENAI_API_KEY": "k-openai",
        "OPENAI_MODEL": "m-openai",
        "SUMMARIZER_MODEL": "m-summarizer",
    }
    s = Settings.load(env=env)
    assert s.base_url == "http://openai-env/v1" and s.api_key == "k-openai"
    assert s.model == "m-summarizer"
    assert (
        Settings.load(env={**env, "SUMMARIZER_BASE_URL": "http://s/v1"}).base_url == "http://s/v1"
    )
    s = Settings.load(env=env, model="m-arg", base_url=None)
    assert s.model == "m-arg" and s.base_url == "http://openai-env/v1"


def test_env_values_are_typed():
    s = Settings.load(
        env={
            "SUMMARIZER_TEMPERATURE": "0.3",
            "SUMMARIZER_TIMEOUT": "15",
            "SUMMARIZER_MAX_RETRIES": "4",
            "SUMMARIZER_CACHE": "off",
            "SUMMARIZER_CACHE_DIR": "~/x",
            "SUMMARIZER_MODE": "MD-JSON",
            "SUMMARIZER_MAX_TOKENS": "0",
        }
    )
    assert s.temperature == 0.3 and s.timeout == 15.0 and s.max_retries == 4
    assert s.cache is False and s.cache_dir == Path("~/x").expanduser()
    assert s.mode == "md_json" and s.max_tokens is None


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"SUMMARIZER_TIMEOUT": "soon"}, "SUMMARIZER_TIMEOUT='soon'"),
        ({"SUMMARIZER_MODE": "xml"}, "tools, json, json_schema, md_json"),
        ({"SUMMARIZER_MAX_RETRIES": "-1"}, "≥ 0"),
        ({"OPENAI_BASE_URL": "localhost:8000"}, "http(s) URL"),
        ({"SUMMARIZER_CACHE": "maybe"}, "true/false"),
        ({"SUMMARIZER_TIMEOUT": "-1"}, "expected a positive number"),
        ({"SUMMARIZER_TRANSPORT_DEADLINE": "0"}, "expected a positive number"),
        ({"SUMMARIZER_TEMPERATURE": "-0.5"}, "expected a number ≥ 0"),
        ({"SUMMARIZER_MAX_TOKENS": "-3"}, "expected a whole number ≥ 0"),
        ({"SUMMARIZER_CONTEXT_TOKENS": "8k"}, "expected a whole number"),
        ({"SUMMARIZER_FALLBACK": "llm"}, "one of none, offline"),
    ],
)
def test_bad_values_name_the_variable(env, needle):
    with pytest.raises(ConfigError) as info:
        Settings.load(env=env)
    assert needle in str(info.value)


def test_every_setting_reads_back_from_its_env_var():
    """The type each value is read as comes from the field's annotation: a setting's
    default, written as env text, reads back as itself."""
    for f in dataclasses.fields(Settings):
        if f.default is None:
            continue
        text = str(f.default).lower() if isinstance(f.default, bool) else str(f.default)
        (var, *_) = Settings.env_vars(f.name)
        assert getattr(Settings.load(env={var: text}), f.name) == f.default, f.name


def test_an_endpoint_url_loses_its_trailing_slash():
    assert Settings.load(env={"OPENAI_BASE_URL": " http://h:8000/v1/ "}).base_url == (
        "http://h:8000/v1"
    )


def test_auto_backend_picks_llm_when_endpoint_or_key_set():
    assert Settings.load(env={"OPENAI_API_KEY": "k"}).resolved_backend == "llm"
    assert (
        Settings.load(env={"OPENAI_BASE_URL": "http://localhost:11434/v1"}).resolved_backend
        == "llm"
    )
    assert (
        Settings.load(env={"OPENAI_API_KEY": "k"}, backend="offline").resolved_backend == "offline"
    )


def test_key_is_not_in_repr():
    assert "secret" not in repr(Settings.load(env={"OPENAI_API_KEY": "secret"}))


def test_unknown_setting_is_a_type_error():
    with pytest.raises(TypeError):
        Settings.load(env={}, modle="x")


def test_help_of_summarize_documents_arguments_every_setting_return_and_errors():
    import dataclasses
    import inspect

    import summarizer
    from summarizer import errors

    doc = inspect.getdoc(summarizer.summarize) or ""
    for heading in ("Args:", "Settings:", "Returns:", "Raises:", "Example::"):
        assert f"\n{heading}\n" in doc
    for argument in ("source:", "doc_id:", "**settings:"):
        assert f"\n    {argument}" in doc
    settings = doc.split("\nSettings:\n")[1].split("\nReturns:")[0]
    for f in dataclasses.fields(Settings):
        assert f"\n    {f.name}: " in "\n" + settings  # one entry per setting, generated
        assert " / ".join(Settings.env_vars(f.name)) in " ".join(settings.split())
    raises = doc.split("\nRaises:\n")[1]
    public = [
        n
        for n, c in vars(errors).items()
        if isinstance(c, type) and issubclass(c, errors.SummarizerError)
    ]
    # the CLI's and batch's own (ResendError: only a Summarizer given a batch engine's replies)
    for name in set(public) - {"UsageError", "NotAttemptedError", "ResendError"}:
        assert name in raises, name


def test_every_mode_is_described_once_and_names_an_instructor_mode():
    """The modes a user can choose are the ones described; each names a real instructor
    mode, and what it suggests instead is another mode, never itself."""
    import instructor

    from summarizer.settings import MODE_SPECS, MODES

    assert tuple(MODE_SPECS) == MODES
    for mode, spec in MODE_SPECS.items():
        assert isinstance(getattr(instructor.Mode, spec.instructor), instructor.Mode)
        assert spec.to_try and mode not in spec.to_try and set(spec.to_try) <= set(MODES)
