from __future__ import annotations

import json

import pytest

from eval.__main__ import evaluate
from eval.metrics import Question, hit_rank, is_hit, load_questions, percentile

Q = Question("q", "哺乳时间?", ("女职工劳动保护",), "1小时 哺乳时间", ("1小时",), True)


def test_hit_needs_the_evidence_ignoring_whitespace_and_the_right_file():
    text = "第九条 用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时\n哺乳时间。"
    assert is_hit(Q, text, "女职工劳动保护特别规定(2012-04-28).md")
    assert not is_hit(Q, text, "劳动法(2018-12-29).md")  # right words, wrong document
    assert not is_hit(Q, "安排哺乳时间。", "女职工劳动保护特别规定(2012-04-28).md")


def test_unanswerable_rows_never_hit():
    blank = Question("u", "红烧肉?", (), "", (), False)
    assert not is_hit(blank, "任何文字", "任何文件")


def test_hit_rank_is_one_based():
    passages = [("无关", "劳动法.md"), ("1小时哺乳时间", "女职工劳动保护特别规定.md")]
    assert hit_rank(Q, passages) == 2
    assert hit_rank(Q, passages[:1]) is None


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5 and percentile([], 0.9) == 0.0


def test_bad_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "x"}\n{broken\n', "utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        load_questions(path)


def test_evaluate_reports_hits_mrr_and_latency(tiny_retriever, tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "a",
            "question": "哺乳期的女职工每天有多少哺乳时间?",
            "docs": ["女职工"],
            "evidence": "1小时哺乳时间",
            "keywords": [],
            "answerable": True,
        },
        {"id": "b", "question": "如何做一道红烧肉?", "docs": [], "evidence": "", "keywords": [], "answerable": False},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    report = evaluate(load_questions(path), tiny_retriever, k=5)
    assert report["answerable"] == 1 and report["hits_at_5"] == 1
    assert report["mrr"] == pytest.approx(1 / report["results"][0]["hit_rank"])
    assert report["latency_ms_p50"] > 0
    assert report["results"][1]["hit_rank"] is None and report["results"][1]["relevance"] < 0.5
    assert len(report["results"][0]["top"]) == 5
