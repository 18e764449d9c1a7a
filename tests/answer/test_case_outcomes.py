"""A question on how a case ended gets the case's ruling, found through the facts it names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from answer.extractive import asks_outcome
from answer.service import AnswerService
from index.builder import build_index
from index.cache import EmbeddingCache
from index.query import QueryExpander
from index.retriever import HybridRetriever
from index.store import open_index
from ingest.pipeline import ingest_paths
from tests.conftest import CORPUS

CASES = [
    "案例/用人单位与劳动者约定实行包薪制，是否需要依法支付加班费.md",
    "案例/劳动者拒绝违法超时加班安排，用人单位能否解除劳动合同.md",
    "劳动法(2018-12-29).md",
]


@pytest.fixture
def case_retriever(tmp_path: Path, fake_embedder) -> HybridRetriever:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "案例").mkdir()
    for name in CASES:  # under 案例/, as bundled: the folder is what makes a file a case
        shutil.copy(CORPUS / name, folder / name)
    result = ingest_paths([folder])
    build_index(tmp_path / "index", result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    index = open_index(tmp_path / "index", fake_embedder.name, fake_embedder.dimension)
    return HybridRetriever(index=index, embedder=fake_embedder, expander=QueryExpander.from_file())


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("仲裁委最后怎么裁的?", True),
        ("二审法院怎么判的?", True),
        ("仲裁结果是什么?", True),
        ("怎么判断是不是加班?", False),
        ("约定月工资含加班费有效吗?", False),
    ],
)
def test_asks_outcome(question, outcome):
    assert asks_outcome(question) is outcome


def test_an_outcome_question_quotes_the_ruling_of_the_case_its_facts_name(case_retriever):
    question = "有个案子，快递公司规定早9点到晚9点、一周干6天，新员工试用期拒绝加班被辞退，仲裁结果是什么?"
    answer = AnswerService(case_retriever, refuse_below=0.0).ask(question)
    ruling = [c for c in answer.citations if "赔偿金8000元" in c.quote]
    assert ruling, answer.text
    assert ruling[0].label == "《劳动者拒绝违法超时加班安排，用人单位能否解除劳动合同》处理结果"
    assert len({c.label for c in answer.citations}) == len(answer.citations)  # a case's passages read apart
    assert "违法解除劳动合同赔偿金8000元" in answer.text


def test_sections_are_the_same_documents_passages_under_the_heading(case_retriever):
    facts = case_retriever.invoke("汽车服务公司约定月工资4000元含加班费", k=1)[0]
    sections = case_retriever.sections(facts, "结果")
    assert [s.metadata["heading_path"][-1] for s in sections] == ["处理结果"]
    assert "17000元" in sections[0].page_content
    assert sections[0].metadata["score"] == facts.metadata["score"]
