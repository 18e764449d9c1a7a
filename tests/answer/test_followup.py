from __future__ import annotations

from answer.followup import is_follow_up, merge_follow_up


def test_region_follow_up_swaps_the_region():
    assert merge_follow_up("那上海呢?", ["北京工会要修改哪些法规?"]) == "上海工会要修改哪些法规?"
    assert merge_follow_up("重庆呢？", ["北京市的女职工委员会怎么建立?"]) == "重庆市的女职工委员会怎么建立?"


def test_other_follow_ups_borrow_the_previous_question():
    assert merge_follow_up("那加班呢?", ["哺乳期能安排夜班吗?"]) == "哺乳期能安排夜班吗? 加班"


def test_standalone_questions_are_left_alone():
    question = "劳动仲裁一般多长时间能出裁决?"
    assert not is_follow_up(question)
    assert merge_follow_up(question, ["北京工会要修改哪些法规?"]) == question
    assert merge_follow_up("那上海呢?", []) == "那上海呢?"


def test_follow_up_through_the_service_searches_with_context(tiny_retriever):
    from answer.service import AnswerService

    answer = AnswerService(tiny_retriever).ask("那北京呢?", history=["集体合同草案要经过职工代表大会讨论吗?"])
    assert answer.search_query == "集体合同草案要经过职工代表大会讨论吗? 北京"
