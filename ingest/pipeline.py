"""Paths in, documents and chunk records out. A bad file is reported and skipped; the rest goes on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from ingest.loaders import LoadError, load_text
from ingest.metadata import describe
from ingest.records import Chunk, SourceDocument
from ingest.splitter import StatuteSplitter, count_articles


@dataclass(frozen=True)
class FileError:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class IngestResult:
    documents: list[SourceDocument] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


log = logging.getLogger(__name__)


def discover(paths: list[Path]) -> list[tuple[Path, str]]:
    """Files under the given paths, each with its name relative to the folder it was found in."""
    found: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append((file, relative.as_posix()))
        else:
            found.append((path, path.name))
    return found


def read_document(path: Path, source: str) -> SourceDocument:
    """Load and describe one file; raises LoadError with the reason when it cannot."""
    text = load_text(path, source).text
    doc = describe(text, source, has_articles=count_articles(text) >= 2)
    return replace(doc, ingested_at=datetime.now(UTC).isoformat(timespec="seconds"))


def ingest_paths(
    paths: list[Path],
    splitter: StatuteSplitter | None = None,
    progress: bool = False,
    on_document: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """`progress` draws a console bar; `on_document(done, total)` reports each file read to a caller."""
    splitter = splitter or StatuteSplitter()
    result = IngestResult()
    seen: dict[str, str] = {}
    files = discover(paths)
    for number, (path, source) in enumerate(tqdm(files, desc="读取文档", unit="件", disable=not progress)):
        if on_document:
            on_document(number, len(files))
        if not path.exists():
            result.errors.append(FileError(source, "文件不存在"))
            continue
        try:
            doc = read_document(path, source)
        except LoadError as exc:
            result.errors.append(FileError(source, str(exc)))
            continue
        except OSError as exc:
            result.errors.append(FileError(source, f"无法读取：{exc.strerror or exc}"))
            continue
        if doc.content_hash in seen:
            result.errors.append(FileError(source, f"与 {seen[doc.content_hash]} 内容完全相同，已跳过"))
            continue
        seen[doc.content_hash] = source
        try:
            chunks = splitter.split(doc)
        except Exception as exc:  # a splitter bug must cost one file, never the whole run
            log.exception("splitting %s failed", source)
            result.errors.append(FileError(source, f"切分失败（{type(exc).__name__}: {exc}），已跳过，请报告此文件"))
            continue
        if not chunks:
            result.errors.append(FileError(source, "没有可索引的正文"))
            continue
        result.documents.append(doc)
        result.chunks.extend(chunks)
    if on_document:
        on_document(len(files), len(files))
    return result
