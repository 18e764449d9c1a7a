"""What the rest of the app needs from wherever index versions live.

Two implementations: `FolderStore` (version folders and a CURRENT file on local disk, the default,
nothing to install) and `PostgresStore` (PostgreSQL + pgvector, when DATABASE_URL is set, so that
several app replicas share one set of versions). Library, LiveIndex, build_index and the ingest CLI
only talk to this protocol; retrieval only sees the `SearchIndex` a store opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

import numpy as np

from index.embedders import NamedEmbeddings
from index.keyword import KeywordIndex
from index.store import SearchIndex
from index.versions import Manifest
from ingest.records import Chunk, SourceDocument


class VectorCache(Protocol):
    """Embeddings by text hash, so nothing is embedded twice (index/cache.py, or the PostgreSQL table)."""

    embedder: NamedEmbeddings

    def embed(self, texts: list[str], progress: bool = False) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, and how many had to be embedded."""
        ...

    def ensure(
        self, texts: list[str], progress: bool = False, on_batch: Callable[[int, int], None] | None = None
    ) -> int:
        """Embed what the cache lacks (kept as soon as each batch is done); how many were embedded.
        `on_batch(done, total)` before the first batch and after each one."""
        ...

    def prime(self, texts: list[str], vectors: np.ndarray) -> None:
        """Remember vectors computed elsewhere."""
        ...


class IndexStore(Protocol):
    """Index versions, the live-version pointer, the writers' lock and the audit log."""

    def location(self) -> str:
        """Where the versions live, for messages (a folder, or the database without its password)."""
        ...

    def live_version(self) -> str | None:
        """The version the pointer names, if it names one; cheap (read on every question by the folder store)."""
        ...

    def versions(self) -> list[str]:
        """Every stored version, oldest first (names sort by time)."""
        ...

    def latest(self) -> str:
        """The pointer's version, or the newest one: an unverified, cheap look for listings."""
        ...

    def serving(self) -> tuple[str, str]:
        """The version to serve and, when it is not the one the pointer names, why (IndexUnavailable if none)."""
        ...

    def verify(self, version: str) -> str:
        """What is wrong with a version, or "" when it is whole."""
        ...

    def manifest(self, version: str) -> Manifest: ...

    def chunks(self, version: str, doc_id: str | None = None) -> list[Chunk]:
        """A version's chunks in row order (only one document's when doc_id is given)."""
        ...

    def documents(self, version: str) -> list[SourceDocument]: ...

    def reuse_vectors(self, version: str, texts: list[str], cache: VectorCache) -> None:
        """Make sure `cache` holds the vectors of `version` (whose chunks' search texts are `texts`, in row
        order), so a change never re-embeds live text."""
        ...

    def open(self, embedder_name: str | None = None, dimension: int | None = None) -> SearchIndex:
        """Load the version to serve; refuse clearly when it was built with another embedder."""
        ...

    def write(
        self,
        manifest: Manifest,
        documents: list[SourceDocument],
        chunks: list[Chunk],
        keyword: KeywordIndex,
        cache: VectorCache,
    ) -> str:
        """Store a whole new version and make it live, atomically; return its name."""
        ...

    def set_live(self, version: str) -> None:
        """Make a stored version live once it verifies (rollback)."""
        ...

    def writer_lock(self) -> AbstractContextManager[None]:
        """Held by one admin change at a time, across processes (and replicas)."""
        ...

    def record_audit(self, entry: dict) -> None: ...

    def audit(self, limit: int = 200) -> list[dict]:
        """The newest entries first."""
        ...

    def watch(self, callback: Callable[[str | None], None]) -> bool:
        """Call `callback(live version)` from a background thread whenever the pointer may have moved.
        False when the store cannot push changes (the reader then checks the pointer itself)."""
        ...

    def close(self) -> None: ...


def iter_batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
