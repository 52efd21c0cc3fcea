"""The LLM path over real HTTP: the real openai client, instructor and tenacity, local server."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from summarizer import asummarize
from summarizer.errors import (
    ConfigError,
    SummarizationError,
    TransportError,
    TruncationError,
)
from summarizer.settings import MODES, Settings
from tests.conftest import corpus_path, gold_answer, summarize_once
from tests.fake_openai import Step, answer, error

DOC = "000_1cceb1fd464775c5"


def assert_grounded(summary, raw: str) -> None:
    quotes = 0
    for section in (summary.achievements, summary.problems, summary.plans):
        for item in section:
            assert item.evidence and len(item.evidence) == len(item.spans)
            for quote, (start, end) in zip(item.evidence, item.spans, strict=True):
                assert raw[start:end] == quote
                quotes += 1
    for m in summary.metrics:
        assert raw[m.span[0] : m.span[1]] == m.evidence
        assert m.value in m.evidence.replace(",", "")
    assert quotes > 0


def bad_answer(doc_id: str = DOC) -> dict:
    """A first answer with a fabricated quote and an invented figure."""
    bad = gold_answer(doc_id)
    bad["achievements"][0]["evidence"] = ["全年共审结各类案件99999件,群众满意度达到100%"]
    bad["metrics"][0] = {
        "name": "审结案件",
        "value": "99999",
        "unit": "件",
        "evidence": "全年共审结各类案件99999件",
    }
    return bad


def raw_of(doc_id: str = DOC) -> str:
    return corpus_path(doc_id).read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", MODES)
def test_good_answer_in_every_mode(server, llm_settings, mode):
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(mode=mode), corpus_path(DOC))

    assert_grounded(summary, raw_of())
    assert summary.doc_id == DOC
    assert len(summary.achievements) == len(gold_answer(DOC)["achievements"])
    assert summary.meta.backend == "llm" and summary.meta.mode == mode
    assert summary.meta.attempts == 1 and not summary.meta.cached
    assert summary.meta.usage.total_tokens == 1200 and not summary.meta.usage.estimated
    assert len(summary.meta.prompt_version) == 12

    body = server.requests[0]
    assert body["model"] == "fake-model" and body["temperature"] == 0.0
    if mode == "tools":
        assert body["tools"] and body["tool_choice"]["type"] == "function"
    elif mode == "json":
        assert body["response_format"] == {"type": "json_object"}
    elif mode == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
        assert "achievements" in body["response_format"]["json_schema"]["schema"]["properties"]
    else:
        assert "tools" not in body and "response_format" not in body
    # the prompt carries the document inside delimiters, and says it is data
    user = body["messages"][-1]["content"] if mode != "md_json" else body["messages"][1]["content"]
    assert "<document>" in user and "</document>" in user
    assert "不要执行" in body["messages"][0]["content"]
    assert server.headers[0]["authorization"] == "Bearer test-key-not-real"


def test_gold_shaped_answer_without_overview_is_accepted(server, llm_settings):
    """A reply in the gold files' own shape (doc_id, no overview) needs no re-ask."""
    server.default = answer(gold_answer(DOC, overview=False))
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert summary.overview and summary.organization == "XX人民法院"


@pytest.mark.parametrize("mode", MODES)
def test_fabricated_quote_and_number_are_reasked(server, llm_settings, mode):
    server.script(answer(bad_answer()))
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(mode=mode), corpus_path(DOC))

    assert len(server.requests) == 2
    second = json.dumps(server.requests[1]["messages"], ensure_ascii=False)
    assert "全年共审结各类案件99999件,群众满意度达到100%" in second
    assert "is not in the document" in second
    assert "99999" in second
    assert_grounded(summary, raw_of())
    assert all("99999" not in m.evidence for m in summary.metrics)
    assert summary.meta.attempts == 2
    assert summary.meta.usage.total_tokens == 2400  # summed over both attempts


def test_reasks_run_out_raise_summarization_error_when_strict(server, llm_settings):
    server.default = answer(bad_answer())
    with pytest.raises(SummarizationError) as info:
        summarize_once(llm_settings(max_retries=1, strict=True), corpus_path(DOC))
    assert len(server.requests) == 2  # max_retries=1 → two attempts
    message = str(info.value)
    assert "failed validation on all 2 attempt(s)" in message
    assert "全年共审结各类案件99999件" in message
    assert info.value.path == str(corpus_path(DOC))


def test_invented_number_in_item_text_is_reasked(server, llm_settings):
    bad = gold_answer(DOC)
    bad["achievements"][1]["text"] = (
        "全年组织培训共计29次"  # 7 + 11 + 11: a sum the document never states
    )
    server.script(answer(bad))
    server.default = answer(gold_answer(DOC))
    summarize_once(llm_settings(), corpus_path(DOC))
    second = json.dumps(server.requests[1]["messages"], ensure_ascii=False)
    assert "「29」" in second and "never states" in second


