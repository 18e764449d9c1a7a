"""Where the web layer keeps its state: SQLite and process memory by default, PostgreSQL when
DATABASE_URL is set — there, the usage log, feedback, upload tokens and failed-login counts are
shared by every replica behind the load balancer (a token issued by one replica is honoured by the
other; guesses spread over replicas are counted together)."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg.rows import dict_row

from index.stores.database import DEFAULT_EF_SEARCH, Database, database, migrate, migrations_in
from web.auth import AdminAuth, LoginThrottle, UploadTokens
from web.usage import UsageStore

MIGRATIONS = Path(__file__).with_name("migrations")
_migrated: set[str] = set()
_migrated_lock = threading.Lock()


def web_database(url: str, ef_search: int = DEFAULT_EF_SEARCH) -> Database:
    """The shared Database (the same pool as the index store's: same URL and ef_search), with the web
    layer's own migrations applied (once per process)."""
    db = database(url, ef_search)
    with _migrated_lock:
        if url not in _migrated:
            migrate(url, migrations_in(MIGRATIONS, "web"))
            _migrated.add(url)
    return db


class _SqliteStyle:
    """A psycopg connection behind the two sqlite3 calls web/usage.py makes (`?` placeholders, rows by
    column name), so each usage query is written once and runs on both databases."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def execute(self, query: str, params: tuple = ()):
        cursor = self._conn.cursor(row_factory=dict_row)
        if params:
            return cursor.execute(query.replace("%", "%%").replace("?", "%s"), params)
        return cursor.execute(query)


class PostgresUsageStore(UsageStore):
    def __init__(self, db: Database) -> None:  # no SQLite file; the schema comes from web/migrations
        self.db = db
        self.path = None  # type: ignore[assignment]  # no file: only _connect used it
        self._lock = threading.Lock()

    @contextmanager
    def _connect(self) -> Iterator[_SqliteStyle]:  # type: ignore[override]
        with self.db.pool.connection() as conn:  # commits when the block ends, as sqlite3's context does
            yield _SqliteStyle(conn)


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class PostgresUploadTokens(UploadTokens):
    """Upload tokens in the database (their hashes), so an upload may reach any replica."""

    def __init__(self, db: Database, lifetime_s: float = 12 * 3600) -> None:
        super().__init__(lifetime_s)
        self.db = db

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        now = time.time()
        with self.db.pool.connection() as conn:
            conn.execute("DELETE FROM admin_upload_tokens WHERE issued_at < %s", (now - self.lifetime_s,))
            conn.execute(
                "INSERT INTO admin_upload_tokens (token_hash, issued_at) VALUES (%s, %s)", (_token_hash(token), now)
            )
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM admin_upload_tokens WHERE token_hash = %s AND issued_at > %s",
                (_token_hash(token), time.time() - self.lifetime_s),
            ).fetchone()
        return row is not None


class PostgresLoginThrottle(LoginThrottle):
    """Failed logins per client in the database, timed by the wall clock (replicas share no monotonic one)."""

    def __init__(self, db: Database, **limits) -> None:
        super().__init__(**limits)
        self.db = db

    def retry_after(self, client: str, now: float | None = None) -> float:
        now = time.time() if now is None else now
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT failures, last_failure FROM admin_login_failures WHERE client = %s", (client,)
            ).fetchone()
        count, last = row or (0, 0.0)
        return self.waiting(int(count), float(last), now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.db.pool.connection() as conn:  # one statement: two replicas counting at once both count
            conn.execute(
                "INSERT INTO admin_login_failures AS f (client, failures, last_failure) VALUES (%(c)s, 1, %(now)s)"
                " ON CONFLICT (client) DO UPDATE SET failures = CASE WHEN f.failures >= %(lock_after)s"
                " AND %(now)s - f.last_failure >= %(lock_s)s THEN 1 ELSE f.failures + 1 END, last_failure = %(now)s",
                {"c": client, "now": now, "lock_after": self.lock_after, "lock_s": self.lock_seconds},
            )

    def succeeded(self, client: str) -> None:
        with self.db.pool.connection() as conn:
            conn.execute("DELETE FROM admin_login_failures WHERE client = %s", (client,))


def make_usage_store(settings) -> UsageStore:
    if settings.database_url:
        return PostgresUsageStore(web_database(settings.database_url, settings.hnsw_ef_search))
    return UsageStore(settings.usage_db)


def make_admin_auth(settings) -> AdminAuth:
    if settings.database_url:
        db = web_database(settings.database_url, settings.hnsw_ef_search)
        return AdminAuth(
            settings.admin_password,
            settings.admin_password_hash,
            throttle=PostgresLoginThrottle(db),
            upload_tokens=PostgresUploadTokens(db),
        )
    return AdminAuth(settings.admin_password, settings.admin_password_hash)
