from __future__ import annotations

import pytest

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
    # …to what the message itself tells: a story's 上面 (the contractor above), 这种情况, 他们 stand alone
    assert not needs_context("包工头说上面总包没给钱，拖着我们十几个人的工资不发。请问这钱该找谁要？")
    assert not needs_context("公司一直不给交社保。这种情况我能辞职吗?")
    assert not needs_context("三年前公司少发了我两个月工资。现在去劳动监察举报，他们还会管吗？")
    assert needs_context("还有别的规定吗")
    # Short questions that stand on their own are not follow-ups, however short.
    assert not needs_context("加班费怎么算")
    assert not needs_context("劳动仲裁一般多长时间能出裁决?")
    assert merge_follow_up("那上海呢?", []) == "那上海呢?"


@pytest.mark.parametrize(
    ("question", "history", "searched", "quotes"),
    [
        # typed after a pregnancy question, a short question that stands alone is searched as typed
        ("产假有多少天?", "怀孕的女职工能安排夜班吗?", "产假有多少天?", "98天"),
        # elliptical: searched with the previous question
        (
            "那北京呢?",
            "集体合同草案要经过职工代表大会讨论吗?",
            "集体合同草案要经过职工代表大会讨论吗? 北京",
            "北京市集体合同条例",
        ),
        # vague, too weak alone: borrows the previous subject, and its passage holds 休 (休假)
        ("能休几天?", "女职工生孩子有产假吗?", "女职工生孩子有产假吗? 能休几天", "98天"),
        # (merged, but the documents do not cover it: tests/web/test_api.py, where a real model judges relevance)
        # merged, the maternity question's words would carry the search and its article would be
        # quoted again, though nothing in it is about shares: searched as typed, and refused
        ("股票怎么买?", "女职工生孩子有产假吗?", "股票怎么买?", None),
    ],
    ids=["standalone", "elliptical", "vague", "off-topic-follow-up"],
)
def test_what_a_follow_up_is_searched_as_and_answered_with(tiny_retriever, question, history, searched, quotes):
    answer = AnswerService(tiny_retriever).ask(question, history=[history])
    assert answer.search_query == searched
    assert answer.refused is (quotes is None)
    if quotes:
        assert quotes in answer.text


def test_it_is_the_follow_up_s_own_words_that_keep_the_merge_out(tiny_retriever, monkeypatch):
    monkeypatch.setattr("answer.service.OWN_WORDS_KEPT", 0.0)
    answer = AnswerService(tiny_retriever).ask("股票怎么买?", history=["女职工生孩子有产假吗?"])
    assert answer.search_query == "女职工生孩子有产假吗? 股票怎么买"
