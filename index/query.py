"""Bridge everyday words to statutory ones before searching: 老板 → 用人单位, 辞退 → 解除劳动合同."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_TABLE = Path(__file__).with_name("colloquial.tsv")


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

    def expand(self, query: str) -> str:
        """The query followed by the statutory terms its everyday words stand for (those not already in it)."""
        extra: list[str] = []
        for word, terms in self.table.items():
            if word in query:
                extra.extend(t for t in terms if t not in query and t not in extra)
        return f"{query} {' '.join(extra)}" if extra else query
