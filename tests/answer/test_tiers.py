from __future__ import annotations

import re

import pytest

from answer.tiers import Quantity, narrowest, stated, subject_words, tiers, without_tiers

# Real provisions of the bundled documents
PROBATION = (  # 劳动合同法 第十九条
    "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动合同期限一年以上不满三年的，试用期不得超过二个月；"
    "三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。"
)
ANNUAL_LEAVE = "职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。"
NO_CONTRACT = "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。"
ASSEMBLY = "企业职工一百人以下的建立职工大会制度；一百人以上的建立职工代表大会制度。"
SICK_LEAVE = "（五）累计工作满20年以上的职工，请病假累计4个月以上的。"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("我跟公司签了两年的合同，HR说试用期要半年", [("months", 24, "年"), ("months", 6, "年")]),
        ("全厂八十多个工人", [("people", 85, "人")]),
        ("在公司干了2年零8个月", [("months", 32, "年"), ("months", 8, "月")]),
        ("干了一年半", [("months", 18, "年")]),
        ("今年16岁", [("age", 16, "岁")]),
        ("参加工作五六年了", [("months", 66, "年")]),  # five or six, not 56
        ("合同不满一年", [("months", 12 * 0.99, "年")]),  # just under a year
        ("招了不满十六周岁的童工", [("age", 16 * 0.99, "岁")]),
        ("两个半月", [("months", 2.5, "月")]),
    ],
)
def test_a_question_states_where_the_worker_stands(question, expected):
    assert stated(question) == [Quantity(d, v, u) for d, v, u in expected]


@pytest.mark.parametrize(
    "question",
    [
        "能休几天",
        "依照第十九条",
        "每13年",
        "2019年12月3日入职",
        "十月一日上班",
        "同一天申请",
        "一年期贷款市场报价利率",
        "19年入职",
        "我二〇一五年进的厂",
        "3月份入职",
        "这一年",
        # how often, not where the worker stands (workers19: 两个月才结一次 drew 不满六个月的 经济补偿)
        "老板说工资要攒到两个月才结一次",
        "三个月发一回工资合法吗",
    ],
)
def test_numbers_asked_dates_and_article_numbers_state_nothing(question):
    assert stated(question) == []


def test_a_penalty_a_deadline_or_a_rate_draws_no_tier():
    assert tiers("处五日以上十日以下拘留") == ()
    assert tiers("用人单位应当在十五日以内作出书面答复") == ()
    assert tiers("每满一年支付一个月工资的标准向劳动者支付") == ()
    over_ten, under_five = tiers("工作十年以上的；不满五年的")  # two tiers, not one upside down
    assert (over_ten.low, over_ten.high, under_five.low, under_five.high) == (120, float("inf"), float("-inf"), 60)


# 河南省企业职工民主权利保障条例 第十八条
DELEGATES = (
    "一百至二百人的企业，职工代表人数不少于三十人；二百至一千人的企业，职工代表占职工总数百分之十五至十；"
    "一万人以上的企业，职工代表总数以不超过五百人为宜。"
)


def test_a_range_drawn_with_zhi_is_a_tier_closed_at_both_ends():
    assert [(t.low, t.high, t.closed_low, t.closed_high) for t in tiers(DELEGATES)] == [
        (10000, float("inf"), True, False),
        (100, 200, True, True),
        (200, 1000, True, True),
    ]
    assert narrowest(stated("一百五十人左右的厂"), DELEGATES) == 100
    (short_contract,) = tiers("劳动合同期限三个月至一年的，试用期不得超过一个月")  # the first bound's own unit
    assert (short_contract.low, short_contract.high) == (3, 12)
    assert tiers("处五日至十日拘留") == ()  # a penalty, not a condition
    (service,) = tiers("连续工作满一年至三年的，享受")  # one tier: 满一年 is its lower bound, not a tier of its own
    assert (service.low, service.high) == (12, 36)
    for not_a_tier in (
        "每年6月至9月期间在高温天气下露天作业的",  # dates: a month is 个月
        "从2019年3月到2020年5月的工资",
        "支付劳动者一至三个月工资的赔偿金",  # months' pay measures money
        "职工代表人数不少于十至二十人的",  # a limit the rule sets
    ):
        assert tiers(not_a_tier) == (), not_a_tier