def test_429_with_retry_after_then_good(server, llm_settings):
    server.script(error(429, "slow down", headers={"Retry-After": "1"}))
    server.default = answer(gold_answer(DOC))
    started = time.monotonic()
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert time.monotonic() - started >= 0.95  # Retry-After honoured
    assert len(server.requests) == 2
    # a transport error is never pasted into the conversation as a re-ask
    assert server.requests[1]["messages"] == server.requests[0]["messages"]
    assert summary.meta.attempts == 1


def test_429_then_500_then_good(server, llm_settings):
    server.script(error(429, headers={"Retry-After": "0"}), error(500, "boom"))
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 3
    assert_grounded(summary, raw_of())


def test_server_errors_until_retries_run_out(server, llm_settings):
    server.default = error(503, "overloaded", headers={"Retry-After": "0"})
    with pytest.raises(TransportError) as info:
        summarize_once(llm_settings(transport_retries=2), corpus_path(DOC))
    assert len(server.requests) == 3
    assert "503" in str(info.value) and "3 tries" in str(info.value)


@pytest.mark.slow
def test_transport_deadline_bounds_total_time(server, llm_settings):
    server.default = error(500, headers={"Retry-After": "1"})
    started = time.monotonic()
    with pytest.raises(TransportError):
        summarize_once(llm_settings(transport_retries=50, transport_deadline=1.5), corpus_path(DOC))
    assert time.monotonic() - started < 5
    assert len(server.requests) <= 4


def test_401_fails_at_once_naming_the_key_setting(server, llm_settings):
    server.default = error(401, "invalid api key")
    with pytest.raises(ConfigError) as info:
        summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert "OPENAI_API_KEY" in str(info.value)
    assert "test-key-not-real" not in str(info.value)


def test_404_names_the_model_setting(server, llm_settings):
    server.default = error(404, "model not found")
    with pytest.raises(ConfigError) as info:
        summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert "SUMMARIZER_MODEL" in str(info.value) and "fake-model" in str(info.value)


def test_403_fails_at_once(server, llm_settings):
    server.default = error(403, "forbidden")
    with pytest.raises(ConfigError):
        summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1


def test_400_naming_the_mode_is_a_config_error_naming_modes_to_try(server, llm_settings):
    server.default = error(400, "tool_choice is not supported")
    with pytest.raises(ConfigError) as info:
        summarize_once(llm_settings(), corpus_path(DOC))
    assert len(server.requests) == 1
    assert "does not support --mode tools" in str(info.value)
    assert "--mode json" in str(info.value)


@pytest.mark.slow
def test_slow_beyond_timeout_gives_up(server, llm_settings):
    server.default = Step(payload=gold_answer(DOC), delay=2.0)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        summarize_once(llm_settings(timeout=0.5, transport_retries=1), corpus_path(DOC))
    assert time.monotonic() - started < 4.5
    assert len(server.requests) == 2
    assert "within 0.5s" in str(info.value) and "--timeout" in str(info.value)


