"""Ranking math as pure functions over arrays: candidate features, and the rankers that score them.

The retriever gathers raw signals for a pool of candidates (BM25 of the question, BM25 of the
learned expansion terms, dense cosine, which query words each candidate holds, its document's
title, region, kind…) and hands them here; `features` turns them into one row per candidate, and
a `TreeRanker` — gradient-boosted trees learned by `python -m learn`, saved as JSON — orders the pool.
Without one the hand-set 50/50 keyword/dense fusion (a `LinearRanker`) is the ranker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.calibration import learned_entry, learned_passages, save_learned
from index.vocabulary import LEARNED_DIR
from ingest.records import ADMIN_REGULATION, CHAPTER_KINDS, DEPARTMENT_RULE, JUDICIAL_INTERPRETATION, LAW


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
    "law",  # the document is a 法律 (an NPC statute: what a consultation cites first)
    "regulation",  # 行政法规
    "interpretation",  # 司法解释
    "rule",  # 部门规章 (the other kinds — local rules, cases, prose — are the baseline)
    "age",  # log(1 + years between this version and the newest document in the index)
    "position",  # where the passage sits in its document, 0 (first) to 1 (last): purpose and scope come first
    # under a 总则, 法律责任 (罚则, 处罚…) or 附则 chapter (`ingest.records.CHAPTER_KINDS`): where a rule sits is a
    # prior the trees weigh — a consultation seldom needs 总则's purpose clause or 附则's commencement
    "general",
    "liability",
    "supplementary",
)
# The kind features are the hierarchy of sources (上位法 before 下位法), learned as weights rather than
# set by hand. Not a feature: how much of the pool a document holds — it gained nothing under
# cross-validation and pushed a big law's stray article above the one commentary passage.
KIND_FEATURES = {
    "law": LAW,
    "regulation": ADMIN_REGULATION,
    "interpretation": JUDICIAL_INTERPRETATION,
    "rule": DEPARTMENT_RULE,
}


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
    kind: np.ndarray  # the document's kind (ingest.records), as strings
    age: np.ndarray  # years between the version's date and the index's newest (undated: the index's median)
    position: np.ndarray  # the passage's place in its document, 0–1
    chapter: np.ndarray  # the kind of chapter it is under (`ingest.records.chapter_kind`), "" for others, as strings


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
        **{name: (s.kind == kind).astype(float) for name, kind in KIND_FEATURES.items()},
        "age": np.log1p(s.age),
        "position": s.position,
        **{name: (s.chapter == name).astype(float) for name in CHAPTER_KINDS},
    }
    return np.column_stack([columns[name] for name in FEATURES]).astype(float)


@dataclass(frozen=True)
class LinearRanker:
    """score = Σ weight × feature: the hand-set fusion, and what a ranker is compared against."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    trained_on: dict = field(default_factory=dict)  # empty: set by hand

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.names):
            raise ValueError("names and weights must have the same length")
        _check_names(self.names)

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return matrix[:, [FEATURES.index(name) for name in self.names]] @ np.asarray(self.weights)


@dataclass(frozen=True)
class TreeRanker:
    """Gradient-boosted trees learned by `python -m learn` (LightGBM's lambdarank), over `FEATURES` by name.

    Saved as JSON holding the feature names, what it was trained on, and the model in LightGBM's own
    text format — readable, diffable, no pickle.
    """

    model: str  # LightGBM's text format
    names: tuple[str, ...]
    trained_on: dict = field(default_factory=dict)
    _booster: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_names(self.names)
        learned_passages(self.trained_on)  # a recorded passage count must be one
        try:
            import lightgbm

            booster = lightgbm.Booster(model_str=self.model)
        except ImportError as exc:
            raise ValueError("lightgbm is not installed (pip install -r requirements.txt)") from exc
        except lightgbm.basic.LightGBMError as exc:
            raise ValueError(f"unreadable LightGBM model: {exc}") from exc
        if booster.feature_name() != list(self.names):
            raise ValueError("the model's features do not match its names")
        object.__setattr__(self, "_booster", booster)

    def score(self, matrix: np.ndarray) -> np.ndarray:
        columns = matrix[:, [FEATURES.index(name) for name in self.names]]
        return np.asarray(self._booster.predict(columns, num_threads=1), dtype=float)

    def to_dict(self) -> dict:
        return {
            "format": 2,
            "kind": "lightgbm",
            "names": list(self.names),
            "trained_on": self.trained_on,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TreeRanker:
        if data.get("format") != 2 or data.get("kind") != "lightgbm":
            raise ValueError("unsupported ranker format")
        return cls(data["model"], tuple(data["names"]), data.get("trained_on", {}))

    @classmethod
    def load(cls, path: Path, passages: int) -> TreeRanker | None:
        """The trees in `path` learned on an index of the scale of one of `passages` (or recording no index),
        None (not even built) when there are none. Their features describe a candidate against a pool drawn
        from that index; from one of another scale (the 25 bundled documents against the 3,475 laws) the
        pool is another mix: the laws' trees ranked the bundled sets worse than the hand-set fusion, and
        trees learned on the bundled sets have never seen a pool of the laws."""
        entry = learned_entry(path, "rankers", passages)
        return cls.from_dict(entry) if entry is not None else None

    def save(self, path: Path) -> None:
        """Beside the trees saved for indexes of another scale, replacing those of this one (as refusal
        calibrations are kept); written whole, then swapped in."""
        save_learned(path, "rankers", self.to_dict())


Ranker = LinearRanker | TreeRanker


def _check_names(names: tuple[str, ...]) -> None:
    unknown = set(names) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown ranking features: {sorted(unknown)} (retrain with python -m learn)")


# The hand-set fusion used when no ranker has been learned: keyword and dense, half each; court cases
# (which retell disputes in workers' own words) a little lower, and so one region's rule when the question
# names no region — national law answers a worker anywhere (老板的亲戚能当我们厂的工会委员吗? now opens
# with 工会法 第十条, not Beijing's 第十四条). Bundled sets (`make eval`): workers key facts 17 → 18, citations 17 → 18,
# colloquial and workers2 MRR up, dev MRR 0.873 → 0.864 (d12's relevant article 2nd → 3rd); -0.2 measured
# the same but for one more workers2 hit at 5.
FUSION = LinearRanker(("keyword", "dense", "case", "region_other"), (0.5, 0.5, -0.1, -0.1))
