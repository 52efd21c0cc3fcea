"""Reports longer than the model's context (#14): cut on their structure, each chunk one
request within budget, the answers merged into one summary, over real HTTP against a
model that sees only its chunk."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest

from summarizer.budget import estimate_tokens, request_tokens, room
from summarizer.chunks import split
from summarizer.normalize import fold
from summarizer.read import read_document
from summarizer.schemas import SECTIONS
from tests.chunk_model import SeeingModel
from tests.conftest import CORPUS, DOC_IDS, GOLD, corpus_path, summarize_once
from tests.fake_openai import error

LONG = "b01_gov_report_2019"  # the 2019 government work report, 21,000 characters


# --------------------------------------------------------------------------- cutting


@pytest.mark.parametrize("doc_id", DOC_IDS)
@pytest.mark.parametrize("budget", [40, 300, 1500, 100_000])
def test_chunks_fit_cover_everything_in_order(doc_id, budget):
    text = read_document(corpus_path(doc_id)).normalized.text
    chunks = split(text, budget, estimate_tokens)
    assert all(estimate_tokens(text[c.start : c.end]) <= budget for c in chunks)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))
    joined = "".join(text[c.start : c.end] for c in chunks)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
    if estimate_tokens(text) <= budget:
        assert len(chunks) == 1


@pytest.mark.parametrize("budget", [60, 80, 120])
def test_chunks_cut_at_sections_and_know_their_headings(budget):
    text = (
        "2023年工作总结\n一、主要工作\n"
        + "".join(f"（{n}）第{n}项工作。完成任务{n}0件，满意度提升。\n" for n in "一二三四五六")
        + "二、存在的问题\n（一）人员不足，案多人少矛盾突出。\n（二）信息化水平不高。\n"
        + "三、下一步打算\n（一）加强队伍建设。\n（二）推进智慧法院建设。\n"
    )
    chunks = split(text, budget, estimate_tokens)
    assert len(chunks) >= 2
    tops = [m.start() for m in re.finditer(r"^[一二三]、", text, re.M)] + [len(text)]
    for c in chunks:  # a chunk half full takes a section only whole, or one no chunk holds
        for at, end in itertools.pairwise(tops):
            if c.start < at < c.end and estimate_tokens(text[c.start : at]) >= budget / 2:
                whole = end <= c.end or not text[c.end : end].strip()
                assert whole or estimate_tokens(text[at:end]) > budget
    if budget == 80:  # 三、 would not fit after 二、 but fits alone: its own chunk
        assert text[chunks[-1].start :].startswith("三、")
    opening = [c for c in chunks if re.match(r"[二三]、", text[c.start : c.end])]
    assert all(c.headings == () for c in opening)  # its heading is its own text
    assert opening or budget != 80
    for c in chunks:
        before = [h for h in re.findall(r"^[一二三]、.*$", text[: c.start], re.M)]
        if before and not re.match(r"[一二三]、", text[c.start : c.end]):
            assert c.headings[0] == before[-1]  # told the section it sits in
    for c in chunks:  # a heading never ends a chunk: it goes with its text
        last = text[c.start : c.end].rstrip().split("\n")[-1]
        assert not re.match(r"^[一二三]、", last)


def test_a_paragraph_over_budget_is_cut_between_its_sentences():
    text = "一、工作情况\n" + "".join(f"第{n}项工作完成得很好。" for n in range(1, 60)) + "\n"
    chunks = split(text, 60, estimate_tokens)
    assert len(chunks) > 3
    for c in chunks[1:]:
        assert text[c.start - 1] in "。\n"  # each cut follows a sentence's end


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
def seeing(server):
    model = SeeingModel.from_dirs(GOLD, CORPUS)
    server.responder = model
    return model


def test_a_long_report_at_a_small_context_comes_back_whole(server, seeing, llm_settings):
    settings = llm_settings(context_tokens=4000, max_tokens=1000)
    doc = read_document(corpus_path(LONG))
    summary = summarize_once(settings, corpus_path(LONG))
    limit = room(settings)
    sizes = [request_tokens(body["messages"]) for body in server.requests]
    assert len(sizes) >= 3 and max(sizes) <= limit, (len(sizes), max(sizes), limit)
    assert summary.meta.chunks >= 3  # each chunk asked; a re-ask of an empty chunk counts
    assert summary.meta.attempts == len(server.requests)
    assert not summary.meta.warnings  # a part that makes no point (the preamble) is no failure
    gold = seeing.answerable(LONG)
    for section in SECTIONS:
        items = getattr(summary, section)
        texts = [fold(i.text) for i in items]
        assert len(texts) == len(set(texts)), section  # no point twice
        wanted = [fold(g["text"]) for g in gold.get(section) or []]
        assert sorted(texts) == sorted(wanted), section  # every gold point back, once
        spans = [i.spans[0] for i in items]
        assert spans == sorted(spans), section  # in document order
    for item in summary.achievements + summary.problems + summary.plans:
        assert all(doc.raw[a:b] == q for q, (a, b) in zip(item.evidence, item.spans, strict=True))
    for m in summary.metrics:
        assert doc.raw[m.span[0] : m.span[1]] == m.evidence
    assert summary.meta.usage.prompt_tokens == sum(sizes)  # summed over every request


def test_a_small_context_keeps_a_share_for_the_answer_and_never_asks_past_it(
    server, seeing, llm_settings
):
    """The default max_tokens (8,192) is for a large context: at 9,000 the report still
    goes in parts, each keeping a quarter of the context for its answer, and no request
    asks for more than the context leaves after its prompt (vLLM refuses that)."""
    settings = llm_settings(context_tokens=9000)
    assert settings.max_tokens == 8192  # the default
    summary = summarize_once(settings, corpus_path(LONG))
    assert summary.meta.chunks >= 2 and not summary.meta.warnings
    for body in server.requests:
        prompt = request_tokens(body["messages"])
        assert prompt <= 9000 - 9000 // 4
        assert 9000 // 4 <= body["max_tokens"] <= 9000 - prompt


def test_a_server_counting_fewer_tokens_gets_the_next_reports_in_fewer_parts(
    server, seeing, llm_settings
):
    """A server whose tokenizer counts Chinese at about half the estimate (Qwen, DeepSeek)
    says so in each answer's usage: the next report goes in fewer, larger parts, each
    still within its context by the server's count."""
    from summarizer.pipeline import Summarizer

    seeing.counts = 0.5
    settings = llm_settings(context_tokens=8000, max_tokens=1000, cache=False)
    with Summarizer(settings) as summarizer:
        first = summarizer.summarize(corpus_path(LONG))
        asked = len(server.requests)
        again = summarizer.summarize(corpus_path(LONG))
    assert again.meta.chunks < first.meta.chunks
    later = server.requests[asked:]
    assert all(0.5 * request_tokens(b["messages"]) <= room(settings) for b in later)
    assert all(b["max_tokens"] + 0.5 * request_tokens(b["messages"]) <= 8000 for b in later)
    for section in SECTIONS:  # larger parts lose no point (and split fewer of them)
        assert {fold(i.text) for i in getattr(again, section)} >= {
            fold(i.text) for i in getattr(first, section)
        }


