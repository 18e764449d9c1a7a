from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.retriever import HybridRetriever


def test_is_a_langchain_retriever_returning_documents_with_metadata(tiny_retriever):
    assert isinstance(tiny_retriever, BaseRetriever)
    documents = tiny_retriever.invoke("哺乳期女职工每天有多少哺乳时间?")
    assert len(documents) == 5 and all(isinstance(d, Document) for d in documents)
    top = documents[0]
    assert "1小时哺乳时间" in top.page_content
    assert top.metadata["title"] == "女职工劳动保护特别规定" and top.metadata["article"] == "第九条"
    assert top.metadata["heading_path"][0] == "女职工劳动保护特别规定"
    assert top.id == top.metadata["chunk_id"]
    assert {"score", "dense_score", "keyword_score", "relevance", "start", "end", "source"} <= set(top.metadata)
    scores = [d.metadata["score"] for d in documents]
    assert scores == sorted(scores, reverse=True)


def test_everyday_words_reach_the_statute(tiny_retriever):
    """亲戚/老板 never occur in the law; the expansion to 近亲属/企业主要负责人 finds 工会法 第十条."""
    top = tiny_retriever.invoke("老板的亲戚能当工会委员吗?")[:3]
    assert any(d.metadata["article"] == "第十条" and "近亲属" in d.page_content for d in top)


def test_seed_question_finds_the_commentary(tiny_retriever):
    documents = tiny_retriever.invoke("北京工会要修改哪些法规?")
    assert any("北京市集体合同条例》的修改进程" in d.page_content for d in documents)


def test_relevance_is_low_for_questions_the_documents_do_not_cover(tiny_retriever):
    on_topic = tiny_retriever.invoke("女职工生育享受多少天产假?")[0].metadata["relevance"]
    off_topic = tiny_retriever.invoke("如何做一道红烧肉?")[0].metadata["relevance"]
    assert on_topic > 0.5 > off_topic


def test_empty_question_returns_nothing(tiny_retriever):
    assert tiny_retriever.invoke("   ") == []


