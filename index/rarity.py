"""How much a word tells, judged on the language at large rather than on one index.

An index's idf says how rare a word is in *its* documents. In the 34 bundled documents every
everyday word a worker uses (结婚, 工地, 宝宝) is unseen and so counts as the rarest there is, while
over 3,500 laws the same words are ordinary. Judging whether the passages answer a question on
corpus idf therefore depends on how big the index is. The word frequencies of jieba's general
dictionary (built from large general-language text) weigh a question's words the same way on any
index: 公司 is common, 产假 is rare.
"""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path

import jieba

_WORDLIKE_RE = re.compile("^[\u4e00-\u9fff]+$")  # Chinese characters only: no digit, no Latin letter
_lock = threading.Lock()
_table: tuple[dict[str, int], int, float] | None = None


def _frequencies() -> tuple[dict[str, int], int, float]:
    """(word → count, total count, the mean rarity of a word of running text), read once per process."""
    global _table
    if _table is not None:  # every token of every question asks: no lock once it is read
        return _table
    with _lock:  # two first questions at once would each parse the 5 MB dictionary
        if _table is None:
            counts: dict[str, int] = {}
            dictionary = Path(jieba.__file__).with_name("dict.txt")  # "word count tag" per line
            for line in dictionary.read_text("utf-8").splitlines():
                word, _, rest = line.partition(" ")
                count = rest.split(" ", 1)[0]
                if word and count.isdigit():
                    counts[word.lower()] = int(count)
            total = sum(counts.values())
            typical = sum(count / total * math.log(total / count) for count in counts.values())
            _table = counts, total, typical
        return _table


def rarity(token: str) -> float:
    """-log of the word's share of general-language text.

    A Chinese word the dictionary lacks counts as seen once (the rarest). A token with a digit or a
    Latin letter that it lacks (4000, 2年, app) counts as a typical word of running text: the
    dictionary lists no numbers, so they would otherwise outweigh every word of the question.
    """
    counts, total, typical = _frequencies()
    count = counts.get(token.lower())
    if count is None:
        return math.log(total) if _WORDLIKE_RE.match(token) else typical
    return math.log(total / max(count, 1))


def warm() -> None:
    """Read the dictionary now (on the loading thread, about 0.5 s), not on the first question."""
    _frequencies()