def test_one_failing_chunk_costs_its_points_only(server, seeing, llm_settings):
    settings = llm_settings(context_tokens=4000, max_tokens=1000, max_retries=0)

    def fail_third(body):
        if "第3部分" in body["messages"][1]["content"]:
            return error(400, "this part is rejected")
        return seeing(body)

    server.responder = fail_third
    summary = summarize_once(settings, corpus_path(LONG))
    assert summary.meta.chunks >= 3
    assert any("part 3 of" in w and "missing" in w for w in summary.meta.warnings)
    assert summary.achievements  # the other parts' points are there


def test_chunks_are_cached_each_so_a_rerun_pays_only_for_what_changed(server, seeing, llm_settings):
    settings = llm_settings(context_tokens=4000, max_tokens=1000)
    raw = read_document(corpus_path(LONG)).raw
    summarize_once(settings, raw, doc_id=LONG)
    first = len(server.requests)
    summarize_once(settings, raw, doc_id=LONG)
    assert len(server.requests) == first  # the whole summary from the cache
    half = len(raw) // 2
    tail_changed = raw[:half] + raw[half:].replace("坚持", "坚定", 1)
    assert tail_changed != raw
    summarize_once(settings, tail_changed, doc_id=LONG)
    assert len(server.requests) - first == 1  # only the changed part is asked again


