"""A query adapter learned from question/article pairs: where a question's embedding should point.

An embedder places a question near passages worded like questions (and every question shares a
common direction), not near the statute that answers it. `python -m learn --learn adapter,…` fits a
linear map q → q + U Vᵀ q from the consultations and their relevant articles (a contrastive loss
against the question's nearest and random passages, pulled towards the identity), kept as its few
strongest directions. The adapted question's nearest passages join the candidates beside the
question's own; every feature and the relevance signal still read the question's own cosine,
whose calibration they belong to. No passage is re-embedded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.calibration import learned_entry, learned_passages, save_learned
from index.vocabulary import LEARNED_DIR


def adapter_path(embedder: str) -> Path:
    """Where the adapter learned for `embedder`'s vectors is kept: it maps that model's space."""
    return LEARNED_DIR / ("adapter-" + re.sub(r"[^A-Za-z0-9._-]+", "_", embedder) + ".json")


@dataclass(frozen=True)
class QueryAdapter:
    """q ↦ normalise(q + left @ (rightᵀ q)); `left` and `right` are (dimension, rank)."""

    left: np.ndarray = field(compare=False)
    right: np.ndarray = field(compare=False)
    trained_on: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.left.ndim != 2 or self.left.shape != self.right.shape or not self.left.shape[1]:
            raise ValueError("an adapter's left and right factors are (dimension, rank) arrays of one shape")
        if not (np.isfinite(self.left).all() and np.isfinite(self.right).all()):
            raise ValueError("an adapter's factors must be finite")
        learned_passages(self.trained_on)  # a recorded passage count must be one

    @property
    def dimension(self) -> int:
        return int(self.left.shape[0])

    def adapt(self, vector: np.ndarray) -> np.ndarray:
        """The question's vector moved where its answers are, unit length (as the index's vectors are)."""
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dimension:
            raise ValueError(f"the adapter maps {self.dimension}-dimensional vectors, not {q.shape[0]}")
        moved = q + self.left @ (self.right.T @ q)
        return (moved / (np.linalg.norm(moved) or 1.0)).astype(np.float32)

    def to_dict(self) -> dict:
        return {
            "format": 1,
            "kind": "low-rank",
            "trained_on": self.trained_on,
            "left": np.round(self.left, 6).tolist(),
            "right": np.round(self.right, 6).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> QueryAdapter:
        if data.get("format") != 1 or data.get("kind") != "low-rank":
            raise ValueError("unsupported adapter format")
        left = np.asarray(data["left"], dtype=np.float32)
        right = np.asarray(data["right"], dtype=np.float32)
        return cls(left, right, data.get("trained_on", {}))

    @classmethod
    def load(cls, path: Path, passages: int) -> QueryAdapter | None:
        """The adapter in `path` learned on an index of the scale of one of `passages`; None when there is
        none. Like the trees it feeds, it learned where the answers lie among that index's passages."""
        entry = learned_entry(path, "adapters", passages)
        return cls.from_dict(entry) if entry is not None else None

    def save(self, path: Path) -> None:
        """Beside the adapters for indexes of another scale, replacing the one of this scale."""
        save_learned(path, "adapters", self.to_dict())
