"""Ranking math as pure functions over arrays: candidate features, and the linear ranker that scores them.

The retriever gathers raw signals for a pool of candidates (BM25 of the question, BM25 of the
learned expansion terms, dense cosine, which query words each candidate holds, its document's
title, region, kind…) and hands them here; `features` turns them into one row per candidate, and
a `LinearRanker` — weights learned by `python -m learn`, saved as JSON — orders the pool. Without
learned weights the hand-set 50/50 keyword/dense fusion (the earlier default) is the ranker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.vocabulary import LEARNED_DIR


def ranker_path(embedder: str) -> Path:
    """Where the ranker learned with `embedder`'s cosines is kept: its dense features mean what that model means."""
    return LEARNED_DIR / ("ranker-" + re.sub(r"[^A-Za-z0-9._-]+", "_", embedder) + ".json")


FEATURES = (
    "keyword",  # BM25 of the question, scaled by the pool's best
    "keyword_rank",  # 1 / (1 + rank among BM25 results)
    "dense",  # cosine, min-max scaled over the pool
    "dense_gap",  # cosine minus the pool's best cosine, in units of the embedder's calibrated width
    "dense_rank",  # 1 / (1 + rank among dense results)
    "expansion",  # BM25 of the learned statutory expansion terms, scaled by the pool's best
    "coverage",  # share of the question's idf mass the passage holds
    "title",  # share of the question's idf mass found in the document's title
    "region_match",  # the question names the passage's region
    "region_other",  # the passage is one region's rule and the question does not name that region
    "case",  # a court case (the question does not ask about cases)
    "long",  # log of the passage length in characters, centred on 100
    "bigrams",  # share of the question's character bigrams found in the passage (phrases jieba cuts differently)
    "neighbour",  # best keyword score of the adjacent article of the same document in the pool
)
# No feature for the document's kind (法律 vs 行政法规 vs 司法解释): learned from consultations that are
# mostly about the Civil Code, it scored +5 points under cross-validation there and buried the 行政法规
# that answer workers (产假, 工伤, 年休假) — a topic mix, not a rule. Scope rules stay: another region's
# rule and a court case are features above. Nor for how much of the pool a document holds: it gained
# nothing under cross-validation and pushed a big law's stray article above the one commentary passage.


@dataclass(frozen=True)
class Signals:
    """Raw per-candidate signals, each an array aligned with the candidate rows."""

    keyword: np.ndarray
    keyword_rank: np.ndarray  # 0-based rank among BM25 results; large when not retrieved by BM25
    dense: np.ndarray  # cosine
    dense_width: float  # the cosine difference that separates relevant from unrelated for this embedder
    dense_rank: np.ndarray
    expansion: np.ndarray
    coverage: np.ndarray
    title: np.ndarray
    doc: np.ndarray  # document number of each candidate (neighbours are articles of the same document)
    region_match: np.ndarray
    region_other: np.ndarray
    superseded: np.ndarray
    case: np.ndarray
    length: np.ndarray
    bigrams: np.ndarray


def scale_by_max(values: np.ndarray) -> np.ndarray:
    peak = float(values.max()) if len(values) else 0.0
    return values / peak if peak > 0 else np.zeros_like(values, dtype=float)


def minmax(values: np.ndarray) -> np.ndarray:
    spread = float(values.max() - values.min()) if len(values) else 0.0
    return (values - values.min()) / spread if spread > 1e-9 else np.ones_like(values, dtype=float)


def neighbour(rows: np.ndarray, doc: np.ndarray, keyword: np.ndarray) -> np.ndarray:
    """Per candidate: the keyword score of the row just before or after it when that row, of the same
    document, is in the pool too. Relevant articles come in runs (留置权 447, 452, 453…)."""
    position = {int(r): i for i, r in enumerate(rows)}
    out = np.zeros(len(rows))
    for i, row in enumerate(rows):
        for other in (position.get(int(row) - 1), position.get(int(row) + 1)):
            if other is not None and doc[other] == doc[i]:
                out[i] = max(out[i], keyword[other])
    return out


