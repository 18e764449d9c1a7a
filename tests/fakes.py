"""A deterministic stand-in for a real embedding model: character n-grams hashed into a small vector."""

from __future__ import annotations

import zlib

import numpy as np

from index.embedders import NamedEmbeddings


class HashingEmbeddings(NamedEmbeddings):
    """Texts sharing characters and bigrams get similar vectors — enough to rank a tiny corpus."""

    name = "test/hashing-bigrams"
    cosine_calibration = (0.2, 0.05)

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.calls = 0  # how many texts were embedded, so tests can see the cache at work

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.strip():
                vector[zlib.crc32(gram.encode()) % self.dimension] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_array(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def embed_query_array(self, text: str) -> np.ndarray:
        return self._vector(self.clip(text))
