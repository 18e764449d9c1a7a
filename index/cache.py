"""Embeddings cached by text hash, so a re-ingest embeds only text it has not seen.

Each batch is written as its own .npz shard (atomically, no pickles) as soon as it is embedded:
an ingest killed midway keeps everything embedded so far and the next run resumes from there.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.embedders import NamedEmbeddings
from ingest.records import sha1

MAX_SHARDS = 64  # past this, shards are merged on load so start-up stays fast


class EmbeddingCache:
    def __init__(self, root: Path, embedder: NamedEmbeddings, batch_size: int = 128) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.embedder = embedder
        self.batch_size = batch_size
        self.folder = Path(root) / re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: dict[str, np.ndarray] = {}
        self._load()

    def embed(
        self, texts: list[str], progress: bool = False, on_batch: Callable[[int, int], None] | None = None
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, and how many texts actually had to be embedded."""
        embedded = self.ensure(texts, progress, on_batch)
        if not texts:
            return np.zeros((0, self.embedder.dimension), np.float32), 0
        return np.stack([self._rows[sha1(t)] for t in texts]), embedded

    def ensure(
        self, texts: list[str], progress: bool = False, on_batch: Callable[[int, int], None] | None = None
    ) -> int:
        """Embed the texts the cache lacks, each batch kept on disk at once; how many were embedded.

        `on_batch(done, total)` is called before the first batch and after each one (texts not cached)."""
        keys = [sha1(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._rows))
        text_of = dict(zip(keys, texts, strict=True))
        bar = tqdm(total=len(missing), desc="向量化", unit="段", disable=not progress or not missing)
        if on_batch:
            on_batch(0, len(missing))
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self.embedder.embed_array([text_of[k] for k in batch])
            self._write_shard(batch, vectors)
            bar.update(len(batch))
            if on_batch:
                on_batch(start + len(batch), len(missing))
        bar.close()
        return len(missing)

    def prime(self, texts: list[str], vectors: np.ndarray) -> None:
        """Remember vectors computed elsewhere (a live index) for texts the cache lacks."""
        missing = {}
        for text, vector in zip(texts, vectors, strict=True):
            key = sha1(text)
            if key not in self._rows:
                missing[key] = vector
        if missing:
            self._write_shard(list(missing), np.stack(list(missing.values())))

    def _write_shard(self, keys: list[str], vectors: np.ndarray) -> None:
        name = f"shard-{time.time_ns()}-{os.getpid()}"
        tmp = self.folder / f".{name}.npz"
        np.savez(tmp, keys=np.array(keys), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.folder / f"{name}.npz")
        self._rows.update(zip(keys, vectors.astype(np.float32), strict=True))

    def _load(self) -> None:
        shards = sorted(self.folder.glob("shard-*.npz"))
        for shard in shards:
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                shard.unlink(missing_ok=True)  # a torn write from a killed run: re-embed those texts
                continue
            if vectors.ndim != 2 or vectors.shape[1] != self.embedder.dimension:
                continue
            self._rows.update(zip(keys.tolist(), vectors, strict=True))
        if len(shards) > MAX_SHARDS and self._rows:
            keys = list(self._rows)
            self._write_shard(keys, np.stack([self._rows[k] for k in keys]))
            for shard in shards:
                shard.unlink(missing_ok=True)
