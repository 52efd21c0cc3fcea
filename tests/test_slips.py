"""A model that slips, over real HTTP: repair, one re-ask for everything, salvage,
grounded headers, empty answers, rejected modes (issue #11)."""

from __future__ import annotations

import json
import random

import pytest

from summarizer import Summarizer
from summarizer.errors import ConfigError, EmptySummaryError, SummarizationError
from summarizer.grounding import verify
from tests.conftest import CORPUS, GOLD, corpus_path, gold_answer, summarize_once
from tests.fake_openai import Step, answer, error
from tests.slipping_model import (
    FABRICATED_METRIC,
    FABRICATED_TEXT,
    SLIPS,
    SlippingModel,
    slip,
)

DOC = "000_1cceb1fd464775c5"
DOCS = ["000_1cceb1fd464775c5", "a05_court_enforcement_2016_2018", "c01_cnpack_2002_04"]


def raw_of(doc_id: str) -> str:
    from summarizer.read import read_document

    return read_document(corpus_path(doc_id)).raw


def model(**kw) -> SlippingModel:
    full = SlippingModel.from_dirs(GOLD, CORPUS, **kw)
    full.gold = {d: full.gold[d] for d in DOCS}
    return full


@pytest.mark.parametrize("mode", ["tools", "json"])
@pytest.mark.parametrize("temperament", ["obedient", "stubborn"])
def test_a_slipping_model_loses_no_report_and_no_true_item(server, llm_settings, mode, temperament):
    slipping = model(rate=0.5, temperament=temperament, seed=3)
    server.responder = slipping
    with Summarizer(llm_settings(mode=mode, cache=False)) as summarizer:
        for doc_id in DOCS:
            summary = summarizer.summarize(corpus_path(doc_id))
            raw = raw_of(doc_id)
            assert verify(summary, raw) == []
            items = summary.achievements + summary.problems + summary.plans
            assert FABRICATED_TEXT not in [i.text for i in items]
            assert FABRICATED_METRIC["value"] not in [m.value for m in summary.metrics]
            gold = slipping.gold[doc_id]
            assert len(items) == sum(len(gold[s]) for s in ("achievements", "problems", "plans"))
            counts = summary.meta.alignment
            assert counts.exact + counts.folded + counts.repaired + counts.attached == sum(
                len(i.evidence) for i in items
            ) + len(summary.metrics)
    assert sum(slipping.slips.values()) > 10  # the model really slipped
    requests = len(server.requests)
    assert requests <= len(DOCS) * 3


def test_slipped_quotes_are_repaired_without_a_reask(server, llm_settings):
    reply = gold_answer(DOC)
    item = reply["achievements"][0]
    quote = item["evidence"][0]
    item["evidence"] = [quote[:4] + quote[5:]]  # one character dropped
    long_quote = reply["achievements"][1]["evidence"][0]
    reply["achievements"][1]["evidence"][0] = long_quote[:8] + "……" + long_quote[-8:]
    server.default = answer(reply)
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    first = summary.achievements[0]
    assert first.alignment == ["repaired"] and first.evidence == [quote]
    assert summary.meta.alignment.repaired >= 1
    parts = summary.achievements[1].evidence  # the parts around the ellipsis, located
    assert parts[:2] == [long_quote[:8], long_quote[-8:]]
    assert verify(summary, raw_of(DOC)) == []


def test_one_reask_lists_every_failure_at_once(server, llm_settings):
    bad = gold_answer(DOC)
    wrong = ["全年共召开座谈会议八十八次", "组织开展普法宣传活动两百场", "累计培训干警九百人次以上"]
    for item, quote in zip(bad["achievements"][:3], wrong, strict=True):
        item["evidence"] = [quote]
    server.script(answer(bad))
    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 2
    reask = json.dumps(server.requests[1]["messages"][2:], ensure_ascii=False)
    assert all(f"「{q}」" in reask for q in wrong)


def test_a_changed_figure_is_never_repaired_and_the_reask_shows_the_passage(server, llm_settings):
    bad = gold_answer(DOC)
    metric = bad["metrics"][0]
    true_value = metric["value"]
    metric["evidence"] = metric["evidence"].replace(true_value, "7" + true_value)
    metric["value"] = "7" + true_value
    server.script(answer(bad))
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    reask = json.dumps(server.requests[1]["messages"][2:], ensure_ascii=False)
    assert "figures differ" in reask
    assert all(m.value != "7" + true_value for m in summary.metrics)


