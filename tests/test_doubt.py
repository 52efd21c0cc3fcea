"""Doubt said aloud: what does not look like a Chinese work report is still answered,
with the reason in ``meta.warnings`` and on stderr, by either engine."""

from __future__ import annotations

import pytest

from summarizer.cli import main
from summarizer.doubt import doubts
from summarizer.offline import summarize_offline
from summarizer.read import load
from tests.conftest import DOC_IDS, corpus_path, summarize_once
from tests.fake_openai import answer

ENGLISH = (
    "Annual report 2023. The court closed 1,200 cases this year. Mediation rose by 12%. "
    "Next year we will open two more tribunals."
)
FILE_INDEX = "| 文件 | 大小 |\n|---|---|\n" + "".join(
    f"| 第{n}季度工作总结报告汇编材料.docx | {n}0KB |\n" for n in range(1, 31)
)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (ENGLISH, "no Chinese text"),
        ("XX区人民法院2023年工作总结", "very short, 10 Chinese characters"),
        (FILE_INDEX, "almost no sentences"),
        ("本院" + "the court worked hard on it. " * 30 + "收案一件。" * 40, "% of its"),
    ],
)
def test_what_is_not_a_report_is_answered_with_the_reason(text, why):
    summary = summarize_offline(load(text))
    assert len(summary.meta.warnings) == 1
    assert why in summary.meta.warnings[0]
    assert "does not look like a Chinese work report" in summary.meta.warnings[0]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_real_reports_raise_no_doubt(doc_id):
    assert doubts(load(corpus_path(doc_id))) == []


def test_a_bilingual_report_raises_no_doubt():
    chinese = "一、工作情况\n全年共受理案件1200件，审结1150件，结案率95.8%。" * 8
    english = "In 2023 the court received 1,200 cases and closed 1,150 of them. " * 4
    assert doubts(load(chinese + "\n" + english)) == []


def test_the_command_line_says_it_on_stderr(tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    assert main(["summarize", str(path), "--backend", "offline"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {path}: this does not look like a Chinese work report" in err


def test_the_model_path_says_it_too(server, llm_settings, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    quote = "The court closed 1,200 cases this year"
    server.default = answer(
        {
            "title": None,
            "organization": None,
            "period": None,
            "achievements": [{"text": "closed 1,200 cases", "evidence": [quote]}],
            "problems": [],
            "plans": [],
            "metrics": [],
        }
    )
    summary = summarize_once(llm_settings(), path)
    assert summary.meta.backend == "llm"
    assert any("no Chinese text" in w for w in summary.meta.warnings)


def test_a_long_document_is_judged_whole_when_its_opening_raises_a_doubt():
    english = "The court closed many cases this year and opened new tribunals. " * 100
    chinese = "全年共受理案件1200件，审结1150件，结案率95.8%，各项工作取得新进展。" * 200
    assert doubts(load(english * 2)) and "no Chinese text" in doubts(load(english * 2))[0]
    assert doubts(load(english + chinese)) == []  # mostly Chinese after an English opening
    assert doubts(load(chinese + english)) == []
