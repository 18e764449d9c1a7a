"""Train the learned retrieval components for one set of questions, and cross-validate them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from eval.metrics import Question
from index.adapter import QueryAdapter
from index.ranking import FUSION, TreeRanker
from index.retriever import HybridRetriever
from index.store import SearchIndex
from index.vocabulary import TranslationVocabulary
from ingest.records import Chunk
from learn.adapter import train_adapter
from learn.dataset import relevant_rows, translation_pairs
from learn.ranker import LabelledPool, train_ranker
from learn.translation import train_translation

COMPONENTS = ("vocabulary", "adapter", "ranker")


@dataclass(frozen=True)
class Learned:
    vocabulary: TranslationVocabulary | None
    ranker: TreeRanker | None
    adapter: QueryAdapter | None = None

    def apply(self, retriever: HybridRetriever) -> HybridRetriever:
        update = {"vocabulary": self.vocabulary, "adapter": self.adapter, "ranker": self.ranker or FUSION}
        return retriever.model_copy(update=update)


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
    provenance: dict | None = None,
    pools: Sequence[LabelledPool] | None = None,
) -> Learned:
    """The vocabulary from question/article pairs, the query adapter, then the ranker over candidate pools
    that use them; `provenance` (such as the question files) is recorded with the trees and the adapter.
    `pools`: the questions' pools already drawn by the fusion without a vocabulary or an adapter
    (`set_pools`), not drawn again."""
    unknown = set(components) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown components: {sorted(unknown)}")
    if pools is not None and {"vocabulary", "adapter"} & set(components):
        raise ValueError("pools drawn without a vocabulary or an adapter cannot train a ranker that searches with one")
    labels: dict[str, set[int]] = {}  # pools drawn already carry their labels
    if pools is None:
        labels = relevant if relevant is not None else relevant_rows(retriever.index, questions)
    base = _fusion(retriever)
    vocabulary = None
    if "vocabulary" in components:
        pairs = translation_pairs(base.index, questions, labels, base.index.keyword.tokenizer)
        vocabulary = train_translation(pairs)
        base = base.model_copy(update={"vocabulary": vocabulary})
    adapter = None
    if "adapter" in components:
        adapter = train_adapter(base, questions, labels, trained_on=provenance)
        base = base.model_copy(update={"adapter": adapter})
    ranker = None
    if "ranker" in components:
        info = {
            "questions_file_rows": len(questions),
            "index": base.index.version,
            "passages": len(base.index.chunks),
            "embedder": base.embedder.name,
            **(provenance or {}),
        }
        if pools is None:
            pools = labelled_pools(base, questions, labels)
        ranker = train_ranker(pools, trained_on=info)
    return Learned(vocabulary, ranker, adapter)


def _fusion(retriever: HybridRetriever) -> HybridRetriever:
    """The retriever as it searches before anything is learned: what pools are drawn from."""
    return retriever.model_copy(update={"vocabulary": None, "adapter": None, "ranker": FUSION})


def fold_of(question_id: str, folds: int) -> int:
    """A question's fold, fixed by its id alone (stable across runs and machines)."""
    return int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % folds


def law_keys(index: SearchIndex) -> dict[str, str]:
    """doc_id → the source file of its newest version: one key for all versions of a law, each book of a
    code its own (民法典/合同编.md), and unchanged when a law's text is edited."""
    source = {chunk.doc_id: chunk.source for chunk in index.chunks}
    return {doc: source.get(index.superseded.get(doc, doc), source[doc]) for doc in source}


def law_of(rows: Iterable[int], chunks: Sequence[Chunk], law_key: dict[str, str]) -> str:
    """The law most of these relevant rows belong to, each article counted once however many versions
    hold it; ties go to the first key in order; "" for no rows."""
    articles = {(law_key[chunks[row].doc_id], chunks[row].article or f"row {row}") for row in rows}
    counts = Counter(law for law, _ in articles)
    return min(counts, key=lambda law: (-counts[law], law)) if counts else ""


def balanced_folds(groups: dict[str, str], folds: int) -> dict[str, int]:
    """item → fold, every group in one fold: the largest groups first, each into the smallest fold so
    far (ties: the lower fold, then the group key), so one big law does not make one fold twice the rest."""
    members: dict[str, list[str]] = {}
    for item, group in groups.items():
        members.setdefault(group, []).append(item)
    sizes = [0] * folds
    assigned = {}
    for group in sorted(members, key=lambda g: (-len(members[g]), g)):
        fold = min(range(folds), key=lambda f: (sizes[f], f))
        sizes[fold] += len(members[group])
        assigned.update(dict.fromkeys(members[group], fold))
    return assigned


