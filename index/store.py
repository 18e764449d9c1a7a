"""The index on disk: versioned folders beside each other, one of them live.

    INDEX_DIR/CURRENT                 name of the live version (replaced atomically)
    INDEX_DIR/versions/<name>/        manifest.json, chunks.jsonl, dense.faiss, keyword/

A new version is written completely before CURRENT points at it, so readers only ever see a
whole index. No pickles: JSON, FAISS's own format and bm25s's .npy/.json files.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.keyword import KeywordIndex
from ingest.records import CASE, Chunk, SourceDocument

FORMAT_VERSION = 2  # 2: documents.jsonl with the documents' text
KEEP_VERSIONS = 5


class IndexUnavailable(Exception):
    """The index cannot be used as asked; the message says what to do."""


@dataclass(frozen=True)
class Manifest:
    embedder: str
    dimension: int
    splitter_version: str
    documents: list[dict]  # SourceDocument.describe() for each document, plus chunks, superseded_by
    chunk_count: int
    created_at: str = ""
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


@dataclass
class SearchIndex:
    """One loaded index version."""

    folder: Path
    manifest: Manifest
    chunks: list[Chunk]
    dense: faiss.Index
    keyword: KeywordIndex
    _title_tokens: dict[str, frozenset[str]] | None = field(default=None, repr=False)

    @property
    def version(self) -> str:
        return self.folder.name

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
        return np.array([c.kind == CASE for c in self.chunks], dtype=bool)

    @functools.cached_property
    def doc_numbers(self) -> np.ndarray:
        """A small integer per document, per chunk (for grouping candidates by document)."""
        numbers: dict[str, int] = {}
        return np.array([numbers.setdefault(c.doc_id, len(numbers)) for c in self.chunks], dtype=np.int64)

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        return np.array([len(c.text) for c in self.chunks], dtype=float)

    def title_tokens(self, tokenizer: Callable[[str], list[str]]) -> dict[str, frozenset[str]]:
        """doc_id → the words of its title (computed once per loaded version)."""
        if self._title_tokens is None:
            self._title_tokens = {d["doc_id"]: frozenset(tokenizer(d["title"])) for d in self.manifest.documents}
        return self._title_tokens

    def document(self, doc_id: str) -> dict | None:
        return next((d for d in self.manifest.documents if d["doc_id"] == doc_id), None)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.dense.ntotal == 0:
            return []
        scores, rows = self.dense.search(np.asarray(vector, np.float32).reshape(1, -1), min(k, self.dense.ntotal))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]


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
    staging = versions / f".{name}.partial"
    staging.mkdir(parents=True)
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
    stamped = Manifest(**{**asdict(manifest), "created_at": stamp.isoformat(timespec="seconds")})
    (staging / "manifest.json").write_text(stamped.to_json(), "utf-8")
    folder = versions / name
    os.replace(staging, folder)
    set_current(root, name)
    prune(root)
    return folder


def set_current(root: Path, name: str) -> None:
    if not (Path(root) / "versions" / name / "manifest.json").exists():
        raise IndexUnavailable(f"没有索引版本 {name}")
    tmp = Path(root) / f".CURRENT.{os.getpid()}"
    tmp.write_text(name + "\n", "utf-8")
    os.replace(tmp, Path(root) / "CURRENT")


def list_versions(root: Path) -> list[str]:
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return []
    return sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))


def current_version(root: Path) -> str | None:
    pointer = Path(root) / "CURRENT"
    return pointer.read_text("utf-8").strip() if pointer.exists() else None


def prune(root: Path, keep: int = KEEP_VERSIONS) -> None:
    """Drop old versions (never the live one) and staging folders left by a killed run."""
    versions = Path(root) / "versions"
    live = current_version(root)
    for leftover in versions.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    for name in list_versions(root)[:-keep]:
        if name != live:
            shutil.rmtree(versions / name, ignore_errors=True)


def read_manifest(folder: Path) -> Manifest:
    data = json.loads((folder / "manifest.json").read_text("utf-8"))
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(f"索引格式版本 {data.get('format_version')} 不受支持，请重新构建索引（make ingest）")
    return Manifest(**data)


def live_folder(root: Path) -> Path:
    name = current_version(root)
    if name is None:
        raise IndexUnavailable(f"{root} 下没有索引：先运行 python -m ingest corpus/union --index {root}")
    return Path(root) / "versions" / name


def read_chunks(folder: Path) -> list[Chunk]:
    with open(folder / "chunks.jsonl", encoding="utf-8") as lines:
        return [Chunk.from_dict(json.loads(line)) for line in lines]


def read_documents(folder: Path) -> list[SourceDocument]:
    with open(folder / "documents.jsonl", encoding="utf-8") as lines:
        return [SourceDocument(**json.loads(line)) for line in lines]


def open_index(root: Path, embedder_name: str | None = None, dimension: int | None = None) -> SearchIndex:
    """Load the live version; refuse clearly when it was built with another embedder."""
    folder = live_folder(root)
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
    return SearchIndex(folder, manifest, chunks, dense, KeywordIndex.load(folder / "keyword"))
