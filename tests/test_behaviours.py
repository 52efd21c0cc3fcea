"""Models that misbehave in the ways real ones do, over real HTTP, one behaviour at a
time, over every report in eval/corpus (issue #28; figures in eval/bench_behaviours.py)."""

from __future__ import annotations

import pytest

from summarizer import Summarizer
from summarizer.evaluation import score_document
from summarizer.grounding import verify
from summarizer.normalize import fold
from tests.conftest import CORPUS, GOLD, corpus_path
from tests.misbehaving_model import INVENTED, MisbehavingModel

SECTIONS = ("achievements", "problems", "plans")


def run_all(
    server, llm_settings, behaviour: str, temperament: str
) -> tuple[dict, MisbehavingModel]:
    model = MisbehavingModel.from_dirs(GOLD, CORPUS, behaviour=behaviour, temperament=temperament)
    server.responder = model
    seen = {"kept": 0, "gold": 0, "false": 0, "headers": 0, "repeats": 0, "misfiled_left": 0}
    with Summarizer(llm_settings(cache=False)) as summarizer:
        for doc_id, gold in sorted(model.gold.items()):
            summary = summarizer.summarize(corpus_path(doc_id))  # every report answered
            raw = model.corpus[doc_id]
            assert verify(summary, raw) == []
            score = score_document(summary, gold, raw)
            seen["kept"] += sum(score.sections[s].tp for s in SECTIONS)
            seen["gold"] += sum(len(gold.get(s) or []) for s in SECTIONS)
            rec = model.injected[doc_id]
            texts = {fold(i.text) for s in SECTIONS for i in getattr(summary, s)}
            pairs = {(fold(n), v) for n, v in rec.metric_pairs}
            seen["false"] += sum((fold(m.name), m.value) in pairs for m in summary.metrics)
            seen["false"] += sum(fold(t) in texts for t in rec.item_texts)
            seen["repeats"] += sum(fold(t) in texts for t in rec.repeats)
            shown = (summary.title, summary.organization, summary.period, summary.overview)
            seen["headers"] += any(v and any(w in v for w in INVENTED.values()) for v in shown)
            planned = {fold(i["text"]) for s in ("problems", "plans") for i in gold.get(s) or []}
            seen["misfiled_left"] += sum(fold(i.text) in planned for i in summary.achievements)
    return seen, model


@pytest.mark.slow
@pytest.mark.parametrize("temperament", ["obedient", "stubborn"])
@pytest.mark.parametrize("behaviour", ["misattribute", "rewrite"])
def test_no_false_figure_reaches_the_output(server, llm_settings, behaviour, temperament):
    """A real number under another metric's name or in another point's text, a rounded
    figure: re-asked, then dropped; a figure written another way with the same value
    (一千二百, 1.2万) stands."""
    seen, model = run_all(server, llm_settings, behaviour, temperament)
    injected = sum(
        len(r.metric_pairs) + len(r.item_texts) + r.rewritten for r in model.injected.values()
    )
    assert injected > 20  # the model really misbehaved
    assert seen["false"] == 0
    kept = seen["kept"] / seen["gold"]
    assert kept >= (0.95 if temperament == "obedient" else 0.6), kept


#: Behaviours a model fixes when re-asked (or that need no re-ask): ≥ 95% of gold kept.
CORRECTED = {"misattribute", "rewrite", "repeat", "truncate", "nulls", "headers"}


