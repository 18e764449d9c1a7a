"""The refusal threshold `python -m learn --calibrate-on` learned (see learn/refusal.py), if any."""

from __future__ import annotations

import json
from pathlib import Path

from index.ranking import REFUSAL_FILE, RelevanceModel

DEFAULT_REFUSE_BELOW = 0.5  # before any calibration


def learned_threshold(path: Path = REFUSAL_FILE) -> float:
    """The calibrated relevance threshold, or the default when none was learned or the file is unreadable
    — also when the relevance model saved with it is: the retriever then judges with the hand blend, and
    a threshold on the model's scale must not be read against that."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        value = float(data["refuse_below"])
        if data.get("relevance") is not None:
            RelevanceModel.from_dict(data["relevance"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_REFUSE_BELOW
    return value if 0.0 <= value <= 1.0 else DEFAULT_REFUSE_BELOW
