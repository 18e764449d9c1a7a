"""Index versions in PostgreSQL + pgvector, for several app replicas sharing one set of versions.

A version is written in one transaction that also moves the live pointer and sends a notification,
so no reader ever sees half of one: until COMMIT nothing of it exists for other sessions, and a
writer killed midway leaves nothing but the vectors it had embedded (kept, like the folder cache's
shards). Every replica listens for the notification (and polls the pointer each second in case one is
lost) and loads the new version in the background; the chunk records it already holds are reused, so
only what changed crosses the wire. Checks the folder store makes with SHA-256 sums are made here
too: a version's keyword files carry their sums and are verified by the server, and a version whose
rows, files or vectors are missing is not served (the newest whole one is, with the reason).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from index.keyword import KeywordIndex
from index.store import SearchIndex
from index.stores.base import VectorCache, iter_batches
from index.stores.database import LIBRARY_LOCK, WRITE_LOCK, Database, redacted
from index.stores.pgvectors import (
    PgDense,
    PgEmbeddingCache,
    ensure_model,
    ensure_vector_index,
    fetch_vectors,
    insert_vectors,
    present_keys,
    text_key,
)
from index.versions import FORMAT_VERSION, KEEP_VERSIONS, IndexUnavailable, Manifest
from ingest.records import Chunk, SourceDocument

log = logging.getLogger(__name__)
CHANNEL = "index_live"  # NOTIFY channel; the payload is the new live version's name
POLL_SECONDS = 1.0  # the fallback: a lost notification delays a switch by at most this
CHUNK_FIELDS = "doc_id, source, title, kind, text, start_at, end_at, article, part, heading_path, region, date, warning"
CHUNK_COLUMNS = "hash, text_hash, " + CHUNK_FIELDS
# the Chunk fields those columns hold, in order ("start"/"end" are start_at/end_at: END is an SQL keyword)
CHUNK_DATACLASS_FIELDS = tuple(f.name for f in dataclasses.fields(Chunk))


def record_hash(data: dict) -> bytes:
    return hashlib.sha1(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).digest()


def _chunk_row(chunk: Chunk) -> tuple:
    """(hash, text_hash, the Chunk's fields in CHUNK_FIELDS order)."""
    fields = chunk.to_dict()
    fields["heading_path"] = list(chunk.heading_path)
    values = tuple(fields[name] for name in CHUNK_DATACLASS_FIELDS)
    return (record_hash(fields), text_key(chunk.search_text), *values)


def _chunk_of(row) -> Chunk:
    """A Chunk from a row in CHUNK_FIELDS order, which is the dataclass's own."""
    return Chunk(*row[:9], tuple(row[9]), *row[10:])  # type: ignore[call-arg]  # mypy cannot count a row's fields


def write_failure(exc: psycopg.Error) -> str:
    if isinstance(exc, psycopg.errors.DiskFull):
        return "数据库磁盘空间不足：新索引版本未写入（事务已回滚），当前版本不受影响。请清理数据库磁盘后重试。"
    return f"写入数据库失败（{str(exc).strip() or type(exc).__name__}），事务已回滚，当前版本不受影响。"


class PostgresStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._memo: dict[bytes, Chunk] = {}  # the last loaded version's chunks by record hash: reused by the next
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def location(self) -> str:
        return redacted(self.db.url)

    # -- reading ---------------------------------------------------------------------------------
    def _one(self, query: str, params: tuple = ()):
        with self.db.pool.connection() as conn:
            return conn.execute(query, params).fetchone()

    def _version_id(self, conn: psycopg.Connection, version: str) -> int:
        row = conn.execute("SELECT id FROM index_versions WHERE name = %s", (version,)).fetchone()
        if row is None:
            raise IndexUnavailable(f"没有索引版本 {version}")
        return int(row[0])

    def live_version(self) -> str | None:
        row = self._one("SELECT v.name FROM live_version l JOIN index_versions v ON v.id = l.version_id")
        return row[0] if row else None

    def versions(self) -> list[str]:
        with self.db.pool.connection() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM index_versions ORDER BY name")]

    def latest(self) -> str:
        name = self.live_version() or next(iter(reversed(self.versions())), None)
        if name is None:
            raise IndexUnavailable(self._empty_message())
        return name

    def _empty_message(self) -> str:
        return f"数据库 {self.location()} 里没有索引：先运行 python -m ingest corpus/union（设置 DATABASE_URL）"

    def serving(self) -> tuple[str, str]:
        names = list(reversed(self.versions()))
        if not names:
            raise IndexUnavailable(self._empty_message())
        current = self.live_version()
        if current is None:
            reason = "没有当前版本指针（live_version 为空）"
        else:
            reason = self.verify(current)
            if not reason:
                return current, ""
            reason = f"当前版本 {current} 已损坏：{reason}"
        for name in names:
            if name != current and not self.verify(name):
                return name, f"{reason}，改用最近的完好版本 {name}"
        raise IndexUnavailable(f"数据库里没有完好的索引版本（{reason}），请重建：python -m ingest corpus/union")

    def verify(self, version: str) -> str:
        """Rows, documents and keyword files all there, the files matching their sums, every row's vector present."""
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT id, chunk_count, manifest, model_id FROM index_versions WHERE name = %s", (version,)
            ).fetchone()
            if row is None:
                return "版本不存在"
            version_id, count, manifest, model_id = row
            if manifest.get("format_version") != FORMAT_VERSION:
                return f"索引格式版本 {manifest.get('format_version')} 不受支持"
            rows = conn.execute("SELECT count(*) FROM version_rows WHERE version_id = %s", (version_id,)).fetchone()
            if rows is None or rows[0] != count:
                return "段落数与清单不符"
            documents = conn.execute(
                "SELECT count(*) FROM version_documents WHERE version_id = %s", (version_id,)
            ).fetchone()
            if documents is None or documents[0] != len(manifest.get("documents", [])):
                return "文档数与清单不符"
            files: dict[str, bool] = dict(
                conn.execute(
                    "SELECT name, sha256 = encode(sha256(data), 'hex') FROM version_files WHERE version_id = %s",
                    (version_id,),
                ).fetchall()
            )
            for name in manifest.get("checksums", {}):
                if name not in files:
                    return f"缺少文件 {name}"
                if not files[name]:
                    return f"文件 {name} 与校验和不符（已被截断或改动）"
            lacking = conn.execute(
                "SELECT count(*) FROM version_rows r WHERE r.version_id = %s AND NOT EXISTS"
                " (SELECT 1 FROM embeddings e WHERE e.model_id = %s AND e.text_hash = r.text_hash)",
                (version_id, model_id),
            ).fetchone()
            if lacking and lacking[0]:
                return f"{lacking[0]} 个段落缺少向量"
        return ""

    def manifest(self, version: str) -> Manifest:
        row = self._one("SELECT manifest FROM index_versions WHERE name = %s", (version,))
        if row is None:
            raise IndexUnavailable(f"没有索引版本 {version}")
        return Manifest(**row[0])

    def chunks(self, version: str, doc_id: str | None = None) -> list[Chunk]:
        with self.db.pool.connection() as conn:
            version_id = self._version_id(conn, version)
            cursor = conn.execute(
                f"SELECT {CHUNK_FIELDS} FROM version_rows r JOIN chunk_records c ON c.hash = r.chunk_hash"
                " WHERE r.version_id = %s AND (%s::text IS NULL OR c.doc_id = %s) ORDER BY r.row_number",
                (version_id, doc_id, doc_id),
            )
            return [_chunk_of(row) for row in cursor]

    def documents(self, version: str) -> list[SourceDocument]:
        with self.db.pool.connection() as conn:
            version_id = self._version_id(conn, version)
            cursor = conn.execute(
                "SELECT d.record FROM version_documents v JOIN document_records d ON d.hash = v.document_hash"
                " WHERE v.version_id = %s ORDER BY v.position",
                (version_id,),
            )
            return [SourceDocument(**row[0]) for row in cursor]

    def reuse_vectors(self, version: str, texts: list[str], cache: VectorCache) -> None:
        if isinstance(cache, PgEmbeddingCache) and cache.db.url == self.db.url:
            return  # the cache is the table the version's vectors live in
        manifest = self.manifest(version)
        with self.db.pool.connection() as conn:
            model_id = ensure_model(conn, manifest.embedder, manifest.dimension)
        found = fetch_vectors(self.db, model_id, [text_key(t) for t in texts])
        kept = [t for t in texts if text_key(t) in found]
        if kept:
            import numpy as np

            cache.prime(kept, np.stack([found[text_key(t)] for t in kept]))

    def open(self, embedder_name: str | None = None, dimension: int | None = None) -> SearchIndex:
        """Load the live version. The checks that cost nothing extra are made on the way (row count,
        keyword files against their sums); if they fail, `serving` verifies fully and picks the newest
        whole version. Chunk records the previous load already holds are not fetched again."""
        version, warning = self.live_version(), ""
        try:
            if version is None:
                raise IndexUnavailable("no pointer")
            loaded = self._load(version, warning)
        except IndexUnavailable:
            version, warning = self.serving()
            loaded = self._load(version, warning)
        manifest = loaded.manifest
        if embedder_name is not None and (manifest.embedder != embedder_name or manifest.dimension != dimension):
            raise IndexUnavailable(
                f"索引由嵌入模型 {manifest.embedder}（{manifest.dimension} 维）构建，"
                f"当前配置为 {embedder_name}（{dimension} 维）。请用同一模型重建索引，或把 EMBED_MODEL 设回原模型。"
            )
        return loaded

    def _load(self, version: str, warning: str) -> SearchIndex:
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT id, manifest, model_id FROM index_versions WHERE name = %s", (version,)
            ).fetchone()
            if row is None:
                raise IndexUnavailable(f"没有索引版本 {version}")
            version_id, data, model_id = row
            manifest = Manifest(**data)
            rows = conn.execute(
                "SELECT chunk_hash, text_hash FROM version_rows WHERE version_id = %s ORDER BY row_number",
                (version_id,),
                binary=True,
            ).fetchall()
            if len(rows) != manifest.chunk_count:
                raise IndexUnavailable(f"索引版本 {version} 的段落数与清单不符")
            # binary: the keyword files are tens of MB, and bytea as text is hex twice their size
            files: dict[str, bytes] = dict(
                conn.execute("SELECT name, data FROM version_files WHERE version_id = %s", (version_id,), binary=True)
            )
            hashes = [bytes(r[0]) for r in rows]
            fresh = self._fetch_records(conn, version_id, [h for h in dict.fromkeys(hashes) if h not in self._memo])
        for name, expected in manifest.checksums.items():
            if name not in files or hashlib.sha256(files[name]).hexdigest() != expected:
                raise IndexUnavailable(f"索引版本 {version} 的文件 {name} 缺失或与校验和不符")
        memo = {**self._memo, **fresh}
        chunks = [memo[h] for h in hashes]
        keyword = self._keyword({name: bytes(data) for name, data in files.items()})
        self._memo = dict(zip(hashes, chunks, strict=True))
        dense = PgDense(self.db, model_id, manifest.dimension, [bytes(r[1]) for r in rows])
        return SearchIndex(None, manifest, chunks, dense, keyword, warning, name=version)

    def _fetch_records(self, conn: psycopg.Connection, version_id: int, missing: list[bytes]) -> dict[bytes, Chunk]:
        """The chunk records this process does not hold yet: every one of the version's at first (one join),
        then only the few a change added (by hash)."""
        if not self._memo:
            query = f"SELECT c.hash, {CHUNK_FIELDS} FROM version_rows r JOIN chunk_records c ON c.hash = r.chunk_hash"
            rows = conn.execute(query + " WHERE r.version_id = %s", (version_id,), binary=True).fetchall()
        else:
            rows = []
            for batch in iter_batches(missing, 20_000):
                query = f"SELECT c.hash, {CHUNK_FIELDS} FROM chunk_records c WHERE c.hash = ANY(%s)"
                rows += conn.execute(query, (batch,), binary=True).fetchall()
        return {bytes(row[0]): _chunk_of(row[1:]) for row in rows}

    def _keyword(self, files: dict[str, bytes]) -> KeywordIndex:
        """bm25s loads from a folder: the version's files go to a temporary one (memory-backed where possible)."""
        shm = Path("/dev/shm")
        with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as folder:
            for name, data in files.items():
                path = Path(folder) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            return KeywordIndex.load(Path(folder) / "keyword")

    # -- writing ---------------------------------------------------------------------------------
    def write(
        self,
        manifest: Manifest,
        documents: list[SourceDocument],
        chunks: list[Chunk],
        keyword: KeywordIndex,
        cache: VectorCache,
    ) -> str:
        if len(chunks) != manifest.chunk_count:
            raise ValueError("chunks and manifest disagree on the number of chunks")
        stamp = datetime.now(UTC)
        name = stamp.strftime("v%Y%m%d-%H%M%S-%f")
        files = _keyword_files(keyword)
        stamped = Manifest(
            **{
                **asdict(manifest),
                "created_at": stamp.isoformat(timespec="seconds"),
                "checksums": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
            }
        )
        chunk_rows = [_chunk_row(c) for c in chunks]
        document_rows = [(record_hash(asdict(d)), d.doc_id, Jsonb(asdict(d))) for d in documents]
        try:
            with self.db.pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                model_id = ensure_model(conn, manifest.embedder, manifest.dimension)
                self._ensure_vectors(conn, model_id, chunks, cache)
                _copy_missing(conn, "chunk_records", CHUNK_COLUMNS, chunk_rows)
                _copy_missing(conn, "document_records", "hash, doc_id, record", document_rows)
                version_id = conn.execute(
                    "INSERT INTO index_versions (name, model_id, manifest, chunk_count) VALUES (%s, %s, %s, %s)"
                    " RETURNING id",
                    (name, model_id, Jsonb(asdict(stamped)), len(chunks)),
                ).fetchone()[0]  # type: ignore[index]
                rows_copy = "COPY version_rows (version_id, row_number, chunk_hash, text_hash) FROM STDIN"
                with conn.cursor().copy(rows_copy) as copy:
                    for number, row in enumerate(chunk_rows):
                        copy.write_row((version_id, number, row[0], row[1]))
                with conn.cursor().copy(
                    "COPY version_documents (version_id, position, document_hash) FROM STDIN"
                ) as copy:
                    for number, row in enumerate(document_rows):
                        copy.write_row((version_id, number, row[0]))
                conn.cursor().executemany(
                    "INSERT INTO version_files (version_id, name, sha256, data) VALUES (%s, %s, %s, %s)",
                    [(version_id, n, stamped.checksums[n], d) for n, d in files.items()],
                )
                ensure_vector_index(conn, model_id, manifest.dimension)
                self._point_at(conn, version_id, name)
                self._prune(conn)
        except psycopg.Error as exc:
            raise IndexUnavailable(write_failure(exc)) from exc
        return name

    def _ensure_vectors(self, conn: psycopg.Connection, model_id: int, chunks: list[Chunk], cache: VectorCache) -> None:
        """Every row's vector in the table: already so when the cache is this database's; else copied from it."""
        text_of = {text_key(c.search_text): c.search_text for c in chunks}
        present = present_keys(conn, model_id, list(text_of))
        missing = [k for k in text_of if k not in present]
        if missing:
            vectors, _ = cache.embed([text_of[k] for k in missing])
            insert_vectors(conn, model_id, missing, vectors)

    def _point_at(self, conn: psycopg.Connection, version_id: int, name: str) -> None:
        conn.execute(
            "INSERT INTO live_version (singleton, version_id) VALUES (true, %s)"
            " ON CONFLICT (singleton) DO UPDATE SET version_id = EXCLUDED.version_id, changed_at = now()",
            (version_id,),
        )
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, name))  # delivered at COMMIT, never before

    def _prune(self, conn: psycopg.Connection, keep: int = KEEP_VERSIONS) -> None:
        """Drop versions beyond the newest `keep` (never the live one) and the records only they held."""
        dropped = conn.execute(
            "DELETE FROM index_versions WHERE id IN (SELECT id FROM index_versions ORDER BY name DESC OFFSET %s)"
            " AND id <> (SELECT version_id FROM live_version) RETURNING id",
            (keep,),
        ).fetchall()
        if dropped:
            conn.execute(
                "DELETE FROM chunk_records c"
                " WHERE NOT EXISTS (SELECT 1 FROM version_rows r WHERE r.chunk_hash = c.hash)"
            )
            conn.execute(
                "DELETE FROM document_records d WHERE NOT EXISTS"
                " (SELECT 1 FROM version_documents v WHERE v.document_hash = d.hash)"
            )

    def set_live(self, version: str) -> None:
        problem = self.verify(version)
        if problem:
            raise IndexUnavailable(f"索引版本 {version} 已损坏：{problem}，不能启用")
        try:
            with self.db.pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                self._point_at(conn, self._version_id(conn, version), version)
        except psycopg.Error as exc:
            raise IndexUnavailable(write_failure(exc)) from exc

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        # A session lock on a connection of its own: if this process dies, the server drops the lock with it.
        with self.db.connect(autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LIBRARY_LOCK,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LIBRARY_LOCK,))

    def record_audit(self, entry: dict) -> None:
        with self.db.pool.connection() as conn:  # its own transaction: a failed change is still recorded
            conn.execute("INSERT INTO audit_log (entry) VALUES (%s)", (Jsonb(entry),))

    def audit(self, limit: int = 200) -> list[dict]:
        with self.db.pool.connection() as conn:
            return [r[0] for r in conn.execute("SELECT entry FROM audit_log ORDER BY id DESC LIMIT %s", (limit,))]

    # -- following the pointer ------------------------------------------------------------------
    def watch(self, callback: Callable[[str | None], None]) -> bool:
        self._watcher = threading.Thread(target=self._listen, args=(callback,), name="index-listener", daemon=True)
        self._watcher.start()
        return True

    def _listen(self, callback: Callable[[str | None], None]) -> None:
        backoff = POLL_SECONDS
        while not self._stop.is_set():
            try:
                with self.db.connect(autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    backoff = POLL_SECONDS
                    while not self._stop.is_set():
                        row = conn.execute(
                            "SELECT v.name FROM live_version l JOIN index_versions v ON v.id = l.version_id"
                        ).fetchone()
                        callback(row[0] if row else None)
                        for _ in conn.notifies(timeout=POLL_SECONDS, stop_after=1):
                            pass  # woken early: the pointer is read again at once
            except psycopg.Error as exc:
                log.warning("index listener lost its connection (%s); retrying in %.0f s", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=POLL_SECONDS * 3)


def _keyword_files(keyword: KeywordIndex) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "keyword").mkdir()
        keyword.save(Path(folder) / "keyword")
        return {
            p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()
        }


def _copy_missing(conn: psycopg.Connection, table: str, columns: str, rows: list[tuple]) -> None:
    """COPY the records the table lacks (the first column is the content hash): unchanged ones are shared."""
    present: set[bytes] = set()
    keys = list(dict.fromkeys(r[0] for r in rows))
    for batch in iter_batches(keys, 20_000):
        present.update(bytes(r[0]) for r in conn.execute(f"SELECT hash FROM {table} WHERE hash = ANY(%s)", (batch,)))
    seen = set(present)
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            if row[0] not in seen:
                seen.add(row[0])
                copy.write_row(row)
