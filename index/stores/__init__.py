"""Where index versions live: a folder (default) or PostgreSQL (DATABASE_URL). `open_store` chooses."""

from __future__ import annotations

from pathlib import Path

from index.embedders import NamedEmbeddings
from index.stores.base import IndexStore, VectorCache
from index.stores.folder import FolderStore


def open_store(database_url: str = "", index_dir: Path | None = None, ef_search: int | None = None) -> IndexStore:
    """PostgreSQL when a database URL is given (the schema is migrated on first use), else the folder."""
    if database_url:
        from index.stores.database import DEFAULT_EF_SEARCH, database
        from index.stores.postgres import PostgresStore

        return PostgresStore(database(database_url, ef_search or DEFAULT_EF_SEARCH))
    if index_dir is None:
        raise ValueError("either a database URL or an index folder is needed")
    return FolderStore(index_dir)


def open_cache(
    embedder: NamedEmbeddings,
    database_url: str = "",
    cache_dir: Path | None = None,
    ef_search: int | None = None,
    batch_size: int = 128,
) -> VectorCache:
    """The embedding cache beside the store: the `embeddings` table, or .npz shards under cache_dir."""
    if database_url:
        from index.stores.database import DEFAULT_EF_SEARCH, database
        from index.stores.pgvectors import PgEmbeddingCache

        return PgEmbeddingCache(database(database_url, ef_search or DEFAULT_EF_SEARCH), embedder, batch_size)
    from index.cache import EmbeddingCache

    if cache_dir is None:
        raise ValueError("either a database URL or a cache folder is needed")
    return EmbeddingCache(cache_dir, embedder, batch_size)


def make_store(settings) -> IndexStore:
    return open_store(settings.database_url, settings.index_dir, settings.hnsw_ef_search)


def make_cache(settings, embedder: NamedEmbeddings, batch_size: int = 128) -> VectorCache:
    return open_cache(embedder, settings.database_url, settings.cache_dir, settings.hnsw_ef_search, batch_size)


def as_store(store: IndexStore | Path | str) -> IndexStore:
    """A store as given, or the folder store for a path (how callers named an index before there were stores)."""
    return FolderStore(Path(store)) if isinstance(store, str | Path) else store


__all__ = [
    "FolderStore",
    "IndexStore",
    "VectorCache",
    "as_store",
    "make_cache",
    "make_store",
    "open_cache",
    "open_store",
]