def bigram_share(question: str, texts: list[str]) -> np.ndarray:
    """Share of the question's CJK character bigrams that each text contains."""
    grams = {question[i : i + 2] for i in range(len(question) - 1) if _is_cjk(question[i : i + 2])}
    if not grams:
        return np.zeros(len(texts))
    return np.array([sum(1 for g in grams if g in text) / len(grams) for text in texts])


def _is_cjk(pair: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in pair)


def yield_to_newer(scores: np.ndarray, keys: list[tuple[str, str]], newer: list[tuple[str, str] | None]) -> np.ndarray:
    """An article of an older version of a law ranks just below the same article of the newer version.

    `keys[i]` is candidate i's (document, article); `newer[i]` the (newer document, same article) when
    candidate i is a superseded version the question did not ask for by year, else None. The training
    questions cannot teach this (both versions hold the same opening), so it is a rule, not a weight.
    """
    position = {key: i for i, key in enumerate(keys)}
    out = scores.astype(float).copy()
    for i, key in enumerate(newer):
        j = position.get(key) if key else None
        if j is not None:
            out[i] = min(out[i], out[j] - 1e-6)
    return out


def features(s: Signals, rows: np.ndarray) -> np.ndarray:
    """One row per candidate, columns in `FEATURES` order."""
    keyword = scale_by_max(s.keyword)
    columns = {
        "keyword": keyword,
        "keyword_rank": 1.0 / (1.0 + s.keyword_rank),
        "dense": minmax(s.dense),
        # Embedders spread cosines differently (e5 within 0.8–0.95, USE within 0–0.6): in calibrated
        # units one learned weight serves both.
        "dense_gap": (s.dense - (s.dense.max() if len(s.dense) else 0.0)) / s.dense_width,
        "dense_rank": 1.0 / (1.0 + s.dense_rank),
        "expansion": scale_by_max(s.expansion),
        "coverage": s.coverage,
        "title": s.title,
        "region_match": s.region_match.astype(float),
        "region_other": s.region_other.astype(float),
        "case": s.case.astype(float),
        "long": np.log(np.maximum(s.length, 1) / 100.0),
        "bigrams": s.bigrams,
        "neighbour": neighbour(rows, s.doc, keyword),
    }
    return np.column_stack([columns[name] for name in FEATURES]).astype(float)


@dataclass(frozen=True)
class LinearRanker:
    """score = Σ weight × feature (features standardised by the training mean and scale)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    trained_on: dict = field(default_factory=dict)  # what it was learned from, for the record

    def __post_init__(self) -> None:
        n = len(self.names)
        if len(self.weights) != n or (self.mean and len(self.mean) != n) or (self.scale and len(self.scale) != n):
            raise ValueError("names, weights, mean and scale must have the same length")
        unknown = set(self.names) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranking features: {sorted(unknown)}")

    def score(self, matrix: np.ndarray) -> np.ndarray:
        columns = [FEATURES.index(name) for name in self.names]
        x = matrix[:, columns]
        if self.mean:
            x = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return x @ np.asarray(self.weights)

    def to_json(self) -> str:
        data = {"format": 1, "names": self.names, "weights": self.weights, "mean": self.mean, "scale": self.scale}
        return json.dumps({**data, "trained_on": self.trained_on}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> LinearRanker:
        data = json.loads(text)
        if data.get("format") != 1:
            raise ValueError("unsupported ranker format")
        return cls(
            tuple(data["names"]),
            tuple(float(w) for w in data["weights"]),
            tuple(float(m) for m in data.get("mean", ())),
            tuple(float(s) for s in data.get("scale", ())),
            data.get("trained_on", {}),
        )

    @classmethod
    def load(cls, path: Path) -> LinearRanker | None:
        return cls.from_json(Path(path).read_text("utf-8")) if Path(path).exists() else None

    def save(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(self.to_json(), "utf-8")


# The hand-set fusion used before any ranker was learned: keyword and dense, half each; court cases
# (which retell disputes in workers' own words) a little lower.
FUSION = LinearRanker(("keyword", "dense", "case"), (0.5, 0.5, -0.1))
