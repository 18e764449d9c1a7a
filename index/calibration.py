"""What a search's answerability is judged on, and the files that keep what was learned per index scale.

Refusal is calibrated for the index it serves (on the bundled documents a consultation about inheritance
is off-topic; over 3,475 laws most legal questions are answerable), and so are the ranker's trees: each
saved entry records the size of the index it learned on, and an index reads the entry of its own scale.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.vocabulary import LEARNED_DIR

REFUSAL_FILE = LEARNED_DIR / "refusal.json"  # the refusal thresholds and the relevance models they apply to
DEFAULT_REFUSE_BELOW = 0.5  # before any calibration (the hand blend's threshold)
MIN_INDEX_SHARE = 0.25  # indexes of one scale: the smaller holds at least this share of the larger's passages


def learned_passages(trained_on: dict) -> int:
    """How many passages the index the trees (or a refusal calibration) learned on held (0 when not recorded)."""
    learned_on = trained_on.get("passages", 0)
    if not isinstance(learned_on, int) or learned_on < 0:
        raise ValueError(f"trained_on.passages must be a passage count, not {learned_on!r}")
    return learned_on


# What the answerability of a search can be judged on, from (rarity coverage, closeness, question words):
# the best passage's share of the question's words weighed by general-language rarity (`index.rarity`),
# its cosine squashed around the embedder's calibrated boundary (0–1 for any embedder), and how many
# words the question has (a short question covers its few words easily). Closeness × length: a long
# story's cosine to any statute is diluted by its telling, a short question's is not, so how much
# closeness says depends on the length.
INPUTS: dict[str, Callable[[float, float, int], float]] = {
    "rarity_coverage": lambda coverage, closeness, words: coverage,
    "closeness": lambda coverage, closeness, words: closeness,
    "log1p_words": lambda coverage, closeness, words: math.log1p(words),
    "closeness_x_log1p_words": lambda coverage, closeness, words: closeness * math.log1p(words),
}
RELEVANCE_INPUTS = ("rarity_coverage", "closeness", "log1p_words", "closeness_x_log1p_words")  # what learn fits


def relevance_inputs(
    rarity_coverage: float, closeness: float, words: int, names: tuple[str, ...] = RELEVANCE_INPUTS
) -> tuple[float, ...]:
    """The named inputs (`INPUTS`) of one search's relevance signals."""
    return tuple(INPUTS[name](rarity_coverage, closeness, words) for name in names)


def hand_relevance(coverage: float, closeness: float, words: int) -> float:
    """Half coverage, half closeness: the blend used before any model was learned."""
    return 0.5 * coverage + 0.5 * closeness


@dataclass(frozen=True)
class RelevanceModel:
    """P(the passages answer the question) = σ(w · relevance_inputs + b): logistic regression learned with
    the refusal threshold (`python -m learn --calibrate-on`) and kept in the same JSON, with the names of
    its inputs, so a threshold is never read against another model's scale."""

    weights: tuple[float, ...]  # one per input
    bias: float
    inputs: tuple[str, ...] = RELEVANCE_INPUTS

    def __post_init__(self) -> None:
        unknown = set(self.inputs) - set(INPUTS)
        if unknown:
            raise ValueError(f"unknown relevance inputs: {sorted(unknown)}")
        if len(self.weights) != len(self.inputs) or not all(math.isfinite(w) for w in (*self.weights, self.bias)):
            raise ValueError(f"a relevance model has {len(self.inputs)} finite weights and a finite bias")

    def __call__(self, coverage: float, closeness: float, words: int) -> float:
        values = relevance_inputs(coverage, closeness, words, self.inputs)
        z = self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def to_dict(self) -> dict:
        return {"inputs": list(self.inputs), "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: dict) -> RelevanceModel:
        inputs = tuple(data.get("inputs", ()))
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]), inputs)


