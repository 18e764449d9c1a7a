"""Hybrid search: keyword, learned-expansion and dense candidates, ordered by a ranker, with a relevance signal."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from index.adapter import QueryAdapter, adapter_path
from index.calibration import DEFAULT_REFUSE_BELOW, REFUSAL_FILE, RelevanceModel, hand_relevance, load_refusal
from index.embedders import NamedEmbeddings
from index.keyword import is_function_word, top_rows
from index.query import QueryExpander
from index.ranking import FUSION, Ranker, Signals, TreeRanker, bigram_share, features, ranker_path, yield_to_newer
from index.rarity import rarity
from index.store import SearchIndex
from index.vocabulary import TranslationVocabulary
from ingest.records import Chunk
from ingest.regions import applies_in, places_in

log = logging.getLogger(__name__)
MAX_QUERY_TOKENS = 64
RELEVANCE_DEPTH = 5  # relevance is judged on this many best hits, however many are asked for (as calibrated)
_ASKS_ABOUT_CASES = re.compile("案例|案件|判决|裁决|判例|法院|仲裁委|典型")


@dataclass(frozen=True)
class Hit:
    row: int
    score: float  # the ranker's score; comparable within one query only
    dense: float  # cosine similarity
    keyword: float  # BM25
    coverage: float  # share of the question's idf mass the passage holds


@dataclass(frozen=True)
class Pool:
    """The candidates of one query and their features, before ordering (what a ranker learns from)."""

    rows: np.ndarray
    features: np.ndarray
    signals: Signals


class HybridRetriever(BaseRetriever):
    """Keyword + dense retrieval over one index version, returning langchain `Document`s.

    Candidates come from BM25 of the question (after the colloquial table), BM25 of the statutory
    words a learned vocabulary expands it to, and the dense index. Every candidate is then
    described on all sides (`index.ranking.features`) and ordered by `ranker` — the trees
    `python -m learn` trained, else a 50/50 keyword/dense fusion. Each Document's metadata holds
    the chunk record, its scores and `relevance`: how likely the passages answer the question (see
    `relevance`); the answer step refuses below a calibrated threshold. Search kwargs: `k` (how
    many), `min_relevance` (return nothing below it).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SearchIndex
    embedder: NamedEmbeddings
    k: int = Field(default=5, ge=1)
    candidates: int = Field(default=80, ge=1)  # per side; deeper pools measured better for the learned ranker
    expander: QueryExpander | None = None
    vocabulary: TranslationVocabulary | None = None
    adapter: QueryAdapter | None = None  # where the dense index is searched from too (`index.adapter`)
    adapted_candidates: int = Field(default=40, ge=0)  # taken from the adapted question's neighbours
    ranker: Ranker = FUSION
    relevance_model: RelevanceModel | None = None  # learned with the refusal threshold; else the hand blend
    refuse_below: float = Field(default=DEFAULT_REFUSE_BELOW, ge=0.0, le=1.0)  # calibrated with relevance_model
    min_relevance: float = Field(default=0.0, ge=0.0, le=1.0)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        min_relevance = float(kwargs.get("min_relevance", self.min_relevance))
        if k < 1:
            raise ValueError("k must be at least 1")
        hits = self.search(query, k)
        relevance = self.relevance(hits[:RELEVANCE_DEPTH], query)
        if relevance < min_relevance:
            return []
        return [
            chunk_document(
                self.index.chunks[hit.row],
                score=hit.score,
                dense_score=hit.dense,
                keyword_score=hit.keyword,
                coverage=hit.coverage,
                relevance=relevance,
            )
            for hit in hits
        ]

    def sections(self, document: Document, heading_word: str) -> list[Document]:
        """The other passages of `document`'s source under a heading holding `heading_word` (a case's
        处理结果 for the passage that tells its facts), carrying `document`'s scores."""
        scores = {key: document.metadata[key] for key in SCORE_FIELDS if key in document.metadata}
        index = self.index
        return [
            chunk_document(index.chunks[row], **scores)
            for row in index.document_rows.get(document.metadata.get("doc_id", ""), [])
            if index.chunks[row].chunk_id != document.id
            and not index.blocked_rows[row]  # never quoted, however it is reached
            and any(heading_word in heading for heading in index.chunks[row].heading_path[1:])
        ]

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        pool = self.pool(query)
        if pool is None:
            return []
        chunks, superseded = self.index.chunks, self.index.superseded
        keys = [(chunks[r].doc_id, chunks[r].article) for r in pool.rows]
        newer = [
            (superseded[doc], article) if old and article else None
            for (doc, article), old in zip(keys, pool.signals.superseded, strict=True)
        ]
        scores = yield_to_newer(self.ranker.score(pool.features), keys, newer)
        order = np.argsort(-scores, kind="stable")[: k or self.k]
        s = pool.signals
        return [
            Hit(int(pool.rows[i]), float(scores[i]), float(s.dense[i]), float(s.keyword[i]), float(s.coverage[i]))
            for i in order
        ]

    def expand(self, query: str) -> str:
        return self.expander.expand(query) if self.expander else query

    def query_weights(self, query: str) -> dict[str, float]:
        """Each query token's keyword weight: its idf, times its share when it comes from the colloquial table."""
        return self._idf_weights(self._shares(query))

    def wording_weights(self, query: str) -> dict[str, float]:
        """`query_weights`, plus the everyday words the colloquial table stood in for that the documents use too
        (加班费 in a case and in 劳动合同法 第三十一条), at their idf: a passage saying it in the worker's words
        counts it as well as the statute's term. For judging quoted text, not for search; single characters
        (拖 of 拖…工资) are no words of their own."""
        shares = self._shares(query)
        weights = self._idf_weights(shares)
        keyword = self.index.keyword
        for token in keyword.tokenizer(query):
            if len(token) > 1 and token not in shares and not is_function_word(token) and keyword.holds(token):
                weights[token] = keyword.idf(token)
        return weights

    def _idf_weights(self, shares: dict[str, float]) -> dict[str, float]:
        idf = self.index.keyword.idf
        weights = {token: share * idf(token) for token, share in shares.items()}
        if len(weights) > MAX_QUERY_TOKENS:  # a long follow-up: its rarest words carry it, and cost stays bounded
            weights = dict(sorted(weights.items(), key=lambda item: -item[1])[:MAX_QUERY_TOKENS])
        return weights

    def _shares(self, query: str) -> dict[str, float]:
        """Each content token of the query with its share: 1, or less for a colloquial word's second reading."""
        tokenizer = self.index.keyword.tokenizer
        shares = self.expander.weights(query, tokenizer) if self.expander else dict.fromkeys(tokenizer(query), 1.0)
        return {token: share for token, share in shares.items() if not is_function_word(token)}

    def pool(self, query: str) -> Pool | None:
        """Candidate rows with their ranking features; None when there is nothing to search."""
        query = query.strip()
        if not query or not self.index.chunks:
            return None
        expanded = self.expand(query)
        keyword = self.index.keyword
        idf_of = self.query_weights(query)
        tokens = list(idf_of)
        idf = np.array([idf_of[t] for t in tokens])
        bm25 = keyword.weighted_scores({t: w / max(keyword.idf(t), 1e-9) for t, w in idf_of.items()})
        terms = self.vocabulary.expand(tokens, idf_of.__getitem__) if self.vocabulary else {}
        expansion = keyword.weighted_scores(terms) if terms else None
        vector = self.embedder.embed_query_array(expanded)
        adapted = self.adapter.adapt(vector) if self.adapter else None

        blocked = self.index.blocked_rows
        if blocked.any():  # a planted instruction is never a candidate, however well it matches
            for scores in (bm25, expansion):
                if scores is not None:
                    scores[blocked] = 0.0
        # the adapter widens the dense side rather than replacing it: searched from the adapted question alone,
        # the never-trained labour questions lost what the question's own neighbours held. One pass for both.
        views = np.vstack([vector] if adapted is None else [vector, adapted])
        found = self.index.dense_search_many(views, self.candidates)
        dense_rows = [row for row, _ in found[0] if not blocked[row]]
        extra = [row for hits in found[1:] for row, _ in hits[: self.adapted_candidates] if not blocked[row]]
        ranks: dict[str, dict[int, int]] = {"keyword": {}, "dense": {r: i for i, r in enumerate(dense_rows)}}
        if bm25 is not None:
            ranks["keyword"] = {row: r for r, row in enumerate(top_rows(bm25, self.candidates))}
        rows_set = set(ranks["dense"]) | set(ranks["keyword"]) | set(extra)
        if expansion is not None:
            rows_set.update(top_rows(expansion, self.candidates // 2))
        rows = np.array(sorted(rows_set), dtype=np.int64)
        if not len(rows):
            return None
        miss = self.candidates * 2  # rank given to a candidate the other side did not retrieve

        chunks = self.index.chunks
        present = self._presence(tokens, rows)
        total = float(idf.sum()) or 1.0
        asked = places_in(query)
        applies = {region: applies_in(region, asked) for region in {chunks[r].region for r in rows}}
        titles = self.index.title_tokens(keyword.tokenizer)
        index = self.index
        signals = Signals(
            keyword=bm25[rows] if bm25 is not None else np.zeros(len(rows)),
            keyword_rank=np.array([ranks["keyword"].get(int(r), miss) for r in rows], dtype=float),
            dense=index.dense.reconstruct_batch(rows) @ vector,
            dense_width=self.embedder.cosine_calibration[1],
            dense_rank=np.array([ranks["dense"].get(int(r), miss) for r in rows], dtype=float),
            expansion=expansion[rows] if expansion is not None else np.zeros(len(rows)),
            coverage=present.astype(float) @ idf / total,
            title=np.array(
                [sum(w for t, w in zip(tokens, idf, strict=True) if t in titles[chunks[r].doc_id]) for r in rows]
            )
            / total,
            doc=index.doc_numbers[rows],
            region_match=np.array([bool(asked and chunks[r].region and applies[chunks[r].region]) for r in rows]),
            region_other=np.array([bool(chunks[r].region) and not (asked and applies[chunks[r].region]) for r in rows]),
            superseded=np.array(
                [index.superseded_rows[r] and not (chunks[r].date[:4] and chunks[r].date[:4] in query) for r in rows]
            ),
            case=index.case_rows[rows] & (not _ASKS_ABOUT_CASES.search(query)),
            length=index.lengths[rows],
            bigrams=bigram_share(query, [chunks[r].text for r in rows]),
            kind=index.kinds[rows],
            age=index.ages[rows],
            position=index.positions[rows],
            chapter=index.chapters[rows],
        )
        return Pool(rows, features(signals, rows), signals)

    def _presence(self, tokens: list[str], rows: np.ndarray) -> np.ndarray:
        """(len(rows), len(tokens)) booleans: which query tokens each passage holds."""
        present = self.index.keyword.presence(tokens, rows)
        # "文章里…", "哪个案例…": a word naming the kind of document is satisfied by a document of that kind.
        kinds = [self.index.chunks[r].kind for r in rows]
        for j, token in enumerate(tokens):
            present[:, j] |= np.array([token in kind for kind in kinds], dtype=bool)
        return present

    def relevance(self, hits: list[Hit], query: str) -> float:
        """How likely these hits answer the question they were searched for, in [0, 1]; the answer step
        refuses below the calibrated threshold.

        Judged on the best passage's coverage of the question's words, each weighed by its share and
        its rarity in the language at large (a Chinese word jieba's dictionary lacks counts fully
        against it), the best cosine squashed around the embedder's calibrated boundary, and the
        question's length — weighed by the learned `relevance_model`, else half coverage, half cosine.
        Either signal alone mixes up colloquial and off-topic questions.
        """
        if not hits:
            return 0.0
        judge = self.relevance_model or hand_relevance
        return round(judge(*self.relevance_signals(hits, query)), 4)

    def relevance_signals(self, hits: list[Hit], query: str) -> tuple[float, float, int]:
        """(rarity coverage, best cosine squashed to 0–1, question words): what relevance is judged on.

        Rarity coverage is the best passage's share of `rarity_weights`, not of this index's idf mass
        (`Hit.coverage`): on a small index every everyday word is unseen and would count as the rarest
        there is, so a worker's plainly worded question looked off-topic.
        """
        centre, width = self.embedder.cosine_calibration
        closeness = 1 / (1 + math.exp(-(max((hit.dense for hit in hits), default=-1.0) - centre) / width))
        weights = self.rarity_weights(query)
        coverage = 0.0
        if hits and weights:
            tokens = list(weights)
            mass = np.array(list(weights.values()))
            rows = [hit.row for hit in hits]
            present = self._presence(tokens, np.array(rows, dtype=np.int64))
            # a word naming the document (齐静 of the commentary's title, 劳动合同法) is answered by any of its
            # passages, as the composer reads a passage with its title. Here only: the ranker weighs a title
            # match as its own feature, and its coverage feature stays what its trees learned. By substring,
            # since a title is one dictionary word to the tokenizer (齐静 is no token of it).
            titles = [self.index.chunks[row].title for row in rows]
            present |= np.array([[token in title for token in tokens] for title in titles], dtype=bool)
            coverage = float((present.astype(float) @ mass).max() / (mass.sum() or 1.0))
        return coverage, closeness, len(weights)

    def rarity_weights(self, query: str) -> dict[str, float]:
        """Each searched token (as `query_weights` keeps them) with its share times its rarity in the
        language at large: how much of the question it carries, the same on an index of any size."""
        shares = self._shares(query)  # tokenised once, cut to the same tokens as the search
        return {token: shares[token] * rarity(token) for token in self._idf_weights(shares)}


SCORE_FIELDS = ("score", "dense_score", "keyword_score", "coverage", "relevance")


def chunk_document(chunk: Chunk, **scores: float) -> Document:
    """A chunk record as a langchain `Document`: its text, its record (less the text) and scores as metadata."""
    metadata = chunk.to_dict()
    del metadata["text"]
    metadata.update(scores)
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id)


def default_options(embedder: str, passages: int, refusal_file: Path = REFUSAL_FILE) -> dict:
    """The colloquial table and whatever `python -m learn` has trained: the vocabulary, the query adapter and
    the trees learned with this embedder (another model's cosines mean something else) on an index of the
    scale of one of `passages` (`TreeRanker.load`; no trees: the hand-set fusion), and the relevance model
    and refusal threshold calibrated for an index of that scale.

    A learned file that cannot be read (written by another version) is reported and left out: search
    falls back to the hand-set fusion rather than failing.
    """
    options: dict = {"expander": QueryExpander.from_file()}
    loaders = (
        ("vocabulary", TranslationVocabulary.load),
        ("adapter", lambda: QueryAdapter.load(adapter_path(embedder), passages)),
        ("ranker", lambda: TreeRanker.load(ranker_path(embedder), passages)),
    )
    for name, load in loaders:
        try:
            learned = load()
        except (ValueError, KeyError, TypeError, OSError) as exc:
            log.error("ignoring the learned %s: %s (retrain with python -m learn)", name, exc)
            continue
        if learned is not None:
            options[name] = learned
    try:
        options["relevance_model"], options["refuse_below"] = load_refusal(refusal_file, passages)
    except (ValueError, OSError) as exc:
        log.error("ignoring the refusal calibration: %s (recalibrate with make calibrate)", exc)
    return options


def open_retriever(index_dir, model: str, **options) -> HybridRetriever:
    """The live index under `index_dir`, searched with the embedder `model` names (checked against the index)."""
    from index.embedders import make_embedder
    from index.store import open_index

    embedder = make_embedder(model)
    index = open_index(index_dir, embedder.name, embedder.dimension)
    return HybridRetriever(
        index=index, embedder=embedder, **{**default_options(embedder.name, len(index.chunks)), **options}
    )