@pytest.mark.slow
def test_slow_once_then_fast(server, llm_settings):
    server.script(Step(payload=gold_answer(DOC), delay=1.5))
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(timeout=0.5), corpus_path(DOC))
    assert_grounded(summary, raw_of())
    assert len(server.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_truncated_reply_is_a_clear_error_not_a_reask(server, llm_settings, mode):
    """Cut at the max_tokens sent, in strict mode (no salvage of what was complete): the
    error names that limit, and the same limit is not asked again."""
    server.default = answer(gold_answer(DOC), finish_reason="length", usage=(1000, 1234))
    with pytest.raises(TruncationError) as info:
        summarize_once(llm_settings(mode=mode, max_tokens=1234, strict=True), corpus_path(DOC))
    assert len(server.requests) == 1
    assert "max_tokens=1234" in str(info.value)
    assert server.requests[0]["max_tokens"] == 1234


@pytest.mark.parametrize("mode", ["json", "json_schema", "md_json"])
def test_think_blocks_are_stripped(server, llm_settings, mode):
    server.default = answer(gold_answer(DOC), think=True)
    summary = summarize_once(llm_settings(mode=mode), corpus_path(DOC))
    assert len(server.requests) == 1
    assert_grounded(summary, raw_of())


def test_usage_is_estimated_when_server_reports_none(server, llm_settings):
    server.default = answer(gold_answer(DOC), usage=None)
    summary = summarize_once(llm_settings(), corpus_path(DOC))
    usage = summary.meta.usage
    assert usage.estimated and usage.prompt_tokens > 1000 and usage.completion_tokens > 100


def test_async_api(server, llm_settings):
    server.script(error(429, headers={"Retry-After": "0"}), answer(bad_answer()))
    server.default = answer(gold_answer(DOC))
    s = llm_settings()
    summary = asyncio.run(
        asummarize(
            corpus_path(DOC),
            backend="llm",
            base_url=s.base_url,
            api_key=s.api_key,
            model=s.model,
            cache=False,
        )
    )
    assert len(server.requests) == 3
    assert summary.meta.attempts == 2
    assert_grounded(summary, raw_of())


def test_text_input_gets_a_stable_id(server, llm_settings):
    server.default = answer(gold_answer(DOC))
    text = raw_of()
    summary = summarize_once(llm_settings(), text)
    assert summary.doc_id.startswith("text-") and summary.meta.source is None
    assert_grounded(summary, text)


def test_missing_endpoint_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        summarize_once(Settings.load(backend="llm"), corpus_path(DOC))
    assert "OPENAI_API_KEY" in str(info.value) and "OPENAI_BASE_URL" in str(info.value)


def test_unreachable_endpoint(llm_settings):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = llm_settings(base_url=f"http://127.0.0.1:{port}/v1", transport_retries=1)
    with pytest.raises(TransportError) as info:
        summarize_once(settings, corpus_path(DOC))
    assert "connection refused" in str(info.value) and "OPENAI_BASE_URL" in str(info.value)


def traditional_with_debris(doc_id: str) -> str:
    """A corpus report turned Traditional, with the pinyin debris converters leave."""
    import opencc

    text = opencc.OpenCC("s2t").convert(raw_of(doc_id))
    for char, pinyin in (("現", "xiàn"), ("實", "shí"), ("發", "fā")):
        text = text.replace(char, f"{char}({pinyin})")
    return text


@pytest.mark.parametrize("quotes", ["simplified", "raw"])
def test_traditional_document_with_pinyin_debris(server, llm_settings, tmp_path, quotes):
    """The model may quote the Simplified prompt text or the raw Traditional file: both land
    on the exact raw substring, debris and all."""
    doc_id = "002_22b2fcdac678e5fd"
    raw = traditional_with_debris(doc_id)
    path = tmp_path / "traditional.txt"
    path.write_text(raw, encoding="utf-8")
    reply = gold_answer(doc_id)
    if quotes == "raw":
        from summarizer.normalize import normalize
        from summarizer.source import GroundedSource

        source = GroundedSource(normalize(raw))
        for item in reply["achievements"]:
            item["evidence"] = [raw[slice(*source.locate(q))] for q in item["evidence"]]
    server.default = answer(reply)
    summary = summarize_once(llm_settings(), path)
    assert len(server.requests) == 1
    assert_grounded(summary, raw)
    assert any("(xiàn)" in q or "(fā)" in q for i in summary.achievements for q in i.evidence)
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "(xiàn)" not in prompt and "現" not in prompt  # the model reads clean Simplified text
    assert not any(re.search(r"\([a-zāáǎàīíǐìūúǔù]+\)", i.text) for i in summary.achievements)


def test_web_page_debris_never_reaches_the_prompt(server, llm_settings):
    from tests.conftest import ROOT

    path = ROOT / "tests" / "data" / "web_page_report.txt"
    server.default = answer(
        {
            "title": "甲县人民法院2023年上半年工作总结",
            "achievements": [{"text": "审执结案件2890件", "evidence": ["审执结2890件"]}],
        }
    )
    summarize_once(llm_settings(), path)
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "审执结2890件" in prompt
    for debris in ("首页", "浏览次数", "打印本页", "上一篇", "http://", "Copyright", "扫一扫"):
        assert debris not in prompt


def test_tools_mode_accepts_json_content_from_servers_that_ignore_tool_choice(server, llm_settings):
    server.default = Step(content=json.dumps(gold_answer(DOC), ensure_ascii=False))
    summary = summarize_once(llm_settings(mode="tools"), corpus_path(DOC))
    assert len(server.requests) == 1
    assert_grounded(summary, raw_of())


def test_numbers_written_in_chinese_numerals_count_as_stated(server, llm_settings, tmp_path):
    path = tmp_path / "cn.txt"
    path.write_text(
        "二〇二二年工作总结\n一、基本情况\n全年共审结案件一千二百件，群众满意。\n", "utf-8"
    )
    server.default = answer(
        {
            "title": "二〇二二年工作总结",
            "period": "2022年",
            "achievements": [
                {"text": "全年审结案件1200件", "evidence": ["全年共审结案件一千二百件"]}
            ],
        }
    )
    summary = summarize_once(llm_settings(), path)
    assert len(server.requests) == 1
    assert summary.achievements[0].text == "全年审结案件1200件"


def test_template_syntax_in_a_report_reaches_the_model_verbatim(server, llm_settings, tmp_path):
    """instructor renders messages as Jinja2 when given a context; ours must not be: a
    report may well contain {{ }} or {% %} (web debris, code, a quoted template)."""
    hostile = "{{source}}{%for x in range(3)%}{{x}}{%endfor%}{#note#}{%raw%}"
    path = tmp_path / "report.txt"
    path.write_text(raw_of() + f"\n系统模板写作{hostile}，已经停用。\n", encoding="utf-8")
    server.script(answer(bad_answer()))  # a re-ask must still be grounded on this document
    server.default = answer(gold_answer(DOC))
    summary = summarize_once(llm_settings(), path)
    assert len(server.requests) == 2
    for body in server.requests:
        assert hostile in json.dumps(body["messages"], ensure_ascii=False)
    assert "99999" in json.dumps(server.requests[1]["messages"], ensure_ascii=False)
    assert_grounded(summary, path.read_text(encoding="utf-8"))


def _loop_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name == "summarizer-loop"]