def cross_validate(
    retriever: HybridRetriever,
    questions: Sequence[Question],
    folds: int,
    run: Callable[[Sequence[Question], HybridRetriever], list[dict]],
    components: Sequence[str] = COMPONENTS,
    by_law: bool = False,
    also: Sequence[Question] = (),
) -> list[dict]:
    """Each fold's questions judged by components learned from the other folds; rows of every fold together.

    `also`: questions every fold learns from too and none is judged on (the hand-written labour sets beside
    LeCoQA, as `make learn` trains the shipped trees); their ids must differ from the judged ones'.

    `by_law`: every question about one law (the law most of its relevant articles belong to) falls in
    the same fold, so its main law is one the components never learned from — as held-out labour
    questions are for a ranker learned without labour law. A question citing several laws may still
    see its other laws in training."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    index = retriever.index
    also = [q for q in also if q.answerable]
    ids = [q.id for q in [*questions, *also]]
    if len(set(ids)) < len(ids):
        raise ValueError(
            "question ids repeat (a question learned from in every fold is also judged?): make them distinct"
        )
    relevant = relevant_rows(index, [*questions, *also])
    if by_law:
        law_key = law_keys(index)
        laws = {q.id: law_of(relevant.get(q.id, set()), index.chunks, law_key) or q.id for q in questions}
        fold_of_question = balanced_folds(laws, folds)
    else:
        fold_of_question = {q.id: fold_of(q.id, folds) for q in questions}
    rows: list[dict] = []
    for fold in range(folds):
        held_out = [q for q in questions if fold_of_question[q.id] == fold]
        training = [q for q in questions if fold_of_question[q.id] != fold]
        if not held_out or not training:
            raise ValueError(f"fold {fold} has no questions to judge or none to learn from: use fewer folds")
        learned = learn(retriever, [*training, *also], components, relevant)
        for row in run(held_out, learned.apply(retriever)):
            rows.append({**row, "fold": fold})
    return rows


@dataclass(frozen=True)
class SetScore:
    """Where a set's relevant articles stand in the candidate pools, ordered one way."""

    questions: int  # answerable questions of the set
    hits_at_1: int
    hits_at_5: int
    mrr: float


def pool_scores(pools: Sequence[LabelledPool], score: Callable[[np.ndarray], np.ndarray], questions: int) -> SetScore:
    """hits@1, hits@5 and MRR of the first relevant candidate; a question whose pool holds none counts as missed."""
    firsts = []
    for pool in pools:
        if pool.labels.any():
            order = np.argsort(-score(pool.features), kind="stable")
            firsts.append(int(np.flatnonzero(pool.labels[order])[0]) + 1)
    ranks = np.array(firsts)
    return SetScore(
        questions, int((ranks == 1).sum()), int((ranks <= 5).sum()), float((1.0 / ranks).sum() / max(questions, 1))
    )


LabelledSet = tuple[list[LabelledPool], int]  # a set's labelled pools, and how many answerable questions it has


def set_pools(retriever: HybridRetriever, sets: Mapping[str, Sequence[Question]]) -> dict[str, LabelledSet]:
    """Per question set: the labelled pools of its answerable questions, drawn once for both the trees
    `learn` trains on all of them and those `leave_one_set_out` trains on all but one."""
    base = _fusion(retriever)
    drawn = {}
    for name, questions in sets.items():
        answerable = [q for q in questions if q.answerable]
        drawn[name] = (labelled_pools(base, answerable, relevant_rows(base.index, answerable)), len(answerable))
    return drawn


def leave_one_set_out(pools: Mapping[str, LabelledSet]) -> dict[str, tuple[SetScore, SetScore]]:
    """Per question set: (the hand-set fusion, trees learned from the other sets) over its candidate pools —
    whether what is learned from some writers' questions carries over to another writer's."""
    if len(pools) < 2:
        raise ValueError("leaving one set out needs at least two question sets")
    scores = {}
    for name, (held_out, count) in pools.items():
        training = [pool for other, (p, _) in pools.items() if other != name for pool in p]
        trees = train_ranker(training)
        scores[name] = (pool_scores(held_out, FUSION.score, count), pool_scores(held_out, trees.score, count))
    return scores
