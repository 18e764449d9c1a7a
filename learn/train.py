"""Train the learned retrieval components for one set of questions, and cross-validate them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from eval.metrics import Question
from index.ranking import FUSION, TreeRanker
from index.retriever import HybridRetriever
from index.store import SearchIndex
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


def fold_of(key: str, folds: int) -> int:
    """The fold of a question id (or of a group of questions' key), fixed by the key alone: stable across
    runs and machines."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % folds


def law_of(index: SearchIndex, rows: set[int]) -> str:
    """The document most of a question's relevant articles sit in (all its versions one document, each
    book of a code its own); "" when none was found."""
    newest = index.superseded
    documents = Counter(newest.get(index.chunks[row].doc_id, index.chunks[row].doc_id) for row in rows)
    return min(documents, key=lambda doc: (-documents[doc], doc)) if documents else ""


def cross_validate(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    folds: int,
    run: Callable[[Sequence[Question], HybridRetriever], list[dict]],
    components: Sequence[str] = COMPONENTS,
    by_law: bool = False,
) -> list[dict]:
    """Each fold's questions judged by components learned from the other folds; rows of every fold together.

    `by_law`: every question about one law falls in the same fold, so a fold's questions ask about laws
    the components never saw — as held-out labour questions do for a ranker learned without labour law."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    relevant = relevant_rows(retriever.index, questions)
    key = {q.id: (law_of(retriever.index, relevant.get(q.id, set())) if by_law else "") or q.id for q in questions}
    rows: list[dict] = []
    for fold in range(folds):
        held_out = [q for q in questions if fold_of(key[q.id], folds) == fold]
        training = [q for q in questions if fold_of(key[q.id], folds) != fold]
        learned = learn(retriever, training, components, relevant)
        for row in run(held_out, learned.apply(retriever)):
            rows.append({**row, "fold": fold})
    return rows
