from __future__ import annotations

from answer.followup import merge_follow_up, needs_context
from answer.service import AnswerService


def test_region_follow_up_swaps_the_region():
    assert merge_follow_up("那上海呢?", ["北京工会要修改哪些法规?"]) == "上海工会要修改哪些法规?"
    assert merge_follow_up("重庆呢？", ["北京市的女职工委员会怎么建立?"]) == "重庆市的女职工委员会怎么建立?"


def test_other_follow_ups_borrow_the_previous_question():
    assert merge_follow_up("那加班呢?", ["哺乳期能安排夜班吗?"]) == "哺乳期能安排夜班吗? 加班"


def test_what_needs_context():
    assert needs_context("那上海呢?") and needs_context("上海呢") and needs_context("重庆市？")
    assert needs_context("这种情况公司要赔钱吗?")  # points back
    assert needs_context("还有别的规定吗")
    # Short questions that stand on their own are not follow-ups, however short.
    assert not needs_context("加班费怎么算")
    assert not needs_context("劳动仲裁一般多长时间能出裁决?")
    assert merge_follow_up("那上海呢?", []) == "那上海呢?"


def test_a_short_standalone_question_is_not_merged(tiny_retriever):
    # Typed after a pregnancy question, "产假有多少天" is its own question and is searched as typed.
    answer = AnswerService(tiny_retriever).ask("产假有多少天?", history=["怀孕的女职工能安排夜班吗?"])
    assert answer.search_query == "产假有多少天?"
    assert "98天" in answer.text


def test_an_elliptical_follow_up_is_searched_with_context(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("那北京呢?", history=["集体合同草案要经过职工代表大会讨论吗?"])
    assert answer.search_query == "集体合同草案要经过职工代表大会讨论吗? 北京"
    assert not answer.refused


def test_a_merged_question_the_documents_do_not_cover_is_refused(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("那股票呢?", history=["如何做一道红烧肉?"])
    assert answer.search_query == "如何做一道红烧肉? 股票" and answer.refused


def test_a_vague_follow_up_borrows_the_previous_subject(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("能休几天?", history=["女职工生孩子有产假吗?"])
    assert answer.search_query == "女职工生孩子有产假吗? 能休几天"
    assert "98天" in answer.text


def test_a_follow_up_on_a_subject_the_documents_lack_does_not_borrow_the_previous_one(tiny_retriever):
    # Merged, the maternity question's words would carry the search and its article would be quoted
    # again, though nothing in it is about shares.
    answer = AnswerService(tiny_retriever).ask("股票怎么买?", history=["女职工生孩子有产假吗?"])
    assert answer.search_query == "股票怎么买?"
    assert answer.refused


def test_it_is_the_follow_up_s_own_words_that_keep_the_merge_out(tiny_retriever, monkeypatch):
    import answer.service

    monkeypatch.setattr(answer.service, "OWN_WORDS_KEPT", 0.0)
    answer = AnswerService(tiny_retriever).ask("股票怎么买?", history=["女职工生孩子有产假吗?"])
    assert answer.search_query == "女职工生孩子有产假吗? 股票怎么买"
