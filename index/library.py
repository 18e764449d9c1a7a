"""Admin changes to the indexed documents: add, remove, replace, rebuild, roll back.

Documents are keyed by content hash. A change reads the live version's documents and chunks,
splits only the new documents, embeds only text the cache has not seen, and writes a new version
beside the live one before switching to it — so a crash or kill leaves the old version serving,
and a rejected file changes nothing. Writers are serialised by the store (a lock file, or an advisory
lock in PostgreSQL); every action is appended to the store's audit log.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from index.builder import build_index
from index.progress import BuildProgress
from index.store import write_failure
from index.stores import IndexStore, VectorCache, as_store
from index.versions import IndexUnavailable
from ingest.loaders import LoadError
from ingest.metadata import describe
from ingest.pipeline import FileError, ingest_paths, read_document
from ingest.records import Chunk, SourceDocument
from ingest.splitter import StatuteSplitter, count_articles

# Letters, digits, CJK and the punctuation law titles use; anything else is stored as "_".
_UNSAFE_CHAR = re.compile(r"[^\w\u3000-\u303f\u4e00-\u9fff\uff00-\uffef()（）《》〈〉【】\[\] .,，、·_+-]")


def check_name(name: str) -> None:
    """Refuse names that could escape a folder or hide something (../x.md, a\\b.md, control characters)."""
    if not name or len(name) > 200 or name.startswith(".") or ".." in name or "/" in name or "\\" in name:
        raise LoadError(f"文件名不合法：{name!r}（不能包含路径、“..”或以“.”开头）")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise LoadError(f"文件名不合法：{name!r} 含有控制字符")


def stored_name(name: str) -> str:
    """The name a document is kept under: odd characters (& # % ' and the like) become "_"."""
    return _UNSAFE_CHAR.sub("_", name)


MIN_ID_PREFIX = 8  # a one-character "prefix" once deleted 《工伤保险条例》


class LibraryError(Exception):
    """An admin request that cannot be carried out; the message says why."""


@dataclass
class ChangeReport:
    action: str
    version: str | None = None  # the new live version; None when nothing changed
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # passages of new documents that address the assistant
    embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.version is not None

    def summary(self) -> str:
        parts = []
        if self.added:
            parts.append("已入库：" + "、".join(f"《{t}》" for t in self.added))
        if self.removed:
            parts.append("已删除：" + "、".join(f"《{t}》" for t in self.removed))
        parts.extend(f"未处理 {e}" for e in self.errors)
        parts.extend(f"已标记 {f}，不会被引用" for f in self.flagged)
        parts.extend(self.notes)
        if self.changed:
            parts.append(f"新索引版本 {self.version} 已生效（新向量化 {self.embedded} 段，用时 {self.seconds:.1f} 秒）")
        else:
            parts.append("索引未改动")
        return "\n".join(parts)

    def to_dict(self) -> dict:
        return {
            "action": self.action,
            "changed": self.changed,
            "version": self.version,
            "added": self.added,
            "removed": self.removed,
            "errors": [{"file": e.source, "reason": e.reason} for e in self.errors],
            "flagged": self.flagged,
            "notes": self.notes,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 2),
            "message": self.summary(),
        }