def test_cases_yield_to_statutes_unless_the_question_asks_about_cases(tmp_path, corpus_file, fake_embedder):
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from index.ranking import FEATURES, FUSION
    from index.retriever import HybridRetriever
    from index.store import open_index
    from ingest.pipeline import ingest_paths

    folder = tmp_path / "docs" / "案例"
    folder.mkdir(parents=True)
    case = "加班费的仲裁时效应当如何认定.md"
    (folder / case).write_bytes(corpus_file(f"案例/{case}").read_bytes())
    (tmp_path / "docs" / "劳动争议调解仲裁法.md").write_bytes(
        corpus_file("劳动争议调解仲裁法(2007-12-29).md").read_bytes()
    )
    result = ingest_paths([tmp_path / "docs"])
    build_index(tmp_path / "index", result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    retriever = HybridRetriever(index=open_index(tmp_path / "index"), embedder=fake_embedder)
    is_case = retriever.index.case_rows
    assert is_case.any() and not is_case.all()

    def case_feature(question: str) -> tuple[set, set]:
        pool = retriever.pool(question)
        column = pool.features[:, FEATURES.index("case")]
        return set(column[is_case[pool.rows]]), set(column[~is_case[pool.rows]])

    assert case_feature("加班费多久之内要去申请仲裁?") == ({1.0}, {0.0})
    assert case_feature("有没有加班费仲裁时效的典型案例?") == ({0.0}, {0.0})
    # with the hand-set fusion a case yields to a statute of equal keyword and dense score
    assert FUSION.weights[FUSION.names.index("case")] < 0


def test_with_the_hand_set_fusion_a_local_rule_yields_to_national_law_unless_its_region_is_asked(tiny_retriever):
    from index.ranking import FUSION, features

    chunks = tiny_retriever.index.chunks

    def lowered(question: str) -> set[float]:
        pool = tiny_retriever.pool(question)
        rows = [i for i, r in enumerate(pool.rows) if chunks[r].region]
        assert rows and len(rows) < len(pool.rows)  # both Beijing's rules and national law are candidates
        unmarked = features(replace(pool.signals, region_other=np.zeros(len(pool.rows), dtype=bool)), pool.rows)
        return set(np.round(FUSION.score(unmarked)[rows] - FUSION.score(pool.features)[rows], 6))

    assert lowered("集体合同草案要经过职工代表大会讨论吗?") == {0.1}
    assert lowered("北京的集体合同草案要经过职工代表大会讨论吗?") == {0.0}


def test_search_kwargs_k_and_min_relevance_are_honoured(tiny_retriever):
    assert len(tiny_retriever.invoke("女职工生育享受多少天产假?", k=1)) == 1
    assert len(tiny_retriever.invoke("女职工生育享受多少天产假?", k=3)) == 3
    assert tiny_retriever.invoke("如何做一道红烧肉?", min_relevance=0.5) == []
    assert tiny_retriever.invoke("女职工生育享受多少天产假?", min_relevance=0.5)


def test_min_relevance_set_on_the_retriever_empties_a_chain_for_off_topic_questions(tiny_retriever):
    """Used alone in a langchain chain (no answer service to refuse), an off-topic question finds nothing."""
    from langchain_core.runnables import RunnableLambda

    strict = tiny_retriever.model_copy(update={"min_relevance": 0.5, "k": 2})
    chain = strict | RunnableLambda(lambda documents: "\n\n".join(d.page_content for d in documents))
    assert chain.invoke("如何做一道红烧肉?") == ""
    assert "98天产假" in chain.invoke("女职工生育享受多少天产假?")


def test_pronoun_and_modal_glued_by_jieba_carry_no_weight(tiny_retriever):
    weights = tiny_retriever.query_weights("我能休几天产假")
    assert "产假" in weights and not {"我能", "我", "能", "几天"} & set(weights)


def test_the_workers_own_word_counts_in_quoted_text_when_the_documents_use_it(tiny_retriever):
    # the search stands 怀孕 in for 孕期 (the statutes' word), but 女职工劳动保护特别规定 第五条 says 怀孕 too;
    # 老板 no document here uses, so it stays out
    question = "老板说我怀孕了要降工资"
    assert "怀孕" not in tiny_retriever.query_weights(question)
    wording = tiny_retriever.wording_weights(question)
    assert wording["怀孕"] == pytest.approx(tiny_retriever.index.keyword.idf("怀孕"))
    assert "老板" not in wording and set(tiny_retriever.query_weights(question)) < set(wording)


def test_an_everyday_word_the_index_never_uses_does_not_make_a_question_look_off_topic(tiny_retriever):
    # 宝宝, 没满, 一岁, 上班 never occur in the four documents, so by this index's idf each is as rare as a
    # word can be; in the language at large they are ordinary and the statute holds 哺乳 and 时间.
    question = "宝宝还没满一岁，上班期间公司要给喂奶时间吗?"
    hits = tiny_retriever.search(question, 5)
    coverage, _, _ = tiny_retriever.relevance_signals(hits, question)
    assert coverage > max(hit.coverage for hit in hits) + 0.1
    off_topic = "如何做一道红烧肉?"
    assert tiny_retriever.relevance_signals(tiny_retriever.search(off_topic, 5), off_topic)[0] < coverage


def test_relevance_is_judged_on_the_best_five_hits_however_many_are_asked_for(tiny_retriever, monkeypatch):
    """The refusal threshold was calibrated on five hits: asking for more (the composer reads eight) must not
    let a passage ranked sixth lift the relevance of a search."""
    question = "女职工生育享受多少天产假?"
    answering = tiny_retriever.search(question, 1)
    unrelated = tiny_retriever.search("如何做一道红烧肉?", 5)
    monkeypatch.setattr(HybridRetriever, "search", lambda self, query, k=None: (unrelated + answering)[: k or 5])
    five = tiny_retriever.invoke(question, k=5)[0].metadata["relevance"]
    assert tiny_retriever.invoke(question, k=6)[0].metadata["relevance"] == five
    assert tiny_retriever.relevance(unrelated + answering, question) > five  # the sixth would have lifted it


def test_a_word_naming_the_document_counts_as_held_by_each_of_its_passages(tiny_retriever):
    # 齐静 is the commentary's author, named in its title and first lines only; the hotline is further on.
    question = "齐静说的工会服务热线是多少"
    hits = tiny_retriever.search(question, 5)
    best = next(hit for hit in hits if "12351" in tiny_retriever.index.chunks[hit.row].text)
    assert "齐静" not in tiny_retriever.index.chunks[best.row].text
    weights = tiny_retriever.rarity_weights(question)
    assert set(weights) == {"齐静", "说", "工会", "服务", "热线"}
    # only 说 is missing: the author's name, the rarest word asked, is not
    total = sum(weights.values())
    assert tiny_retriever.relevance_signals([best], question)[0] == pytest.approx((total - weights["说"]) / total)


def test_the_adapter_adds_the_neighbours_of_the_moved_question_to_the_dense_side(tiny_retriever):
    from index.adapter import QueryAdapter

    question = "工会主席可以随便调走吗?"
    index = tiny_retriever.index
    q = tiny_retriever.embedder.embed_query_array(tiny_retriever.expand(question))
    plain = tiny_retriever.pool(question)
    # the passage the plain question is farthest from, of all in the index
    target = int(np.argmin(index.dense.reconstruct_batch(np.arange(index.dense.ntotal)) @ q))
    assert target not in plain.rows
    towards = index.dense.reconstruct_batch(np.array([target]))[0]
    adapter = QueryAdapter((towards * 50).reshape(-1, 1), q.reshape(-1, 1).astype(np.float32))
    adapted = tiny_retriever.model_copy(update={"adapter": adapter})
    moved = adapted.pool(question)
    assert target in moved.rows and set(plain.rows) <= set(moved.rows)  # added to, nothing taken away
    # every feature still reads the question's own cosine
    assert np.allclose(moved.signals.dense, index.dense.reconstruct_batch(moved.rows) @ q, atol=1e-5)
    assert target not in adapted.model_copy(update={"adapted_candidates": 0}).pool(question).rows


def test_several_views_are_searched_in_one_pass_as_each_alone(tiny_retriever):
    index = tiny_retriever.index
    views = index.dense.reconstruct_batch(np.array([0, 5]))
    together = index.dense_search_many(views, 7)
    assert together == [index.dense_search(views[0], 7), index.dense_search(views[1], 7)]
    assert together[1][0][0] == 5  # a passage's own vector finds it first