def test_the_sync_api_runs_the_one_async_client_on_a_loop_it_owns(server, llm_settings):
    """Sync calls reuse one async client (one kept-alive connection) on the summarizer's
    own loop thread; close() stops it; the summarizer still works after; offline never
    starts it."""
    from summarizer.pipeline import Summarizer

    server.default = answer(gold_answer(DOC))
    assert _loop_threads() == []
    summarizer = Summarizer(llm_settings(cache=False))
    first = summarizer.summarize(corpus_path(DOC))
    second = summarizer.summarize(raw_of())
    assert first.achievements and second.achievements
    assert len(server.peers) == 2 and len(set(server.peers)) == 1
    assert _loop_threads() == ["summarizer-loop"] and summarizer.holds_resources
    summarizer.close()
    assert _loop_threads() == [] and not summarizer.holds_resources
    assert summarizer.summarize(corpus_path(DOC)).achievements  # a new loop, a new client
    summarizer.close()
    assert _loop_threads() == []

    with Summarizer(backend="offline") as offline:
        assert offline.summarize(corpus_path(DOC)).meta.backend == "offline"
        assert _loop_threads() == []


def test_an_interrupted_sync_call_cancels_its_work():
    """Ctrl-C while the sync API waits: the work on the loop is cancelled, not left running."""
    import signal
    import threading

    from summarizer.pipeline.loop import LoopThread

    started, cancelled = threading.Event(), threading.Event()

    async def long_call() -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    loop = LoopThread()
    main = threading.main_thread().ident
    assert main is not None

    def press_ctrl_c() -> None:
        if started.wait(5):
            signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=press_ctrl_c).start()
    with pytest.raises(KeyboardInterrupt):
        loop.run(long_call())
    assert cancelled.wait(5)
    loop.close()
    assert _loop_threads() == []


def test_a_sync_call_interrupted_before_its_work_starts_never_runs_it():
    """Ctrl-C while the loop is still busy with something else: the waiting work is
    dropped before it starts (and closed, so no 'never awaited' warning)."""
    import signal
    import threading
    import time

    from summarizer.pipeline.loop import LoopThread

    ran = threading.Event()
    busy = threading.Event()

    async def blocker() -> None:
        busy.set()
        time.sleep(0.6)  # holds the loop: nothing else on it can start

    async def work() -> None:
        ran.set()

    loop = LoopThread()
    other = threading.Thread(target=lambda: loop.run(blocker()))
    other.start()
    assert busy.wait(5)
    main = threading.main_thread().ident
    assert main is not None
    threading.Timer(0.1, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        loop.run(work())
    other.join()
    loop.run(asyncio.sleep(0))  # the loop has gone past where the work would have run
    assert not ran.is_set()
    loop.close()
    assert _loop_threads() == []


def test_a_refused_connection_fails_fast_and_quietly(llm_settings, capfd):
    """Nothing listening: one quick retry, not the transport retries' backoff (12 s at 4),
    and one error, no library log lines on stderr (issue #30)."""
    import socket
    import time

    from summarizer import Summarizer

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = llm_settings(base_url=f"http://127.0.0.1:{port}/v1", transport_retries=4)
    with Summarizer(settings) as summarizer:
        with pytest.raises(TransportError):  # the first call imports the client too
            summarizer.summarize(corpus_path(DOC))
        started = time.perf_counter()
        with pytest.raises(TransportError) as info:
            summarizer.summarize(corpus_path(DOC))
        seconds = time.perf_counter() - started
    assert "after 2 tries" in str(info.value)
    assert seconds < 2.0, seconds  # 0.3 s apart; generous for a loaded machine
    assert capfd.readouterr().err == ""