def test_spent_reasks_keep_what_grounds_and_list_the_rest(server, llm_settings):
    reply = gold_answer(DOC)
    reply["achievements"].append({"text": FABRICATED_TEXT, "evidence": ["全年办结群众来信三千件"]})
    server.default = answer(reply)  # stubborn: the same answer every time
    summary = summarize_once(llm_settings(max_retries=1), corpus_path(DOC))
    assert len(server.requests) == 2
    assert [d.section for d in summary.meta.dropped] == ["achievements"]
    assert summary.meta.dropped[0].text == FABRICATED_TEXT
    assert "not in the document" in summary.meta.dropped[0].reason
    assert len(summary.achievements) == len(gold_answer(DOC)["achievements"])
    assert summary.meta.warnings and "meta.dropped" in summary.meta.warnings[0]
    assert summary.meta.attempts == 2 and summary.meta.usage.total_tokens == 2400
    with pytest.raises(SummarizationError):
        summarize_once(llm_settings(max_retries=1, strict=True, cache=False), corpus_path(DOC))


def test_nothing_grounded_is_refused(server, llm_settings):
    server.default = answer(
        {"achievements": [{"text": FABRICATED_TEXT, "evidence": ["全年办结群众来信三千件"]}]}
    )
    with pytest.raises(SummarizationError, match="failed validation"):
        summarize_once(llm_settings(max_retries=1), corpus_path(DOC))


def test_headers_the_document_never_states_are_null(server, llm_settings):
    reply = gold_answer(DOC)
    reply.update(title="DraftSummary", organization="最高人民法院", period="2022年")
    server.default = answer(reply)
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert summary.title is None and summary.organization is None
    assert summary.period == "2022年"  # the document writes it
    assert {d.section for d in summary.meta.dropped} == {"title", "organization"}
    assert len(server.requests) == 1  # nulled, not re-asked


def test_an_empty_answer_is_asked_again_once_then_an_error(server, llm_settings):
    server.default = answer({"title": "DraftSummary", "overview": "《DraftSummary》。"})
    with pytest.raises(EmptySummaryError) as info:
        summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 2
    hint = json.dumps(server.requests[1]["messages"][2:], ensure_ascii=False)
    assert "makes about" in hint
    assert "returned nothing for a report with" in str(info.value)
    assert "--backend offline" in str(info.value)


def test_an_empty_answer_then_a_full_one_passes(server, llm_settings):
    server.script(answer({"title": None}))
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 2 and summary.achievements


def test_fallback_offline_returns_the_offline_summary_with_the_reason(server, llm_settings):
    server.default = answer({"title": None})
    summary = summarize_once(llm_settings(fallback="offline"), corpus_path(DOC))
    assert summary.meta.backend == "offline" and summary.achievements
    assert "returned nothing" in summary.meta.warnings[0]
    server.default = error(503, "down")
    summary = summarize_once(
        llm_settings(fallback="offline", transport_retries=0), corpus_path(DOC)
    )
    assert summary.meta.backend == "offline" and "503" in summary.meta.warnings[0]


def test_a_rejected_mode_is_asked_once_and_named_in_one_line(server, llm_settings):
    dump = (
        "1 validation error for CreateChatCompletionRequest\nresponse_format\n"
        "  Input should be a valid dictionary or instance of ResponseFormat\n"
        "    For further information visit https://errors.pydantic.dev"
    )
    server.default = error(500, dump)
    with pytest.raises(ConfigError) as info:
        summarize_once(llm_settings(mode="json_schema"), corpus_path(DOC))
    assert len(server.requests) == 1
    message = str(info.value)
    assert "\n" not in message and "\\n" not in message and "Error code" not in message
    assert "HTTP 500: 1 validation error for CreateChatCompletionRequest" in message
    assert "--mode json_schema" in message and "--mode json" in message


def test_an_ordinary_500_is_still_retried(server, llm_settings):
    server.script(error(500, "temporary failure"))
    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 2


@pytest.mark.parametrize("kind", SLIPS)
def test_each_slip_kind_changes_a_quote_it_can_hold(kind):
    quote = "全年共审结各类案件1343件，结案率达98.14%"
    slipped = slip(quote, kind, random.Random(1))
    assert slipped != quote


def test_slip_free_answers_are_taken_as_they_are(server, llm_settings):
    server.responder = model(rate=0.0)
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert summary.meta.alignment.repaired == 0
    assert summary.meta.dropped == []
    assert isinstance(server.default, Step | None)


def test_cli_prints_warnings_on_stderr_and_the_summary_on_stdout(server, llm_settings, capsys):
    from summarizer.cli import main

    server.default = answer({"title": None})
    code = main(
        [
            "summarize",
            str(corpus_path(DOC)),
            "--backend",
            "llm",
            "--base-url",
            server.url,
            "--fallback",
            "offline",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["meta"]["backend"] == "offline"
    assert "warning:" in err and "returned nothing" in err


def test_an_empty_answer_that_also_invents_a_figure_is_called_empty(server, llm_settings):
    """What SmolLM2 on llama-cpp-python answered: no item, an overview with a number."""
    server.default = answer({"overview": "The report covers 2 cases."})
    with pytest.raises(EmptySummaryError, match="returned nothing"):
        summarize_once(llm_settings(max_retries=1), corpus_path(DOC))
