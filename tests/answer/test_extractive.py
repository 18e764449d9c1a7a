from __future__ import annotations

import re

from answer.extractive import ExtractiveComposer, sentence_spans
from answer.service import REFUSAL, AnswerService

MARKER = re.compile(r"\[(\d+)\]")


def composer_for(retriever):
    keyword = retriever.index.keyword
    return ExtractiveComposer(tokenize=keyword.tokenizer, weight=keyword.idf)


def quoted_sentences(answer):
    """(sentence, n) for every sentence of the answer text."""
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"(.+?)\[(\d+)\]", answer.text)]


def test_answer_cites_the_right_article_with_verbatim_spans(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("哺乳期的女职工每天有多少哺乳时间?")
    assert not answer.refused and "1小时哺乳时间" in answer.text
    first = answer.citations[0]
    assert first.label == "《女职工劳动保护特别规定》第九条（2012-04-28）"
    by_number = {c.n: c for c in answer.citations}
    for sentence, n in quoted_sentences(answer):
        assert sentence in by_number[n].text  # every sentence is a verbatim span of the passage it cites
    assert len(answer.text) <= 260
    assert {int(n) for n in MARKER.findall(answer.text)} == set(by_number)


def test_seed_question_cites_both_beijing_regulations_from_the_commentary(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("北京工会要修改哪些法规?")
    commentary = [c for c in answer.citations if "齐静" in c.source]
    assert commentary, answer.text
    assert "《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》" in commentary[0].quote
    assert all(line in answer.text for line in commentary[0].quote.splitlines())


def test_unrelated_question_is_refused_without_sources(tiny_retriever):
    answer = AnswerService(tiny_retriever).ask("今天股市行情怎么样?")
    assert answer.refused and answer.text == REFUSAL and "12351" in answer.text
    assert answer.citations == []


ARTICLE_38 = (
    "第三十八条 用人单位有下列情形之一的，劳动者可以解除劳动合同：\n\n"
    "（一）未按照劳动合同约定提供劳动保护或者劳动条件的；\n\n"
    "（二）未及时足额支付劳动报酬的；\n\n"
    "（三）未依法为劳动者缴纳社会保险费的；"
)


def test_an_enumerated_item_is_quoted_with_its_lead_in(tiny_retriever):
    from langchain_core.documents import Document

    meta = {"title": "中华人民共和国劳动合同法", "article": "第三十八条", "source": "劳动合同法.md", "score": 1.0}
    document = Document(page_content=ARTICLE_38, metadata=meta, id="c38")
    answer = composer_for(tiny_retriever).compose("不发工资能走人吗", "未及时足额支付劳动报酬 解除劳动合同", [document])
    assert answer.text.startswith("用人单位有下列情形之一的，劳动者可以解除劳动合同：[1]")
    assert "（二）未及时足额支付劳动报酬的；[1]" in answer.text
    assert answer.citations[0].label == "《中华人民共和国劳动合同法》第三十八条"


def test_sentence_spans_drop_the_article_label_and_split_long_sentences_on_clauses():
    text = "第十九条 劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n\n（一）第一项；"
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ["劳动合同期限三个月以上不满一年的，试用期不得超过一个月。", "（一）第一项；"]
    long_sentence = "甲" * 70 + "；" + "乙" * 70 + "。"
    assert [long_sentence[s:e] for s, e in sentence_spans(long_sentence)] == ["甲" * 70 + "；", "乙" * 70 + "。"]
