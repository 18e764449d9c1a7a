"""A query→statute vocabulary learned from question/article pairs: which statutory words a question word calls for.

People ask "房东不退押金" where the article says 出租人 … 租赁物 … 押金; a translation table
t(statute word | question word), learned with IBM Model 1 from questions and the articles a legal
team marked relevant, bridges the two. It sits beside the hand-written colloquial table: that one
rewrites a few known labour words, this one weighs many statutory words for any question word it
has seen. Learning lives in `learn/`; this module only reads the table and applies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

LEARNED_DIR = Path(__file__).with_name("learned")
DEFAULT_VOCABULARY = LEARNED_DIR / "vocabulary.json"


@dataclass(frozen=True)
class TranslationVocabulary:
    """t(target | source), pruned; each source word's row sums to at most 1."""

    table: dict[str, dict[str, float]]
    max_terms: int = 24  # expansion terms kept per question

    def __post_init__(self) -> None:
        if self.max_terms < 1:
            raise ValueError("max_terms must be at least 1")
        for source, row in self.table.items():
            if not source or any(not 0.0 < p <= 1.0 for p in row.values()):
                raise ValueError(f"vocabulary row {source!r}: probabilities must lie in (0, 1]")

    def expand(self, tokens: Iterable[str], weight: Callable[[str], float]) -> dict[str, float]:
        """Statutory words the question calls for, with weights summing to at most 1.

        Each known question word votes with its idf share for the words it translates to; words the
        question already has are left out (the plain query scores them), as is anything below the top.
        """
        query = list(dict.fromkeys(tokens))
        known = [t for t in query if t in self.table]
        if not known:
            return {}
        total = sum(weight(t) for t in query) or 1.0
        votes: dict[str, float] = {}
        present = set(query)
        for source in known:
            share = weight(source) / total
            for target, p in self.table[source].items():
                if target not in present:
                    votes[target] = votes.get(target, 0.0) + share * p
        best = sorted(votes.items(), key=lambda item: (-item[1], item[0]))[: self.max_terms]
        return dict(best)

    def to_json(self) -> str:
        return json.dumps({"format": 1, "table": self.table}, ensure_ascii=False, sort_keys=True, indent=0)

    @classmethod
    def from_json(cls, text: str) -> TranslationVocabulary:
        data = json.loads(text)
        if data.get("format") != 1:
            raise ValueError("unsupported vocabulary format")
        return cls({s: {t: float(p) for t, p in row.items()} for s, row in data["table"].items()})

    @classmethod
    def load(cls, path: Path = DEFAULT_VOCABULARY) -> TranslationVocabulary | None:
        """The saved table, or None when none was trained."""
        return cls.from_json(Path(path).read_text("utf-8")) if Path(path).exists() else None

    def save(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(self.to_json(), "utf-8")