def test_async_asks_a_reports_chunks_at_once_and_merges_the_same(server, seeing, llm_settings):
    from summarizer.pipeline import Summarizer

    settings = llm_settings(context_tokens=4000, max_tokens=1000, cache=False)
    sync = summarize_once(settings, corpus_path(LONG))
    asked = len(server.requests)
    server.requests.clear()
    server.max_in_flight = 0

    async def run():
        summarizer = Summarizer(settings)
        try:
            return await summarizer.asummarize(corpus_path(LONG))
        finally:
            await summarizer.aclose()

    summary = asyncio.run(run())
    assert len(server.requests) == asked and server.max_in_flight > 1  # at once
    for section in (*SECTIONS, "metrics"):
        assert getattr(summary, section) == getattr(sync, section), section


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (400, "This model's maximum context length is 8000 tokens. However, you requested {n} "
         "tokens"),  # OpenAI, vLLM
        (500, "Requested tokens ({n}) exceed context window of 8000"),  # llama.cpp
    ],
)  # fmt: skip
def test_a_server_counting_more_tokens_gets_the_report_in_finer_parts(
    server, seeing, llm_settings, status, says
):
    """A tokenizer that splits Chinese finer (SmolLM2's counts 1.8 tokens a character)
    refuses parts the estimate let through: the report is cut finer and asked again, and
    the documents after start from the finer cut."""
    settings = llm_settings(context_tokens=8000, max_tokens=1000)
    refused = []
    seeing.counts = 2  # and it says so in its usage

    def twice_the_tokens(body):
        counted = 2 * request_tokens(body["messages"])
        if counted > 8000 - 1000:
            refused.append(body["messages"][1]["content"])
            return error(status, says.format(n=counted + 1000))
        return seeing(body)

    server.responder = twice_the_tokens
    from summarizer.pipeline import Summarizer

    with Summarizer(settings) as summarizer:
        summary = summarizer.summarize(corpus_path(LONG))
        asked = len(server.requests)
        assert refused and len(refused) < asked  # refused, then asked in finer parts
        assert len(refused) == len(set(refused))  # a refused request is never retried as is
        gold = seeing.answerable(LONG)
        for section in SECTIONS:
            back = {fold(i.text) for i in getattr(summary, section)}
            assert back == {fold(g["text"]) for g in gold.get(section) or []}, section
        assert not summary.meta.warnings
        before = len(refused)
        summarizer.summarize(corpus_path("003_952be00836213ecb"))
        assert len(refused) == before  # the next report starts from the finer cut


