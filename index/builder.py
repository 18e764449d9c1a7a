"""Chunk records in, a new live index version out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.keyword import KeywordIndex, corpus_terms, tokenizer_for
from index.stores import IndexStore, VectorCache, as_store
from index.versions import Manifest
from ingest.metadata import link_versions
from ingest.records import Chunk, SourceDocument
from ingest.splitter import SPLITTER_VERSION


@dataclass(frozen=True)
class BuildReport:
    version: str
    location: str  # the store's folder or database
    documents: int
    chunks: int
    embedded: int  # texts that were not in the cache
    total_seconds: float


def build_index(
    store: IndexStore | Path,
    documents: list[SourceDocument],
    chunks: list[Chunk],
    cache: VectorCache,
    progress: bool = False,
    on_embedded: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Embed what is new, build the keyword side, and write a new live version to `store` (or a folder).
    `progress` draws a console bar; `on_embedded(done, total)` reports each embedded batch to a caller."""
    started = time.perf_counter()
    store = as_store(store)
    embedded = cache.ensure([c.search_text for c in chunks], progress=progress, on_batch=on_embedded)
    tokenizer = tokenizer_for(corpus_terms((d.title for d in documents), (d.text for d in documents)))
    keyword = KeywordIndex.build([c.search_text for c in chunks], tokenizer)
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    superseded = link_versions(documents)
    manifest = Manifest(
        embedder=cache.embedder.name,
        dimension=cache.embedder.dimension,
        splitter_version=SPLITTER_VERSION,
        documents=[
            {
                **d.describe(),
                "chunks": counts.get(d.doc_id, 0),
                "size": len(d.text),
                "superseded_by": superseded.get(d.doc_id, ""),
            }
            for d in documents
        ],
        chunk_count=len(chunks),
    )
    version = store.write(manifest, documents, chunks, keyword, cache)
    return BuildReport(version, store.location(), len(documents), len(chunks), embedded, time.perf_counter() - started)
