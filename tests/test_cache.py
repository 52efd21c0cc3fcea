"""The cache: one request for the same call twice, keys that never hold the API key."""

from __future__ import annotations

import dataclasses
import json

import diskcache
import pytest

from summarizer.cache import cache_key
from summarizer.errors import SummarizationError
from summarizer.normalize import to_simplified
from summarizer.settings import Settings
from tests.conftest import corpus_path, gold_answer, summarize_once
from tests.fake_openai import answer
from tests.test_llm_http import DOC, assert_grounded, raw_of


def test_same_call_twice_sends_one_request(server, llm_settings):
    server.default = answer(gold_answer(DOC))
    first = summarize_once(llm_settings(), corpus_path(DOC))
    second = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert not first.meta.cached and second.meta.cached
    assert second.meta.usage == first.meta.usage  # a cached run still reports what it cost
    assert second.meta.attempts == first.meta.attempts
    assert second.model_dump(exclude={"meta"}) == first.model_dump(exclude={"meta"})


def test_no_cache_sends_every_time(server, llm_settings):
    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(cache=False), corpus_path(DOC))
    summarize_once(llm_settings(cache=False), corpus_path(DOC))
    assert len(server.requests) == 2


def test_cache_lives_where_settings_say(server, llm_settings, tmp_path):
    server.default = answer(gold_answer(DOC))
    where = tmp_path / "elsewhere"
    summarize_once(llm_settings(cache_dir=where), corpus_path(DOC))
    assert len(diskcache.Cache(str(where))) == 2  # the draft, and the finished summary


def test_a_stored_summary_that_does_not_read_its_quotes_is_never_served(
    server, llm_settings, clean_env
):
    """The fast path serves a finished summary only when every span still reads its quote
    in the raw text; a tampered one falls back to the draft, re-grounded (no request)."""
    from summarizer.cache import exact_key
    from summarizer.prompts import prompt_version
    from summarizer.schemas import ReportSummary

    server.default = answer(gold_answer(DOC))
    first = summarize_once(llm_settings(), corpus_path(DOC))
    key = exact_key(raw_of(), llm_settings(), prompt_version())
    with diskcache.Cache(str(clean_env)) as c:
        stored = ReportSummary.model_validate_json(c[key])
        stored.achievements[0].evidence[0] = "捏造的证据不在文中"
        c[key] = stored.model_dump_json()
    second = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1 and second.meta.cached
    assert second.achievements[0].evidence == first.achievements[0].evidence
    assert_grounded(second, raw_of())


def test_failed_summaries_are_not_cached(server, llm_settings):
    from tests.test_llm_http import bad_answer

    server.script(answer(bad_answer()), answer(bad_answer()), answer(bad_answer()))
    server.default = answer(gold_answer(DOC))
    with pytest.raises(SummarizationError):
        summarize_once(llm_settings(strict=True), corpus_path(DOC))
    summarize_once(llm_settings(strict=True), corpus_path(DOC))
    assert len(server.requests) == 4


def test_key_covers_what_changes_the_answer_but_never_the_api_key():
    base = Settings(
        model="m", mode="tools", temperature=0.0, base_url="http://h:1/v1", api_key="k1"
    )
    key = cache_key("文本", base, "v1")
    assert cache_key("文本", dataclasses.replace(base, api_key="k2"), "v1") == key
    assert cache_key("文本", dataclasses.replace(base, timeout=5.0), "v1") == key
    for changed in (
        cache_key("文本2", base, "v1"),
        cache_key("文本", dataclasses.replace(base, model="m2"), "v1"),
        cache_key("文本", dataclasses.replace(base, mode="json"), "v1"),
        cache_key("文本", dataclasses.replace(base, temperature=0.3), "v1"),
        cache_key("文本", dataclasses.replace(base, base_url="http://other:1/v1"), "v1"),
        cache_key("文本", base, "v2"),
    ):
        assert changed != key
    assert "k1" not in key


def test_cache_hit_is_regrounded_on_the_raw_text_at_hand(server, llm_settings, tmp_path):
    """A Traditional copy normalizes like the Simplified original, so it hits the same
    entry; its spans must still index its own raw text."""
    import opencc

    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    traditional = opencc.OpenCC("s2t").convert(raw_of())
    assert to_simplified(traditional) != traditional
    path = tmp_path / "traditional.txt"
    path.write_text(traditional, encoding="utf-8")
    summary = summarize_once(llm_settings(), path)
    assert len(server.requests) == 1 and summary.meta.cached
    assert_grounded(summary, traditional)
    assert summary.achievements[0].evidence[0] != gold_answer(DOC)["achievements"][0]["evidence"][0]


def test_damaged_entry_is_a_miss(server, llm_settings, clean_env):
    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    with diskcache.Cache(str(clean_env)) as c:
        for key in list(c):
            c.set(key, "{not json")
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 2 and not summary.meta.cached


# ---------------------------------------------------------------- summarizer cache (#15)


def _cache_command(*argv: str) -> int:
    from summarizer.cli import main

    return main(["cache", *argv])


def test_cache_command_shows_path_entries_and_size_then_clears(
    server, llm_settings, clean_env, capsys
):
    assert _cache_command() == 0  # before any run: nothing there, and nothing created
    assert capsys.readouterr().out.split() == [
        "path",
        str(clean_env),
        "entries",
        "0",
        "size",
        "0",
        "B",
    ]
    assert not clean_env.exists()

    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    assert _cache_command("--format", "json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["directory"] == str(clean_env)
    assert shown["entries"] == 2  # the draft and the finished summary; no claim counted
    assert shown["bytes"] > 0

    (clean_env / "notes.txt").write_text("not the cache's", encoding="utf-8")
    assert _cache_command("clear") == 0
    assert capsys.readouterr().out.startswith("removed 2 entries (")
    assert _cache_command("--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0
    assert (clean_env / "notes.txt").exists()  # another program's file is kept

    summarize_once(llm_settings(), corpus_path(DOC))  # cleared: the next run pays again
    assert len(server.requests) == 2


def test_cache_command_reads_the_folder_from_the_flag(tmp_path, capsys):
    assert _cache_command("--cache-dir", str(tmp_path / "other")) == 0
    assert str(tmp_path / "other") in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:  # an unknown action is bad usage
        _cache_command("empty")
    assert exited.value.code == 2


def test_no_cache_is_a_cache_that_holds_nothing():
    """--no-cache is an object, not a None every caller tests: it misses, drops what it
    is given, and gives every caller its own claim."""
    from summarizer.cache import SummaryCache
    from summarizer.schemas import DraftSummary, Meta

    none = SummaryCache(None)
    none.set("k", DraftSummary(), Meta(backend="llm"))
    assert none.get("k", None) is None and none.get_summary("k") is None  # type: ignore[arg-type]
    assert none.get_resend("k") is None and not none.is_open
    first, second = none.claim("k", 60), none.claim("k", 60)
    assert first is not None and second is not None  # nobody to wait for
    first.release()
    none.close()
