"""Batch engines (#17) over real HTTP: --export writes the very requests the online path
sends and sends nothing; --import treats a batch engine's answers exactly as online ones
and asks online (or names for a resend) what failed; --via openai-batch makes the round
trip through the test server's Files and Batches API, resumable, nothing paid twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch import summarize_batch
from summarizer.batchfiles import Answered, Errored, read_results
from summarizer.cli import main
from summarizer.errors import ResendError, SummarizerError
from summarizer.inputs import collect
from summarizer.offload import write_requests
from summarizer.offload.remote import RECORD_SUFFIX, Hooks, run_remote
from summarizer.pipeline import Summarizer
from summarizer.pricing import Price, Prices
from summarizer.read import read_document
from summarizer.steps import ExportOnly, Imported
from tests.chunk_model import SeeingModel
from tests.conftest import CORPUS, DOC_IDS, GOLD, corpus_path, gold_answer
from tests.fake_openai import BatchPlan, Step, answer, completion

LONG = "b01_gov_report_2019"
FABRICATED = "全年审结各类案件99999件"


def gold_of(body: dict[str, Any]) -> str:
    prompt = json.dumps(body.get("messages"), ensure_ascii=False)
    return next(d for d in DOC_IDS if d in prompt)


def good(body: dict[str, Any]) -> Step:
    return answer(gold_answer(gold_of(body)))


def fabricated(doc_id: str) -> dict[str, Any]:
    bad = gold_answer(doc_id)
    bad["achievements"][0]["evidence"] = [FABRICATED]
    return bad


def engine(
    lines_path: Path, out: Path, *, bad: set[str] = frozenset(), errors=(), skip=(), empty=()
) -> None:
    """An independent batch engine: answers each request line with the gold summary of
    the document it names (a fabricated quote for ``bad``, no point at all for ``empty``),
    an error line for ``errors``, no line for ``skip``."""
    written = []
    for n, raw in enumerate(lines_path.read_text("utf-8").splitlines()):
        line = json.loads(raw)
        custom, body = line["custom_id"], line["body"]
        record: dict[str, Any] = {"id": f"r{n}", "custom_id": custom, "error": None}
        if custom in skip:
            continue
        if custom in errors:
            record["response"] = {"status_code": 400, "body": {"error": {"message": "bad"}}}
        else:
            doc = gold_of(body)
            payload = fabricated(doc) if custom in bad else gold_answer(doc)
            if custom in empty:
                payload = {"title": None}
            record["response"] = {"status_code": 200, "body": completion(body, answer(payload))}
        written.append(json.dumps(record, ensure_ascii=False))
    out.write_text("\n".join(written) + "\n", encoding="utf-8")


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def verbatim(summary: Any) -> None:
    raw = read_document(summary.meta.source).raw
    for item in summary.achievements + summary.problems + summary.plans:
        assert FABRICATED not in item.evidence
        for quote, (a, b) in zip(item.evidence, item.spans, strict=True):
            assert raw[a:b] == quote
    for metric in summary.metrics:
        assert raw[metric.span[0] : metric.span[1]] == metric.evidence


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Four corpus reports in a folder."""
    root = tmp_path / "in"
    root.mkdir()
    for doc in DOC_IDS[:4]:
        (root / f"{doc}.txt").write_bytes(corpus_path(doc).read_bytes())
    return root


def no_endpoint(clean_env: Path, **overrides: Any) -> Any:
    from summarizer.settings import Settings

    return Settings.load(
        env={}, backend="llm", model="fake-model", cache_dir=clean_env, **overrides
    )


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("mode", ["tools", "json", "json_schema", "md_json"])
def test_export_writes_the_request_the_online_path_sends_and_sends_nothing(
    server, llm_settings, tmp_path, mode
):
    doc = DOC_IDS[0]
    server.responder = good
    with Summarizer(llm_settings(mode=mode, cache=False)) as online:
        online.summarize(corpus_path(doc))
    sent = server.requests[0]
    jobs = collect([corpus_path(doc)])
    out = tmp_path / "requests.jsonl"
    # an endpoint is configured, and still nothing goes out
    assert all(e.lines == 1 for e in write_requests(jobs, out, settings=llm_settings(mode=mode)))
    assert len(server.requests) == 1
    (line,) = rows(out)
    assert line == {
        "custom_id": doc,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": sent,
    }


