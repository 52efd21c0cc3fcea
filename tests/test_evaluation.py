"""The scorer and ``summarizer eval``, on cases computed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.evaluation import (
    Counts,
    Prediction,
    Prices,
    Report,
    compare,
    load_predictions,
    match_items,
    metric_key,
    score_document,
    similarity,
)
from summarizer.schemas import SECTIONS
from tests.conftest import CORPUS, DOC_IDS, GOLD, corpus_path, gold

RAW = (
    "一、基本情况\n今年共审结案件1,343件，结案率达98.14%，参加人数2000余人次。\n"
    "二、存在的问题\n一是队伍力量薄弱。二是信息化水平不高。\n"
)


def item(text: str, *evidence: str) -> dict[str, Any]:
    return {"text": text, "evidence": list(evidence)}


# --------------------------------------------------------------------------- figures


def test_counts_by_hand():
    c = Counts(tp=2, fp=1, fn=2)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(1 / 2)
    assert c.f1 == pytest.approx(4 / 7)  # 2·(2/3·1/2)/(2/3+1/2)
    assert Counts().empty and (Counts().precision, Counts().recall, Counts().f1) == (1, 1, 1)
    nothing_predicted = Counts(fn=3)
    assert (nothing_predicted.precision, nothing_predicted.recall, nothing_predicted.f1) == (
        0,
        0,
        0,
    )
    invented = Counts(fp=3)  # predicted where gold has nothing
    assert (invented.precision, invented.recall, invented.f1) == (0, 0, 0)


def test_similarity_is_character_bigram_f1_by_hand():
    assert similarity("审结案件", "审结案件") == 1.0
    # {审结,结案,案件} vs {结案,案率}: 1 shared; 2·1/(3+2)
    assert similarity("审结案件", "结案率") == pytest.approx(0.4)
    assert similarity("審結案件", "审结案件") == 1.0  # folded to Simplified first
    assert similarity("实现(xiàn)目标", "实现目标") == 1.0  # pinyin debris dropped
    assert similarity("ＡＢ １２", "AB12") == 1.0  # NFKC and whitespace
    # multiset: 哈哈哈 has 哈哈 twice, 哈哈 once: 2·1/(2+1)
    assert similarity("哈哈哈", "哈哈") == pytest.approx(2 / 3)
    assert similarity("", "审结") == 0.0


def test_metric_keys_normalize_the_number_and_keep_the_unit():
    def key(value: str, unit: str) -> tuple[str, str]:
        return metric_key({"value": value, "unit": unit})

    assert key("2,000", "元") == key("2000", "元") == key("２０００", "元")
    assert key("2000余", "人次") == key("2000", "人次")
    assert key("98.10", "%") == key("98.1", "％")
    assert key("１２", "件") == ("12", "件")
    assert key("2000", "万元") != key("2000", "元")
    assert key("3", "個") == key("3", "个")


# --------------------------------------------------------------------------- pairing


def test_items_pair_on_evidence_overlap_or_close_text():
    gold_items = [
        item("审结案件1343件", "今年共审结案件1,343件"),
        item("结案率达98.14%", "结案率达98.14%"),
    ]
    predicted = [
        item("完全不同的说法", "共审结案件1,343件，结案率"),  # evidence overlaps gold 0 by 10 chars
        item("结案率达到98.14%", "参加人数2000余人次"),  # no overlap; text F1 ≥ 0.5 with gold 1
        item("另一件事", "队伍力量薄弱"),  # nothing
    ]
    assert match_items(predicted, gold_items, RAW) == [(0, 0), (1, 1)]


def test_a_short_overlap_alone_does_not_pair():
    gold_items = [item("甲", "今年共审结案件")]
    predicted = [item("乙", "案件1,343件")]  # shares only 案件: 2 chars
    assert match_items(predicted, gold_items, RAW) == []


def test_a_gold_item_is_never_used_twice():
    gold_items = [item("审结案件", "今年共审结案件1,343件")]
    predicted = [item("a", "今年共审结案件1,343件"), item("b", "共审结案件1,343件")]
    assert len(match_items(predicted, gold_items, RAW)) == 1
    doc = score_document({"achievements": predicted}, {"achievements": gold_items}, RAW)
    c = doc.sections["achievements"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 0)


def test_the_assignment_is_optimal_where_greedy_is_not():
    # Pred 0 has the same text as gold 0 and evidence overlapping both gold items;
    # pred 1 overlaps gold 0 only. Best-first greedy pairs 0–0 and strands pred 1;
    # the optimal assignment pairs 0–1 and 1–0.
    gold_items = [item("审结案件情况", "今年共审结案件1,343件"), item("结案率", "结案率达98.14%")]
    predicted = [
        item("审结案件情况", "1,343件，结案率达98.14%"),
        item("别的说法", "共审结案件1,343"),
    ]
    assert match_items(predicted, gold_items, RAW) == [(0, 1), (1, 0)]


def test_a_traditional_quote_matches_its_simplified_twin():
    raw = "二、主要成績\n全年審結各類案件1,343件，實現(xiàn)了案結事了。\n"
    gold_items = [item("審結案件1343件", "全年審結各類案件1,343件")]
    predicted = [item("完全另写的一句话", "全年审结各类案件1,343件")]  # Simplified evidence
    assert match_items(predicted, gold_items, raw) == [(0, 0)]
    doc = score_document({"achievements": predicted}, {"achievements": gold_items}, raw)
    assert doc.sections["achievements"].f1 == 1.0
    assert doc.grounding_rate == 0.0  # matched, but the quote is not verbatim in the file


# --------------------------------------------------------------------------- documents


def test_document_score_by_hand():
    gold_doc = {
        "doc_id": "d",
        "achievements": [
            item("审结案件1343件", "今年共审结案件1,343件"),
            item("参加人数2000余人次", "参加人数2000余人次"),
        ],
        "problems": [],
        "plans": [],
        "metrics": [
            {"name": "结案率", "value": "98.14", "unit": "%", "evidence": "结案率达98.14%"},
            {"name": "审结", "value": "1343", "unit": "件", "evidence": "审结案件1,343件"},
            {"name": "参加", "value": "2000", "unit": "人次", "evidence": "参加人数2000余人次"},
        ],
    }
    predicted = {
        "achievements": [
            {"text": "审结", "evidence": ["今年共审结案件1,343件"], "spans": [[7, 20]]},
            item("别的", "结案率达98.14%"),
        ],
        "problems": [item("队伍力量薄弱", "队伍力量薄弱", "不在文中的话")],
        "plans": [],
        "metrics": [
            {"value": "98.14", "unit": "%", "evidence": "结案率达98.14%"},
            {"value": "1,343", "unit": "件"},
            {"value": "2000", "unit": "名"},
        ],
    }
    doc = score_document(predicted, gold_doc, RAW)
    a, p = doc.sections["achievements"], doc.sections["problems"]
    assert (a.tp, a.fp, a.fn) == (1, 1, 1)
    assert (p.tp, p.fp, p.fn) == (0, 1, 0)
    assert (doc.metrics.tp, doc.metrics.gold, doc.metrics.predicted) == (2, 3, 3)
    assert doc.metrics.recall == pytest.approx(2 / 3) and doc.metrics.precision == pytest.approx(
        2 / 3
    )
    assert (doc.quotes_verbatim, doc.quotes) == (4, 5)  # 3 item quotes + 1 metric quote in RAW
    assert doc.items_in_empty_sections == 1
    assert doc.matched["achievements"] == [("审结", "审结案件1343件")]  # (predicted, gold)
    assert doc.missed["achievements"] == ["参加人数2000余人次"]
    assert doc.unmatched["achievements"] == ["别的"]
    assert doc.matched_metrics == [("?: 98.14%", "结案率: 98.14%"), ("?: 1,343件", "审结: 1343件")]
    assert doc.missed_metrics == ["参加: 2000人次"] and doc.unmatched_metrics == ["?: 2000名"]
    # achievements F1 1/2, problems 0 (invented), plans: nothing anywhere, left out
    assert doc.macro_f1 == pytest.approx(0.25)
    assert doc.micro.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))  # tp1 fp2 fn1
    assert doc.status == "invalid" and not doc.schema_valid  # no meta: not a ReportSummary


def test_gold_against_itself_scores_one_everywhere():
    report = Report(
        [score_document(gold(d), gold(d), corpus_path(d).read_text("utf-8")) for d in DOC_IDS]
    )
    figures = report.to_dict()
    assert figures["macro_f1"] == figures["micro"]["f1"] == 1.0
    for s in ("achievements", "problems", "plans"):
        assert figures["sections"][s]["precision"] == figures["sections"][s]["recall"] == 1.0
    assert figures["metric_recall"] == figures["metric_precision"] == 1.0
    assert figures["grounding_rate"] == 1.0
    assert figures["items_in_empty_sections"] == 0


def test_an_empty_prediction_has_recall_zero():
    report = Report(
        [score_document({}, gold(d), corpus_path(d).read_text("utf-8")) for d in DOC_IDS]
    )
    for c in report.sections.values():
        assert c.recall == 0.0 if c.gold else c.empty
    assert report.macro_f1 == 0.0 and report.metrics.recall == 0.0
    assert report.grounding_rate is None  # nothing quoted


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_dropping_k_of_n_items_gives_recall_n_minus_k_over_n(doc_id):
    g = gold(doc_id)
    kept = g["achievements"][::2]  # every other achievement dropped
    n, k = len(g["achievements"]), len(g["achievements"]) - len(kept)
    doc = score_document({**g, "achievements": kept}, g, corpus_path(doc_id).read_text("utf-8"))
    c = doc.sections["achievements"]
    assert c.recall == (n - k) / n
    assert c.precision == 1.0
    assert len(doc.missed["achievements"]) == k


def test_prices_cost_by_hand():
    prices = Prices({"deepseek-chat": (0.27, 1.10), "*": (1.0, 2.0)})
    usage = {"prompt_tokens": 1_000_000, "completion_tokens": 500_000}
    assert prices.cost({"backend": "llm", "model": "deepseek-chat", "usage": usage}) == (
        pytest.approx(0.27 + 0.55)
    )
    assert prices.cost({"backend": "llm", "model": "other", "usage": usage}) == pytest.approx(2.0)
    assert Prices().cost({"backend": "llm", "model": "x", "usage": usage}) is None
    assert Prices().cost({"backend": "offline"}) == 0.0


def test_baseline_deltas_by_hand():
    now = {"macro_f1": 0.8, "micro": {"f1": 0.7}, "metrics": {"recall": 0.5}, "sections": {}}
    before = {"macro_f1": 0.75, "micro": {"f1": 0.7}, "metrics": {"recall": None}, "sections": {}}
    assert compare(now, before) == {"macro_f1": 0.05, "micro_f1": 0.0}


def test_every_row_has_its_delta():
    def figures(f1: float, metric_f1: float) -> dict[str, Any]:
        row = {"precision": f1, "recall": f1, "f1": f1}
        metrics = {"precision": metric_f1, "recall": metric_f1, "f1": metric_f1}
        return {"sections": {s: row for s in SECTIONS}, "metrics": metrics}

    deltas = compare(figures(0.5, 0.25), figures(0.25, 0.5))
    for row in (*SECTIONS, "metrics"):
        for name in ("precision", "recall", "f1"):
            assert deltas[f"{row}.{name}"] == (0.25 if row != "metrics" else -0.25)


def test_predictions_file_records(tmp_path: Path):
    path = tmp_path / "pred.jsonl"
    lines = [
        json.dumps({"doc_id": "a", "achievements": []}),
        "not json",
        json.dumps({"doc_id": "b", "error": {"type": "InputError", "message": "b.txt: empty"}}),
        json.dumps({"doc_id": "a", "achievements": [item("x", "y")]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    predictions, notices = load_predictions(path)
    assert set(predictions) == {"a", "b"}
    assert predictions["a"].summary["achievements"] == [item("x", "y")]  # the last line wins
    assert predictions["a"].status == "invalid"  # no meta: not a ReportSummary
    assert predictions["b"].status == "failed" and predictions["b"].summary == {}
    assert len(notices) == 2 and ":2:" in notices[0] and "seen before" in notices[1]


# --------------------------------------------------------------------------- the command


def run_eval(*args: str) -> int:
    return main(["eval", "--gold", str(GOLD), "--corpus", str(CORPUS), "-q", *args])


def jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_eval_gold_as_predictions_passes_the_gate(tmp_path, capsys):
    pred = jsonl(tmp_path / "gold.jsonl", [gold(d) for d in DOC_IDS])
    out = tmp_path / "m.json"
    assert run_eval("--pred", str(pred), "--json", str(out), "--fail-under", "0.99") == 0
    figures = json.loads(out.read_text("utf-8"))
    assert figures["macro_f1"] == 1.0 and figures["metric_recall"] == 1.0
    assert len(figures["documents"]) == len(DOC_IDS)
    out = capsys.readouterr().out
    assert "items macro F1 1.000: the mean F1 of achievements, problems and plans" in out
    assert "(metrics not included)" in out and "metrics F1 1.000" in out
    assert run_eval("--pred", str(GOLD), "--fail-under", "1.0") == 0  # a folder of JSON works too


def test_eval_empty_prediction_fails_the_gate(tmp_path, capsys):
    pred = jsonl(tmp_path / "empty.jsonl", [{"doc_id": DOC_IDS[0]}])  # the others: missing
    out = tmp_path / "m.json"
    assert run_eval("--pred", str(pred), "--json", str(out), "--fail-under", "0.1") == 1
    figures = json.loads(out.read_text("utf-8"))
    assert figures["sections"]["achievements"]["recall"] == 0.0
    assert figures["predictions"]["missing"] == len(DOC_IDS) - 1
    assert "under --fail-under 0.1" in capsys.readouterr().err


def test_eval_offline_with_report_and_baseline(tmp_path, capsys):
    first, second, report = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.md"
    saved = tmp_path / "pred.jsonl"
    assert run_eval("--backend", "offline", "--json", str(first), "--save-pred", str(saved)) == 0
    assert len(saved.read_text("utf-8").splitlines()) == len(DOC_IDS)
    # the saved predictions score the same, and the baseline delta is zero
    code = run_eval(
        "--pred", str(saved), "--json", str(second), "--report", str(report),
        "--baseline", str(first),
    )  # fmt: skip
    assert code == 0
    a, b = json.loads(first.read_text("utf-8")), json.loads(second.read_text("utf-8"))
    assert a["macro_f1"] == b["macro_f1"] and b["baseline"]["deltas"]["macro_f1"] == 0.0
    assert b["schema_valid_rate"] == 1.0
    text = report.read_text("utf-8")
    missed = [t for d in b["documents"] for s in d["missed"].values() for t in s]
    assert missed and all(t.replace("|", "\\|") in " ".join(text.split()) for t in missed[:3])
    assert "**missed**" in text and "## " + DOC_IDS[0] in text
    pairs = [
        (p["predicted"], p["gold"])
        for d in b["documents"]
        for s in d["matched"].values()
        for p in s
    ]
    assert len(pairs) == sum(b["sections"][s]["matched"] for s in SECTIONS)
    predicted, gold_text = next((p, g) for p, g in pairs if p != g)
    assert (
        f"- **matched**: {' '.join(predicted.split())} ⇄ *gold:* {' '.join(gold_text.split())}"
        in text
    )
    metrics_row = next(line for line in text.splitlines() if line.startswith("| metrics |"))
    assert metrics_row.endswith("| +0.000 | +0.000 | +0.000 |")  # the Δ of the metrics row too
    out = capsys.readouterr().out
    assert "Δ F1" in out and "## " + DOC_IDS[0] not in out
    assert run_eval("--pred", str(saved), "--details") == 0  # the pairs on stdout as well
    out = capsys.readouterr().out
    assert "## " + DOC_IDS[0] in out and "- **matched**: " in out


def test_eval_reports_bad_inputs_in_one_line(tmp_path, capsys):
    assert main(["eval", "--gold", str(tmp_path), "--pred", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no *.json gold files" in err and err.count("\n") == 1
    assert run_eval("--pred", str(tmp_path / "nope.jsonl")) == 1
    assert "nope.jsonl" in capsys.readouterr().err
    wrong = jsonl(tmp_path / "w.jsonl", [{"doc_id": "other"}])
    assert run_eval("--pred", str(wrong)) == 1
    assert "right --gold" in capsys.readouterr().err


def test_prediction_objects_score_like_dicts():
    d = DOC_IDS[0]
    raw = corpus_path(d).read_text("utf-8")
    a = score_document(Prediction.from_record(gold(d)), gold(d), raw)
    b = score_document(gold(d), gold(d), raw)
    assert a.as_dict() == b.as_dict()
    assert a.status == "invalid" and "spans" in (a.error or "")  # gold has no spans or meta


def test_placement_against_section_ranges_by_hand():
    """Ranges [0,10) none, [10,50) achievements, [50,80) problems, [80,100) plans. Three
    achievements: at 12 (in range), at 60 and 55+85 (a tie: its first quote wins, problems:
    out); one problem at 52 (in); one plan at 20 (out); an item without spans is not placed.
    So achievements 1/3 in range, problems 1/1, plans 0/1; plans has a range but no item
    lies in it: not found. Targets: 8% found, 900万人 not: 1/2."""
    from summarizer.evaluation.placement import has_item_gold, place, pooled_placement

    gold = {
        "ranges": [
            {"section": "none", "start": 0, "end": 10},
            {"section": "achievements", "start": 10, "end": 50},
            {"section": "problems", "start": 50, "end": 80},
            {"section": "plans", "start": 80, "end": 100},
        ],
        "targets": [
            {"name": "GDP", "value": "8", "unit": "%"},
            {"name": "就业", "value": "900", "unit": "万人"},
        ],
    }
    prediction = {
        "achievements": [
            {"spans": [[12, 20]]},
            {"spans": [[60, 70]]},
            {"spans": [[55, 58], [85, 90]]},
            {"text": "no spans"},
        ],
        "problems": [{"spans": [[52, 56]]}],
        "plans": [{"spans": [[20, 30]]}],
        "metrics": [{"value": "8", "unit": "%"}, {"value": "9", "unit": "万人"}],
    }
    p = place(prediction, gold)
    assert p is not None and not has_item_gold(gold)
    assert (p.placed["achievements"], p.inside["achievements"]) == (3, 1)
    assert (p.placed["problems"], p.inside["problems"]) == (1, 1)
    assert (p.placed["plans"], p.inside["plans"]) == (1, 0)
    assert p.share_inside("achievements") == pytest.approx(1 / 3)
    assert [p.found[s] for s in ("achievements", "problems", "plans")] == [1, 1, 0]
    assert (p.targets.tp, p.targets.gold) == (1, 2) and p.outcomes.gold == 0
    pooled = pooled_placement([p, None, p])
    assert pooled is not None and pooled.documents == 2 and pooled.share_found("plans") == 0.0
    assert place(prediction, {"achievements": []}) is None


def test_eval_reads_range_gold_and_says_no_item_gold(tmp_path, capsys):
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir(), gold.mkdir()
    text = (
        "总结\n一、主要工作\n全年办结案件1200件。\n二、存在的问题\n"
        "一是办案人手不足，员额法官人均结案300件。二是信息化建设滞后，系统运行不稳定。\n"
    )
    (corpus / "r.txt").write_text(text, encoding="utf-8")
    cut = text.index("二、")
    ranges = [
        {"section": "none", "start": 0, "end": 3},
        {"section": "achievements", "start": 3, "end": cut},
        {"section": "problems", "start": cut, "end": len(text)},
    ]
    (gold / "r.json").write_text(json.dumps({"ranges": ranges}), encoding="utf-8")
    code = main(["eval", "--backend", "offline", "--gold", str(gold), "--corpus", str(corpus)])
    out = capsys.readouterr().out
    assert code == 0
    assert "no document here has item gold" in out
    assert "problems: 100% of 2 items in range; found in 1/1 documents" in out


def test_range_gold_alone_gives_no_item_score_and_no_gate(tmp_path, capsys):
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir(), gold.mkdir()
    text = "总结\n一、主要工作\n全年办结案件1200件。\n"
    (corpus / "r.txt").write_text(text, encoding="utf-8")
    ranges = [{"section": "achievements", "start": 0, "end": len(text)}]
    (gold / "r.json").write_text(json.dumps({"ranges": ranges}), encoding="utf-8")
    out = tmp_path / "figures.json"
    argv = ["eval", "--backend", "offline", "--gold", str(gold), "--corpus", str(corpus)]
    assert main([*argv, "--fail-under", "0.9", "--json", str(out)]) == 0  # no item score to fail
    assert "--fail-under not applied" in capsys.readouterr().err
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["macro_f1"] is None and figures["documents"][0]["macro_f1"] is None
    assert figures["documents_with_item_gold"] == 0
