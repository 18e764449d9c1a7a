"""The hit rule and the summary numbers, kept apart from the command so tests can pin them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    docs: tuple[str, ...]
    evidence: str
    keywords: tuple[str, ...]
    answerable: bool


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                Question(
                    id=str(row["id"]),
                    question=row["question"],
                    docs=tuple(row.get("docs", ())),
                    evidence=row.get("evidence", ""),
                    keywords=tuple(row.get("keywords", ())),
                    answerable=bool(row.get("answerable", True)),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} 第 {number} 行格式不对：{exc}") from exc
    return questions


def is_hit(question: Question, text: str, source: str) -> bool:
    """The passage holds the evidence (whitespace ignored) and comes from one of the expected files."""
    evidence = _SPACE_RE.sub("", question.evidence)
    return bool(evidence) and evidence in _SPACE_RE.sub("", text) and any(d in source for d in question.docs)


def hit_rank(question: Question, passages: list[tuple[str, str]]) -> int | None:
    """1-based rank of the first hit among (text, source) passages, or None."""
    for rank, (text, source) in enumerate(passages, 1):
        if is_hit(question, text, source):
            return rank
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
