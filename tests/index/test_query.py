from __future__ import annotations

import pytest

from index.query import QueryExpander


def test_everyday_words_gain_their_statutory_terms():
    expander = QueryExpander.from_file()
    expanded = expander.expand("老板能把我辞退吗?")
    assert expanded.startswith("老板能把我辞退吗?")
    assert "用人单位" in expanded and "解除劳动合同" in expanded
    assert expanded.count("用人单位") == 1


def test_a_question_in_statutory_words_is_left_alone():
    assert QueryExpander.from_file().expand("罢免工会主席需要什么程序?") == "罢免工会主席需要什么程序?"


def test_malformed_table_line_is_reported(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("# comment\n老板\n", "utf-8")
    with pytest.raises(ValueError, match=":2:"):
        QueryExpander.from_file(table)


@pytest.mark.parametrize(
    ("question", "law", "article"),
    [
        ("国庆节当天老板叫我回厂上班，这天工资按几倍算？", "劳动法", "第四十四条"),  # 国庆 → 法定休假日
        ("去申请劳动仲裁要交钱吗？", "劳动争议调解仲裁法", "第五十三条"),  # 交钱 → 收费
        ("下个月结婚请婚假，那几天公司能扣我工资吗？", "劳动法", "第五十一条"),  # 婚假 → 婚丧假
        ("在工地干活，包工头拿了钱跑路了，工钱找谁要？", "保障农民工工资支付条例", "第三十六条"),  # 包工头
        ("车间里着火了，我先跑出来会被扣工资吗？", "安全生产法", "第五十五条"),  # 跑出 → 撤离作业场所
        ("包工头把我们的工资卡都收走了，说替我们保管，合法吗？", "保障农民工工资支付条例", "第三十一条"),  # 收走
        ("劳动仲裁一般要等多久才能出结果？", "劳动争议调解仲裁法", "第四十三条"),  # 出结果 → 裁决
    ],
)
def test_everyday_words_find_the_article_that_uses_the_statutes_word(
    question, law, article, tmp_path, corpus_file, fake_embedder
):
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from index.retriever import HybridRetriever
    from index.store import open_index
    from ingest.pipeline import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (
        "劳动法(2018-12-29).md",
        "劳动争议调解仲裁法(2007-12-29).md",
        "保障农民工工资支付条例(2019-12-30).md",
        "安全生产法(2021-06-10).md",
    ):
        (docs / name).write_bytes(corpus_file(name).read_bytes())
    result = ingest_paths([docs])
    build_index(tmp_path / "index", result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    index = open_index(tmp_path / "index")

    def top3(expander: QueryExpander | None) -> list[tuple[str, str]]:
        retriever = HybridRetriever(index=index, embedder=fake_embedder, expander=expander)
        return [(d.metadata["title"], d.metadata["article"]) for d in retriever.invoke(question, k=3)]

    assert any(law in title and label == article for title, label in top3(QueryExpander.from_file()))
    # the question alone, in everyday words, does not reach it
    assert not any(law in title and label == article for title, label in top3(None))


def test_a_gapped_everyday_word_matches_with_details_inside_one_clause():
    expander = QueryExpander({"下班…路上": ("上下班途中",)})
    for question in ("下班骑电动车回家路上被撞了", "下班路上摔了", "我下班后在回家的路上"):
        assert expander.terms(question) == {"上下班途中": 1.0}, question
    # not across a clause, not over a long stretch, not in the wrong order
    for question in ("下班了，路上堵车", "下班以后去超市买了很多东西再走在路上", "路上下班"):
        assert expander.terms(question) == {}, question


def test_a_gapped_everyday_word_no_longer_counts_as_missing():
    expander = QueryExpander({"扣…工资": ("克扣", "工资")})
    words = {"公司扣我工资": ["公司", "扣", "我", "工资"], "扣": ["扣"], "工资": ["工资"], "克扣": ["克扣"]}
    weights = expander.weights("公司扣我工资", words.__getitem__)
    assert "扣" not in weights  # the everyday word is represented by its statutory terms
    assert weights["克扣"] == 1.0 and weights["工资"] == 1.0  # the question's own 工资 stays whole


def test_paying_social_insurance_in_a_workers_words_is_the_statutes_payment():
    expander = QueryExpander.from_file()
    for question in ("老板不给交社保我能辞职吗", "公司一直没给我交社保", "社保才交了12年，能领养老金吗"):
        assert {"缴纳", "社会保险费"} <= set(expander.terms(question)), question
    assert "缴纳" not in expander.terms("社保卡丢了怎么补办")  # 交 is not there
    assert "缴纳" not in expander.terms("社保基数和交通费怎么算")  # 交通 is no payment


def test_keeping_workers_from_a_union_is_the_statutes_obstruction():
    expander = QueryExpander.from_file()
    for question in ("上海的公司不让我们成立工会，怎么办？", "老板不准我们组建工会"):
        assert "阻挠" in expander.terms(question), question
    assert "阻挠" not in expander.terms("公司不让我请假，工会能管吗？")  # another clause