def test_export_cuts_a_long_report_into_parts_and_skips_what_is_done(
    server, llm_settings, tmp_path, clean_env
):
    settings = no_endpoint(clean_env, context_tokens=4000, max_tokens=1000)
    jobs = collect([corpus_path(LONG), corpus_path(DOC_IDS[0])])
    requests = tmp_path / "requests.jsonl"
    list(write_requests(jobs, requests, settings=settings))
    ids = [line["custom_id"] for line in rows(requests)]
    parts = [i for i in ids if i.startswith(LONG + "#")]
    assert len(parts) >= 3 and parts == [f"{LONG}#{k}" for k in range(1, len(parts) + 1)]
    assert len(set(ids)) == len(ids) and all(i.startswith((LONG, DOC_IDS[0])) for i in ids)
    # the engine answers every part with what it sees; the import merges them, except
    # that it first misses the first part's points (an empty answer), which online would
    # be asked again once (the offline engine reads points there): with no endpoint,
    # that re-ask is the resend.
    model = SeeingModel.from_dirs(GOLD, CORPUS)
    missed: list[str] = []

    def engine(line: dict[str, Any]) -> Step:
        step = model(line["body"])
        if line["custom_id"] == f"{LONG}#1" and not missed:
            missed.append(line["custom_id"])
            empty = {k: [] if isinstance(v, list) else v for k, v in step.payload.items()}
            step = answer(empty, usage=step.usage)
            model.seen[-1] = (LONG, 0)
        return step

    def answer_all(path: Path) -> dict[str, Any]:
        answers = tmp_path / "answers.jsonl"
        written = [
            {
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": 200,
                    "body": completion(line["body"], engine(line)),
                },
            }
            for line in rows(path)
        ]
        answers.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in written), "utf-8")
        return read_results([answers], print)

    out = tmp_path / "out.jsonl"
    first = list(
        summarize_batch(jobs, out=out, settings=settings, engine=Imported(answer_all(requests)))
    )
    empty = [doc for doc, points in model.seen if points == 0]
    failed = [r for r in first if not r.ok]
    assert empty  # the engine missed the first part's points
    assert [r.doc_id for r in failed] == [LONG]
    assert isinstance(failed[0].exception, ResendError)
    assert "failed validation (the summary has no achievements" in failed[0].error["message"]
    resend = tmp_path / "resend.jsonl"
    list(write_requests(jobs, resend, settings=settings, out=out))
    resent = rows(resend)
    assert 0 < len(resent) < len(parts)  # the answered parts are cached, not resent
    assert all(
        "makes about" in json.dumps(r["body"]["messages"][-1], ensure_ascii=False) for r in resent
    )
    first = list(
        summarize_batch(jobs, out=out, settings=settings, engine=Imported(answer_all(resend)))
    )
    done = {r.doc_id: r for r in first}
    assert all(r.ok for r in done.values()), [r.error for r in done.values()]
    summary = done[LONG].summary
    assert summary.meta.chunks == len(parts) and not summary.meta.warnings
    verbatim(summary)
    assert not server.requests  # no endpoint: nothing could be, nothing was sent
    # everything is in --out and in the cache: a second export has nothing to ask
    again = list(write_requests(jobs, tmp_path / "again.jsonl", settings=settings, out=out))
    assert [e.skipped for e in again] == [True, True]
    again = list(write_requests(jobs, tmp_path / "again.jsonl", settings=settings))
    assert [e.lines for e in again] == [0, 0] and rows(tmp_path / "again.jsonl") == []


def test_export_only_sends_nothing_even_with_an_endpoint(server, llm_settings):
    """ExportOnly plans and writes requests; asked to summarize, it fails the document
    with the request to resend, and the configured endpoint never hears of it."""
    with Summarizer(llm_settings(), engine=ExportOnly()) as summarizer:
        ((custom, body),) = summarizer.batch_requests(corpus_path(DOC_IDS[0]))
        with pytest.raises(ResendError, match="exported, never sent"):
            summarizer.summarize(corpus_path(DOC_IDS[0]))
    assert custom == DOC_IDS[0] and body["messages"] and server.requests == []


