"""Fitting the query adapter on real excerpts: deterministic, and it brings questions nearer their articles."""

from __future__ import annotations

import numpy as np

from learn.adapter import AdapterSettings, train_adapter
from learn.dataset import relevant_rows
from tests.learn.test_learn import QUESTIONS

SMALL = AdapterSettings(penalty=0.001, epochs=40, batch=4, learning_rate=0.01, nearest=10, random=20, rank=8)


def relevant_ranks(retriever, relevant, adapter=None) -> list[int]:
    """Per question: the rank of its best relevant passage by cosine among every passage of the index."""
    vectors = retriever.index.dense.reconstruct_batch(np.arange(retriever.index.dense.ntotal))
    ranks = []
    for question in QUESTIONS:
        q = retriever.embedder.embed_query_array(retriever.expand(question.question))
        scores = vectors @ (adapter.adapt(q) if adapter else q)
        best = max(scores[row] for row in relevant[question.id])
        ranks.append(int((scores > best).sum()) + 1)
    return ranks


def test_the_adapter_is_deterministic_and_brings_questions_nearer_their_articles(tiny_retriever):
    relevant = relevant_rows(tiny_retriever.index, QUESTIONS)
    first = train_adapter(tiny_retriever, QUESTIONS, relevant, SMALL, trained_on={"question_files": ["tiny"]})
    second = train_adapter(tiny_retriever, QUESTIONS, relevant, SMALL)
    assert first is not None and second is not None
    assert np.array_equal(first.left, second.left) and np.array_equal(first.right, second.right)
    assert first.left.shape == (tiny_retriever.embedder.dimension, 8)
    assert first.trained_on["passages"] == len(tiny_retriever.index.chunks) and first.trained_on["questions"] == 8
    before, after = relevant_ranks(tiny_retriever, relevant), relevant_ranks(tiny_retriever, relevant, first)
    assert sum(after) < sum(before) and sum(r == 1 for r in after) > sum(r == 1 for r in before)


def test_no_adapter_without_questions_that_have_relevant_rows(tiny_retriever):
    assert train_adapter(tiny_retriever, QUESTIONS, {}) is None
