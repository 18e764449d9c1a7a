"""Chunk records in, a new live index version out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.cache import EmbeddingCache
from index.keyword import ChineseTokenizer, KeywordIndex, corpus_terms
from index.store import Manifest, write_version
from ingest.metadata import link_versions
from ingest.records import Chunk, SourceDocument
from ingest.splitter import SPLITTER_VERSION


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    documents: int
    chunks: int
    embedded: int  # texts that were not in the cache
    total_seconds: float


def build_index(
    root: Path,
    documents: list[SourceDocument],
    chunks: list[Chunk],
    cache: EmbeddingCache,
    progress: bool = False,
    on_embedded: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """`progress` draws a console bar; `on_embedded(done, total)` reports each embedded batch to a caller."""
    started = time.perf_counter()
    vectors, embedded = cache.embed([c.search_text for c in chunks], progress=progress, on_batch=on_embedded)
    tokenizer = ChineseTokenizer(corpus_terms((d.title for d in documents), (d.text for d in documents)))
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
    folder = write_version(Path(root), manifest, documents, chunks, vectors, keyword)
    return BuildReport(folder, len(documents), len(chunks), embedded, time.perf_counter() - started)
