"""Where to refuse: the relevance threshold that best separates questions the documents answer from
questions they do not, calibrated on real rows and saved as JSON beside the code.

Answerable rows: the dev-style questions on the bundled index (with `learn/calibration.jsonl`, workers'
questions written for this, most of them long stories), and the consultation questions on an index
that holds their articles (counted only when a relevant article was retrieved). Off-topic rows: the
same consultations on the bundled index where no bundled document holds their articles, and the
dev-style questions marked unanswerable. The threshold minimises the expected cost over the two
rates (each side weighs the same however many rows it has; a wrong refusal costs `refusal_cost`
times an off-topic answer), placed midway between the rows either side of it: the median of that
point over bootstrap resamples of the rows, since the cost is often flat around it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from index.calibration import REFUSAL_FILE, RelevanceModel, hand_relevance, relevance_inputs, save_entry

RelevanceSignals = tuple[float, float, int]  # (best coverage, closeness, question words), as the retriever reports them
Row = tuple[str, RelevanceSignals]  # (question id, what its search's relevance is judged on)
CALIBRATION_QUESTIONS = Path(__file__).with_name("calibration.jsonl")


@dataclass(frozen=True)
class Calibration:
    refuse_below: float
    answerable: int
    off_topic: int
    false_refusals: int  # answerable rows below the threshold
    answered_off_topic: int  # off-topic rows at or above it
    margin: float  # lowest answerable relevance minus highest off-topic relevance (negative: they overlap)
    relevance: dict | None = None  # the RelevanceModel these relevance values came from; None: the hand blend
    passages: int = 0  # the size of the index it is calibrated for (0: any)

    def save(self, path: Path = REFUSAL_FILE) -> None:
        """Beside the calibrations saved for indexes of another scale (`index.calibration.calibration_for`),
        replacing one for an index of this scale (one that records no scale stays, serving the scales no
        calibration is for); written whole, then swapped in, so a service loading it meanwhile reads the
        old file or the new one."""
        save_entry(path, "calibrations", asdict(self))


RESAMPLES = 200  # bootstrap resamples whose least-cost thresholds the calibrated one is the median of


def least_cost_threshold(on: np.ndarray, off: np.ndarray, refusal_cost: float) -> float:
    """Over sorted relevance values: the lowest threshold with the least expected cost (each side weighs the
    same however many rows it has), placed midway between it and the next row below, so no row sits on it."""
    candidates = np.unique(np.concatenate([on, off, [1.0 + 1e-9]]))
    # balanced accuracy of "answer when relevance >= t" for every t
    recall_on = 1 - np.searchsorted(on, candidates, side="left") / len(on)
    recall_off = np.searchsorted(off, candidates, side="left") / len(off)
    cost = np.round(refusal_cost * (1 - recall_on) + (1 - recall_off), 9)
    chosen = candidates[int(np.argmin(cost))]
    below = np.concatenate([on[on < chosen], off[off < chosen]]).max(initial=0.0)
    return float((below + chosen) / 2)


def calibrate(
    answerable: Sequence[float], off_topic: Sequence[float], refusal_cost: float = 3.0, resamples: int = RESAMPLES
) -> Calibration:
    """`refusal_cost`: how much worse a wrong refusal is than quoting a passage for an off-topic question
    (the worker gets nothing, versus a cited passage whose source shows it does not fit).

    The threshold is the median of the least-cost thresholds of `resamples` bootstrap resamples (fixed seed;
    0: of the rows themselves). The expected cost is often flat over a wide range — over union + laws
    within 0.003 from 0.58 to 0.72 — so the least-cost point of one sample jumps with any row added or
    retrained (a relearned bundled ranker moved it 0.58 → 0.71); the median is where it lies across samples."""
    if not answerable or not off_topic:
        raise ValueError("calibration needs answerable and off-topic rows")
    if refusal_cost <= 0:
        raise ValueError("refusal_cost must be positive")
    on, off = np.sort(np.asarray(answerable, float)), np.sort(np.asarray(off_topic, float))
    if resamples:
        rng = np.random.default_rng(0)
        draws = [
            least_cost_threshold(np.sort(rng.choice(on, len(on))), np.sort(rng.choice(off, len(off))), refusal_cost)
            for _ in range(resamples)
        ]
        threshold = round(float(np.median(draws)), 4)
    else:
        threshold = round(least_cost_threshold(on, off, refusal_cost), 4)
    return Calibration(
        refuse_below=threshold,
        answerable=len(on),
        off_topic=len(off),
        false_refusals=int((on < threshold).sum()),
        answered_off_topic=int((off >= threshold).sum()),
        margin=round(float(on.min() - off.max()), 4),
    )


def fit_relevance(
    answerable: Sequence[RelevanceSignals], off_topic: Sequence[RelevanceSignals], refusal_cost: float = 3.0
) -> RelevanceModel:
    """Logistic regression over `relevance_inputs`, each side weighed as `calibrate` weighs it: the two
    sides count the same however many rows each has, a wrong refusal `refusal_cost` times more."""
    from sklearn.linear_model import LogisticRegression

    if not answerable or not off_topic:
        raise ValueError("a relevance model needs answerable and off-topic rows")
    x = np.array([relevance_inputs(*row) for row in (*answerable, *off_topic)])
    y = np.concatenate([np.ones(len(answerable)), np.zeros(len(off_topic))])
    weight = np.where(y == 1, refusal_cost / len(answerable), 1.0 / len(off_topic))
    model = LogisticRegression(C=1.0, max_iter=3000).fit(x, y, sample_weight=weight * len(y) / weight.sum())
    return RelevanceModel(tuple(round(float(v), 6) for v in model.coef_[0]), round(float(model.intercept_[0]), 6))


def calibrate_with_model(
    answerable: Sequence[RelevanceSignals], off_topic: Sequence[RelevanceSignals], refusal_cost: float = 3.0
) -> Calibration:
    """The relevance model learned from these rows, and the threshold on its probabilities."""
    model = fit_relevance(answerable, off_topic, refusal_cost)
    result = calibrate([model(*r) for r in answerable], [model(*r) for r in off_topic], refusal_cost)
    return replace(result, relevance=model.to_dict())


def cross_validate_refusal(
    answerable: Sequence[tuple[str, RelevanceSignals]],
    off_topic: Sequence[tuple[str, RelevanceSignals]],
    folds: int,
    refusal_cost: float = 3.0,
) -> dict[str, dict]:
    """Wrong refusals and off-topic answers on each fold's rows, by a threshold (and model) fitted on the
    other folds: the hand blend against the learned model. Rows fold by question id, as in `learn.train`."""
    from learn.train import fold_of

    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    fold_of_row = {qid: fold_of(qid, folds) for qid, _ in (*answerable, *off_topic)}
    results = {}
    for name in ("hand-set", "learned"):
        wrong = answered = 0
        for fold in range(folds):
            train_on = [s for qid, s in answerable if fold_of_row[qid] != fold]
            train_off = [s for qid, s in off_topic if fold_of_row[qid] != fold]
            judge: Callable[[float, float, int], float] = (
                fit_relevance(train_on, train_off, refusal_cost) if name == "learned" else hand_relevance
            )
            threshold = calibrate(
                [judge(*s) for s in train_on], [judge(*s) for s in train_off], refusal_cost
            ).refuse_below
            wrong += sum(judge(*s) < threshold for qid, s in answerable if fold_of_row[qid] == fold)
            answered += sum(judge(*s) >= threshold for qid, s in off_topic if fold_of_row[qid] == fold)
        cost = refusal_cost * wrong / len(answerable) + answered / len(off_topic)
        results[name] = {"false_refusals": int(wrong), "answered_off_topic": int(answered), "cost": round(cost, 4)}
    return results


def relevance_rows(laws, union, questions, marked) -> tuple[list[Row], list[Row]]:
    """(answerable, off-topic) rows of (question id, relevance signals) for `calibrate_with_model`.

    `questions` (with relevant articles) are answerable where `laws`, an index holding their articles,
    retrieved one, and off-topic on `union`, the bundled index, when none of its documents holds one
    (a 社会保险法 consultation is the bundled documents' to answer). `marked` (answerable or not by
    hand) are searched on `union`. `laws` may be `union` itself: then its own consultations count.
    """
    from learn.dataset import relevant_rows

    relevant = relevant_rows(laws.index, questions)
    covered = relevant if laws is union else relevant_rows(union.index, questions)
    on_topic, off_topic = [], []
    for question in questions:
        hits = laws.search(question.question)
        if {hit.row for hit in hits} & relevant[question.id]:
            on_topic.append((question.id, laws.relevance_signals(hits, question.question)))
        if not covered[question.id]:
            signals = union.relevance_signals(union.search(question.question), question.question)
            off_topic.append((question.id, signals))
    for question in marked:
        row = (question.id, union.relevance_signals(union.search(question.question), question.question))
        (on_topic if question.answerable else off_topic).append(row)
    return on_topic, off_topic
