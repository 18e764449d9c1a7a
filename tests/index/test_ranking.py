"""The ranking math on hand-made candidate signals: what each feature column says about a candidate."""

from __future__ import annotations

import numpy as np

from index.ranking import FEATURES, Signals, bigram_share, features, neighbour, yield_to_newer


def signals(**overrides) -> Signals:
    n = 3
    base = dict(
        keyword=np.array([4.0, 2.0, 0.0]),
        keyword_rank=np.array([0.0, 1.0, 160.0]),
        dense=np.array([0.5, 0.4, 0.3]),
        dense_width=0.05,
        dense_rank=np.array([1.0, 0.0, 2.0]),
        expansion=np.zeros(n),
        coverage=np.array([1.0, 0.5, 0.0]),
        title=np.zeros(n),
        doc=np.array([0, 0, 1]),
        region_match=np.zeros(n, dtype=bool),
        region_other=np.array([False, False, True]),
        superseded=np.zeros(n, dtype=bool),
        case=np.zeros(n, dtype=bool),
        length=np.array([100.0, 100.0, 100.0]),
        bigrams=np.zeros(n),
        kind=np.array(["法律", "行政法规", "地方性法规"], dtype=object),
        age=np.array([2.0, 5.0, 8.0]),
        position=np.array([0.0, 0.5, 1.0]),
        chapter=np.array(["general", "liability", "supplementary"], dtype=object),
    )
    return Signals(**{**base, **overrides})


def column(matrix: np.ndarray, name: str) -> list[float]:
    return matrix[:, FEATURES.index(name)].round(4).tolist()


def test_kind_columns_name_the_level_of_the_source_and_local_rules_are_the_baseline():
    matrix = features(signals(), np.array([10, 11, 40]))
    assert matrix.shape == (3, len(FEATURES))
    assert column(matrix, "law") == [1.0, 0.0, 0.0]
    assert column(matrix, "regulation") == [0.0, 1.0, 0.0]
    assert column(matrix, "interpretation") == column(matrix, "rule") == [0.0, 0.0, 0.0]


def test_age_is_counted_on_a_log_scale():
    matrix = features(signals(), np.array([10, 11, 40]))
    assert column(matrix, "age") == [round(float(np.log1p(a)), 4) for a in (2.0, 5.0, 8.0)]


def test_scores_are_scaled_within_the_pool():
    matrix = features(signals(), np.array([10, 11, 40]))
    assert column(matrix, "keyword") == [1.0, 0.5, 0.0]
    assert column(matrix, "dense") == [1.0, 0.5, 0.0]
    assert column(matrix, "dense_gap") == [0.0, -2.0, -4.0]  # in units of the embedder's calibrated width


def test_an_adjacent_article_of_the_same_document_lends_its_keyword_score():
    rows = np.array([10, 11, 12])
    doc = np.array([0, 0, 1])  # row 12 is the next row but another document
    assert neighbour(rows, doc, np.array([1.0, 0.5, 0.9])).tolist() == [0.5, 1.0, 0.0]


def test_bigrams_count_phrases_jieba_would_cut_differently():
    shares = bigram_share("产假多少天", ["女职工生育享受98天产假", "年休假"])
    assert shares.tolist() == [0.25, 0.0]  # of 产假, 假多, 多少, 少天 the article holds 产假


def test_an_older_version_ranks_just_below_the_same_article_of_the_newer_one():
    keys = [("old", "第五条"), ("new", "第五条"), ("new", "第六条")]
    newer: list[tuple[str, str] | None] = [("new", "第五条"), None, None]
    scores = yield_to_newer(np.array([3.0, 1.0, 2.0]), keys, newer)
    assert np.argsort(-scores).tolist() == [2, 1, 0]


def test_ages_count_back_from_the_newest_version_in_the_index_and_undated_ones_take_the_median(tiny_retriever):
    from dataclasses import replace

    index = tiny_retriever.index
    dated = [
        replace(c, date=d)
        for c, d in zip(index.chunks[:4], ("2012-04-28", "2021-12-24", "", "2008-07-17"), strict=True)
    ]
    ages = replace(index, chunks=dated).ages
    assert ages.tolist() == [9.0, 0.0, 9.0, 13.0]  # 2021 is the newest; the undated one takes the median of 9, 0, 13


def test_chapter_columns_flag_the_standard_chapters_of_a_statute():
    matrix = features(signals(), np.array([10, 11, 40]))
    assert column(matrix, "general") == [1.0, 0.0, 0.0]
    assert column(matrix, "liability") == [0.0, 1.0, 0.0]
    assert column(matrix, "supplementary") == [0.0, 0.0, 1.0]
    assert column(matrix, "position") == [0.0, 0.5, 1.0]


def test_a_passage_knows_its_place_in_its_document_and_the_chapter_it_is_under(tiny_retriever):
    index = tiny_retriever.index
    union_law = [row for row, c in enumerate(index.chunks) if c.title == "中华人民共和国工会法"]
    by_article = {index.chunks[row].article: row for row in union_law}
    assert index.positions[union_law[0]] == 0.0 and index.positions[union_law[-1]] == 1.0
    assert index.chapters[by_article["第一条"]] == "general"  # 第一章 总则
    assert index.chapters[by_article["第五十一条"]] == "liability"  # 第六章 法律责任
    assert index.chapters[by_article["第五十八条"]] == "supplementary"  # 第七章 附则
    assert index.chapters[by_article["第二十条"]] == ""  # 第三章 工会的权利和义务


def test_a_document_of_one_passage_sits_in_its_own_middle(tiny_retriever):
    from dataclasses import replace

    index = tiny_retriever.index
    chunks = [replace(c, doc_id=d) for c, d in zip(index.chunks[:4], ("a", "b", "b", "b"), strict=True)]
    assert replace(index, chunks=chunks).positions.tolist() == [0.5, 0.0, 0.5, 1.0]
