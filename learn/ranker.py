"""Learn the candidate ranker's weights from pools of candidates labelled relevant or not.

Pairwise logistic regression (RankNet with a linear scorer): within each question, every relevant
candidate against every irrelevant one in its pool; the model learns which feature differences
separate them. (Pairing only with the negatives the untrained fusion ranks highest taught the model
to undo that fusion rather than to rank: measured worse.) The result is a plain `LinearRanker`,
saved as JSON. Deterministic: fixed pairs and scikit-learn's lbfgs solver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from index.ranking import FEATURES, LinearRanker


@dataclass(frozen=True)
class LabelledPool:
    features: np.ndarray  # (candidates, len(FEATURES))
    labels: np.ndarray  # True where the candidate holds a relevant article


def train_ranker(
    pools: Sequence[LabelledPool],
    names: Sequence[str] = FEATURES,
    c: float = 1.0,
    trained_on: dict | None = None,
) -> LinearRanker:
    if c <= 0:
        raise ValueError("c must be positive")
    usable = [p for p in pools if p.labels.any() and not p.labels.all()]
    if not usable:
        raise ValueError("no question has both a relevant and an irrelevant candidate: nothing to learn from")
    # A feature the training data never varies (no question names a region) cannot be learned: left out.
    spread = np.vstack([p.features for p in usable]).std(axis=0)
    names = [n for n in names if spread[FEATURES.index(n)] > 1e-9]
    columns = [FEATURES.index(n) for n in names]
    stacked = np.vstack([p.features[:, columns] for p in usable])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    differences: list[np.ndarray] = []
    for pool in usable:
        x = (pool.features[:, columns] - mean) / scale
        negatives = x[~pool.labels]
        differences.extend(x[p] - negatives for p in np.flatnonzero(pool.labels))
    pairs = np.vstack(differences)
    # Each difference both ways round, so the classes balance and no intercept is needed.
    x_train = np.vstack([pairs, -pairs])
    y_train = np.concatenate([np.ones(len(pairs)), np.zeros(len(pairs))])
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(x_train, y_train)
    info = {"questions": len(usable), "pairs": len(pairs), **(trained_on or {})}
    return LinearRanker(
        tuple(names),
        tuple(round(float(w), 6) for w in model.coef_[0]),
        tuple(round(float(m), 6) for m in mean),
        tuple(round(float(s), 6) for s in scale),
        info,
    )
