"""Where to refuse: the relevance threshold that best separates questions the documents answer from
questions they do not, calibrated on real rows and saved as JSON beside the code.

Answerable rows: the dev-style questions on the bundled index, and the consultation questions on an
index that holds their articles (counted only when a relevant article was retrieved). Off-topic
rows: the same consultations on the bundled index, which does not hold their articles, and the
dev-style questions marked unanswerable. The threshold minimises the expected cost over the two
rates (each side weighs the same however many rows it has; a wrong refusal costs `refusal_cost`
times an off-topic answer), placed midway between the rows either side of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from answer.calibration import REFUSAL_FILE


@dataclass(frozen=True)
class Calibration:
    refuse_below: float
    answerable: int
    off_topic: int
    false_refusals: int  # answerable rows below the threshold
    answered_off_topic: int  # off-topic rows at or above it
    margin: float  # lowest answerable relevance minus highest off-topic relevance (negative: they overlap)

    def save(self, path: Path = REFUSAL_FILE) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), "utf-8")


def calibrate(answerable: Sequence[float], off_topic: Sequence[float], refusal_cost: float = 3.0) -> Calibration:
    """`refusal_cost`: how much worse a wrong refusal is than quoting a passage for an off-topic question
    (the worker gets nothing, versus a cited passage whose source shows it does not fit)."""
    if not answerable or not off_topic:
        raise ValueError("calibration needs answerable and off-topic rows")
    if refusal_cost <= 0:
        raise ValueError("refusal_cost must be positive")
    on, off = np.sort(np.asarray(answerable, float)), np.sort(np.asarray(off_topic, float))
    candidates = np.unique(np.concatenate([on, off, [1.0 + 1e-9]]))
    # balanced accuracy of "answer when relevance >= t" for every t
    recall_on = 1 - np.searchsorted(on, candidates, side="left") / len(on)
    recall_off = np.searchsorted(off, candidates, side="left") / len(off)
    cost = np.round(refusal_cost * (1 - recall_on) + (1 - recall_off), 9)
    chosen = candidates[int(np.argmin(cost))]  # the lowest threshold with the least cost
    below = np.concatenate([on[on < chosen], off[off < chosen]]).max(initial=0.0)
    threshold = round(float((below + chosen) / 2), 4)  # midway, so no row sits on the line
    return Calibration(
        refuse_below=threshold,
        answerable=len(on),
        off_topic=len(off),
        false_refusals=int((on < threshold).sum()),
        answered_off_topic=int((off >= threshold).sum()),
        margin=round(float(on.min() - off.max()), 4),
    )
