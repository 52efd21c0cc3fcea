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