def test_a_batch_engines_answers_mean_the_model_backend(tmp_path, clean_env):
    """With no endpoint, backend "auto" means the offline engine; given a batch engine's
    answers it means the model (they are the model's), and "offline" is refused."""
    from summarizer.errors import ConfigError
    from summarizer.settings import Settings

    settings = Settings.load(env={}, cache_dir=clean_env)
    assert settings.resolved_backend == "offline"
    with Summarizer(settings, engine=ExportOnly()) as summarizer:
        assert summarizer.backend == "llm"
        ((custom, body),) = summarizer.batch_requests(corpus_path(DOC_IDS[0]))
    assert custom == DOC_IDS[0] and body["messages"]
    with pytest.raises(ConfigError, match="drop backend='offline'"):
        Summarizer(settings.replace(backend="offline"), engine=ExportOnly())


# --------------------------------------------------------------------------- import


def test_import_without_an_endpoint_names_what_to_resend_and_a_resend_completes_it(
    tmp_path, folder, clean_env, capsys
):
    a, b, c, d = DOC_IDS[:4]
    settings = no_endpoint(clean_env)
    jobs = collect([folder])
    requests, answers = tmp_path / "requests.jsonl", tmp_path / "answers.jsonl"
    list(write_requests(jobs, requests, settings=settings))
    engine(requests, answers, bad={b}, errors={c}, skip={d})
    out = tmp_path / "out.jsonl"
    replies = read_results([answers], print)
    results = {
        r.doc_id: r
        for r in summarize_batch(jobs, out=out, settings=settings, engine=Imported(replies))
    }
    assert results[a].ok
    verbatim(results[a].summary)
    usage = results[a].summary.meta.usage
    assert usage.batch_prompt_tokens == usage.prompt_tokens > 0  # paid at the batch price
    for doc, why in ((b, "failed validation"), (c, "failed it: HTTP 400"), (d, "no line")):
        assert isinstance(results[doc].exception, ResendError), doc
        assert why in results[doc].error["message"] and doc in results[doc].error["message"]
    said = results[b].error["message"]  # the validator's own words, where they apply
    assert (
        f"achievements.0.evidence: evidence quote 「{FABRICATED}」 is not in the document" in said
    )
    # --export of just those: the failed answer's re-ask, the others' first request
    resend = tmp_path / "resend.jsonl"
    exported = list(write_requests(jobs, resend, settings=settings, out=out))
    assert sum(e.skipped for e in exported) == 1
    again = {line["custom_id"]: line["body"] for line in rows(resend)}
    assert set(again) == {b, c, d}
    said = json.dumps(again[b]["messages"][-1], ensure_ascii=False)
    assert FABRICATED in said and "not in the document" in said
    assert again[b]["messages"][: len(again[c]["messages"])] != again[c]["messages"]
    # the engine answers the resend well: every document is summarized, none twice
    engine(resend, answers)
    replies = read_results([answers], print)
    second = list(summarize_batch(jobs, out=out, settings=settings, engine=Imported(replies)))
    assert sorted(r.doc_id for r in second) == [b, c, d] and all(r.ok for r in second)
    for r in second:
        verbatim(r.summary)
    assert sorted(r["doc_id"] for r in rows(out) if "error" not in r) == sorted(DOC_IDS[:4])


def test_the_re_ask_budget_spans_the_rounds_of_a_resend(tmp_path, folder, clean_env):
    """An engine that answers a document with a fabricated quote every time: online, the
    re-asks run out and what grounds is kept (the quote dropped). Without an endpoint each
    round is one attempt, so after ``max_retries`` resends the same happens, never an
    endless loop of resends."""
    b = DOC_IDS[1]
    settings = no_endpoint(clean_env, max_retries=1)
    jobs = [j for j in collect([folder]) if j.doc_id == b]
    requests, answers = tmp_path / "requests.jsonl", tmp_path / "answers.jsonl"
    list(write_requests(jobs, requests, settings=settings))
    rounds = 0
    while True:
        rounds += 1
        engine(requests, answers, bad={b})
        (result,) = summarize_batch(
            jobs, settings=settings, engine=Imported(read_results([answers], print))
        )
        if result.ok:
            break
        assert isinstance(result.exception, ResendError) and rounds <= 1
        list(write_requests(jobs, requests, settings=settings))
        assert len(rows(requests)[0]["body"]["messages"]) > 2  # the re-ask, each round
    assert rounds == 2  # the first answer and one re-ask, as online with max_retries=1
    verbatim(result.summary)
    assert [d.section for d in result.summary.meta.dropped] == ["achievements"]


