from __future__ import annotations

from index.keyword import ChineseTokenizer, KeywordIndex, corpus_terms, is_function_word

COMMENTARY = "强化劳动法律监督,用好“一函两书”,深化工会法律援助。扎实推进新兴领域“两个覆盖”集中攻坚。"
LAW = (
    "企业、事业单位、社会组织（以下统称用人单位）中以工资收入为主要生活来源的劳动者。"
    "本法所称集体合同，是指用人单位与本单位职工签订的协议。"
)


def test_corpus_terms_come_from_titles_quotes_and_definitions():
    terms = corpus_terms(["中华人民共和国工会法"], [COMMENTARY, LAW, "加快推进《北京市集体合同条例》的修改"])
    assert {
        "工会法",
        "中华人民共和国工会法",
        "一函两书",
        "两个覆盖",
        "用人单位",
        "集体合同",
        "北京市集体合同条例",
    } <= set(terms)


def test_user_words_stay_whole_and_stopwords_go():
    plain = ChineseTokenizer()
    assert "一函两书" not in plain("用好一函两书")
    tokens = ChineseTokenizer(["一函两书"])("怎么用好一函两书呢？")
    assert "一函两书" in tokens
    assert not {"怎么", "呢", "？"} & set(tokens)


def test_words_glued_from_stop_words_are_stop_words_too():
    assert is_function_word("我能") and is_function_word("我们可以") and is_function_word("能")
    assert not is_function_word("辞职") and not is_function_word("我国") and not is_function_word("能力")
    assert not any(is_function_word(t) for t in ("不得", "以上", "以下", "得到"))  # stop characters, real words


def test_bm25_ranks_the_passage_with_the_rare_words_first(tmp_path):
    texts = [
        "第一条 为保障工会在国家政治、经济和社会生活中的地位，制定本法。",
        "第十条 企业主要负责人的近亲属不得作为本企业基层工会委员会成员的人选。",
        "第七条 女职工生育享受98天产假。",
    ]
    index = KeywordIndex.build(texts, ChineseTokenizer())
    assert index.search("近亲属能当工会委员吗", k=3)[0][0] == 1
    assert index.search("红烧肉", k=3) == []
    index.save(tmp_path)
    reloaded = KeywordIndex.load(tmp_path)
    assert reloaded.search("产假多少天", k=1)[0][0] == 2
    assert reloaded.idf("红烧肉") > reloaded.idf("产假") > 0
