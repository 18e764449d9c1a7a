"""Vectors in PostgreSQL: the embedding cache (one row per model and text) and the dense search of a
loaded version, through the model's HNSW index, with the faiss calls the retriever makes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import psycopg
from psycopg import sql
from tqdm import tqdm

from index.embedders import NamedEmbeddings
from index.stores.base import iter_batches
from index.stores.database import Database
from index.versions import IndexUnavailable

FETCH_BATCH = 5000  # keys per ANY(...) look-up


def text_key(text: str) -> bytes:
    """The embedding's key: sha1 of the search text, as the folder cache names it (in bytes)."""
    return hashlib.sha1(text.encode("utf-8")).digest()


def ensure_model(conn: psycopg.Connection, name: str, dimension: int) -> int:
    row = conn.execute(
        "INSERT INTO embedding_models (name, dimension) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, dimension",
        (name, dimension),
    ).fetchone()
    assert row is not None
    if row[1] != dimension:
        raise IndexUnavailable(f"数据库里的嵌入模型 {name} 是 {row[1]} 维，当前模型是 {dimension} 维")
    return int(row[0])


def vector_expression(dimension: int) -> sql.Composable:
    # The HNSW index is on this expression: a vector index needs a fixed dimension, the column has none.
    return sql.SQL("(embedding::vector({}))").format(sql.Literal(dimension))


def ensure_vector_index(conn: psycopg.Connection, model_id: int, dimension: int) -> None:
    """The model's HNSW index, built (inside the caller's transaction) the first time a version needs it:
    after the first bulk load, which is much faster than growing the graph row by row."""
    name = f"embeddings_hnsw_{model_id}"
    if conn.execute("SELECT 1 FROM pg_class WHERE relname = %s", (name,)).fetchone():
        return
    conn.execute("SET LOCAL maintenance_work_mem = '1GB'")  # the graph in memory: minutes faster at 150k vectors
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON embeddings USING hnsw ({} vector_ip_ops) WHERE model_id = {}").format(
            sql.Identifier(name), vector_expression(dimension), sql.Literal(model_id)
        )
    )


def fetch_vectors(db: Database, model_id: int, keys: list[bytes]) -> dict[bytes, np.ndarray]:
    found: dict[bytes, np.ndarray] = {}
    with db.pool.connection() as conn:
        for batch in iter_batches(keys, FETCH_BATCH):
            cursor = conn.execute(
                "SELECT text_hash, embedding FROM embeddings WHERE model_id = %s AND text_hash = ANY(%s)",
                (model_id, batch),
                binary=True,
            )
            found.update((bytes(key), _array(vector)) for key, vector in cursor)
    return found


def _array(vector) -> np.ndarray:
    """pgvector's binary loader gives Vector objects (text loading, numpy arrays): float32 either way."""
    return np.asarray(vector.to_numpy() if hasattr(vector, "to_numpy") else vector, dtype=np.float32)


def present_keys(conn: psycopg.Connection, model_id: int, keys: list[bytes]) -> set[bytes]:
    present: set[bytes] = set()
    for batch in iter_batches(keys, FETCH_BATCH):
        cursor = conn.execute(
            "SELECT text_hash FROM embeddings WHERE model_id = %s AND text_hash = ANY(%s)", (model_id, batch)
        )
        present.update(bytes(row[0]) for row in cursor)
    return present