def test_a_model_told_of_the_missed_points_in_one_round_is_not_told_again(
    tmp_path, folder, clean_env
):
    """As online (one hint, then the empty answer is an error), across the rounds of a
    resend: the conversation's "told" goes with the held re-ask."""
    a = DOC_IDS[0]
    settings = no_endpoint(clean_env, max_retries=3)
    jobs = [j for j in collect([folder]) if j.doc_id == a]
    requests, answers = tmp_path / "requests.jsonl", tmp_path / "answers.jsonl"
    list(write_requests(jobs, requests, settings=settings))
    said = []
    for _ in range(2):
        engine(requests, answers, empty={a})
        (result,) = summarize_batch(
            jobs, settings=settings, engine=Imported(read_results([answers], print))
        )
        said.append(result.error["message"])
        if not isinstance(result.exception, ResendError):
            break
        list(write_requests(jobs, requests, settings=settings))
        assert "makes about" in json.dumps(rows(requests)[0]["body"], ensure_ascii=False)
    assert len(said) == 2 and "makes about" in said[0]
    assert "returned nothing for a report with" in said[1]


def test_import_with_an_endpoint_asks_online_only_what_failed(
    server, llm_settings, tmp_path, folder
):
    _, b, c, d = DOC_IDS[:4]
    settings = llm_settings()
    jobs = collect([folder])
    requests, answers = tmp_path / "requests.jsonl", tmp_path / "answers.jsonl"
    list(write_requests(jobs, requests, settings=settings))
    engine(requests, answers, bad={b}, errors={c}, skip={d})
    server.responder = good
    replies = read_results([answers], print)
    results = {
        r.doc_id: r for r in summarize_batch(jobs, settings=settings, engine=Imported(replies))
    }
    assert all(r.ok for r in results.values())
    for r in results.values():
        verbatim(r.summary)
    asked = [gold_of(body) for body in server.requests]
    assert sorted(asked) == [b, c, d]  # a's batch answer was good: it cost no request
    reask = next(body for body in server.requests if gold_of(body) == b)
    assert FABRICATED in json.dumps(reask["messages"], ensure_ascii=False)  # a re-ask
    assert results[b].summary.meta.attempts == 2
    usage = results[b].summary.meta.usage
    assert 0 < usage.batch_prompt_tokens < usage.prompt_tokens  # the first at batch price
    assert results[c].summary.meta.usage.batch_prompt_tokens == 0
    # all cached: an online run afterwards costs nothing
    before = len(server.requests)
    assert all(r.cached for r in summarize_batch(jobs, settings=settings))
    assert len(server.requests) == before


def test_batch_tokens_are_priced_at_the_batch_price():
    price = Price(input=1.0, output=2.0, batch_input=0.5, batch_output=1.0)
    usage = {
        "prompt_tokens": 3_000_000,
        "completion_tokens": 1_000_000,
        "batch_prompt_tokens": 2_000_000,
        "batch_completion_tokens": 1_000_000,
    }
    # 1M online in at $1 + 2M batch in at $0.5 + 1M batch out at $1
    assert price.cost(usage) == pytest.approx(1.0 + 1.0 + 1.0)
    assert Price(1.0, 2.0).cost(usage) == pytest.approx(3.0 + 2.0)  # no batch price given
    prices = Prices({"m": price})
    assert prices.cost({"backend": "llm", "model": "m", "usage": usage}) == pytest.approx(3.0)