@pytest.mark.slow
@pytest.mark.parametrize("temperament", ["obedient", "stubborn"])
@pytest.mark.parametrize("behaviour", ["repeat", "truncate", "reword", "nulls", "headers"])
def test_a_misbehaving_model_still_gives_a_faithful_summary(
    server, llm_settings, behaviour, temperament
):
    """A point given twice is merged; a reply cut off by the server is asked again; a
    reworded quote costs that quote, not its point; nulls are left out without a re-ask;
    invented headers reach neither the fields nor the overview."""
    seen, model = run_all(server, llm_settings, behaviour, temperament)
    assert seen["false"] == seen["headers"] == seen["repeats"] == 0
    kept = seen["kept"] / seen["gold"]
    corrected = behaviour in CORRECTED and (temperament == "obedient" or behaviour != "repeat")
    assert kept >= (0.95 if corrected else 0.6), kept
    if behaviour in ("nulls", "headers"):  # nothing to re-ask: as many as a good model
        asked = len(server.requests)
        server.requests.clear()
        run_all(server, llm_settings, "none", temperament)
        assert asked == len(server.requests)
    if behaviour == "repeat":
        assert sum(len(r.repeats) for r in model.injected.values()) > 20


def test_a_reply_cut_at_the_limit_sent_keeps_its_complete_points(server, llm_settings):
    """Cut at the max_tokens sent: asking again would cut it again, so the points complete
    before the cut are kept, and the report is answered from one request."""
    from tests.conftest import gold_answer
    from tests.fake_openai import answer

    doc = "000_1cceb1fd464775c5"
    server.default = answer(gold_answer(doc), finish_reason="length", usage=(1000, 4000))
    with Summarizer(llm_settings(cache=False, max_tokens=4000)) as summarizer:
        summary = summarizer.summarize(corpus_path(doc))
    assert len(server.requests) == 1
    points = summary.achievements + summary.problems + summary.plans
    assert 0 < len(points) < len(gold_answer(doc)["achievements"]) + 20
    assert verify(summary, model_raw(doc)) == []


def test_a_cut_reply_never_blames_a_limit_that_was_not_hit(server, llm_settings):
    """Cut twice by the server well below max_tokens, with nothing complete before the
    cut: the error names the server's limit, not --max-tokens."""
    from summarizer.errors import SummarizerError
    from tests.fake_openai import Step

    server.default = Step(content='{"title": "法院工作', finish_reason="length", usage=(1000, 20))
    with (
        Summarizer(llm_settings(cache=False, max_tokens=4000)) as summarizer,
        pytest.raises(SummarizerError) as raised,
    ):
        summarizer.summarize(corpus_path("000_1cceb1fd464775c5"))
    message = str(raised.value)
    assert "below the max_tokens=4,000 sent" in message and "--max-tokens" not in message
    assert len(server.requests) == 2  # asked once more: the cut was the server's


def model_raw(doc_id: str) -> str:
    return corpus_path(doc_id).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("temperament", ["obedient", "stubborn"])
def test_plans_and_problems_given_as_achievements_go_where_the_document_puts_them(
    server, llm_settings, temperament
):
    """Moved where the document's heading or turn puts them (and recorded), without a
    re-ask: at most a tenth of what the model misfiled stays among the achievements."""
    seen, model = run_all(server, llm_settings, "misfile", temperament)
    misfiled = sum(r.misfiled for r in model.injected.values())
    assert misfiled > 20
    assert seen["misfiled_left"] <= 0.1 * misfiled
    assert seen["kept"] / seen["gold"] >= 0.95


def test_a_problem_the_review_admits_stays_a_problem(server, llm_settings):
    """Only achievements are moved: a problem the model files from inside the review
    (where a heading says achievements) is the document's admission, and stays."""
    from tests.conftest import gold_answer
    from tests.fake_openai import answer

    doc = "000_1cceb1fd464775c5"
    reply = gold_answer(doc)
    admitted = reply["achievements"][0]
    reply["problems"] = [*reply["problems"], admitted]
    reply["achievements"] = reply["achievements"][1:]
    server.default = answer(reply)
    with Summarizer(llm_settings(cache=False)) as summarizer:
        summary = summarizer.summarize(corpus_path(doc))
    assert fold(admitted["text"]) in {fold(i.text) for i in summary.problems}
    assert not any("moved" in d.reason for d in summary.meta.dropped)
