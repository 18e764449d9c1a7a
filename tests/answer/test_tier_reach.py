"""A worker who says where they stand gets the tier for them, even when the search ranks it below what is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from answer.service import AnswerService
from answer.tiers import Standing, closer_tiers, narrowest, stated
from index.builder import build_index
from index.cache import EmbeddingCache
from index.query import QueryExpander
from index.retriever import HybridRetriever
from index.store import open_index
from ingest.pipeline import ingest_paths
from tests.conftest import CORPUS

LAWS = ["职工带薪年休假条例(2007-12-14).md", "企业职工带薪年休假实施办法(2008-07-17).md", "劳动合同法(2012-12-28).md"]
FOUR_YEARS = "我在厂里上班4年了，一年能休几天带薪年假?"
TIER_TABLE = "职工累计工作已满1年不满10年的，年休假5天"


@pytest.fixture
def leave_retriever(tmp_path: Path, fake_embedder) -> HybridRetriever:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in LAWS:
        shutil.copy(CORPUS / name, folder / name)
    result = ingest_paths([folder])
    build_index(tmp_path / "index", result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    index = open_index(tmp_path / "index", fake_embedder.name, fake_embedder.dimension)
    return HybridRetriever(index=index, embedder=fake_embedder, expander=QueryExpander.from_file())


def test_the_tier_table_ranked_below_the_passages_read_still_answers(leave_retriever):
    read = leave_retriever.invoke(FOUR_YEARS, k=2)
    assert not any(TIER_TABLE in d.page_content for d in read)  # the search alone would not quote it
    answer = AnswerService(leave_retriever, refuse_below=0.0, passages=2).ask(FOUR_YEARS)
    assert TIER_TABLE in answer.text, answer.text
    assert answer.citations[0].title == "职工带薪年休假条例" and answer.citations[0].article == "第三条"


def standing(retriever: HybridRetriever, question: str, read: list) -> Standing:
    """Where the worker stands, as the composer reads it from the question and the passages read."""
    searched = list(retriever.query_weights(question))
    return Standing.of(question, retriever.index.keyword.tokenizer, searched, read[0].page_content)


def test_only_a_bounded_tier_of_a_law_the_question_is_about_is_reached(leave_retriever):
    found = leave_retriever.invoke(FOUR_YEARS, k=30)
    added = closer_tiers(standing(leave_retriever, FOUR_YEARS, found[:2]), found[:2], found[2:])
    assert added and all("年休假" in d.metadata["title"] for d in added)
    assert all((narrowest(stated(FOUR_YEARS), d.page_content) or 0) < float("inf") for d in added)
    # three months of wages are no 劳动合同期限三个月以上不满一年: the question is not about contracts
    wages = "工地上干活，老板欠了我们三个月工钱不给，能找谁要?"
    deeper = leave_retriever.invoke(wages, k=30)
    probation = next(d for d in deeper if d.metadata.get("article") == "第十九条" and "劳动合同" in d.metadata["title"])
    assert narrowest(stated(wages), probation.page_content) is not None  # the number fits its tier…
    worker = standing(leave_retriever, wages, deeper[:3])
    assert narrowest(stated(wages), probation.page_content, worker.about) is None  # …of another subject
    assert closer_tiers(worker, deeper[:3], deeper[3:]) == []


def test_a_question_stating_no_number_reads_what_the_search_found(leave_retriever):
    question = "年假没休完，公司要给钱吗?"
    found = leave_retriever.invoke(question, k=30)
    assert closer_tiers(standing(leave_retriever, question, found[:2]), found[:2], found[2:]) == []
    # and the service searches no deeper than it reads
    service = AnswerService(leave_retriever, refuse_below=0.0, passages=2)
    assert len(service._retrieve(leave_retriever, question, [])[1]) == 2
    assert len(service._retrieve(leave_retriever, FOUR_YEARS, [])[1]) == 30
