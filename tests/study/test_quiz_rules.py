"""The quiz's rules on real articles: grading tolerant of form, not of fact; options that give nothing
away and contradict nothing; appendix items labelled as the appendix; modal and authority questions."""

from __future__ import annotations

import random
import re

import pytest

from study.facts import Quantity, find_facts, same_answer, to_chinese, to_number
from study.quiz import TYPED_BODY_MAX, QuizGenerator, QuizQuestion, _Candidate, grade, hinges_on
from tests.study.test_quiz import articles

DOCUMENTS = [
    "女职工劳动保护特别规定(2012-04-28).md",
    "工会法(2021-12-24).md",
    "北京市集体合同条例.md",
    "安全生产法(2021-06-10).md",
]


@pytest.fixture(scope="module")
def generator():
    return QuizGenerator(articles(DOCUMENTS))


def candidate(generator, article: str, title_part: str, fact_text: str) -> _Candidate:
    return next(
        c
        for c in generator._pool
        if title_part in c.article.title and c.article.article == article and c.fact.text == fact_text
    )


@pytest.mark.parametrize(
    ("answer", "response"),
    [
        ("十五日", "15日"),
        ("十五日", "１５日"),  # full-width digits
        ("十五日", " 15天。"),  # spaces, a different word for day, a full stop
        ("十五日", "“15日”"),
        ("十五日", "15"),  # the unit left out is no error of fact
        ("二十五人以上", "25人以上"),
        ("百分之二", "2%"),
        ("5万元以上", "50000元以上"),
        ("三十日", "卅日".replace("卅", "三十")),
        ("县级以上人民政府", "县级以上人民政府 "),
    ],
)
def test_right_in_another_form(answer, response):
    assert same_answer(answer, response)


@pytest.mark.parametrize(
    ("answer", "response"),
    [
        ("二十五人以上", "二十五人"),  # the qualifier is part of the rule
        ("二十五人以上", "25"),
        ("5万元以上", "5万元以下"),
        ("十五日", "16日"),
        ("十五日", "15个月"),
        ("应当", "必须"),
        ("十五日", ""),
    ],
)
def test_wrong_in_fact(answer, response):
    assert not same_answer(answer, response)


def test_chinese_numerals_round_trip():
    for n in [*range(1, 1200), 10000, 15000, 100001, 2000000, 99999999]:
        assert to_number(to_chinese(n)) == n
    assert [to_chinese(n) for n in (15, 105, 1050, 2000000)] == ["十五", "一百零五", "一千零五十", "二百万"]


def test_grading_a_real_quiz_takes_arabic_for_chinese_numerals(generator):
    questions = generator.generate(n=12, seed=1, doc="北京市集体合同条例")
    days = [q for q in questions if q.fact_kind == "quantity:天" and not re.match(r"\d", q.answer)]
    assert days, "the Beijing collective-contract rules have 十日/十五日/三十日 deadlines"
    arabic = [str(int(Quantity.parse(q.answer).value)) + "日" for q in days]
    assert grade(days, arabic) == (len(days), [])
    assert grade(days, [a.replace("日", "个月") for a in arabic]) == (0, list(range(len(days))))


def test_options_share_the_answers_form(generator):
    questions = [q for seed in range(8) for q in generator.generate(n=10, seed=seed) if q.type == "multiple_choice"]
    quantities = [q for q in questions if q.fact_kind.startswith(("quantity", "percentage"))]
    assert len(quantities) >= 20
    for q in quantities:
        answer = Quantity.parse(q.answer)
        for option in q.options:
            form = Quantity.parse(option)
            assert form.prefix == answer.prefix and form.suffix == answer.suffix, q.options  # unit and qualifier
            assert bool(re.match(r"\d", form.number)) == bool(re.match(r"\d", answer.number)), q.options
            assert form.number.endswith("万") == answer.number.endswith("万"), q.options


def test_the_appendix_giveaway_is_gone(generator):
    """《女职工劳动保护特别规定》附录: 每小时负重6次以上 used to be asked with 九次/四次/一次/6次以上."""
    blank = candidate(generator, "附录", "女职工", "6次以上")
    options = generator._quantity_distractors(blank, random.Random(1))[:3]
    assert len(options) == 3 and all(re.fullmatch(r"\d+次以上", o) for o in options), options


def test_no_distractor_contradicts_its_sentence(generator):
    """第十三条: 处5万元以上30万元以下的罚款 — a lower bound stays under 30万, an upper bound above 5万."""
    lower = candidate(generator, "第十三条", "女职工", "5万元以上")
    upper = candidate(generator, "第十三条", "女职工", "30万元以下")
    for seed in range(5):
        for option in generator._quantity_distractors(lower, random.Random(seed)):
            assert Quantity.parse(option).value < 300000, option
        for option in generator._quantity_distractors(upper, random.Random(seed)):
            assert Quantity.parse(option).value > 50000, option
    # 安全生产法: 处一百万元以上二百万元以下 — 二百万元以上 can never sit beside it
    million = next(c for c in generator._pool if c.fact.text == "一百万元以上" and "二百万元以下" in c.sentence)
    for option in generator._quantity_distractors(million, random.Random(3)):
        assert Quantity.parse(option).value < 2_000_000, option


def test_appendix_items_are_labelled_as_the_appendix(generator):
    appendix = [a for a in generator.articles if a.title == "女职工劳动保护特别规定" and a.article == "附录"]
    assert len(appendix) == 1 and "矿山井下作业" in appendix[0].text
    last = next(a for a in generator.articles if a.title == "女职工劳动保护特别规定" and a.article == "第十六条")
    assert "附录" not in last.text and "矿山井下作业" not in last.text
    asked = [q for seed in range(10) for q in generator.generate(6, seed, doc="女职工劳动保护特别规定")]
    from_appendix = [q for q in asked if "负重" in q.question or "矿山井下" in q.citation["text"]]
    assert from_appendix and all(q.citation["article"] == "附录" for q in from_appendix)
    assert all(q.question.startswith("根据《女职工劳动保护特别规定》附录，") for q in from_appendix)


def test_modal_blanks_only_where_the_rule_turns_on_them():
    turns = "用人单位不得因女职工怀孕、生育、哺乳降低其工资、予以辞退、与其解除劳动或者聘用合同。"
    pointer = "用人单位应当遵守女职工禁忌从事的劳动范围的规定。"
    with_number = "对怀孕7个月以上的女职工，用人单位不得延长劳动时间或者安排夜班劳动。"
    for sentence, expected in ((turns, True), (pointer, False), (with_number, False)):
        facts = find_facts(sentence)
        modal = next(f for f in facts if f.kind == "modal")
        assert hinges_on(sentence, modal, facts) is expected, sentence


def test_modal_and_long_authority_questions_are_chosen_not_typed(generator):
    titles = ("女职工", "工会法", "安全生产")
    questions: list[QuizQuestion] = [q for seed in range(12) for t in titles for q in generator.generate(8, seed, t)]
    modal = [q for q in questions if q.fact_kind == "modal"]
    bodies = [q for q in questions if q.fact_kind == "body" and len(q.answer) > TYPED_BODY_MAX]
    assert modal and bodies
    assert all(q.type == "multiple_choice" and "必须" not in q.options for q in modal if q.answer != "必须")
    assert all(q.type == "multiple_choice" and len(q.options) == 4 for q in bodies)
