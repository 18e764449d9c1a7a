"""How much a word tells, judged on the language at large rather than on one index.

An index's idf says how rare a word is in *its* documents. In the 34 bundled documents every
everyday word a worker uses (结婚, 工地, 宝宝) is unseen and so counts as the rarest there is, while
over 3,500 laws the same words are ordinary. Judging whether the passages answer a question on
corpus idf therefore depends on how big the index is. The word frequencies of jieba's general
dictionary (built from large general-language text) weigh a question's words the same way on any
index: 结婚 is common, 保理 is rare.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import jieba


@functools.lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, int], int]:
    frequencies: dict[str, int] = {}
    dictionary = Path(jieba.__file__).with_name("dict.txt")  # "word frequency tag" per line
    for line in dictionary.read_text("utf-8").splitlines():
        word, _, rest = line.partition(" ")
        count = rest.split(" ", 1)[0]
        if word and count.isdigit():
            frequencies[word.lower()] = int(count)
    return frequencies, sum(frequencies.values())


def rarity(token: str) -> float:
    """-log of the word's share of general-language text; a word the dictionary lacks counts as seen once."""
    frequencies, total = _frequencies()
    return math.log(total / max(frequencies.get(token, 1), 1))
