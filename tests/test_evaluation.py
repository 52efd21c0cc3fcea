"""The scorer, on cases computed by hand."""

from __future__ import annotations

import pytest

from summarizer.evaluation import Counts, aggregate, dice, match_items, overlap, score_document

RAW = (
    "一、基本情况\n今年共审结案件1,343件，结案率达98.14%，参加人数2000余人次。\n"
    "二、存在的问题\n一是队伍力量薄弱。二是信息化水平不高。\n"
)


def test_counts_by_hand():
    c = Counts(tp=2, fp=1, fn=2)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(1 / 2)
    assert c.f1 == pytest.approx(4 / 7)  # 2·(2/3·1/2)/(2/3+1/2)
    assert Counts().empty and Counts().f1 == 1.0
    assert Counts(fp=3).f1 == 0.0  # predicted where gold has nothing


def test_dice_and_overlap_by_hand():
    assert dice("审结案件", "审结案件") == 1.0
    assert dice("审结案件", "结案率") == pytest.approx(0.4)  # {审结,结案,案件} vs {结案,案率}
    assert dice("審結案件", "审结案件") == 1.0  # folded first
    assert overlap([(0, 10), (20, 30)], [(8, 25)]) == 5
    assert overlap([(0, 5)], [(5, 9)]) == 0


def test_items_pair_on_evidence_overlap_or_close_text():
    gold = [
        {"text": "审结案件1343件", "evidence": ["今年共审结案件1,343件"]},
        {"text": "结案率达98.14%", "evidence": ["结案率达98.14%"]},
    ]
    predicted = [
        {
            "text": "完全不同的说法",
            "evidence": ["共审结案件1,343件，结案率"],
        },  # 10 chars overlap gold 0
        {
            "text": "结案率达到98.14%",
            "evidence": ["参加人数2000余人次"],
        },  # no overlap, close text → gold 1
        {"text": "另一件事", "evidence": ["队伍力量薄弱"]},  # nothing
    ]
    assert sorted(match_items(predicted, gold, RAW)) == [(0, 0), (1, 1)]


def test_short_overlap_alone_does_not_pair():
    gold = [{"text": "甲", "evidence": ["今年共审结案件"]}]
    predicted = [{"text": "乙", "evidence": ["案件1,343件"]}]  # shares only 案件: 2 chars
    assert match_items(predicted, gold, RAW) == []


def test_each_gold_item_is_paired_once():
    gold = [{"text": "审结案件", "evidence": ["今年共审结案件1,343件"]}]
    predicted = [
        {"text": "a", "evidence": ["今年共审结案件1,343件"]},
        {"text": "b", "evidence": ["共审结案件1,343件"]},
    ]
    assert match_items(predicted, gold, RAW) == [(0, 0)]


def test_document_score_by_hand():
    gold = {
        "doc_id": "d",
        "achievements": [
            {"text": "审结案件1343件", "evidence": ["今年共审结案件1,343件"]},
            {"text": "参加人数2000余人次", "evidence": ["参加人数2000余人次"]},
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
            {"text": "别的", "evidence": ["结案率达98.14%"]},
        ],
        "problems": [{"text": "队伍力量薄弱", "evidence": ["队伍力量薄弱", "不在文中的话"]}],
        "plans": [],
        "metrics": [
            {"value": "98.14", "unit": "%"},
            {"value": "1,343", "unit": "件"},
            {"value": "2000", "unit": "名"},
        ],
    }
    doc = score_document(predicted, gold, RAW)
    a, p = doc.sections["achievements"], doc.sections["problems"]
    assert (a.tp, a.fp, a.fn) == (1, 1, 1)
    assert (p.tp, p.fp, p.fn) == (0, 1, 0)
    assert (doc.metrics_found, doc.metrics_gold, doc.metrics_predicted) == (2, 3, 3)
    assert (doc.quotes_in_document, doc.quotes) == (3, 4)
    assert doc.violations == ["d: 1 problems where gold has none"]

    report = aggregate([doc])
    assert report.macro_f1 == pytest.approx((0.5 + 0.0) / 2)  # plans: nothing anywhere, left out
    assert report.metric_recall == pytest.approx(2 / 3)
    assert report.quote_validity == pytest.approx(3 / 4)
    assert "macro item-F1: **0.250**" in report.to_markdown()
