from __future__ import annotations

import re

import pytest
from langchain_core.documents import Document

from answer.citing import scope
from answer.extractive import ELLIPSIS, ExtractiveComposer
from answer.provisions import is_history, repeats, runs, sentence_spans, units, whole_article
from answer.questions import answer_form, asking_sentences
from answer.service import NO_FIGURE_NOTE, REFUSAL, AnswerService, asked_words
from answer.tiers import Standing
from index.retriever import HybridRetriever
from ingest.splitter import ARTICLE_RE

MARKER = re.compile(r"\[(\d+)\]")

# Real excerpts of the bundled documents.
ARTICLE_38 = (
    "第三十八条 用人单位有下列情形之一的，劳动者可以解除劳动合同:\n\n"
    "（一）未按照劳动合同约定提供劳动保护或者劳动条件的；\n\n"
    "（二）未及时足额支付劳动报酬的；\n\n"
    "（三）未依法为劳动者缴纳社会保险费的；\n\n"
    "（四）用人单位的规章制度违反法律、法规的规定，损害劳动者权益的；"
)
ARTICLE_46 = (
    "第四十六条 有下列情形之一的，用人单位应当向劳动者支付经济补偿:\n\n"
    "（一）劳动者依照本法第三十八条规定解除劳动合同的；\n\n"
    "（二）用人单位依照本法第三十六条规定向劳动者提出解除劳动合同并与劳动者协商一致解除劳动合同的；"
)
ARTICLE_37 = (
    "第三十七条 劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。"
    "劳动者在试用期内提前三日通知用人单位，可以解除劳动合同。"
)
SHANGHAI_46 = (
    "第四十六条 违反本条例规定，随意调动工会主席、副主席、委员的工会工作岗位或者劳动合同约定的岗位"
    "以及工会筹建负责人工作的，本单位工会或者上级工会可以向劳动行政部门提出，"
    "由劳动行政部门责令改正、恢复原工作；造成损失的，给予赔偿。"
)
HEADER = (
    "2010年12月23日 上海市第十三届人民代表大会常务委员会第二十三次会议通过\n\n"
    "2017年11月23日 上海市第十四届人民代表大会常务委员会第四十一次会议《关于修改〈上海市职工代表大会条例〉的决定》修正"
)
LAW = {"title": "中华人民共和国劳动合同法", "source": "劳动合同法.md", "kind": "法律", "region": "", "doc_id": "lcl"}


def source(title: str, doc_id: str, kind: str = "行政法规", **more) -> dict:
    """A bundled document's metadata, as the index labels its passages."""
    return {"title": title, "kind": kind, "doc_id": doc_id, "source": f"{title}.md", **more}


def document(text: str, **meta) -> Document:
    return Document(page_content=text, metadata={**LAW, **meta}, id=meta.get("article", "x"))


def numbered(text: str, score: float, **meta) -> Document:
    """An article excerpt as the retriever hands it over: labelled with the 第X条 it opens with, and scored."""
    label = ARTICLE_RE.match(text)
    assert label, text
    return document(text, article=label.group(1), score=score, **meta)


