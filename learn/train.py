"""Train the learned retrieval components for one set of questions, and cross-validate them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from eval.metrics import Question
from index.ranking import FUSION, TreeRanker
from index.retriever import HybridRetriever
from index.vocabulary import TranslationVocabulary
from learn.dataset import relevant_rows, translation_pairs
from learn.ranker import LabelledPool, train_ranker
from learn.translation import train_translation

COMPONENTS = ("vocabulary", "ranker")


@dataclass(frozen=True)
class Learned:
    vocabulary: TranslationVocabulary | None
    ranker: TreeRanker | None

    def apply(self, retriever: HybridRetriever) -> HybridRetriever:
        return retriever.model_copy(update={"vocabulary": self.vocabulary, "ranker": self.ranker or FUSION})


def labelled_pools(
    retriever: HybridRetriever, questions: Sequence[Question], relevant: dict[str, set[int]]
) -> list[LabelledPool]:
    pools = []
    for question in questions:
        pool = retriever.pool(question.question)
        if pool is None:
            continue
        labels = np.isin(pool.rows, sorted(relevant.get(question.id, ())))
        pools.append(LabelledPool(pool.features, labels))
    return pools


def learn(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    components: Sequence[str] = COMPONENTS,
    relevant: dict[str, set[int]] | None = None,
) -> Learned:
    """The vocabulary from question/article pairs, then the ranker over candidate pools that use it."""
    unknown = set(components) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown components: {sorted(unknown)}")
    relevant = relevant if relevant is not None else relevant_rows(retriever.index, questions)
    base = retriever.model_copy(update={"vocabulary": None, "ranker": FUSION})
    vocabulary = None
    if "vocabulary" in components:
        pairs = translation_pairs(base.index, questions, relevant, base.index.keyword.tokenizer)
        vocabulary = train_translation(pairs)
        base = base.model_copy(update={"vocabulary": vocabulary})
    ranker = None
    if "ranker" in components:
        info = {"questions_file_rows": len(questions), "index": base.index.version, "embedder": base.embedder.name}
        ranker = train_ranker(labelled_pools(base, questions, relevant), trained_on=info)
    return Learned(vocabulary, ranker)


def fold_of(question_id: str, folds: int) -> int:
    """A question's fold, fixed by its id alone (stable across runs and machines)."""
    return int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % folds


def cross_validate(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    folds: int,
    run: Callable[[Sequence[Question], HybridRetriever], list[dict]],
    components: Sequence[str] = COMPONENTS,
) -> list[dict]:
    """Each fold's questions judged by components learned from the other folds; rows of every fold together."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    relevant = relevant_rows(retriever.index, questions)
    rows: list[dict] = []
    for fold in range(folds):
        held_out = [q for q in questions if fold_of(q.id, folds) == fold]
        training = [q for q in questions if fold_of(q.id, folds) != fold]
        learned = learn(retriever, training, components, relevant)
        for row in run(held_out, learned.apply(retriever)):
            rows.append({**row, "fold": fold})
    return rows