def insert_vectors(conn: psycopg.Connection, model_id: int, keys: list[bytes], vectors: np.ndarray) -> None:
    """Add vectors the table lacks (a concurrent writer may have added the same ones: skipped)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_vectors (text_hash bytea, embedding vector)")
    conn.execute("TRUNCATE incoming_vectors")
    with conn.cursor().copy("COPY incoming_vectors (text_hash, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.set_types(["bytea", "vector"])
        for key, vector in zip(keys, np.asarray(vectors, dtype=np.float32), strict=True):
            copy.write_row((key, vector))
    conn.execute(
        "INSERT INTO embeddings (model_id, text_hash, embedding) SELECT %s, text_hash, embedding FROM incoming_vectors"
        " ON CONFLICT DO NOTHING",
        (model_id,),
    )


class PgEmbeddingCache:
    """index/cache.py's contract over the `embeddings` table. Each batch is committed as soon as it is
    embedded, so a killed ingest (or replica) keeps what it embedded and the next run resumes."""

    def __init__(self, db: Database, embedder: NamedEmbeddings, batch_size: int = 128) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.db, self.embedder, self.batch_size = db, embedder, batch_size
        with db.pool.connection() as conn:
            self.model_id = ensure_model(conn, embedder.name, embedder.dimension)

    def ensure(
        self, texts: list[str], progress: bool = False, on_batch: Callable[[int, int], None] | None = None
    ) -> int:
        text_of = {text_key(t): t for t in texts}
        with self.db.pool.connection() as conn:
            present = present_keys(conn, self.model_id, list(text_of))
        missing = [k for k in text_of if k not in present]
        bar = tqdm(total=len(missing), desc="向量化", unit="段", disable=not progress or not missing)
        done = 0
        if on_batch:
            on_batch(done, len(missing))
        for batch in iter_batches(missing, self.batch_size):
            vectors = self.embedder.embed_array([text_of[k] for k in batch])
            with self.db.pool.connection() as conn:
                insert_vectors(conn, self.model_id, batch, vectors)
            bar.update(len(batch))
            done += len(batch)
            if on_batch:
                on_batch(done, len(missing))
        bar.close()
        return len(missing)

    def embed(self, texts: list[str], progress: bool = False) -> tuple[np.ndarray, int]:
        embedded = self.ensure(texts, progress)
        if not texts:
            return np.zeros((0, self.embedder.dimension), np.float32), embedded
        keys = [text_key(t) for t in texts]
        found = fetch_vectors(self.db, self.model_id, list(dict.fromkeys(keys)))
        return np.stack([found[k] for k in keys]), embedded

    def prime(self, texts: list[str], vectors: np.ndarray) -> None:
        keys = [text_key(t) for t in texts]
        with self.db.pool.connection() as conn:
            present = present_keys(conn, self.model_id, keys)
            fresh = {k: i for i, k in enumerate(keys) if k not in present}
            for batch in iter_batches(list(fresh), 10_000):
                insert_vectors(conn, self.model_id, batch, vectors[[fresh[k] for k in batch]])
                conn.commit()


class PgDense:
    """One loaded version's dense side. The search goes through the model's HNSW index over every vector
    of the model and keeps the hits that are rows of this version (mapped in memory, so an answer only
    ever sees rows of the version it started on); candidates' vectors are read back by key."""

    def __init__(self, db: Database, model_id: int, dimension: int, row_keys: list[bytes]) -> None:
        self.db, self.model_id, self.d = db, model_id, dimension
        self.ntotal = len(row_keys)
        self._keys = row_keys
        # rows by key as a sorted array, not a dict: built in milliseconds at 150k rows, when a switch counts
        keys = np.array(row_keys, dtype="S20")
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]
        expression = vector_expression(dimension)
        self._search = sql.SQL(
            "SELECT text_hash, {e} <#> %(q)s FROM embeddings WHERE model_id = {m} ORDER BY {e} <#> %(q)s LIMIT %(n)s"
        ).format(e=expression, m=sql.Literal(model_id))  # the model as a literal: the partial index must match

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """faiss's Index.search for one query: (scores, rows), each of shape (1, k), -1 rows for no hit."""
        query = np.asarray(queries, dtype=np.float32).reshape(-1, self.d)[0]
        limit = k + 16
        hits: list[tuple[float, int]] = []
        for _ in range(4):  # vectors of texts no longer in this version are skipped; fetch deeper if needed
            with self.db.pool.connection() as conn:
                found = conn.execute(self._search, {"q": query, "n": limit}, binary=True).fetchall()
            hits = self._hits(found)
            if len(hits) >= k or len(found) < limit:
                break
            limit *= 4
        hits.sort(key=lambda hit: (-hit[0], hit[1]))  # a relaxed iterative scan may return them slightly out of order
        hits = hits[:k]
        scores = np.full((1, k), -np.inf, dtype=np.float32)
        rows = np.full((1, k), -1, dtype=np.int64)
        for i, (score, row) in enumerate(hits):
            scores[0, i], rows[0, i] = score, row
        return scores, rows

    def _hits(self, found: list[tuple]) -> list[tuple[float, int]]:
        """(score, row) for every row of this version holding one of the found vectors."""
        if not found:
            return []
        keys = np.array([bytes(key) for key, _ in found], dtype="S20")
        starts = np.searchsorted(self._sorted, keys, side="left")
        ends = np.searchsorted(self._sorted, keys, side="right")
        return [
            (-float(distance), int(row))
            for (_, distance), start, end in zip(found, starts, ends, strict=True)
            for row in self._order[start:end]
        ]

    def reconstruct_batch(self, rows) -> np.ndarray:
        keys = [self._keys[int(r)] for r in np.asarray(rows).reshape(-1)]
        found = fetch_vectors(self.db, self.model_id, list(dict.fromkeys(keys)))
        if not keys:
            return np.zeros((0, self.d), np.float32)
        return np.stack([found[k] for k in keys])
