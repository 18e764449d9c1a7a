"""What a question asks for, read from its words (the quantity and case-outcome forms are tested with the
composer that uses them: test_extractive, test_case_outcomes)."""

from __future__ import annotations

import pytest

from answer.questions import asks_facts, asks_when, asks_who, asks_yes_no


@pytest.mark.parametrize(
    ("question", "yes_no", "who", "when"),
    [
        ("老板不给交社保我能辞职吗", True, False, False),
        ("公司扣我押金合法吗？", True, False, False),
        ("工伤待遇由谁来出？", False, True, False),
        ("去哪儿申请劳动仲裁", False, True, False),
        ("工会法什么时候施行的？", False, False, True),
        ("加班费怎么算", False, False, False),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question, yes_no, who, when):
    assert (asks_yes_no(question), asks_who(question), asks_when(question)) == (yes_no, who, when)


def test_what_happened_in_a_case_is_not_how_it_ended():
    assert asks_facts("那个快递员的案子，案情是怎么回事?")
    assert not asks_facts("那个快递员的案子最后怎么判的?")
    assert not asks_facts("经过仲裁以后还能去法院起诉吗?")
