"""Hybrid search: BM25 and dense scores fused into one ranking, with a query-level relevance signal."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from index.embedders import NamedEmbeddings
from index.keyword import top_rows
from index.query import QueryExpander
from index.store import SearchIndex

_ASKS_ABOUT_CASES = re.compile("案例|案件|判决|裁决|判例|法院|仲裁委|典型")


@dataclass(frozen=True)
class Hit:
    row: int
    score: float  # fused, in [0, 1]
    dense: float  # cosine similarity
    keyword: float  # BM25


class HybridRetriever(BaseRetriever):
    """Keyword + dense retrieval over one index version, returning langchain `Document`s.

    Both sides contribute candidates; every candidate is then scored on both sides (cosine from the
    stored vector, BM25 from the full score vector), normalised per query and mixed with
    `dense_weight`. Each Document's metadata holds the chunk record, the scores, and `relevance`:
    how much of the question's vocabulary the best passages cover, blended with their cosine — the
    answer step refuses below a threshold.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SearchIndex
    embedder: NamedEmbeddings
    k: int = Field(default=5, ge=1)
    candidates: int = Field(default=40, ge=1)
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    expander: QueryExpander | None = None
    superseded_weight: float = Field(default=0.6, ge=0.0, le=1.0)  # older versions of a law rank lower
    # Court cases retell disputes in everyday words, so they match workers' questions better than the
    # statute that answers them; unless the question asks about cases, the statute comes first.
    case_weight: float = Field(default=0.85, ge=0.0, le=1.0)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.search(query)
        relevance = self.relevance(query, hits)
        documents = []
        for hit in hits:
            chunk = self.index.chunks[hit.row]
            metadata = chunk.to_dict()
            del metadata["text"]
            metadata.update(score=hit.score, dense_score=hit.dense, keyword_score=hit.keyword, relevance=relevance)
            documents.append(Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id))
        return documents

    def search(self, query: str) -> list[Hit]:
        query = query.strip()
        if not query or not self.index.chunks:
            return []
        expanded = self.expander.expand(query) if self.expander else query
        vector = self.embedder.embed_query_array(expanded)
        keyword_scores = self.index.keyword.scores(expanded)
        rows = {row for row, _ in self.index.dense_search(vector, self.candidates)}
        if keyword_scores is not None:
            rows.update(top_rows(keyword_scores, self.candidates))
        candidates = np.array(sorted(rows))
        dense = self.index.dense.reconstruct_batch(candidates) @ vector
        keyword = keyword_scores[candidates] if keyword_scores is not None else np.zeros(len(candidates))
        fused = self.dense_weight * _minmax(dense) + (1 - self.dense_weight) * _scale_by_max(keyword)
        fused = fused * self._prior(query, candidates)
        order = np.argsort(-fused, kind="stable")[: self.k]
        return [Hit(int(candidates[i]), float(fused[i]), float(dense[i]), float(keyword[i])) for i in order]

    def _prior(self, query: str, rows: np.ndarray) -> np.ndarray:
        """A multiplier per candidate: older versions of a law (unless the question names that version's
        year) and court cases (unless the question asks about cases) rank a little lower."""
        prior = np.ones(len(rows))
        superseded = self.index.superseded_rows[rows]
        for i in np.flatnonzero(superseded):
            year = self.index.chunks[rows[i]].date[:4]
            if not (year and year in query):
                prior[i] *= self.superseded_weight
        if not _ASKS_ABOUT_CASES.search(query):
            prior[self.index.case_rows[rows]] *= self.case_weight
        return prior

    def relevance(self, query: str, hits: list[Hit]) -> float:
        """How likely the documents answer `query`, in [0, 1]; below ~0.5 they do not.

        Half is coverage: the share of the (expanded) question's idf mass found in the best passage —
        words the corpus never uses count fully against it. Half is the best cosine, squashed around
        the embedder's calibrated boundary. Either alone mixes up colloquial and off-topic questions.
        """
        if not hits:
            return 0.0
        keyword = self.index.keyword
        expanded = self.expander.expand(query) if self.expander else query
        weights = {token: keyword.idf(token) for token in keyword.tokenizer(expanded)}
        total = sum(weights.values())
        coverage = 0.0
        for hit in hits:
            present = set(keyword.tokenizer(self.index.chunks[hit.row].search_text))
            covered = sum(w for t, w in weights.items() if t in present)
            coverage = max(coverage, covered / total if total else 0.0)
        centre, width = self.embedder.cosine_calibration
        closeness = 1 / (1 + math.exp(-(max(hit.dense for hit in hits) - centre) / width))
        return round(0.5 * coverage + 0.5 * closeness, 4)


def _minmax(values: np.ndarray) -> np.ndarray:
    spread = float(values.max() - values.min()) if len(values) else 0.0
    return (values - values.min()) / spread if spread > 1e-9 else np.ones_like(values)


def _scale_by_max(values: np.ndarray) -> np.ndarray:
    peak = float(values.max()) if len(values) else 0.0
    return values / peak if peak > 0 else np.zeros_like(values)


def open_retriever(index_dir, model: str, **options) -> HybridRetriever:
    """The live index under `index_dir`, searched with the embedder `model` names (checked against the index)."""
    from index.embedders import make_embedder
    from index.store import open_index

    embedder = make_embedder(model)
    index = open_index(index_dir, embedder.name, embedder.dimension)
    options.setdefault("expander", QueryExpander.from_file())
    return HybridRetriever(index=index, embedder=embedder, **options)
