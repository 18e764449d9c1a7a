"""The default store: version folders beside each other under INDEX_DIR, CURRENT naming the live one.

A thin layer over index/store.py (which writes, checksums, verifies and prunes the folders); the
writers' lock is a lock file and the audit log a JSON-lines file beside the versions.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from index.keyword import KeywordIndex
from index.store import SearchIndex, open_index, read_chunks, read_documents, write_version
from index.stores.base import VectorCache
from index.versions import (
    Manifest,
    current_version,
    list_versions,
    live_folder,
    read_manifest,
    serving_folder,
    set_current,
    verify,
)
from ingest.records import Chunk, SourceDocument


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.audit_path = self.root / "audit.jsonl"

    def location(self) -> str:
        return str(self.root)

    def folder(self, version: str) -> Path:
        return self.root / "versions" / version

    def live_version(self) -> str | None:
        return current_version(self.root)

    def versions(self) -> list[str]:
        return list_versions(self.root)

    def latest(self) -> str:
        return live_folder(self.root).name

    def serving(self) -> tuple[str, str]:
        folder, warning = serving_folder(self.root)
        return folder.name, warning

    def verify(self, version: str) -> str:
        return verify(self.folder(version))

    def manifest(self, version: str) -> Manifest:
        return read_manifest(self.folder(version))

    def chunks(self, version: str, doc_id: str | None = None) -> list[Chunk]:
        chunks = read_chunks(self.folder(version))
        return chunks if doc_id is None else [c for c in chunks if c.doc_id == doc_id]

    def documents(self, version: str) -> list[SourceDocument]:
        return read_documents(self.folder(version))

    def reuse_vectors(self, version: str, texts: list[str], cache: VectorCache) -> None:
        dense = faiss.read_index(str(self.folder(version) / "dense.faiss"))
        cache.prime(texts, dense.reconstruct_n(0, dense.ntotal) if dense.ntotal else np.zeros((0, dense.d)))

    def open(self, embedder_name: str | None = None, dimension: int | None = None) -> SearchIndex:
        return open_index(self.root, embedder_name, dimension)

    def write(
        self,
        manifest: Manifest,
        documents: list[SourceDocument],
        chunks: list[Chunk],
        keyword: KeywordIndex,
        cache: VectorCache,
    ) -> str:
        vectors, _ = cache.embed([c.search_text for c in chunks])  # all cached by now: nothing is embedded
        return write_version(self.root, manifest, documents, chunks, vectors, keyword).name

    def set_live(self, version: str) -> None:
        set_current(self.root, version)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: the CLI and the app may both be admins
            yield

    def record_audit(self, entry: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.audit_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            log.flush()
            os.fsync(log.fileno())

    def audit(self, limit: int = 200) -> list[dict]:
        if not self.audit_path.exists():
            return []
        lines = self.audit_path.read_text("utf-8").splitlines()[-limit:]
        return [json.loads(line) for line in reversed(lines)]

    def watch(self, callback: Callable[[str | None], None]) -> bool:
        return False  # reading CURRENT costs one small file read: readers check it per question

    def close(self) -> None:
        pass
