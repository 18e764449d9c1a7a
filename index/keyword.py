"""Keyword side of the index: jieba segmentation with a corpus-built user dictionary, BM25 via bm25s."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import rjieba

_CJK = "\u4e00-\u9fff"
_TOKEN_RE = re.compile(rf"[{_CJK}A-Za-z0-9０-９]")
# Function words and question particles: they carry no topic and would drown BM25 and the coverage signal.
STOPWORDS = frozenset((Path(__file__).with_name("stopwords.txt")).read_text("utf-8").split())
_QUOTED_TERM_RE = re.compile(rf"[“\"]([{_CJK}A-Za-z0-9]{{2,8}})[”\"]")
_BOOK_TITLE_RE = re.compile(rf"《([{_CJK}〈〉<>]{{2,40}})》")
_DEFINED_TERM_RE = re.compile(
    rf"(?:以下简称|以下统称|以下称)[“\"]?([{_CJK}]{{2,10}})[”\"]?[）)]|所称([{_CJK}]{{2,12}})，是指"
)


def corpus_terms(titles: Iterable[str], texts: Iterable[str]) -> list[str]:
    """Words jieba should keep whole: titles, quoted terms (“一函两书”) and defined terms (以下简称…)."""
    terms: set[str] = set()
    for title in titles:
        bare = title.removeprefix("中华人民共和国")
        terms.update(t for t in (title, bare) if 2 <= len(t) <= 40)
    for text in texts:
        terms.update(m for m in _QUOTED_TERM_RE.findall(text))
        for name in _BOOK_TITLE_RE.findall(text):
            terms.update({name, name.removeprefix("中华人民共和国")})
        for groups in _DEFINED_TERM_RE.findall(text):
            terms.update(g for g in groups if g)
    return sorted(t for t in terms if not t.isdigit())


_PRONOUNS = ("我们", "你们", "他们", "自己", "我", "你", "他", "她", "它")


@functools.lru_cache(maxsize=8192)
def is_function_word(token: str) -> bool:
    """A stop word, or a pronoun jieba glued to stop words (我能, 我们可以, 你要): no topic either way.
    Only after a pronoun — 不得, 以上 and 以下 are stop characters too, and they are the rule itself."""
    if token in STOPWORDS:
        return True
    pronoun = next((p for p in _PRONOUNS if token.startswith(p)), "")
    return bool(pronoun) and _stop_words_only(token[len(pronoun) :])


def _stop_words_only(text: str) -> bool:
    return not text or any(text[:i] in STOPWORDS and _stop_words_only(text[i:]) for i in range(1, len(text) + 1))


def top_rows(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first, without sorting the whole array."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if scores[i] > 0]


def weighted_term_scores(matrix: dict, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_i weights[i] × BM25(ids[i], row) for every row, from bm25s's per-token (CSC) score matrix."""
    out = np.zeros(int(matrix["num_docs"]), dtype=np.float32)
    indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
    for token_id, weight in zip(ids, weights, strict=True):
        start, end = indptr[token_id], indptr[token_id + 1]
        out[indices[start:end]] += weight * data[start:end]
    return out


class ChineseTokenizer:
    """jieba search-mode segmentation (whole words plus their parts), minus stopwords and punctuation."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self.user_words = sorted(set(user_words))
        self._jieba = rjieba.Jieba()
        for word in self.user_words:
            self._jieba.add_word(word, None, None)

    def __call__(self, text: str) -> list[str]:
        return [
            token.lower()
            for token in self._jieba.cut_for_search(text)
            if token not in STOPWORDS and _TOKEN_RE.search(token)
        ]


@functools.lru_cache(maxsize=2)
def _tokenizer(words: tuple[str, ...]) -> ChineseTokenizer:
    return ChineseTokenizer(words)


def tokenizer_for(words: Iterable[str]) -> ChineseTokenizer:
    """The tokenizer for this user dictionary, built once per process: building jieba's dictionary is the
    slow part of loading an index, and a build, the version it writes and that version's load share it."""
    return _tokenizer(tuple(sorted(set(words))))


class KeywordIndex:
    """BM25 over tokenised chunk texts. Rows line up with the index's chunk records."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: ChineseTokenizer) -> None:
        self._bm25 = bm25
        self.tokenizer = tokenizer
        self._ids = bm25.vocab_dict

    @classmethod
    def build(cls, texts: list[str], tokenizer: ChineseTokenizer) -> KeywordIndex:
        # A gentler length penalty (b) than the usual 0.75: a one-line article and a 600-character
        # commentary passage sit in one index, and the long ones were being buried (dev-set sweep).
        bm25 = bm25s.BM25(k1=1.2, b=0.4)
        # An empty token keeps rows for chunks that tokenise to nothing (e.g. only punctuation).
        bm25.index([tokenizer(t) or [""] for t in texts], show_progress=False)
        return cls(bm25, tokenizer)

    def token_ids(self, query: str) -> list[int]:
        return sorted({self._ids[t] for t in self.tokenizer(query) if t in self._ids})

    def scores(self, query: str) -> np.ndarray | None:
        """BM25 score of every row for `query`; None when no query word occurs in the corpus."""
        ids = self.token_ids(query)
        return self._bm25.get_scores_from_ids(ids) if ids else None

    def weighted_scores(self, weights: dict[str, float]) -> np.ndarray | None:
        """Σ weight × BM25 contribution of each weighted term, for every row; None when no term is indexed."""
        known = {self._ids[t]: w for t, w in weights.items() if t in self._ids}
        if not known:
            return None
        return weighted_term_scores(self._bm25.scores, np.fromiter(known, int), np.fromiter(known.values(), float))

    def presence(self, tokens: list[str], rows: np.ndarray) -> np.ndarray:
        """(len(rows), len(tokens)) booleans: which of the tokens each row's text holds."""
        matrix = self._bm25.scores
        out = np.zeros((len(rows), len(tokens)), dtype=bool)
        for j, token in enumerate(tokens):
            token_id = self._ids.get(token)
            if token_id is not None:
                # bm25s keeps each token's rows sorted, so a binary search per candidate is enough
                holders = matrix["indices"][matrix["indptr"][token_id] : matrix["indptr"][token_id + 1]]
                at = np.minimum(np.searchsorted(holders, rows), len(holders) - 1)
                out[:, j] = holders[at] == rows if len(holders) else False
        return out

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (row, BM25 score) with a positive score, best first."""
        scores = self.scores(query)
        return [] if scores is None else [(row, float(scores[row])) for row in top_rows(scores, k)]

    def holds(self, token: str) -> bool:
        """Whether some passage uses the token."""
        return token in self._ids

    def idf(self, token: str) -> float:
        """BM25 idf; a word the corpus never uses counts as the rarest possible."""
        docs = self._bm25.scores["num_docs"]
        row = self._ids.get(token)
        indptr = self._bm25.scores["indptr"]
        frequency = 0 if row is None else int(indptr[row + 1] - indptr[row])
        return math.log(1 + (docs - frequency + 0.5) / (frequency + 0.5))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder / "bm25"), show_progress=False)
        (folder / "userdict.json").write_text(json.dumps(self.tokenizer.user_words, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        words = json.loads((folder / "userdict.json").read_text("utf-8"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
        return cls(bm25, tokenizer_for(words))
