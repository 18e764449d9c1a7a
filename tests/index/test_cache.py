from __future__ import annotations

import numpy as np

from index.cache import EmbeddingCache
from tests.fakes import HashingEmbeddings


def test_only_unseen_texts_are_embedded_and_order_is_kept(tmp_path):
    embedder = HashingEmbeddings()
    cache = EmbeddingCache(tmp_path, embedder, batch_size=2)
    vectors, embedded = cache.embed(["工会", "产假", "工会"])
    assert embedded == 2 and embedder.calls == 2
    assert np.allclose(vectors[0], vectors[2])
    _, embedded = cache.embed(["产假", "年休假"])
    assert embedded == 1 and embedder.calls == 3


def test_a_new_process_resumes_from_the_shards_on_disk(tmp_path):
    EmbeddingCache(tmp_path, HashingEmbeddings(), batch_size=1).embed(["第一条", "第二条", "第三条"])
    fresh = HashingEmbeddings()
    vectors, embedded = EmbeddingCache(tmp_path, fresh).embed(["第三条", "第一条"])
    assert embedded == 0 and fresh.calls == 0
    assert np.allclose(vectors[0], fresh.embed_query_array("第三条"))


def test_a_torn_shard_is_dropped_and_re_embedded(tmp_path):
    cache = EmbeddingCache(tmp_path, HashingEmbeddings())
    cache.embed(["第一条"])
    (cache.folder / "shard-0-torn.npz").write_bytes(b"PK\x03\x04 truncated")
    fresh = HashingEmbeddings()
    _, embedded = EmbeddingCache(tmp_path, fresh).embed(["第一条", "第二条"])
    assert embedded == 1
    assert not (cache.folder / "shard-0-torn.npz").exists()