class _Composer:
    """The composer with the retriever's weights (`wording_weights`), as the answer service calls it."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self.composer = ExtractiveComposer(tokenize=retriever.index.keyword.tokenizer)

    def compose(self, question: str, search_query: str, documents: list[Document]):
        return self.composer.compose(question, search_query, self.retriever.wording_weights(search_query), documents)


def composer_for(retriever) -> _Composer:
    return _Composer(retriever)


def quoted(answer) -> list[tuple[str, int]]:
    """(quoted piece, n) for every piece of the answer after its source line; pieces split at ……"""
    body = answer.text.split("\n", 1)[1]
    return [
        (piece, int(m.group(2)))
        for m in re.finditer(r"(.+?)\[(\d+)\]", body, re.S)
        for piece in m.group(1).strip().split(ELLIPSIS)
    ]


def assert_verbatim(answer) -> None:
    """Every quoted piece is a verbatim span of the passage it cites (an item and its lead-in are joined
    without the blank line between them)."""
    by_number = {c.n: c for c in answer.citations}
    for piece, n in quoted(answer):
        assert re.sub(r"\s", "", piece) in re.sub(r"\s", "", by_number[n].text), piece
    assert {int(n) for n in MARKER.findall(answer.text)} == set(by_number)


def test_item_is_quoted_with_its_lead_in_then_the_article_that_adds_to_it(tiny_retriever):
    documents = [
        document(ARTICLE_37, article="第三十七条"),
        document(ARTICLE_38, article="第三十八条"),
        document(ARTICLE_46, article="第四十六条"),
    ]
    answer = composer_for(tiny_retriever).compose(
        "老板不给交社保我能辞职吗,有补偿吗",
        "老板不给交社保我能辞职吗,有补偿吗 用人单位 社会保险 社会保险费 劳动者 解除劳动合同 提前通知 经济补偿",
        documents,
    )
    source, *lines = answer.text.split("\n")
    assert source.startswith("依据《中华人民共和国劳动合同法》第三十八条") and source.endswith("（全国）：")
    # an item starts a line of its own; the items left out either side show as ……
    lead_in, item = "用人单位有下列情形之一的，劳动者可以解除劳动合同:", "……（三）未依法为劳动者缴纳社会保险费的；……[1]"
    assert lines[:2] == [lead_in, item]
    assert any("用人单位应当向劳动者支付经济补偿" in line for line in lines[1:])
    assert len(answer.citations) <= 3
    assert_verbatim(answer)


HENAN_27 = (
    "第二十七条 非公有制企业应当公开下列事项：\n\n"
    "（一）企业制订的规章制度；\n\n"
    "（二）处分和处理职工的情况及理由；\n\n"
    "（三）住房公积金和职工养老、失业、工伤、医疗、生育等社会保险费的缴纳情况；\n\n"
    "（四）安全生产、劳动保护、职业病防治情况；"
)
HENAN = source("河南省企业职工民主权利保障条例", "hn", "地方性法规", region="河南省")


@pytest.mark.parametrize("question", ["私营企业有哪些事情必须向职工公开？", "非公有制企业要公开哪几类事项"])
def test_a_question_asking_which_ones_is_answered_with_the_whole_list(tiny_retriever, question):
    answer = composer_for(tiny_retriever).compose(question, question, [numbered(HENAN_27, 1.0, **HENAN)])
    # each item on a line of its own, as the statute sets them
    assert answer.text.split("\n")[1:] == [
        "非公有制企业应当公开下列事项：",
        "（一）企业制订的规章制度；",
        "（二）处分和处理职工的情况及理由；",
        "（三）住房公积金和职工养老、失业、工伤、医疗、生育等社会保险费的缴纳情况；",
        "（四）安全生产、劳动保护、职业病防治情况；[1]",
    ]
    assert_verbatim(answer)


def test_a_list_is_quoted_whole_only_as_far_as_the_answer_has_room(tiny_retriever):
    composer = ExtractiveComposer(tokenize=tiny_retriever.index.keyword.tokenizer, max_chars=70)
    question = "私营企业有哪些事情必须公开？社会保险费缴纳情况要公开吗"
    answer = composer.compose(
        question, question, tiny_retriever.wording_weights(question), [numbered(HENAN_27, 1.0, **HENAN)]
    )
    # the answering item stays; of the others only （一） fits in 70 characters, and what is left out shows
    assert answer.text.split("\n")[1:] == [
        "非公有制企业应当公开下列事项：",
        "（一）企业制订的规章制度；",
        "……（三）住房公积金和职工养老、失业、工伤、医疗、生育等社会保险费的缴纳情况；……[1]",
    ]
    assert_verbatim(answer)


def test_a_further_article_ranked_well_below_still_joins_when_it_adds_what_the_question_asks(tiny_retriever):
    # The retriever puts the compensation article far below (score gap 1.5): it still answers 有补偿吗.
    documents = [
        document(ARTICLE_38, article="第三十八条", score=3.0),
        document(ARTICLE_37, article="第三十七条", score=2.5),
        document(ARTICLE_46, article="第四十六条", score=1.5),
    ]
    question, search = "老板不给交社保我能辞职吗,有补偿吗", "不给交社会保险费 解除劳动合同 有经济补偿吗"
    weights = tiny_retriever.query_weights(search)
    tokenize = tiny_retriever.index.keyword.tokenizer
    answer = ExtractiveComposer(tokenize=tokenize).compose(question, search, weights, documents)
    assert [c.article for c in answer.citations] == ["第三十八条", "第四十六条"]  # 37 adds no word 38 lacks
    # 第四十六条's item names 第三十八条 and is vouched for as it is; a floor near the best's score still keeps it out
    strict = ExtractiveComposer(tokenize=tokenize, min_relative_score=0.95)
    strict = strict.compose(question, search, weights, documents)
    assert [c.article for c in strict.citations] == ["第三十八条"]
    assert_verbatim(answer)


def test_a_local_rule_is_labelled_with_its_region_never_as_national(tiny_retriever):
    shanghai = document(
        SHANGHAI_46, article="第四十六条", title="上海市工会条例", region="上海", kind="地方性法规", doc_id="sh"
    )
    answer = composer_for(tiny_retriever).compose("随意调动工会主席的岗位怎么办", "随意调动工会主席 岗位", [shanghai])
    assert answer.text.startswith("依据《上海市工会条例》第四十六条（上海市地方性法规）：")
    assert "全国" not in answer.text.split("\n")[0]
    assert scope("法律", "") == "全国" and scope("地方性法规", "重庆") == "重庆市地方性法规"


def test_another_regions_rule_is_left_out_when_the_question_names_a_region(tiny_retriever):
    shanghai = document(SHANGHAI_46, article="第四十六条", title="上海市工会条例", region="上海", kind="地方性法规")
    answer = composer_for(tiny_retriever).compose("北京随意调动工会主席怎么办", "北京 随意调动工会主席", [shanghai])
    assert answer.refused


def test_amendment_history_is_not_quoted(tiny_retriever):
    header = document(HEADER, title="上海市职工代表大会条例", region="上海", kind="地方性法规", article="")
    answer = composer_for(tiny_retriever).compose(
        "上海职工代表大会条例修改了什么", "上海 职工代表大会 条例 修改", [header]
    )
    assert answer.refused  # the only text that matches records how the law was amended, not what it says
    assert is_history(HEADER.split("\n\n")[1]) and not is_history(ARTICLE_37)
    asked_when = composer_for(tiny_retriever).compose(
        "上海职工代表大会条例什么时候修改的", "上海 职工代表大会 条例 修改", [header]
    )
    assert "2017年11月23日" in asked_when.text  # unless the question asks when


def test_a_short_article_quoted_whole_keeps_the_commencement_clause_a_question_on_its_start_asks_for(
    tiny_retriever,
):
    # 上海市中小学校学生伤害事故处理条例 第二十六条
    text = "第二十六条 本条例自2001年9月1日起施行。\n\n本条例施行前已经处理完毕的学生伤害事故，不适用本条例。"
    article = document(
        text, title="上海市中小学校学生伤害事故处理条例", article="第二十六条", region="上海", kind="地方性法规"
    )
    compose = composer_for(tiny_retriever).compose
    asked_when = compose("这个条例是哪一年施行的?", "这个条例是哪一年施行的?", [article])
    assert "本条例自2001年9月1日起施行。" in asked_when.text, asked_when.text
    other = compose("条例施行前已经处理完的学生伤害事故适用条例吗?", "学生伤害事故 施行前 适用", [article])
    assert "不适用本条例" in other.text and "2001年9月1日" not in other.text, other.text
    assert not is_history("自本条例施行之日起，用人单位应当为职工缴纳社会保险费。")  # a rule's own start


def test_a_further_article_quoted_whole_does_not_repeat_what_the_answer_already_quotes(tiny_retriever):
    national = document(ARTICLE_13, title="中华人民共和国工会法", article="第十三条", doc_id="ghf", score=2.0)
    # a local rule restating the law's last two 款 after one of its own
    restated = "第十条 职工二十五人以上的企业应当建立工会。\n\n" + ARTICLE_13.split("\n\n", 1)[1]
    local = document(restated, title="某省工会条例", article="第十条", kind="地方性法规", doc_id="local", score=1.9)
    question = "单位有二十五人以上的职工，破产后工会撤销了，会员会籍还保留吗?"
    answer = composer_for(tiny_retriever).compose(question, question, [national, local])
    assert answer.text.count("会籍可以继续保留") == 1, answer.text
    assert_verbatim(answer)


def test_a_quantity_question_gets_the_article_that_states_the_number_in_the_asked_unit(tiny_retriever):
    condition = document(
        "第三条 职工连续工作满12个月以上的，享受带薪年休假 （以下简称年休假）。",
        article="第三条",
        title="企业职工带薪年休假实施办法",
        kind="部门规章",
        doc_id="ssbf",
        score=1.0,
    )
    days = document(
        "第三条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。",
        article="第三条",
        title="职工带薪年休假条例",
        kind="行政法规",
        doc_id="tl",
        score=0.87,
    )
    compose = composer_for(tiny_retriever).compose
    answer = compose(
        "工作满三年了,每年能休几天带薪年假?", "工作满三年了,每年能休几天带薪年假? 年休假", [condition, days]
    )
    assert answer.text.startswith("依据《职工带薪年休假条例》第三条") and "年休假5天" in answer.text.split("\n")[1]
    assert_verbatim(answer)
    # with no article stating a number of days, the best article still answers
    alone = compose("工作满三年了,每年能休几天带薪年假?", "工作满三年了,每年能休几天带薪年假? 年休假", [condition])
    assert not alone.refused and "满12个月" in alone.text


def test_the_rule_whose_tier_holds_the_workers_number_comes_before_the_general_rule(tiny_retriever):
    general = document(
        "第二十一条 劳动合同可以约定试用期。试用期最长不得超过六个月。",
        article="第二十一条",
        title="中华人民共和国劳动法",
        doc_id="ldf",
        score=1.5,
    )
    tiered = document(
        "第十九条 劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动合同期限一年以上不满三年的，"
        "试用期不得超过二个月；三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。",
        article="第十九条",
        score=0.1,  # the learned ranker's log-odds over union + laws put it this far below
    )
    question = "老板跟我签了两年的合同，试用期能定多久？"
    answer = composer_for(tiny_retriever).compose(question, question + " 试用期", [general, tiered])
    assert answer.text.startswith("依据《中华人民共和国劳动合同法》第十九条")
    assert "一年以上不满三年的，试用期不得超过二个月" in answer.text.split("\n")[1]
    assert_verbatim(answer)
    # a contract of no stated length leaves the retriever's order
    plain = composer_for(tiny_retriever).compose(
        "试用期最长能约定多久？", "试用期最长能约定多久？ 试用期", [general, tiered]
    )
    assert plain.text.startswith("依据《中华人民共和国劳动法》第二十一条")


def test_a_tier_that_places_the_worker_more_closely_outweighs_the_rankers_gap_and_an_equal_one_does_not(
    tiny_retriever,
):
    wide = document(
        "第四十五条 国家实行带薪年休假制度。劳动者连续工作一年以上的，享受带薪年休假。具体办法由国务院规定。",
        article="第四十五条",
        title="中华人民共和国劳动法",
        doc_id="ldf",
        score=1.5,
    )
    close = document(
        "第三条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。",
        article="第三条",
        title="职工带薪年休假条例",
        kind="行政法规",
        doc_id="tl",
        score=-1.2,  # as the learned ranker over union + laws scores it
    )
    compose = composer_for(tiny_retriever).compose
    question = "上班三年了，带薪年假能休几天？"
    answer = compose(question, question + " 年休假", [wide, close])
    assert answer.text.startswith("依据《职工带薪年休假条例》第三条"), answer.text
    # 一年以上 holds three years as well as 已满1年不满10年 would if it were as wide: the ranker's order stands
    same = document(wide.page_content.replace("一年以上的", "已满1年不满10年的"), **wide.metadata)
    assert compose(question, question + " 年休假", [same, close]).text.startswith("依据《中华人民共和国劳动法》")


ARTICLE_13 = (
    "第十三条 任何组织和个人不得随意撤销、合并工会组织。\n\n"
    "基层工会所在的用人单位终止或者被撤销，该工会组织相应撤销，并报告上一级工会。\n\n"
    "依前款规定被撤销的工会，其会员的会籍可以继续保留，具体管理办法由中华全国总工会制定。"
)


def test_a_paragraph_that_applies_the_one_before_it_is_read_with_it():
    first, previous, refers = units(ARTICLE_13)
    assert first.lead_in is None and previous.lead_in is None
    assert refers.lead_in == (previous.start, previous.end)


# 劳动争议调解仲裁法 第二十七条: too long (284 characters) to be quoted whole.
ARTICLE_27 = (
    "第二十七条 劳动争议申请仲裁的时效期间为一年。仲裁时效期间从当事人知道或者应当知道其权利被侵害之日起计算。\n\n"
    "前款规定的仲裁时效，因当事人一方向对方当事人主张权利，或者向有关部门请求权利救济，或者对方当事人同意履行义务而中断。"
    "从中断时起，仲裁时效期间重新计算。\n\n"
    "因不可抗力或者有其他正当理由，当事人不能在本条第一款规定的仲裁时效期间申请仲裁的，仲裁时效中止。"
    "从中止时效的原因消除之日起，仲裁时效期间继续计算。\n\n"
    "劳动关系存续期间因拖欠劳动报酬发生争议的，劳动者申请仲裁不受本条第一款规定的仲裁时效期间的限制；"
    "但是，劳动关系终止的，应当自劳动关系终止之日起一年内提出。"
)


def test_a_question_answered_by_a_qian_kuan_paragraph_quotes_the_paragraph_it_applies(tiny_retriever):
    article = document(ARTICLE_27, title="中华人民共和国劳动争议调解仲裁法", article="第二十七条", doc_id="ldzy")
    question = "我向公司主张过权利，申请仲裁的日子会中断、重新计算吗?"
    answer = composer_for(tiny_retriever).compose(question, question, [article])
    assert "因当事人一方向对方当事人主张权利" in answer.text and "时效期间为一年" in answer.text, answer.text
    assert "不可抗力" not in answer.text and "拖欠劳动报酬" not in answer.text, answer.text
    assert_verbatim(answer)


ARTICLE_47 = (
    "第四十七条 经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。"
    "六个月以上不满一年的，按一年计算；不满六个月的，向劳动者支付半个月工资的经济补偿。\n\n"
    "劳动者月工资高于用人单位所在直辖市、设区的市级人民政府公布的本地区上年度职工月平均工资三倍的，"
    "向其支付经济补偿的标准按职工月平均工资三倍的数额支付，向其支付经济补偿的年限最高不超过十二年。\n\n"
    "本条所称月工资是指劳动者在劳动合同解除或者终止前十二个月的平均工资。"
)


def test_a_short_article_is_quoted_whole_and_a_long_or_listed_one_by_its_answering_unit():
    whole = whole_article(ARTICLE_47)
    assert whole is not None and [u.paragraph for u in whole] == [0, 1, 2]  # all three 款
    assert whole_article(ARTICLE_38) is None  # a list's items are alternatives: the answering one is quoted
    assert whole_article(ARTICLE_47 + "\n\n" + ARTICLE_47.split(" ", 1)[1]) is None  # too long to read whole
    assert whole_article("第九十八条 本法自2008年1月1日起施行。") is None  # nothing but a commencement clause


def test_the_rule_a_quantity_question_asks_about_is_quoted_with_the_rest_of_its_article(tiny_retriever):
    # The cap sentence matches 经济补偿 best; the worker also needs 六个月以上不满一年的，按一年计算.
    article = document(ARTICLE_47, article="第四十七条", score=1.0)
    question = "在公司才干了八个月就被裁了，经济补偿能拿多少？"
    answer = composer_for(tiny_retriever).compose(question, question, [article])
    assert "六个月以上不满一年的，按一年计算" in answer.text and "最高不超过十二年" in answer.text, answer.text
    assert_verbatim(answer)
    # a court case is quoted by its answering units, however short: it is not an article
    case = document(ARTICLE_47.split(" ", 1)[1], article="", kind="案例", title="某案", doc_id="case")
    trimmed = composer_for(tiny_retriever).compose(question, question, [case])
    assert not trimmed.refused and "本条所称月工资" not in trimmed.text, trimmed.text


def test_units_read_items_and_their_lead_in():
    found = units(ARTICLE_38)
    items = [u for u in found if u.lead_in]
    assert len(items) == 4
    assert ARTICLE_38[slice(*items[2].lead_in)] == "用人单位有下列情形之一的，劳动者可以解除劳动合同:"
    assert ARTICLE_38[items[2].start : items[2].end] == "（三）未依法为劳动者缴纳社会保险费的；"


# 北京市实施《工会法》办法 第二十八条: the sentence before the list is long, and its first clause names the cases.
BEIJING_28 = (
    "第二十八条 企业、事业单位以及其他组织违反劳动法律、法规规定，有下列侵犯职工劳动权益情形之一的，"
    "工会应当代表职工与其交涉，要求停止侵害，采取措施予以改正；单位应当予以研究处理，并在15日内向工会作出书面答复；"
    "逾期不予答复又不改正的，工会有权提请人力资源社会保障部门、安全生产监督管理部门和卫生计生行政部门依法处理：\n\n"
    "（一）克扣或者拖欠职工工资的；\n\n"
    "（二）不提供劳动安全卫生设施、条件或者劳动安全卫生设施、条件不符合国家规定的；\n\n"
    "（三）超出国家规定随意延长劳动时间或者不支付加班工资的；"
)


def test_a_long_sentence_before_a_list_is_the_lead_in_whole():
    item = next(u for u in units(BEIJING_28) if BEIJING_28[u.start : u.end].startswith("（三）"))
    assert item.lead_in is not None
    lead_in = BEIJING_28[slice(*item.lead_in)]
    assert lead_in.startswith("企业、事业单位") and "并在15日内向工会作出书面答复" in lead_in and lead_in.endswith("：")


def test_an_item_answering_how_long_keeps_the_number_its_lead_in_states(tiny_retriever):
    question = "公司老拖工资，工会已经跟公司交涉了，公司多长时间内得给工会答复？"
    beijing = numbered(
        BEIJING_28, 1.0, title="北京市实施《中华人民共和国工会法》办法", kind="地方性法规", region="北京市", doc_id="bj"
    )
    answer = composer_for(tiny_retriever).compose(question, question, [beijing])
    assert "并在15日内向工会作出书面答复" in answer.text and "（三）超出国家规定" in answer.text, answer.text
    assert_verbatim(answer)


def test_a_lead_in_keeps_only_its_own_sentence_and_a_very_long_one_its_last_clause():
    earlier = "第九条 本条所称情形由市人民政府规定。有下列情形之一的，劳动者可以解除劳动合同：\n\n（一）某种情形的；"
    item = next(u for u in units(earlier) if u.lead_in)
    assert earlier[slice(*item.lead_in)] == "有下列情形之一的，劳动者可以解除劳动合同："
    long = "第十条 有下列情形之一的，" + "甲" * 130 + "；" + "乙" * 120 + "：\n\n（一）某种情形的；"
    item = next(u for u in units(long) if u.lead_in)
    assert long[slice(*item.lead_in)] == "乙" * 120 + "："


FEMALE_5 = "第五条 用人单位不得因女职工怀孕、生育、哺乳降低其工资、予以辞退、与其解除劳动或者聘用合同。"
ARTICLE_42_PREGNANT = (
    "第四十二条 劳动者有下列情形之一的，用人单位不得依照本法第四十条、第四十一条的规定解除劳动合同:\n\n"
    "（四）女职工在孕期、产期、哺乳期的；"
)


def test_a_provision_in_the_workers_own_words_counts_them(tiny_retriever):
    # the search reads 怀孕 as 孕期 and 辞退 as 解除劳动合同; 第五条 says 怀孕 and 辞退 themselves
    question = "怀孕了公司能辞退我吗"
    documents = [
        numbered(ARTICLE_42_PREGNANT, 1.0, doc_id="lcl"),
        numbered(FEMALE_5, 1.0, title="女职工劳动保护特别规定", kind="行政法规", doc_id="female"),
    ]
    answer = composer_for(tiny_retriever).compose(question, question, documents)
    assert answer.citations[0].article == "第五条", answer.text
    assert_verbatim(answer)


def test_answer_cites_the_right_article_with_verbatim_spans(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("哺乳期的女职工每天有多少哺乳时间?")
    assert not answer.refused and "1小时哺乳时间" in answer.text
    assert answer.citations[0].label == "《女职工劳动保护特别规定》第九条（2012-04-28）"
    assert answer.text.startswith("依据《女职工劳动保护特别规定》第九条（全国）：")
    assert_verbatim(answer)


def test_seed_question_cites_both_beijing_regulations_from_the_commentary(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("北京工会要修改哪些法规?")
    commentary = [c for c in answer.citations if "齐静" in c.source]
    assert commentary, answer.text
    assert "《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》" in commentary[0].quote
    assert "（文章）" in answer.text.split("\n")[0]
    assert_verbatim(answer)


def test_unrelated_question_is_refused_without_sources(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("今天股市行情怎么样?")
    assert answer.refused and answer.text == REFUSAL and "12351" in answer.text
    assert answer.citations == []


def test_sentence_spans_drop_the_article_label_and_split_long_sentences_on_clauses():
    text = "第十九条 劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n\n（一）第一项；"
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ["劳动合同期限三个月以上不满一年的，试用期不得超过一个月。", "（一）第一项；"]
    long_sentence = "甲" * 70 + "；" + "乙" * 70 + "。"
    assert [long_sentence[s:e] for s, e in sentence_spans(long_sentence)] == ["甲" * 70 + "；", "乙" * 70 + "。"]


def source_line_of(retriever, question: str, documents: list[Document]) -> str:
    """The source line of the answer composed from `documents`, whose quotes are checked verbatim."""
    answer = composer_for(retriever).compose(question, question, documents)
    assert_verbatim(answer)
    return answer.text.split("\n")[0]


def test_a_who_or_where_question_gets_the_unit_that_names_the_party_or_authority(tiny_retriever):
    # Real excerpts of 劳动保障监察条例: the article ranked first holds every word the other one does
    # (违反, 举报, 劳动保障行政部门) but says when a violation is no longer pursued, not where to report it.
    meta = source("劳动保障监察条例", "ldbz")
    lapse = numbered(
        "第二十条 违反劳动保障法律、法规或者规章的行为在2年内未被劳动保障行政部门发现，也未被举报、投诉的，"
        "劳动保障行政部门不再查处。",
        score=1.0,
        **meta,
    )
    report = numbered(
        "第九条 任何组织或者个人对违反劳动保障法律、法规或者规章的行为，有权向劳动保障行政部门举报。",
        score=0.95,
        **meta,
    )
    where = "工厂违反劳动保障法规，工人该去哪里举报?"
    assert source_line_of(tiny_retriever, where, [lapse, report]) == "依据《劳动保障监察条例》第九条（全国）："
    # the same article is not preferred when the question asks something else
    whether = "工厂违反劳动保障法规两年了没人发现，还会查处吗?"
    assert "第二十条" in source_line_of(tiny_retriever, whether, [lapse, report])


def test_what_a_story_asks_is_read_from_its_asking_sentences_not_from_its_telling(tiny_retriever):
    # Real excerpts of 保障农民工工资支付条例: a worker's story says how many were left unpaid (十几个人), then
    # asks who pays: the article with a number (至少3年) is no answer to 找谁.
    meta = source("保障农民工工资支付条例", "nmg")
    ledger = numbered(
        "第二十八条 施工总承包单位、分包单位应当建立用工管理台账，并保存至工程完工且工资全部结清后至少3年。",
        score=1.0,
        **meta,
    )
    clearing = numbered(
        "第三十条 分包单位拖欠农民工工资的，由施工总承包单位先行清偿，再依法进行追偿。",
        score=0.95,
        **meta,
    )
    question = "分包的老板拖着我们十几个人的工资不发，电话也打不通。请问这钱该找谁要？"
    assert (
        source_line_of(tiny_retriever, question, [ledger, clearing])
        == "依据《保障农民工工资支付条例》第三十条（全国）："
    )
    # 十几 asks nothing; a telling that would ask how many on its own (等几个月) does not either, before 找谁
    assert answer_form(question) is None and answer_form(question.split("。")[0] + "?") is None
    unknown = "工头说还得再等几个月。请问这钱该找谁要？"
    assert answer_form(unknown) is None and answer_form(unknown.split("。")[0] + "?") is not None
    # a time bar still reads the story: 三年前 is told, 还会管吗 asked
    late = "三年前公司少发了我工资。现在去劳动监察举报，他们还会管吗？"
    assert answer_form(late) is not None and answer_form(asking_sentences(late)) is None


def test_a_number_of_hours_written_in_chinese_numerals_states_a_quantity():
    form = answer_form("一个月加班七八十个小时，法律对加班时间有没有上限?")
    assert form is not None
    # 劳动法 第四十一条 writes every limit in Chinese numerals
    assert form.search("一般每日不得超过一小时") and form.search("每月不得超过三十六小时")
    assert not form.search("经与工会和劳动者协商后可以延长工作时间")


def test_a_multiple_is_answered_by_a_percentage_and_those_few_days_ask_nothing():
    form = answer_form("国庆那几天厂里让我们照常上班，工钱应该怎么给？能拿几倍？")
    assert form is not None
    # 劳动法 第四十四条 states multiples as percentages
    assert form.search("法定休假日安排劳动者工作的，支付不低于工资的百分之三百的工资报酬")
    assert form.search("按照其日工资收入的300%支付")
    assert not form.search("职工累计工作已满1年不满10年的，年休假5天")  # 那几天 is not 几天
    days = answer_form("前几天请了病假，病假一年最多能请几天？")
    assert days is not None and days.search("医疗期3个月到24个月") is None and days.search("病假15天")


def test_the_service_composes_from_as_many_passages_as_it_is_set_to_read(tiny_retriever, monkeypatch):
    with pytest.raises(ValueError):
        AnswerService(tiny_retriever, passages=0)
    asked: list[int] = []
    invoke = HybridRetriever.invoke

    def recording(self, query, config=None, **kwargs):
        asked.append(kwargs.get("k", self.k))
        return invoke(self, query, config, **kwargs)

    monkeypatch.setattr(HybridRetriever, "invoke", recording)
    AnswerService(tiny_retriever).ask("哺乳期女职工每天有多少哺乳时间?")
    AnswerService(tiny_retriever, passages=3).ask("哺乳期女职工每天有多少哺乳时间?")
    assert asked == [8, 3]


def test_a_qian_kuan_after_a_list_is_not_read_with_the_lists_last_item():
    # 劳动合同法 第十七条: the 前款 of its second 款 is the whole list of required terms, not item (九)
    article = (
        "第十七条 劳动合同应当具备以下条款：\n\n（一）用人单位的名称、住所和法定代表人或者主要负责人；\n\n"
        "（九）法律、法规规定应当纳入劳动合同的其他事项。\n\n"
        "劳动合同除前款规定的必备条款外，用人单位与劳动者可以约定试用期、培训、保守秘密、补充保险和福利待遇等其他事项。"
    )
    last = units(article)[-1]
    assert article[last.start : last.end].startswith("劳动合同除前款规定") and last.lead_in is None


def test_a_yes_no_question_is_answered_by_a_rule_that_allocates_a_duty_as_by_one_with_a_modal(tiny_retriever):
    meta = source("保障农民工工资支付条例", "wage")
    ledger = numbered(
        "第二十八条 施工总承包单位应当在工程项目部配备劳资专管员，对分包单位劳动用工实施监督管理，"
        "掌握施工现场用工、考勤、工资支付等情况，审核分包单位编制的农民工工资支付表，分包单位应当予以配合。",
        score=1.0,
        **meta,
    )
    clears = numbered(
        "第三十条 分包单位拖欠农民工工资的，由施工总承包单位先行清偿，再依法进行追偿。",
        score=1.0,
        **meta,
    )
    question = "分包单位拖欠我们工资，施工总承包单位说不关他们的事，真是这样吗?"
    answer = composer_for(tiny_retriever).compose(question, question, [clears, ledger])
    # 由施工总承包单位先行清偿 says who must pay, as plainly as 应当 would: the search's first stays first
    assert answer.citations[0].article == "第三十条", answer.text
    assert_verbatim(answer)


def test_a_yes_no_answer_that_quotes_a_ruling_adds_the_holding_that_says_what_is_void(tiny_retriever):
    title = "劳动者与用人单位订立放弃加班费协议，能否主张加班费"
    meta = {"title": title, "source": f"案例/{title}.md", "kind": "案例", "doc_id": "case", "article": ""}
    ruling = document(
        "仲裁委员会裁决某科技公司支付张某2020年6月至12月加班费24000元。", heading_path=(title, "处理结果"), **meta
    )
    analysis = document(
        "约定放弃加班费的协议免除了用人单位的法定责任、排除了劳动者权利，显失公平，应认定无效。\n\n"
        "本案中，某科技公司利用在订立劳动合同时的主导地位，要求张某在其单方制定的格式条款上签字放弃加班费，"
        "既违反法律规定，也违背公平原则，侵害了张某工资报酬权益。",
        heading_path=(title, "案例分析"),
        **meta,
    )
    question = "入职时签了放弃加班费的协议，离职了还能要回加班费吗？"
    answer = composer_for(tiny_retriever).compose(question, question, [ruling, analysis])
    # the ruling says what was paid, not whether such an agreement binds: the holding does, though the
    # application after it (本案中…) repeats more of the question's words
    assert "应认定无效" in answer.text and "加班费24000元" in answer.text, answer.text
    assert_verbatim(answer)


ARTICLE_41 = (  # 劳动法 第四十一条
    "第四十一条 用人单位由于生产经营需要，经与工会和劳动者协商后可以延长工作时间，一般每日不得超过一小时；"
    "因特殊原因需要延长工作时间的，在保障劳动者身体健康的条件下延长工作时间每日不得超过三小时，"
    "但是每月不得超过三十六小时。"
)


def test_a_text_repeats_what_is_said_when_most_of_its_runs_are():
    said = runs([ARTICLE_41])
    assert repeats("《中华人民共和国劳动法》第四十一条规定：“" + ARTICLE_41.split(" ", 1)[1], said)
    # a case that quotes a fragment and goes on in its own words adds to it
    fragment = "用人单位由于生产经营需要，经与工会和劳动者协商后可以延长工作时间。"
    assert not repeats(fragment + "本案中，某快递公司未与工会和劳动者协商，规定每天工作十二小时、每周工作六天。", said)
    assert not repeats("每月不得超过", said)  # shorter than one run: nothing to compare
    ten = "甲乙丙丁戊己庚辛壬癸"  # 3 runs, 2 of them said: 2/3 ≥ 0.6
    assert repeats(ten, runs([ten[:9]])) and not repeats(ten, runs([ten[:8]]))


def test_a_passage_restating_what_is_already_quoted_adds_nothing(tiny_retriever):
    title = "劳动者拒绝违法超时加班安排，用人单位能否解除劳动合同"
    meta = {"title": title, "source": f"案例/{title}.md", "kind": "案例", "doc_id": "case", "article": ""}
    restated = "《中华人民共和国劳动法》第四十一条规定：“" + ARTICLE_41.split(" ", 1)[1]
    applied = (
        "本案中，某快递公司规章制度中“工作时间为早9时至晚9时，每周工作6天”的内容，严重违反法律关于延长工作时间"
        "上限的规定，应认定为无效。"
    )
    documents = [
        numbered(ARTICLE_41, 2.0, title="中华人民共和国劳动法", doc_id="labour"),
        document(restated, heading_path=(title, "案例分析"), score=1.0, **meta),
        document(applied, heading_path=(title, "案例分析"), score=0.9, **meta),
    ]
    question = "我们厂天天加班，一个月要加七八十个小时，法律对加班时间到底有没有上限？"
    answer = composer_for(tiny_retriever).compose(question, question, documents)
    assert answer.text.count("每月不得超过三十六小时") == 1, answer.text  # the case's citation of it is left out
    assert "本案中" in answer.text  # what the case adds still joins
    assert_verbatim(answer)


def test_which_court_is_answered_by_the_rule_of_jurisdiction(tiny_retriever):
    # 最高人民法院关于在民事审判工作中适用《工会法》若干问题的解释 第三条 and 第五条: both name a court and whom
    # to apply to; only the first says which court
    meta = source("最高人民法院关于在民事审判工作中适用《中华人民共和国工会法》若干问题的解释", "interp", "司法解释")
    documents = [
        numbered(
            "第五条 根据工会法第四十三条和民事诉讼法的有关规定，上级工会向人民法院申请支付令或者提起诉讼，"
            "要求企业、事业单位拨缴工会经费的，人民法院应当受理。基层工会要求参加诉讼的，人民法院可以准许其"
            "作为共同申请人或者共同原告参加诉讼。",
            2.0,
            **meta,
        ),
        numbered(
            "第三条 基层工会或者上级工会依照工会法第四十三条规定向人民法院申请支付令的，"
            "由被申请人所在地的基层人民法院管辖。",
            1.9,
            **meta,
        ),
    ]
    question = "我在厂里当工会主席，公司两年没拨工会经费了，我们打算找法院申请支付令，该去哪个法院递材料？"
    answer = composer_for(tiny_retriever).compose(question, question, documents)
    first = quoted(answer)[0][0]
    assert "由被申请人所在地的基层人民法院管辖" in first, answer.text
    assert_verbatim(answer)


def test_a_worker_who_says_where_they_stand_gets_what_the_rule_sets_there(tiny_retriever):
    documents = [  # 河南省企业职工民主权利保障条例 第八条 and 第十八条
        numbered("第八条 企业应当建立职工（代表）大会制度。\n\n" + ASSEMBLY_HENAN, 2.0, **HENAN),
        numbered("第十八条 职工代表的人数应根据企业实际确定。" + DELEGATES_HENAN, 1.8, **HENAN),
    ]
    question = "河南一家一百五十人左右的厂，今年要开职工代表大会，代表至少得选多少个？"
    answer = composer_for(tiny_retriever).compose(question, question, documents)
    # 一百人以上的 says which plants hold a congress, not how many delegates: only a tier's bound is no answer
    assert "不少于三十人" in quoted(answer)[0][0], answer.text
    assert_verbatim(answer)


def test_a_contract_without_a_fixed_term_asks_no_length_of_time():
    assert answer_form("跟公司签过两次三年的合同，公司说续签还是三年，我能要求签无固定期限的吗？") is None
    assert answer_form("竞业限制的期限是多长？") is not None


ASSEMBLY_HENAN = "企业职工一百人以下的建立职工大会制度；一百人以上的建立职工代表大会制度。"
DELEGATES_HENAN = "一百至二百人的企业，职工代表人数不少于三十人；二百至一千人的企业，职工代表占职工总数百分之十五至十。"


def test_whether_a_stated_span_is_allowed_asks_for_the_limit():
    form = answer_form("公司说竞业限制3年里都不能去同行干，这个能管我这么久吗?")
    assert form is not None
    assert form.search("竞业限制期限，不得超过二年")  # 劳动合同法 第二十四条
    assert not form.search("在竞业限制期限内按月给予劳动者经济补偿")
    assert answer_form("这个能管我吗?") is None


def test_whether_an_old_claim_still_counts_asks_for_the_time_bar():
    form = answer_form("三年前公司少发了我工资，现在才去劳动监察投诉，他们还会管吗?")
    assert form is not None
    # two and a half years ago is as old a claim (workers20: 两年半以前…少算了我一笔加班费…他们还会管吗)
    half = answer_form("两年半以前公司少算了我一笔加班费，现在去劳动监察大队举报，他们还会管吗？")
    assert half is not None and half.search("在2年内未被劳动保障行政部门发现")
    # 劳动保障监察条例 第二十条 and 劳动争议调解仲裁法 第二十七条 bar a claim; a span to count pay by does not
    assert form.search("违反劳动保障法律、法规或者规章的行为在2年内未被劳动保障行政部门发现")
    assert form.search("劳动关系终止的，应当自劳动关系终止之日起一年内提出")
    assert not form.search("经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付")
    money = answer_form("三年前我进了这家厂，现在工资是多少钱?")  # still a question of how much
    assert money is not None and money.search("月工资3000元") and not money.search("在2年内")
    assert answer_form("三年前公司少发了我工资，怎么办?") is None
    for other in (  # not a claim pursued late
        "半年前入职，现在还在试用期吗?",
        "我三年前签的合同还有效吗?",
        "两年半以前签的竞业协议，现在还要遵守吗？",
        "两年半前入职，今年还能申请年休假吗？",
    ):
        assert answer_form(other) is None, other
    late = answer_form("三个月前入职，到现在还没签劳动合同，能要双倍工资吗?")  # a multiple, not a time bar
    assert late is not None and not late.search("在2年内未被劳动保障行政部门发现")
    assert not form.search("劳动合同期限三个月以上不满一年的")


ARTICLE_87 = (
    "第八十七条 用人单位违反本法规定解除或者终止劳动合同的，应当依照本法第四十七条规定的经济补偿标准的二倍"
    "向劳动者支付赔偿金。"
)


def test_an_article_that_defers_to_another_is_completed_by_it(tiny_retriever):
    question = "我在公司干了3年，被辞退了能拿多少赔偿？"
    search = question + " 用人单位 解除劳动合同"
    documents = [document(ARTICLE_87, article="第八十七条"), document(ARTICLE_47, article="第四十七条")]
    answer = composer_for(tiny_retriever).compose(question, search, documents)
    assert [c.article for c in answer.citations] == ["第八十七条", "第四十七条"], answer.text
    assert "每满一年支付一个月工资" in answer.text
    assert_verbatim(answer)
    # a reference naming several articles names each of them
    listed = document(ARTICLE_87.replace("本法第四十七条", "本法第四十条、第四十七条"), article="第八十七条")
    answer = composer_for(tiny_retriever).compose(question, search, [listed, documents[1]])
    assert [c.article for c in answer.citations] == ["第八十七条", "第四十七条"], answer.text
    # another law's 第四十七条 is not the one 本法 means
    other = document(ARTICLE_47, article="第四十七条", doc_id="other", title="另一部法律")
    answer = composer_for(tiny_retriever).compose(question, search, [documents[0], other])
    assert [c.article for c in answer.citations] == ["第八十七条"], answer.text


def test_the_asking_sentence_outweighs_the_situation_told_before_it(tiny_retriever):
    # 工伤保险条例: the situation (公司说只按最低工资发) matches the article about 最低工资标准; the asking
    # sentence (养伤期间的工资) is answered by the article on pay during 停工留薪期
    injury = source("工伤保险条例", "gsbx")
    disability = numbered(
        "第三十六条 职工因工致残被鉴定为五级、六级伤残的，享受以下待遇：伤残津贴实际金额低于当地最低工资标准的，"
        "由用人单位补足差额。",
        1.0,
        **injury,
    )
    leave = numbered(
        "第三十三条 职工因工作遭受事故伤害或者患职业病需要暂停工作接受工伤医疗的，在停工留薪期内，"
        "原工资福利待遇不变，由所在单位按月支付。",
        0.98,
        **injury,
    )
    question = "手在车间被机器压伤了，认定了工伤，在家休养。公司说只按当地最低工资发。养伤期间工资该怎么发？"
    weights = tiny_retriever.query_weights(question)
    asked = asked_words(tiny_retriever, question, weights)
    assert asked and asked < set(weights)
    composer = ExtractiveComposer(tokenize=tiny_retriever.index.keyword.tokenizer)
    answer = composer.compose(question, question, weights, [disability, leave], asked=asked)
    assert answer.text.startswith("依据《工伤保险条例》第三十三条") and "原工资福利待遇不变" in answer.text
    assert_verbatim(answer)
    # read as one bag of words, the situation wins
    assert composer.compose(question, question, weights, [disability, leave]).text.startswith(
        "依据《工伤保险条例》第三十六条"
    )


SOCIAL_INSURANCE_60 = (
    "第六十条 用人单位应当自行申报、按时足额缴纳社会保险费，非因不可抗力等法定事由不得缓缴、减免。"
    "职工应当缴纳的社会保险费由用人单位代扣代缴，用人单位应当按月将缴纳社会保险费的明细情况告知本人。"
)
ARTICLE_50 = (
    "第五十条 用人单位应当在解除或者终止劳动合同时出具解除或者终止劳动合同的证明，"
    "并在十五日内为劳动者办理档案和社会保险关系转移手续。\n\n"
    "劳动者应当按照双方约定，办理工作交接。用人单位依照本法有关规定应当向劳动者支付经济补偿的，在办结工作交接时支付。"
)


def test_an_item_naming_the_quoted_article_is_its_consequence_and_joins_before_a_better_ranked_one(tiny_retriever):
    # As the retriever ranks them for the question: 第五十条 (papers on leaving, pay "依照本法有关规定")
    # well above 第四十六条, whose item (一) is the compensation for resigning under 第三十八条
    question = "老板不给交社保我能辞职吗,有补偿吗"
    search = question + " 用人单位 劳动者 解除劳动合同 经济补偿 社会保险 社会保险费 缴纳"
    documents = [
        numbered(ARTICLE_38, 1.4),
        numbered(ARTICLE_50, 1.6),
        numbered(ARTICLE_46, -0.8),
    ]
    answer = composer_for(tiny_retriever).compose(question, search, documents)
    assert [c.article for c in answer.citations][:2] == ["第三十八条", "第四十六条"], answer.text
    assert "（一）劳动者依照本法第三十八条规定解除劳动合同的" in answer.text
    assert_verbatim(answer)
    # 第五十条 holds more of these search words than 第四十六条's item does: with room for one further article,
    # the consequence of the article quoted is read first all the same
    wider = search + " 证明 档案 工作交接"
    weights = tiny_retriever.wording_weights(wider)
    two = ExtractiveComposer(tokenize=tiny_retriever.index.keyword.tokenizer, max_passages=2)
    candidates = two._candidates(question, wider, weights, documents, Standing.of(question, two.tokenize, [], ""))
    best_of = {p: max(c.score for c in candidates if c.passage == p) for p in (1, 2)}
    assert best_of[1] > best_of[2]  # 第五十条 (passage 1) scores above 第四十六条 (passage 2)
    answer = two.compose(question, wider, weights, documents)
    assert [c.article for c in answer.citations] == ["第三十八条", "第四十六条"], answer.text
    # a reference outside an item borrows a measure and is no consequence: the same words as a plain 款
    borrowed = "第四十六条 劳动者依照本法第三十八条规定解除劳动合同的，用人单位应当向劳动者支付经济补偿。"
    answer = composer_for(tiny_retriever).compose(question, search, [*documents[:2], numbered(borrowed, -0.8)])
    assert [c.article for c in answer.citations][:2] == ["第三十八条", "第五十条"], answer.text


def test_a_place_none_of_whose_rules_the_index_holds_is_told_the_answer_is_national(tiny_retriever):
    service = AnswerService(tiny_retriever, refuse_below=0.0)
    answer = service.ask("深圳的女职工生育能休多少天产假?")
    assert not answer.refused and all(not c.region for c in answer.citations), answer.text
    assert "知识库里没有广东省深圳市的地方性规定" in answer.notice
    # 北京 has rules of its own here (北京市集体合同条例), though this answer quotes national law
    beijing = service.ask("北京的女职工生育能休多少天产假?")
    assert all(not c.region for c in beijing.citations), beijing.text
    assert "地方性规定" not in beijing.notice


def test_a_question_asking_for_a_figure_no_quoted_sentence_states_is_told_so(tiny_retriever):
    service = AnswerService(tiny_retriever, refuse_below=0.0)
    dues = service.ask("工会会员每个月要交多少钱会费?")  # 工会法 lists 会费 among the funds, without an amount
    assert not dues.refused and NO_FIGURE_NOTE in dues.notice, dues.text
    leave = service.ask("女职工生育能休多少天产假?")  # 女职工劳动保护特别规定 第七条: 98天
    assert "98天" in leave.text and NO_FIGURE_NOTE not in leave.notice, leave.text
    assert NO_FIGURE_NOTE not in service.ask("老板的亲戚能当工会委员吗?").notice  # asks no figure
