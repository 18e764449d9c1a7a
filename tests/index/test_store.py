from __future__ import annotations

import json
import os

import pytest

from index.store import open_index
from index.versions import IndexUnavailable, current_version, list_versions, prune
from tests.fakes import HashingEmbeddings


def test_round_trip_keeps_every_chunk_and_the_manifest(tiny_index, fake_embedder):
    index = open_index(tiny_index, fake_embedder.name, fake_embedder.dimension)
    manifest = json.loads((index.folder / "manifest.json").read_text("utf-8"))
    assert manifest["embedder"] == fake_embedder.name and manifest["dimension"] == 256
    assert manifest["splitter_version"] and manifest["created_at"]
    assert len(manifest["documents"]) == 4
    assert all(d["content_hash"] and d["chunks"] > 0 for d in manifest["documents"])
    assert index.dense.ntotal == len(index.chunks) == manifest["chunk_count"]
    assert {c.title for c in index.chunks} >= {"中华人民共和国工会法", "北京市集体合同条例"}
    assert not list(index.folder.rglob("*.pkl")) and not list(index.folder.rglob("*.pickle"))


def test_another_embedder_is_refused_with_a_clear_message(tiny_index):
    other = HashingEmbeddings(dimension=128)
    with pytest.raises(IndexUnavailable, match="嵌入模型") as error:
        open_index(tiny_index, "another/model", other.dimension)
    assert "test/hashing-bigrams" in str(error.value) and "EMBED_MODEL" in str(error.value)


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexUnavailable, match="python -m ingest"):
        open_index(tmp_path / "nothing")


def test_new_version_goes_live_and_old_ones_are_pruned(tiny_index, tiny_docs, tmp_path, fake_embedder):
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from ingest.pipeline import ingest_paths

    first = current_version(tiny_index)
    (tiny_index / "versions" / ".v0-killed.partial").mkdir()  # what a killed build leaves behind
    result = ingest_paths([tiny_docs / "工会法(2021-12-24).md"])
    report = build_index(tiny_index, result.documents, result.chunks, EmbeddingCache(tmp_path / "cache", fake_embedder))
    assert current_version(tiny_index) == report.version != first
    assert first in list_versions(tiny_index)  # kept for rollback
    assert not list((tiny_index / "versions").glob(".*.partial"))
    assert report.embedded == 0  # every chunk was already in the cache
    assert {c.title for c in open_index(tiny_index).chunks} == {"中华人民共和国工会法"}
    prune(tiny_index, keep=1)
    assert list_versions(tiny_index) == [report.version]
    assert not [p for p in os.listdir(tiny_index) if p.startswith(".CURRENT")]