def test_a_re_ask_longer_than_the_context_keeps_the_first_answers_grounded_items(
    server, seeing, llm_settings
):
    """A re-ask carries the last answer and its errors, so it can be refused as too long
    where the first request fitted (vLLM counts the prompt and max_tokens): the part keeps
    what grounds of its first answer, the report is not cut again."""
    settings = llm_settings(context_tokens=8000, max_tokens=1000)
    invented = {"text": "编造的要点", "evidence": ["这一句话从来没有在文档里出现过"]}

    def refuse_re_asks(body):
        if len(body["messages"]) > 2:
            return error(400, "This model's maximum context length is 8000 tokens.")
        step = seeing(body)
        if step is not None and step.payload is not None:
            step.payload["achievements"] = [*step.payload.get("achievements", []), invented]
        return step

    server.responder = refuse_re_asks
    summary = summarize_once(settings, corpus_path(LONG))
    firsts = [b for b in server.requests if len(b["messages"]) == 2]
    assert len(firsts) == summary.meta.chunks >= 2  # no part was asked again, cut finer
    assert summary.meta.dropped and "编造" not in "".join(i.text for i in summary.achievements)
    gold = seeing.answerable(LONG)
    back = {fold(i.text) for i in summary.achievements}
    assert back == {fold(g["text"]) for g in gold["achievements"]}


#: Four reports of different kinds (a procuratorate's, a court's saved web page with its
#: site tail, a company's one-line self-review, a court's), bound into one file.
BOUND = (
    "a02_spp_work_report_2020_abstract",
    "003_952be00836213ecb",
    "b05_yulin_dangjian_selfeval_2021",
    "000_1cceb1fd464775c5",
)


def test_four_reports_bound_into_one_file_come_back_whole_at_a_6k_context(
    server, seeing, llm_settings
):
    """Issue #14's check from outside, on the corpus: ~29,000 characters at a 6,000-token
    context and the default max_tokens. (A web page's "猜你喜欢" tail used to take every
    report after it with it.)"""
    raw = "\n\n".join(seeing.corpus[d] for d in BOUND)
    joined: dict = {"title": None, "organization": None, "period": None}
    for section in (*SECTIONS, "metrics"):
        joined[section] = [x for d in BOUND for x in seeing.as_sent(d).get(section) or []]
    seeing.gold["bound"], seeing.corpus["bound"], seeing._sent["bound"] = joined, raw, joined
    summary = summarize_once(llm_settings(context_tokens=6000), raw, doc_id="bound")
    assert len(server.requests) >= 3 and not summary.meta.warnings
    for body in server.requests:
        assert request_tokens(body["messages"]) + body["max_tokens"] <= 6000
    quotes = []
    for section in SECTIONS:
        items = getattr(summary, section)
        assert sorted(fold(i.text) for i in items) == sorted(
            fold(g["text"]) for g in joined[section]
        )
        for item in items:
            quotes += item.evidence
            assert all(raw[a:b] == q for q, (a, b) in zip(item.evidence, item.spans, strict=True))
    assert len(quotes) == len(set(quotes))  # no quote twice


def test_the_token_scale_by_hand():
    from summarizer.budget import TokenScale

    scale = TokenScale()
    assert scale.factor == 1.0 and scale.limit(8000) == 8000
    scale.observe(1000, 700)  # the server counted 0.7 per estimated token
    assert scale.factor == pytest.approx(0.77) and scale.limit(7700) == 10_000
    scale.observe(1000, 500)  # a smaller ratio never lowers it: the largest seen counts
    assert scale.factor == pytest.approx(0.77)
    scale.observe(1000, 100)
    assert scale.factor == pytest.approx(0.77)
    assert scale.refused() and scale.factor == 2.0  # refused: the ceiling doubled from 1
    scale.observe(1000, 1500)
    assert scale.factor == pytest.approx(1.65)  # learned again after a refusal
    scale.observe(1000, 1990)
    assert scale.factor == 2.0  # never above the ceiling without a refusal
    assert scale.refused() and scale.refused() and scale.factor == 8.0
    assert not scale.refused()  # given up at the highest
    exact = TokenScale()
    exact.observe(1000, 1000)  # the estimate exactly: no stricter than at the start
    assert exact.factor == 1.0
    fresh = TokenScale()
    fresh.observe(1000, 10)  # a usage far too small is held at the floor
    assert fresh.factor == TokenScale.LOWEST
