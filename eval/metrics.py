"""The hit rules and the summary numbers, kept apart from the command so tests can pin them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    docs: tuple[str, ...]  # substrings of the answering files' names; "" matches any file
    evidence: str
    keywords: tuple[str, ...]  # what a correct answer mentions; an entry may list alternatives "30日|三十日"
    answerable: bool
    evidences: tuple[str, ...] = ()  # every relevant article's opening; a hit is any of them
    laws: tuple[str, ...] = ()  # the relevant articles' names, e.g. 中华人民共和国劳动合同法第三十八条
    reference: str = ""  # a lawyer-written answer
    topic: str = ""

    @property
    def relevant(self) -> tuple[str, ...]:
        """The relevant passages' openings, whitespace removed: `evidences`, else the single `evidence`."""
        items = self.evidences or ((self.evidence,) if self.evidence else ())
        return tuple(dict.fromkeys(k for k in (squeeze(e) for e in items) if k))


def squeeze(text: str) -> str:
    return _SPACE_RE.sub("", text)


def _text(value) -> str:
    return value if isinstance(value, str) else ""  # a missing reference arrives as NaN in the source data


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
                    evidence=_text(row.get("evidence", "")),
                    keywords=tuple(row.get("keywords", ())),
                    answerable=bool(row.get("answerable", True)),
                    evidences=tuple(_text(e) for e in row.get("evidences", ())),
                    laws=tuple(row.get("laws", ())),
                    reference=_text(row.get("reference", "")),
                    topic=_text(row.get("topic", "")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} 第 {number} 行格式不对：{exc}") from exc
    return questions


def relevant_in(question: Question, text: str, source: str) -> set[int]:
    """Which of the question's relevant articles this passage holds (by position in `question.relevant`)."""
    if not any(d in source for d in question.docs or ("",)):
        return set()
    body = squeeze(text)
    return {i for i, key in enumerate(question.relevant) if key in body}


def is_hit(question: Question, text: str, source: str) -> bool:
    """The passage holds one of the relevant articles (whitespace ignored) and comes from an expected file."""
    return bool(relevant_in(question, text, source))


def hit_rank(question: Question, passages: list[tuple[str, str]]) -> int | None:
    """1-based rank of the first hit among (text, source) passages, or None."""
    for rank, (text, source) in enumerate(passages, 1):
        if is_hit(question, text, source):
            return rank
    return None


def recall_at(question: Question, passages: list[tuple[str, str]]) -> float:
    """STARD's recall: the share of the question's relevant articles found among the passages."""
    if not question.relevant:
        return 0.0
    found: set[int] = set()
    for text, source in passages:
        found |= relevant_in(question, text, source)
    return len(found) / len(question.relevant)


def keyword_hit(keywords: Iterable[str], text: str) -> bool:
    """Every keyword entry (a key fact) occurs in the text; an entry "30日|三十日" is satisfied by either form.
    Were one entry enough, the law named in the answer's source line would pass a question whose key fact
    is which laws are meant (工会法 and 集体合同条例)."""
    entries = [entry for entry in keywords if entry.strip("|")]
    return bool(entries) and all(any(alt and alt in text for alt in entry.split("|")) for entry in entries)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
