"""Versioned index folders: the manifest, checksums, and the CURRENT pointer that names the live one.

    INDEX_DIR/CURRENT                 name of the live version (replaced atomically)
    INDEX_DIR/versions/<name>/        manifest.json (a SHA-256 per file), chunks.jsonl, dense.faiss, keyword/

A version is verified before CURRENT points at it, before a rollback makes it live and when it is
loaded; a missing, garbage or broken pointer makes the newest valid version serve instead, with the
reason. Writing a version and loading it are `index.store`'s.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
    checksums: dict[str, str] = field(default_factory=dict)  # file (relative to the version) → SHA-256

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a version but its manifest."""
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path) -> str:
    """What is wrong with a version folder, or "" when it is whole: manifest readable, every file
    present and matching its checksum (versions written before checksums: the chunk count)."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError, TypeError, IndexUnavailable) as exc:
        return f"清单 manifest.json 无法读取（{exc}）"
    for name, expected in manifest.checksums.items():
        path = folder / name
        if not path.is_file():
            return f"缺少文件 {name}"
        if _sha256(path) != expected:
            return f"文件 {name} 与校验和不符（已被截断或改动）"
    if not manifest.checksums:
        for name in ("chunks.jsonl", "documents.jsonl", "dense.faiss"):
            if not (folder / name).is_file():
                return f"缺少文件 {name}"
        with open(folder / "chunks.jsonl", "rb") as lines:
            if sum(1 for _ in lines) != manifest.chunk_count:
                return "chunks.jsonl 的段落数与清单不符"
    return ""


def set_current(root: Path, name: str) -> None:
    """Make a version live, once it has been verified whole."""
    if not (Path(root) / "versions" / name / "manifest.json").exists():
        raise IndexUnavailable(f"没有索引版本 {name}")
    problem = verify(Path(root) / "versions" / name)
    if problem:
        raise IndexUnavailable(f"索引版本 {name} 已损坏：{problem}，不能启用")
    point(root, name)


def point(root: Path, name: str) -> None:
    """Move CURRENT to `name` atomically."""
    tmp = Path(root) / f".CURRENT.{os.getpid()}"
    tmp.write_text(name + "\n", "utf-8")
    os.replace(tmp, Path(root) / "CURRENT")


def list_versions(root: Path) -> list[str]:
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return []
    return sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))


def current_version(root: Path) -> str | None:
    """The name CURRENT holds, if it names a version folder; None for no pointer or a garbage one."""
    pointer = Path(root) / "CURRENT"
    try:
        name = pointer.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    # read on every question: one stat, not a listing of every version
    plain = bool(name) and not name.startswith(".") and "/" not in name and "\\" not in name
    return name if plain and (Path(root) / "versions" / name).is_dir() else None


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
    """The version CURRENT names, or the newest one when the pointer is missing or garbage (unverified:
    a cheap look for listings; `serving_folder` verifies)."""
    name = current_version(root) or next(iter(reversed(list_versions(root))), None)
    if name is None:
        raise IndexUnavailable(f"{root} 下没有索引：先运行 python -m ingest corpus/union --index {root}")
    return Path(root) / "versions" / name


def serving_folder(root: Path) -> tuple[Path, str]:
    """The version to serve and, when it is not the one CURRENT names, why: CURRENT's version if it
    verifies, else the newest version that does."""
    names = list(reversed(list_versions(root)))
    if not names:
        raise IndexUnavailable(f"{root} 下没有索引：先运行 python -m ingest corpus/union --index {root}")
    pointer = Path(root) / "CURRENT"
    current = current_version(root)
    if current is None:
        reason = "没有 CURRENT 指针" if not pointer.exists() else "CURRENT 指针无效（指向不存在的版本或内容损坏）"
    else:
        reason = verify(Path(root) / "versions" / current)
        if not reason:
            return Path(root) / "versions" / current, ""
        reason = f"当前版本 {current} 已损坏：{reason}"
    for name in names:
        if name != current and not verify(Path(root) / "versions" / name):
            return Path(root) / "versions" / name, f"{reason}，改用最近的完好版本 {name}"
    raise IndexUnavailable(
        f"{root} 下没有完好的索引版本（{reason}），请重建：python -m ingest corpus/union --index {root}"
    )
