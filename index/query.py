"""Bridge everyday words to statutory ones before searching: 老板 → 用人单位, 辞退 → 解除劳动合同."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_TABLE = Path(__file__).with_name("colloquial.tsv")
SECONDARY = 0.5  # 老板 → 用人单位 first; 法定代表人 is the likelier reading only when the rest of the question says so
# In an everyday word, a gap of a few characters within one clause: workers put objects and details
# inside a phrase (下班…路上 is 下班骑电动车回家路上, 被…撞 is 被一辆小车撞了), which a fixed string misses.
GAP = "…"
MAX_GAP = 8


@cache
def _gapped(word: str) -> re.Pattern[str]:
    return re.compile(f"[^，。？！,.?!；;\\s]{{0,{MAX_GAP}}}".join(map(re.escape, word.split(GAP))))


def occurs(word: str, query: str) -> bool:
    """Whether the everyday word is in the query (a word with a gap: its parts, in order, within one clause)."""
    return _gapped(word).search(query) is not None if GAP in word else word in query


@dataclass(frozen=True)
class QueryExpander:
    table: dict[str, tuple[str, ...]]

    def __post_init__(self) -> None:
        if any(not word or not terms for word, terms in self.table.items()):
            raise ValueError("every everyday word needs at least one statutory term")

    @classmethod
    def from_file(cls, path: Path = DEFAULT_TABLE) -> QueryExpander:
        table: dict[str, tuple[str, ...]] = {}
        for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            word, _, terms = line.partition("\t")
            if not terms.split():
                raise ValueError(f"{path}:{number}: 需要“口语词<TAB>法律用语”")
            table[word.strip()] = tuple(terms.split())
        return cls(table)

    def terms(self, query: str) -> dict[str, float]:
        """The statutory terms the query's everyday words stand for (those not already in it), each with
        its share: 1 for a word's first term, SECONDARY for the alternatives after it."""
        return self._terms(query, self._matched(query))

    def _matched(self, query: str) -> list[str]:
        return [word for word in self.table if occurs(word, query)]

    def _terms(self, query: str, matched: list[str]) -> dict[str, float]:
        extra: dict[str, float] = {}
        for word in matched:
            for position, term in enumerate(self.table[word]):
                if term not in query:
                    extra[term] = max(extra.get(term, 0.0), 1.0 if position == 0 else SECONDARY)
        return extra

    def expand(self, query: str) -> str:
        """The query followed by the statutory terms its everyday words stand for."""
        extra = self.terms(query)
        return f"{query} {' '.join(extra)}" if extra else query

    def weights(self, query: str, tokenize: Callable[[str], list[str]]) -> dict[str, float]:
        """Keyword-side weight of every token: 1 for the question's own words and each word's first
        statutory term, SECONDARY for the alternatives (法定代表人 for 老板)."""
        weights = dict.fromkeys(tokenize(query), 1.0)
        # An everyday word the table translates is represented by its statutory terms: it no longer
        # counts as a word the documents lack (老板 never occurs in a statute, 用人单位 does) — unless
        # the question also uses the statutory term itself (补偿 inside 经济补偿).
        matched = self._matched(query)
        statutory = {
            piece for word in matched for term in self.table[word] if term in query for piece in tokenize(term)
        }
        for word in matched:
            pieces = [piece for part in word.split(GAP) for piece in tokenize(part)]
            weights.update((piece, 0.0) for piece in pieces if piece not in statutory)
        for term, share in self._terms(query, matched).items():
            for piece in tokenize(term):
                weights[piece] = max(weights.get(piece, 0.0), share)
        return {token: weight for token, weight in weights.items() if weight > 0}