class Library:
    def __init__(self, store: IndexStore | Path, cache: VectorCache, splitter: StatuteSplitter | None = None) -> None:
        self.store = as_store(store)
        self.root: Path | None = getattr(self.store, "root", None)  # the index folder, for the folder store
        self.cache = cache
        self.splitter = splitter or StatuteSplitter()

    # -- reading -------------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        """The live documents as listed in the manifest (with chunk counts and superseded_by)."""
        if not self.store.versions():
            return []
        return self.store.manifest(self.store.latest()).documents  # the manifest alone: no index load

    def find(self, ref: str) -> dict:
        """A live document by its id (or an id prefix of at least MIN_ID_PREFIX characters), its exact
        source file name or its exact title — never by a short fragment that happens to match."""
        ref = ref.strip()
        by_id = len(ref) >= MIN_ID_PREFIX
        matches = [
            d
            for d in self.documents()
            if ref
            and ((by_id and d["doc_id"].startswith(ref)) or ref in (d["source"], d["title"], Path(d["source"]).name))
        ]
        if not matches:
            hint = f"（按编号查找至少要 {MIN_ID_PREFIX} 位）" if ref and not by_id else ""
            raise LibraryError(f"没有找到文档：{ref}{hint}，请用完整编号、文件名或标题")
        if len(matches) > 1:
            raise LibraryError(f"“{ref}”对应多个文档，请用文档编号：" + "、".join(d["doc_id"] for d in matches))
        return matches[0]

    def preview(self, ref: str) -> list[Chunk]:
        """How a document was split: its chunks in order, each with heading path and article label."""
        doc = self.find(ref)
        return self.store.chunks(self.store.latest(), doc_id=doc["doc_id"])

    def _serving(self) -> str | None:
        try:
            return self.store.serving()[0]
        except IndexUnavailable:
            return None

    # -- changing ------------------------------------------------------------------------------
    def build(
        self, paths: list[Path], actor: str = "cli", progress: BuildProgress | None = None, if_empty: bool = False
    ) -> ChangeReport:
        """A new version from these files and folders alone: the first start indexes the bundled documents.

        Under the writers' lock like every change, so an upload during the first start waits for it.
        `if_empty`: only when no whole version exists yet — replicas starting together on one database
        build it once (the others find it when they get the lock)."""
        with self._writing("build", actor, ", ".join(map(str, paths))) as report:
            serving = self._serving() if if_empty else None
            if serving is not None:
                report.version = serving
                report.notes.append("已有可用的索引版本（另一副本刚建好），未重建")
                return report
            result = ingest_paths(paths, self.splitter, on_document=progress.documents_read if progress else None)
            report.errors = result.errors
            if not result.documents:
                raise LibraryError("没有可索引的文档：" + "；".join(map(str, result.errors)))
            built = build_index(
                self.store,
                result.documents,
                result.chunks,
                self.cache,
                on_embedded=progress.passages_embedded if progress else None,
            )
            report.version, report.embedded = built.version, built.embedded
            report.added = [d.title for d in result.documents]
        return report

    def add(self, files: list[tuple[Path, str]], actor: str = "cli") -> ChangeReport:
        """Files (path on disk, name to show) join the live documents."""
        with self._writing("add", actor) as report:
            documents, chunks = self._live()
            new = self._load(files, documents, report)
            if new:
                self._write(report, documents + list(new), chunks + [c for split in new.values() for c in split])
                report.added = [d.title for d in new]
        return report

    def remove(self, ref: str, actor: str = "cli") -> ChangeReport:
        with self._writing("remove", actor, ref) as report:
            target = self.find(ref)
            documents, chunks = self._live()
            keep = [d for d in documents if d.doc_id != target["doc_id"]]
            self._write(report, keep, [c for c in chunks if c.doc_id != target["doc_id"]])
            report.removed = [target["title"]]
        return report

    def replace(self, ref: str, file: tuple[Path, str], actor: str = "cli") -> ChangeReport:
        """The new file takes the old document's place; if the new file is rejected, nothing changes."""
        with self._writing("replace", actor, ref) as report:
            target = self.find(ref)
            documents, chunks = self._live()
            keep = [d for d in documents if d.doc_id != target["doc_id"]]
            new = self._load([file], keep, report)
            if new:
                ((doc, new_chunks),) = new.items()
                self._write(report, [*keep, doc], [c for c in chunks if c.doc_id != target["doc_id"]] + new_chunks)
                report.removed, report.added = [target["title"]], [doc.title]
        return report

    def rebuild(self, actor: str = "cli") -> ChangeReport:
        """Re-describe and re-split every document from its stored text (e.g. after a splitter change)."""
        with self._writing("rebuild", actor) as report:
            documents, _ = self._live()
            fresh = [
                replace(describe(d.text, d.source, count_articles(d.text) >= 2), ingested_at=d.ingested_at)
                for d in documents
            ]
            self._write(report, fresh, [c for d in fresh for c in self.splitter.split(d)])
        return report

    def rollback(self, actor: str = "cli") -> ChangeReport:
        """Make the newest whole version before the serving one live again (broken ones are skipped)."""
        with self._writing("rollback", actor) as report:
            serving = self.store.serving()[0]
            skipped = []
            for name in reversed([v for v in self.store.versions() if v < serving]):
                problem = self.store.verify(name)
                if problem:
                    skipped.append(f"{name}（{problem}）")
                    continue
                self.store.set_live(name)
                report.version = name
                report.notes = [f"跳过已损坏的版本 {s}" for s in skipped]
                return report
            raise LibraryError("没有更早的完好索引版本可以回滚" + (f"：{'；'.join(skipped)} 已损坏" if skipped else ""))

    # -- internals -----------------------------------------------------------------------------
    def _live(self) -> tuple[list[SourceDocument], list[Chunk]]:
        """The serving version's documents and chunks (a broken CURRENT: the newest whole version's)."""
        if not self.store.versions():
            return [], []
        version, _ = self.store.serving()
        chunks = self.store.chunks(version)
        # Vectors already in the live index are reused even if the cache was cleared: no re-embedding.
        self.store.reuse_vectors(version, [c.search_text for c in chunks], self.cache)
        return self.store.documents(version), chunks

    def _load(
        self, files: list[tuple[Path, str]], existing: list[SourceDocument], report: ChangeReport
    ) -> dict[SourceDocument, list[Chunk]]:
        """The acceptable new documents, each with its chunks (split once, here)."""
        by_hash = {d.content_hash: d for d in existing}
        names = {d.source for d in existing}
        loaded: dict[SourceDocument, list[Chunk]] = {}
        for path, name in files:
            try:
                check_name(name)
                # the title comes from the document (or the name as given); the stored name is safe
                doc = replace(read_document(Path(path), name), source=stored_name(name))
            except LoadError as exc:
                report.errors.append(FileError(name, str(exc)))
                continue
            if doc.content_hash in by_hash:
                twin = by_hash[doc.content_hash]
                report.errors.append(
                    FileError(name, f"与已有文档《{twin.title}》（{twin.source}）内容相同，未重复入库")
                )
            elif doc.source in names:
                report.errors.append(FileError(name, "已有同名文档；要更新它请用“替换”，或改名后作为新版本上传"))
            elif not (chunks := self.splitter.split(doc)):
                report.errors.append(FileError(name, "没有可索引的正文"))
            else:
                loaded[doc] = chunks
                by_hash[doc.content_hash] = doc
                names.add(doc.source)
                report.flagged.extend(f"《{doc.title}》{c.article or '正文'}：{c.warning}" for c in chunks if c.warning)
        return loaded

    def _write(self, report: ChangeReport, documents: list[SourceDocument], chunks: list[Chunk]) -> None:
        if not documents:
            raise LibraryError("不能删除最后一个文档：索引至少要有一个文档")
        built = build_index(self.store, documents, chunks, self.cache)
        report.version, report.embedded = built.version, built.embedded

    @contextmanager
    def _writing(self, action: str, actor: str, target: str = "") -> Iterator[ChangeReport]:
        report = ChangeReport(action)
        started = time.perf_counter()
        with self.store.writer_lock():  # one writer at a time: the CLI and every replica may be admins
            try:
                yield report
            except (LibraryError, IndexUnavailable) as exc:
                report.seconds = time.perf_counter() - started
                self._audit(actor, action, target, report, str(exc))
                raise
            except OSError as exc:  # e.g. the disk filled up while new passages were being cached
                report.seconds = time.perf_counter() - started
                message = write_failure(exc)
                self._audit(actor, action, target, report, message)
                raise LibraryError(message) from exc
            report.seconds = time.perf_counter() - started
            self._audit(actor, action, target, report, "")

    def _audit(self, actor: str, action: str, target: str, report: ChangeReport, failure: str) -> None:
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "who": actor,
            "action": action,
            "target": target or ", ".join(e.source for e in report.errors) or ", ".join(report.added),
            "result": "failed: " + failure if failure else ("ok" if report.changed else "unchanged"),
            "version": report.version,
            "added": report.added,
            "removed": report.removed,
            "errors": [str(e) for e in report.errors],
        }
        self.store.record_audit(entry)

    def audit(self, limit: int = 200) -> list[dict]:
        return self.store.audit(limit)