def calibration_for(path: Path, passages: int) -> dict | None:
    """The saved calibration (threshold and relevance model) for an index of `passages`, None if none was.

    Refusal is calibrated for the index it serves — on the bundled documents a worker's long story is
    answerable and a consultation about inheritance is not; over 3,475 laws most legal questions are —
    and each calibration records the size of its index. One of the same scale serves, else one that
    records no size (the single object of the first format), else the nearest (`entry_for`)."""
    return entry_for(saved_calibrations(path), passages, any_scale=True)


def entry_for(
    entries: list[dict], passages: int, any_scale: bool, size: Callable[[dict], int] = learned_passages
) -> dict | None:
    """The entry learned on an index of the scale of one of `passages` (`same_scale`; `size` reads what an
    entry records), else one that records no size, else — only when `any_scale` — the nearest in size."""

    def preference(entry: dict) -> tuple[int, float]:
        learned_on = size(entry)
        tier = 0 if same_scale(learned_on, passages) else 1 if learned_on == 0 else 2
        return tier, abs(math.log(max(learned_on, 1) / max(passages, 1)))

    usable = [e for e in entries if any_scale or preference(e)[0] < 2]
    return min(usable, key=preference) if usable else None


def load_refusal(path: Path, passages: int) -> tuple[RelevanceModel | None, float]:
    """(relevance model, threshold) of the calibration for an index of `passages`, read together so a
    threshold is never applied on another model's scale: the hand blend and its default threshold when
    none was learned, and `ValueError` when the saved one cannot be read."""
    data = calibration_for(path, passages)
    if data is None:
        return None, DEFAULT_REFUSE_BELOW
    try:
        threshold = float(data["refuse_below"])
        model = RelevanceModel.from_dict(data["relevance"]) if data.get("relevance") else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"unreadable refusal calibration: {exc}") from exc
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"refusal threshold {threshold} is outside [0, 1]")
    return model, threshold


def saved_calibrations(path: Path = REFUSAL_FILE) -> list[dict]:
    """Every calibration in the file (none when it does not exist); `ValueError` for another shape."""
    return saved_entries(path, "calibrations")


def saved_entries(path: Path, key: str) -> list[dict]:
    """Every entry of a file that keeps one per index scale, `{key: [objects]}` (or the single object of the
    first format); none when the file does not exist, `ValueError` for another shape."""
    if not Path(path).exists():
        return []
    data = json.loads(Path(path).read_text("utf-8"))
    entries = data.get(key, [data]) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{path}: expected an object or {{'{key}': [objects]}}")
    return entries


def save_entry(path: Path, key: str, entry: dict, size: Callable[[dict], int] = learned_passages) -> None:
    """`entry` into the file that keeps one per index scale (`saved_entries`), replacing the one of its scale
    (`size` reads what an entry records); written whole beside `path`, then swapped in, so a service loading
    it meanwhile reads the old file or the new."""
    kept = [e for e in saved_entries(path, key) if not same_scale(size(e), size(entry))]
    entries = sorted([*kept, entry], key=size)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({key: entries}, ensure_ascii=False, indent=1), "utf-8")
    os.replace(partial, path)


def learned_entry(path: Path, key: str, passages: int) -> dict | None:
    """The component saved under `key` (trees, an adapter: each records its index in `trained_on`) that was
    learned on an index of the scale of one of `passages`, or that records none; None when there is none."""
    return entry_for(saved_entries(path, key), passages, any_scale=False, size=_trained_passages)


def save_learned(path: Path, key: str, entry: dict) -> None:
    """A component that records its index in `trained_on`, beside those of other scales (`save_entry`)."""
    save_entry(path, key, entry, size=_trained_passages)


def _trained_passages(entry: dict) -> int:
    return learned_passages(entry.get("trained_on", {}))


def same_scale(a: int, b: int) -> bool:
    """Two index sizes alike enough to share what was learned on one (as trees rank an index `MIN_INDEX_SHARE`
    the size of theirs)."""
    return min(a, b) >= max(a, b) * MIN_INDEX_SHARE
