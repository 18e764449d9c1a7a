"""One PostgreSQL database shared by every replica: a connection pool per process, and the schema
created and migrated by the app from plain SQL files applied in order and recorded in a table."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# Advisory lock keys (arbitrary, fixed): one per kind of exclusive work.
MIGRATION_LOCK = 0x55_51_41_01  # applying migrations: replicas starting together apply them once
LIBRARY_LOCK = 0x55_51_41_02  # an admin change, read-modify-write (held for the whole change)
WRITE_LOCK = 0x55_51_41_03  # writing a version or moving the pointer (held for one transaction)
DEFAULT_EF_SEARCH = 200  # HNSW candidates per query; bench/pg.py measures recall against exact search


@dataclass(frozen=True)
class Migration:
    component: str  # "index" or "web": each layer owns its tables
    number: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations_in(folder: Path, component: str) -> list[Migration]:
    """NNN_name.sql files, in number order."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = re.fullmatch(r"(\d+)_([\w-]+)\.sql", path.name)
        if not match:
            raise ValueError(f"migration file name must be NNN_name.sql: {path}")
        found.append(Migration(component, int(match.group(1)), match.group(2), path.read_text("utf-8")))
    numbers = [m.number for m in found]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"two migrations share a number in {folder}")
    return found


def migrate(url: str, migrations: list[Migration]) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    An applied migration whose file has changed since is refused: the schema would no longer be what
    the files say. Migrations are serialised by an advisory lock, so replicas may start together.
    """
    applied_now = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (component text NOT NULL, number int NOT NULL,"
                " name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
                " PRIMARY KEY (component, number))"
            )
            done = {
                (row[0], row[1]): row[2]
                for row in conn.execute("SELECT component, number, sha256 FROM schema_migrations")
            }
            for migration in migrations:
                key = (migration.component, migration.number)
                if key in done:
                    if done[key] != migration.sha256:
                        raise RuntimeError(
                            f"数据库迁移 {migration.component}/{migration.number:03d}_{migration.name} 已执行，"
                            "但文件已被改动；请改为新增一个迁移文件"
                        )
                    continue
                with conn.transaction():
                    conn.execute(migration.sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (component, number, name, sha256) VALUES (%s, %s, %s, %s)",
                        (migration.component, migration.number, migration.name, migration.sha256),
                    )
                applied_now.append(f"{migration.component}/{migration.number:03d}_{migration.name}")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    for name in applied_now:
        log.info("applied migration %s", name)
    return applied_now


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


class Database:
    """A migrated database and this process's pool of connections to it."""

    def __init__(self, url: str, ef_search: int = DEFAULT_EF_SEARCH, max_size: int = 8) -> None:
        self.url = url
        self.ef_search = ef_search
        migrate(url, migrations_in(MIGRATIONS, "index"))  # before the pool: its connections need the vector type
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, configure=self._configure, open=False)
        self.pool.open(wait=True, timeout=30)

    def _configure(self, conn: psycopg.Connection) -> None:
        register_vector(conn)
        # Relaxed iterative scans keep going past ef_search when many nearest vectors belong to no live
        # version; ef_search itself sets recall (see bench/pg.py).
        conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(self.ef_search)))
        conn.execute("SET hnsw.iterative_scan = relaxed_order")
        conn.commit()

    def connect(self, **kwargs) -> psycopg.Connection:
        """A connection outside the pool (for LISTEN, or a lock held across a long change)."""
        return psycopg.connect(self.url, **kwargs)

    def close(self) -> None:
        self.pool.close()


_databases: dict[tuple[str, int], Database] = {}
_databases_lock = threading.Lock()


def database(url: str, ef_search: int = DEFAULT_EF_SEARCH) -> Database:
    """The process's one Database per URL: the index, the cache and the web stores share its pool."""
    with _databases_lock:
        key = (url, ef_search)
        if key not in _databases:
            try:
                _databases[key] = Database(url, ef_search)
            except psycopg.OperationalError as exc:
                from index.versions import IndexUnavailable

                raise IndexUnavailable(f"连不上数据库 {redacted(url)}：{exc}".strip()) from exc
        return _databases[key]


def close_database(url: str) -> None:
    with _databases_lock:
        for key in [k for k in _databases if k[0] == url]:
            _databases.pop(key).close()