def test_results_lines_are_read_one_by_one(tmp_path):
    path = tmp_path / "answers.jsonl"
    body = {"choices": [], "usage": None}
    path.write_text(
        "\n".join(
            [
                json.dumps({"custom_id": "a", "response": {"status_code": 200, "body": body}}),
                "not json",
                json.dumps({"custom_id": "b", "error": {"code": "x", "message": "engine down"}}),
                json.dumps({"custom_id": "b", "response": {"status_code": 200, "body": body}}),
                json.dumps({"custom_id": "c", "response": {"status_code": 200, "body": body}}),
                json.dumps({"custom_id": "c", "error": {"message": "later failure"}}),
                json.dumps({"custom_id": "d", "response": {"status_code": 429, "body": {}}}),
                json.dumps({"no": "id"}),
            ]
        ),
        encoding="utf-8",
    )
    notices: list[str] = []
    outcomes = read_results([path], notices.append)
    assert outcomes["a"] == Answered(body)
    assert outcomes["b"] == Answered(body)  # a resent request's answer replaces its error
    assert outcomes["c"] == Answered(body)  # an answer is never replaced by an error
    assert isinstance(outcomes["d"], Errored) and "HTTP 429" in outcomes["d"].reason
    assert [n.split(": ")[0] for n in notices] == [f"{path}:2", f"{path}:8"]
    with pytest.raises(SummarizerError, match="cannot read the batch results"):
        read_results([tmp_path / "missing.jsonl"], print)


# --------------------------------------------------------------------------- the Batch API


class Watch(Hooks):
    """Hooks that keep what they are told; Ctrl-C at a state; a fixed cancel answer."""

    def __init__(self, interrupt_at: str | None = None, cancel: bool = False) -> None:
        self.lines: list[str] = []
        self.states: list[str] = []
        self.interrupt_at = interrupt_at
        super().__init__(say=self.lines.append, status=self._status, cancel=lambda b: cancel)

    def _status(self, batch: Any) -> None:
        self.states.append(batch.status)
        if batch.status == self.interrupt_at:
            raise KeyboardInterrupt


def remote(jobs: Any, out: Path, settings: Any, hooks: Hooks) -> dict[str, Any]:
    results = run_remote(jobs, out=out, settings=settings, poll=0.01, hooks=hooks)
    return {r.doc_id: r for r in results}


def test_the_batch_api_round_trip_answers_every_document_once(
    server, llm_settings, tmp_path, folder
):
    _, b, c, _ = DOC_IDS[:4]
    server.batch_plan = BatchPlan(errors={c})
    server.batch_responder = lambda body: (
        answer(fabricated(b)) if gold_of(body) == b else good(body)
    )
    server.responder = good  # the online endpoint, for the re-asks
    jobs, out, watch = collect([folder]), tmp_path / "out.jsonl", Watch()
    results = remote(jobs, out, llm_settings(), watch)
    assert all(r.ok for r in results.values()) and len(results) == 4
    for r in results.values():
        verbatim(r.summary)
    assert watch.states[0] == "validating" and "in_progress" in watch.states
    assert watch.states[-1] == "completed"
    assert len(server.batches) == 1 and len(server.batch_lines) == 3  # c's line errored
    assert sorted(gold_of(body) for body in server.requests) == [b, c]  # b re-asked, c sent
    assert not (tmp_path / ("out.jsonl" + RECORD_SUFFIX)).exists()
    # a rerun: everything is in --out; no new batch, no upload, no request
    files = len(server.files)
    assert remote(jobs, out, llm_settings(), Watch()) == {}
    assert len(server.batches) == 1 and len(server.files) == files and len(server.requests) == 2


def test_a_rerun_after_an_interruption_picks_the_same_batch_up(
    server, llm_settings, tmp_path, folder
):
    server.batch_responder = good
    jobs, out = collect([folder]), tmp_path / "out.jsonl"
    record = tmp_path / ("out.jsonl" + RECORD_SUFFIX)
    with pytest.raises(KeyboardInterrupt):
        remote(jobs, out, llm_settings(), Watch(interrupt_at="in_progress"))
    assert record.exists() and len(server.batches) == 1 and not server.cancelled
    watch = Watch()
    results = remote(jobs, out, llm_settings(), watch)
    assert all(r.ok for r in results.values()) and len(results) == 4
    assert any("resuming batch batch_1" in line for line in watch.lines)
    assert len(server.batches) == 1 and not server.requests  # paid once, all by the batch
    assert not record.exists()