def test_a_tier_is_a_condition_not_a_limit_the_rule_sets():
    low, middle, high = tiers(PROBATION)
    assert (low.low, low.high, middle.low, middle.high, high.low) == (3, 12, 12, 36, 36)
    assert tiers("试用期最长不得超过六个月。") == ()  # the limit is what the question asks about
    assert tiers("每日不得超过三小时") == ()
    assert [(t.low, t.high, t.closed_high) for t in tiers(ASSEMBLY)] == [
        (float("-inf"), 100, True),
        (100, float("inf"), False),
    ]
    (over_a_month,) = tiers(NO_CONTRACT)
    assert not over_a_month.closed_low and (over_a_month.low, over_a_month.high) == (1, 12)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("签了两年的合同", PROBATION, True),
        ("合同签了不满一年", PROBATION, True),
        ("签了五年的合同", "劳动合同期限一年以上不满三年的，试用期不得超过二个月", False),
        ("签了两年的合同，试用期要六个月", "劳动合同可以约定试用期。试用期最长不得超过六个月。", False),
        ("上班4年了", ANNUAL_LEAVE, True),
        # severance counts the months past the last full year (劳动合同法 第四十七条)
        ("干了5年零8个月", "每满一年支付一个月工资的标准向劳动者支付。六个月以上不满一年的，按一年计算", True),
        ("上班25年了", ANNUAL_LEAVE, True),
        ("入职快半年了还没签合同", NO_CONTRACT, True),
        ("入职两年了还没签合同", NO_CONTRACT, False),
        ("全厂八十多个工人", ASSEMBLY, True),
        ("干了16年，离退休还差三年", "在本单位连续工作满十五年，且距法定退休年龄不足五年的", True),
        ("干了10年", "在本单位连续工作满十五年", False),
        # years of service are not compared with a tier of sick leave drawn in months
        ("上班4年了", SICK_LEAVE, False),
        ("请了快五个月病假", SICK_LEAVE, True),
        ("三年了", "职工请事假累计20天以上且单位按照规定不扣工资的", False),
    ],
)
def test_the_tier_that_holds_the_stated_number_fits(question, text, expected):
    assert (narrowest(stated(question), text) is not None) is expected


def test_the_narrowest_tier_holding_the_number_says_how_closely_a_text_places_the_worker():
    three_years = stated("上班三年了")
    assert narrowest(three_years, ANNUAL_LEAVE) == 9 * 12  # 已满1年不满10年
    assert narrowest(three_years, "劳动者连续工作一年以上的，享受带薪年休假。") == float("inf")
    assert narrowest(three_years, ASSEMBLY) is None


MISCARRIAGE = (
    "女职工怀孕未满4个月流产的，享受15天产假；怀孕满4个月流产的，享受42天产假。"  # 女职工劳动保护特别规定 第七条
)


def test_a_tier_counts_only_in_a_sentence_about_what_the_question_is_about():
    question = "公司把我们裁了，才过4个月又在招人，被裁的能优先回去吗?"
    # tokens as the keyword tokenizer cuts the question, and the terms searched for it
    about = subject_words(["公司", "裁", "才", "过", "4", "个", "月", "招人", "优先", "回去"], ["裁减人员", "用人单位"])
    assert about == {"公司", "招人", "优先", "回去", "裁减人员", "用人单位"}
    four_months = stated(question)
    assert narrowest(four_months, MISCARRIAGE) is not None  # the number fits…
    assert narrowest(four_months, MISCARRIAGE, about) is None  # …a tier about something else
    annual = stated("我在厂里上班4年了，一年能休几天年假?")
    assert narrowest(annual, ANNUAL_LEAVE, subject_words(["上班", "年假"], ["年休假"])) == 9 * 12
    assert narrowest(annual, ANNUAL_LEAVE, frozenset()) == 9 * 12  # nothing known of the subject: no filter


def test_a_ruling_tier_counts_only_where_its_rule_is_about_the_question():
    # a union vice-chair's three-year term fits 三年以上…的劳动合同, whose rule is about probation
    question = "我是专职工会副主席，任期三年下个月就满了，我的劳动合同能延长多久？"
    about = subject_words(["专职", "工会", "副主席", "任期", "劳动合同", "延长"], ["劳动合同期限"])
    three_years = stated(question)
    assert narrowest(three_years, PROBATION, about) == float("inf")  # the sentence names 劳动合同…
    assert narrowest(three_years, PROBATION, about, ruling=True) is None  # …its rule says only 试用期
    # the rule after the condition (年休假5天), or the clause holding the condition (招用未满十六周岁的)
    annual = stated("我在厂里上班4年了，一年能休几天年假?")
    assert narrowest(annual, ANNUAL_LEAVE, subject_words(["上班", "年假"], ["年休假"]), ruling=True) == 9 * 12
    child = "禁止用人单位招用未满十六周岁的未成年人。"
    assert narrowest(stated("孩子15岁能招吗"), child, frozenset({"招用"}), ruling=True) is not None
    probation = stated("签了两年的合同，试用期能定多久")
    assert narrowest(probation, PROBATION, frozenset({"试用期"}), ruling=True) == 24


def test_numbers_units_and_pieces_of_a_term_say_nothing_of_the_subject():
    # 三个 of 三个月, 小时 of 加班2小时 (every hours tier has 小时), 劳动 of 劳动报酬
    own = ["每天", "加班", "2", "小时", "三个", "工钱"]
    assert subject_words(own, ["劳动", "报酬", "劳动报酬"]) == {"每天", "加班", "工钱", "劳动报酬"}


def test_without_tiers_leaves_what_a_rule_sets_not_where_it_applies():
    assert not re.search(r"\d|[一二三四五六七八九十百]", without_tiers(ASSEMBLY))  # 一百人以下的, 一百人以上的
    assert "三十人" in without_tiers(DELEGATES) and "一百至二百人" not in without_tiers(DELEGATES)
    assert len(without_tiers(DELEGATES)) == len(DELEGATES)  # spans keep their places
