"""The index on disk: a version folder written whole, and the loaded `SearchIndex` searches read.

A new version is written completely beside the live one, checksummed (manifest.json lists a SHA-256
per file) and only then made live (`index.versions` keeps the folders and the CURRENT pointer), so
readers only ever see a whole index; a version that does not verify when loaded is passed over for
the newest valid one, with the reason in `SearchIndex.warning`. No pickles: JSON, FAISS's own format
and bm25s's .npy/.json files.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import faiss
import numpy as np

from index.keyword import KeywordIndex
from index.versions import IndexUnavailable, Manifest, checksums, point, prune, read_manifest, serving_folder
from ingest.records import CASE, Chunk, SourceDocument, chapter_kind
from ingest.regions import Place, parse


@runtime_checkable  # the retriever's pydantic model checks its index's `dense` with isinstance
class DenseVectors(Protocol):
    """The faiss calls search makes: a faiss index in a version folder, or `PgDense` over PostgreSQL."""

    ntotal: int
    d: int

    def search(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def reconstruct_batch(self, rows) -> np.ndarray: ...


@dataclass
class SearchIndex:
    """One loaded index version."""

    folder: Path | None  # the version's folder; None when it was loaded from PostgreSQL
    manifest: Manifest
    chunks: list[Chunk]
    dense: DenseVectors
    keyword: KeywordIndex
    warning: str = ""  # why this version serves instead of the one CURRENT names, when that one is unusable
    _title_tokens: dict[str, frozenset[str]] | None = field(default=None, repr=False)
    name: str = ""  # the version's name, when there is no folder to take it from

    @property
    def version(self) -> str:
        return self.name or (self.folder.name if self.folder else "")

    @functools.cached_property
    def superseded(self) -> dict[str, str]:
        """doc_id → doc_id of its newest version, for older versions of a law."""
        return {d["doc_id"]: d["superseded_by"] for d in self.manifest.documents if d.get("superseded_by")}

    @functools.cached_property
    def superseded_rows(self) -> np.ndarray:
        """True for chunks of a document a newer version supersedes."""
        old = self.superseded
        return np.array([c.doc_id in old for c in self.chunks], dtype=bool)

    @functools.cached_property
    def case_rows(self) -> np.ndarray:
        """True for chunks of court cases."""
        return self.kinds == CASE

    @functools.cached_property
    def blocked_rows(self) -> np.ndarray:
        """True for passages that must never be quoted (they address the assistant: see ingest/injection.py)."""
        return np.array([bool(c.warning) for c in self.chunks], dtype=bool)

    @functools.cached_property
    def doc_numbers(self) -> np.ndarray:
        """A small integer per document, per chunk (for grouping candidates by document)."""
        numbers: dict[str, int] = {}
        return np.array([numbers.setdefault(c.doc_id, len(numbers)) for c in self.chunks], dtype=np.int64)

    @functools.cached_property
    def document_rows(self) -> dict[str, list[int]]:
        """doc_id → the rows of its chunks, in reading order."""
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            rows.setdefault(chunk.doc_id, []).append(row)
        return rows

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        return np.array([len(c.text) for c in self.chunks], dtype=float)

    @functools.cached_property
    def kinds(self) -> np.ndarray:
        return np.array([c.kind for c in self.chunks], dtype=object)

    @functools.cached_property
    def ages(self) -> np.ndarray:
        """Years between each chunk's version date and the newest in this index — an index's own clock,
        so the same version ranks the same on any day; an undated chunk takes the index's median."""
        years = np.array([float(c.date[:4]) if c.date[:4].isdigit() else np.nan for c in self.chunks])
        if not np.isfinite(years).any():
            return np.zeros(len(years))
        ages = np.nanmax(years) - years
        return np.where(np.isnan(ages), float(np.nanmedian(ages)), ages)

    @functools.cached_property
    def positions(self) -> np.ndarray:
        """Each chunk's place in its document, 0 (first) to 1 (last); a document of one passage is its own middle."""
        out = np.full(len(self.chunks), 0.5)
        for rows in self.document_rows.values():
            if len(rows) > 1:
                out[rows] = np.linspace(0.0, 1.0, len(rows))
        return out

    @functools.cached_property
    def chapters(self) -> np.ndarray:
        """The kind of chapter (`chapter_kind`: 总则, 法律责任, 附则) each chunk is under, else ""."""
        kinds: dict[tuple[str, ...], str] = {}  # a law's articles share a few heading paths
        for chunk in self.chunks:
            if chunk.heading_path not in kinds:
                kinds[chunk.heading_path] = chapter_kind(chunk.heading_path)
        return np.array([kinds[c.heading_path] for c in self.chunks], dtype=object)

    @functools.cached_property
    def rule_places(self) -> frozenset[Place]:
        """The places whose own rules (local regulations) the index holds."""
        return frozenset(p for p in (parse(d.get("region", "")) for d in self.manifest.documents) if p is not None)

    def title_tokens(self, tokenizer: Callable[[str], list[str]]) -> dict[str, frozenset[str]]:
        """doc_id → the words of its title (computed once per loaded version)."""
        if self._title_tokens is None:
            self._title_tokens = {d["doc_id"]: frozenset(tokenizer(d["title"])) for d in self.manifest.documents}
        return self._title_tokens

    def warm(self) -> None:
        """Compute the per-row arrays search uses now (on the loading thread), not on the first question."""
        _ = (
            self.superseded_rows,
            self.case_rows,
            self.blocked_rows,
            self.doc_numbers,
            self.lengths,
            self.kinds,
            self.ages,
            self.positions,
            self.chapters,
            self.rule_places,
        )
        self.title_tokens(self.keyword.tokenizer)

    def document(self, doc_id: str) -> dict | None:
        return next((d for d in self.manifest.documents if d["doc_id"] == doc_id), None)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self.dense_search_many(np.asarray(vector).reshape(1, -1), k)[0]

    def dense_search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The `k` nearest rows of each vector, in one pass over the index (one search per question's views)."""
        if self.dense.ntotal == 0 or k < 1:
            return [[] for _ in range(len(vectors))]
        vectors = np.asarray(vectors, np.float32)
        if isinstance(self.dense, faiss.Index):
            scores, rows = self.dense.search(vectors, min(k, self.dense.ntotal))
        else:  # PgDense answers one query at a time
            found = [self.dense.search(vector.reshape(1, -1), min(k, self.dense.ntotal)) for vector in vectors]
            scores, rows = np.vstack([f[0] for f in found]), np.vstack([f[1] for f in found])
        return [
            [(int(r), float(s)) for r, s in zip(row_ids, row_scores, strict=True) if r >= 0]
            for row_ids, row_scores in zip(rows, scores, strict=True)
        ]


def write_version(
    root: Path,
    manifest: Manifest,
    documents: list[SourceDocument],
    chunks: list[Chunk],
    vectors: np.ndarray,
    keyword: KeywordIndex,
) -> Path:
    """Write a complete new version beside the live one, then make it live.

    The documents' text is stored too, so later changes (add, remove, rebuild) need no source files.
    """
    if len(vectors) != len(chunks) or len(chunks) != manifest.chunk_count:
        raise ValueError("chunks, vectors and manifest disagree on the number of chunks")
    stamp = datetime.now(UTC)
    name = stamp.strftime("v%Y%m%d-%H%M%S-%f")
    versions = Path(root) / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    ensure_space(versions, estimated_bytes(documents, chunks, vectors))
    staging = versions / f".{name}.partial"
    try:
        _write_files(staging, manifest, stamp, documents, chunks, vectors, keyword)
        os.replace(staging, versions / name)
    except (OSError, RuntimeError) as exc:  # faiss reports a failed write as RuntimeError
        shutil.rmtree(staging, ignore_errors=True)  # never leave a half-written version behind
        raise IndexUnavailable(write_failure(exc)) from exc
    point(root, name)  # its checksums were just taken from these very files: nothing to verify again
    prune(root)
    return versions / name


def estimated_bytes(documents: list[SourceDocument], chunks: list[Chunk], vectors: np.ndarray) -> int:
    """Roughly what a version takes on disk: texts as JSON (twice: documents and chunks), vectors, keyword index."""
    text = sum(len(d.text) for d in documents) + sum(len(c.text) for c in chunks)
    return int(text * 3 * 2 + vectors.nbytes + 16 * len(chunks) * 40) + (1 << 20)


def ensure_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise IndexUnavailable(
            f"磁盘空间不足：写入新索引版本约需 {needed / 1e6:.1f} MB，{folder} 所在磁盘只剩 {free / 1e6:.1f} MB。"
            "请清理磁盘后重试；当前版本不受影响。"
        )


def write_failure(exc: Exception) -> str:
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left" in str(exc):
        return "磁盘空间不足：写入中途磁盘已满，未完成的版本已清理，当前版本不受影响。请清理磁盘后重试。"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"写入索引失败（{reason}），未完成的版本已清理，当前版本不受影响。"


def _write_files(
    staging: Path,
    manifest: Manifest,
    stamp: datetime,
    documents: list[SourceDocument],
    chunks: list[Chunk],
    vectors: np.ndarray,
    keyword: KeywordIndex,
) -> None:
    staging.mkdir()
    with open(staging / "chunks.jsonl", "w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    with open(staging / "documents.jsonl", "w", encoding="utf-8") as out:
        for doc in documents:
            out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    dense = faiss.IndexFlatIP(manifest.dimension)
    if len(vectors):
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(dense, str(staging / "dense.faiss"))
    (staging / "keyword").mkdir()
    keyword.save(staging / "keyword")
    stamped = Manifest(
        **{**asdict(manifest), "created_at": stamp.isoformat(timespec="seconds"), "checksums": checksums(staging)}
    )
    (staging / "manifest.json").write_text(stamped.to_json(), "utf-8")


def read_chunks(folder: Path) -> list[Chunk]:
    with open(folder / "chunks.jsonl", encoding="utf-8") as lines:
        return [Chunk.from_dict(json.loads(line)) for line in lines]


def read_documents(folder: Path) -> list[SourceDocument]:
    with open(folder / "documents.jsonl", encoding="utf-8") as lines:
        return [SourceDocument(**json.loads(line)) for line in lines]


def open_index(root: Path, embedder_name: str | None = None, dimension: int | None = None) -> SearchIndex:
    """Load the version to serve (see `serving_folder`); refuse clearly when it was built with another embedder."""
    folder, warning = serving_folder(root)
    manifest = read_manifest(folder)
    if embedder_name is not None and (manifest.embedder != embedder_name or manifest.dimension != dimension):
        raise IndexUnavailable(
            f"索引由嵌入模型 {manifest.embedder}（{manifest.dimension} 维）构建，"
            f"当前配置为 {embedder_name}（{dimension} 维）。请用同一模型重建索引，或把 EMBED_MODEL 设回原模型。"
        )
    chunks = read_chunks(folder)
    dense = faiss.read_index(str(folder / "dense.faiss"))
    if dense.ntotal != len(chunks) or dense.d != manifest.dimension:
        raise IndexUnavailable(f"索引 {folder} 已损坏（向量数与段落数不符），请重建")
    return SearchIndex(folder, manifest, chunks, dense, KeywordIndex.load(folder / "keyword"), warning)