def test_ctrl_c_can_cancel_the_batch_and_a_rerun_asks_the_rest_online(
    server, llm_settings, tmp_path, folder
):
    server.batch_responder = good
    server.responder = good
    jobs, out = collect([folder]), tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        remote(jobs, out, llm_settings(), Watch(interrupt_at="in_progress", cancel=True))
    assert server.cancelled == ["batch_1"]
    results = remote(jobs, out, llm_settings(), Watch())
    assert all(r.ok for r in results.values()) and len(results) == 4
    assert len(server.batch_lines) == 2 and len(server.requests) == 2  # half each way
    assert len(server.batches) == 1


def test_a_failed_batch_says_why_and_the_next_run_makes_a_new_one(
    server, llm_settings, tmp_path, folder
):
    server.batch_plan = BatchPlan(outcome="failed")
    server.batch_responder = good
    jobs, out = collect([folder]), tmp_path / "out.jsonl"
    with pytest.raises(SummarizerError, match=r"failed batch batch_1 .*line 1: scripted: bad line"):
        remote(jobs, out, llm_settings(), Watch())
    assert not (tmp_path / ("out.jsonl" + RECORD_SUFFIX)).exists()
    server.batch_plan = BatchPlan()
    results = remote(jobs, out, llm_settings(), Watch())
    assert all(r.ok for r in results.values()) and len(server.batches) == 2


def test_an_expired_batch_imports_what_ran_and_asks_the_rest_online(
    server, llm_settings, tmp_path, folder
):
    c, d = DOC_IDS[2:4]
    server.batch_plan = BatchPlan(outcome="expired", unrun={c, d})
    server.batch_responder = good
    server.responder = good
    jobs, out = collect([folder]), tmp_path / "out.jsonl"
    watch = Watch()
    results = remote(jobs, out, llm_settings(), watch)
    assert all(r.ok for r in results.values()) and len(results) == 4
    assert sorted(gold_of(body) for body in server.requests) == [c, d]
    assert any("expired: 2/4 answered; 2 unanswered are asked online" in x for x in watch.lines)


# --------------------------------------------------------------------------- the command


def test_cli_export_import_and_usage(server, tmp_path, folder, capsys, monkeypatch, clean_env):
    monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
    requests, answers, out = (tmp_path / n for n in ("req.jsonl", "ans.jsonl", "out.jsonl"))
    assert main(["batch", str(folder), "--export", str(requests)]) == 0
    err = capsys.readouterr().err
    assert "4 request line(s) for 4 document(s)" in err and "nothing sent" in err
    assert "offline engine" not in err
    engine(requests, answers, bad={DOC_IDS[1]})
    resend = tmp_path / "resend.jsonl"
    argv = ["batch", str(folder), "--import", str(answers), "--out", str(out)]
    assert main([*argv, "--export", str(resend)]) == 1
    err = capsys.readouterr().err
    assert "3 ok (0 cached), 1 failed" in err and "1 request line(s) for 1 document(s)" in err
    assert [line["custom_id"] for line in rows(resend)] == [DOC_IDS[1]]
    for bad in (
        ["--via", "openai-batch"],  # no --out
        ["--via", "openai-batch", "--out", str(out), "--export", str(requests)],
        ["--export", str(out), "--out", str(out)],
        ["--backend", "offline", "--export", str(requests)],
    ):
        assert main(["batch", str(folder), *bad]) == 2, bad
        assert capsys.readouterr().err.count("\n") == 1
    assert not server.requests


def test_cli_via_openai_batch(server, tmp_path, folder, capsys, monkeypatch, clean_env):
    for k, v in {
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": "test-key-not-real",
        "SUMMARIZER_MODEL": "fake-model",
    }.items():
        monkeypatch.setenv(k, v)
    server.batch_responder = good
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(folder), "--via", "openai-batch", "--out", str(out), "--poll", "0.01"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "created batch batch_1: 4 requests" in err and "completed: 4/4 answered" in err
    assert "4 ok (0 cached), 0 failed" in err
    assert len(rows(out)) == 4 and not server.requests
