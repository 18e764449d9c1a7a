"""What a question asks for, read from its words (the quantity and case-outcome forms are tested with the
composer that uses them: test_extractive, test_case_outcomes)."""

from __future__ import annotations

import pytest

from answer.questions import (
    answer_form,
    asking_sentences,
    asks_facts,
    asks_when,
    asks_which,
    asks_yes_no,
    who_form,
)


@pytest.mark.parametrize(
    ("question", "yes_no", "who", "when"),
    [
        ("老板不给交社保我能辞职吗", True, False, False),
        ("公司扣我押金合法吗？", True, False, False),
        ("工伤待遇由谁来出？", False, True, False),
        ("去哪儿申请劳动仲裁", False, True, False),
        ("工会法什么时候施行的？", False, False, True),
        ("加班费怎么算", False, False, False),
        # a story tells, then asks: 违法 in the telling makes no yes/no question of 找谁
        ("公司违法把我辞退了，工资也没结。请问该去找谁？", False, True, False),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question, yes_no, who, when):
    assert (asks_yes_no(question), who_form(question) is not None, asks_when(question)) == (yes_no, who, when)


def test_what_happened_in_a_case_is_not_how_it_ended():
    assert asks_facts("那个快递员的案子，案情是怎么回事?")
    assert not asks_facts("那个快递员的案子最后怎么判的?")
    assert not asks_facts("经过仲裁以后还能去法院起诉吗?")


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        # the situation first, then the question: the question is what the answer is about
        ("公司说休养期间只按最低工资发。养伤这段时间工资该怎么算？", "养伤这段时间工资该怎么算？"),
        ("我们厂八十来个人。老板说不用开职代会。这样对吗？到底该怎么开？", "这样对吗？到底该怎么开？"),
        # telling sentences that hold a word questions also use (十几年, 这几个月, 哪怕, …呢)
        ("公司拖欠三个月工资。我已经干了十几年了。能要赔偿吗？", "能要赔偿吗？"),
        ("我入职三年。公司这几个月没发工资。哪怕我有错，公司也该提前通知。能要赔偿吗？", "能要赔偿吗？"),
        ("老板让我走人。我还在哺乳期呢。", ""),
        # only asking sentences, or one sentence: all of it asks
        ("签了两年的合同，试用期半年合法吗？试用期最长多久？", ""),
        ("老板不给交社保我能辞职吗", ""),
    ],
)
def test_the_asking_sentences_close_a_message_that_tells_a_situation_first(question, asking):
    assert asking_sentences(question) == asking


@pytest.mark.parametrize(
    ("question", "how_many"),
    [
        ("试用期最长几个月？", True),
        ("一年能休几天年假", True),
        # 哪几 asks which ones, 这几 points at a span: neither asks for a number
        ("文章说要加快修改哪几部北京的法规？", False),
        ("这几个月工资一直没发怎么办", False),
    ],
)
def test_ji_asks_for_a_number_only_when_it_asks_how_many(question, how_many):
    assert (answer_form(question) is not None) == how_many


def test_which_ones_questions_ask_for_a_list():
    assert asks_which("劳动者在哪些情形下可以解除劳动合同？")
    assert asks_which("北京工会要修改哪几部法规")
    assert asks_which("什么情况下公司不能辞退我")
    assert not asks_which("公司不交社保我能辞职吗")
    # the telling does not ask: 哪些 in the story is not what the closing sentence wants
    assert not asks_which("公司说哪些人都得加班。我不加班会被开除吗？")
    # nor does 哪些 / 哪种 inside a yes/no sentence, or 无论哪种 (any)
    assert not asks_which("公司没说哪些人要裁员，我会被裁吗？")
    assert not asks_which("无论哪种情况，公司都要付钱吗")
    assert not asks_which("不管哪种合同，试用期都有上限")
    # a message asking two things asks which ones in one of them
    assert asks_which("独生子女可以继承全部遗产吗？第一顺位继承人有哪些？")


# 最高人民法院关于在民事审判工作中适用《工会法》若干问题的解释 第五条 and 第三条: both name whom to apply to
NAMES_A_COURT = "上级工会向人民法院申请支付令或者提起诉讼，要求企业、事业单位拨缴工会经费的，人民法院应当受理。"
JURISDICTION = (
    "基层工会或者上级工会依照工会法第四十三条规定向人民法院申请支付令的，由被申请人所在地的基层人民法院管辖。"
)


def asks_jurisdiction(question: str) -> bool:
    """Whether the question is answered by the rule of jurisdiction alone, not by any unit naming a court."""
    form = who_form(question)
    return form is not None and bool(form.search(JURISDICTION)) and not form.search(NAMES_A_COURT)


def test_a_question_naming_a_court_or_commission_asks_which_has_jurisdiction():
    for question in (
        "我们打算找法院申请支付令，该去哪个法院递材料？",
        "产品侵权找哪个法院起诉？",  # LeCoQA
        "应该向哪个人民法院起诉？",
        "管辖法院是哪个？",
        "公司在外地，我该去哪个仲裁委申请仲裁？",  # 劳动争议调解仲裁法 第二十一条: …仲裁委员会管辖
    ):
        assert asks_jurisdiction(question), question
    where = who_form("公司拖了我两个月工资不发，我该去哪告？")  # which body: arbitration comes first
    assert where is not None and where.search(NAMES_A_COURT)
    assert not asks_jurisdiction("为什么法院没有认定为地役权条款")
    assert not asks_jurisdiction("凭什么法院不受理？")
