from __future__ import annotations

import json

import pytest

from eval.__main__ import evaluate
from eval.metrics import Question, hit_rank, is_hit, keyword_hit, load_questions, percentile, recall_at
from eval.overlap import bleu, meteor

Q = Question("q", "哺乳时间?", ("女职工劳动保护",), "1小时 哺乳时间", ("1小时",), True)
# A real lecoqa-style row: two relevant articles, any file.
TWO = Question(
    "l",
    "合伙必须要签订书面合同吗？",
    ("",),
    "合伙合同是两个以上合伙人为了共同的事业目的",
    (),
    True,
    evidences=("合伙合同是两个以上合伙人为了共同的事业目的", "合伙协议依法由全体合伙人协商一致、以书面形式订立。"),
)
ART_967 = "第九百六十七条 合伙合同是两个以上合伙人为了共同的事业目的，订立的共享利益、共担风险的协议。"
ART_4 = "第四条 合伙协议依法由全体合伙人协商一致、以书面形式订立。"


def test_hit_needs_the_evidence_ignoring_whitespace_and_the_right_file():
    text = "第九条 用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时\n哺乳时间。"
    assert is_hit(Q, text, "女职工劳动保护特别规定(2012-04-28).md")
    assert not is_hit(Q, text, "劳动法(2018-12-29).md")  # right words, wrong document
    assert not is_hit(Q, "安排哺乳时间。", "女职工劳动保护特别规定(2012-04-28).md")


def test_any_of_the_evidences_is_a_hit_in_any_file():
    assert hit_rank(TWO, [("无关条文", "a.md"), (ART_4, "民法商法/合伙企业法.md")]) == 2
    assert hit_rank(TWO, [(ART_967, "民法典/民法典.md")]) == 1
    assert hit_rank(TWO, [("无关条文", "a.md")]) is None


def test_recall_is_the_share_of_relevant_articles_found():
    assert recall_at(TWO, [(ART_967, "a.md"), ("无关", "b.md")]) == 0.5
    assert recall_at(TWO, [(ART_967, "a.md"), (ART_4, "b.md")]) == 1.0
    assert recall_at(TWO, [(ART_967, "a.md"), (ART_967, "c.md")]) == 0.5  # the same article twice counts once
    assert recall_at(TWO, []) == 0.0


def test_keyword_alternatives_are_separated_by_a_bar():
    assert keyword_hit(["30日|三十日"], "应当在三十日内作出决定")
    assert keyword_hit(["30日|三十日"], "30日内")
    assert not keyword_hit(["30日|三十日"], "十五日内")
    assert not keyword_hit([], "任何文字")


def test_every_keyword_entry_is_a_key_fact_the_answer_must_hold():
    keywords = ["工会法", "集体合同条例"]
    assert keyword_hit(keywords, "加快推进《北京市实施〈工会法〉办法》《北京市集体合同条例》的修改进程")
    assert not keyword_hit(keywords, "依据《中华人民共和国工会法》第四十条：本市有关国家机关修改法规时听取工会意见")


def test_meteor_and_bleu_over_jieba_tokens():
    reference = "劳动者可以解除劳动合同，用人单位应当支付经济补偿。"
    assert meteor(reference, reference) == pytest.approx(0.9998, abs=1e-3)  # nltk's METEOR tops out just under 1
    assert bleu(reference, reference) == pytest.approx(1.0)
    partial = meteor(reference, "劳动者可以解除劳动合同。")
    assert 0.2 < partial < 0.9
    assert meteor(reference, "今天天气很好") < 0.05
    assert meteor(reference, "劳动者可以解除劳动合同。[1]") == pytest.approx(partial)  # markers are not words
    assert meteor(reference, "劳动者可以\n解除劳动合同。") == pytest.approx(partial)  # nor are line breaks
    assert meteor(reference, "") == 0.0 and bleu(reference, "") == 0.0


def test_unanswerable_rows_never_hit():
    blank = Question("u", "红烧肉?", (), "", (), False)
    assert not is_hit(blank, "任何文字", "任何文件")


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5 and percentile([], 0.9) == 0.0


def test_bad_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "x"}\n{broken\n', "utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        load_questions(path)


def test_lecoqa_rows_load_with_evidences_reference_and_a_missing_reference(tmp_path):
    path = tmp_path / "q.jsonl"
    row = {
        "id": "l1",
        "question": "q",
        "docs": [""],
        "evidence": "甲",
        "evidences": ["甲", "乙"],
        "laws": ["某法第一条"],
    }
    path.write_text(
        json.dumps({**row, "reference": "参考答案"}, ensure_ascii=False)
        + "\n"
        + json.dumps({**row, "id": "l2", "reference": float("nan")}),
        "utf-8",
    )
    first, second = load_questions(path)
    assert first.relevant == ("甲", "乙") and first.reference == "参考答案" and first.laws == ("某法第一条",)
    assert second.reference == ""


def test_evaluate_reports_hits_recall_mrr_and_latency(tiny_retriever, tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "a",
            "question": "哺乳期的女职工每天有多少哺乳时间?",
            "docs": ["女职工"],
            "evidence": "1小时哺乳时间",
            "keywords": ["1小时|一小时"],
            "answerable": True,
        },
        {"id": "b", "question": "如何做一道红烧肉?", "docs": [], "evidence": "", "keywords": [], "answerable": False},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    report = evaluate(load_questions(path), tiny_retriever, k=5)
    assert report["answerable"] == 1 and report["hits_at_5"] == 1 and report["recall_at_5"] == 1.0
    assert report["mrr"] == pytest.approx(1 / report["results"][0]["hit_rank"])
    assert report["latency_ms_p50"] > 0
    assert report["results"][1]["hit_rank"] is None and report["results"][1]["relevance"] < 0.5
    assert len(report["results"][0]["top"]) == 5


def test_evaluate_with_answers_counts_keywords_citations_and_overlap(tiny_retriever, tmp_path):
    from answer.service import AnswerService

    path = tmp_path / "q.jsonl"
    row = {
        "id": "a",
        "question": "哺乳期的女职工每天有多少哺乳时间?",
        "docs": [""],
        "evidence": "用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时哺乳时间",
        "evidences": ["用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时哺乳时间"],
        "keywords": ["一小时|1小时"],
        "reference": "用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时哺乳时间。",
    }
    path.write_text(json.dumps(row, ensure_ascii=False), "utf-8")
    report = evaluate(load_questions(path), tiny_retriever, k=5, service=AnswerService(tiny_retriever))
    assert report["keyword_hits"] == 1 and report["answer_cites_relevant"] == 1
    assert report["meteor"] > 0.5 and 0 < report["bleu"] <= 1
