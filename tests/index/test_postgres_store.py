"""What only the PostgreSQL store has: migrations, transactions, and writers killed inside one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from index.builder import build_index
from index.library import Library
from index.stores import open_cache, open_store
from index.stores.database import MIGRATIONS, Migration, migrate, migrations_in
from index.stores.postgres import PostgresStore
from index.versions import IndexUnavailable
from ingest.pipeline import ingest_paths
from tests.conftest import CORPUS, TINY_CORPUS

PROJECT = Path(__file__).resolve().parents[2]
LAW = CORPUS / "劳动法(2018-12-29).md"


@pytest.fixture
def pg_library(pg_url, fake_embedder):
    store = open_store(pg_url)
    cache = open_cache(fake_embedder, pg_url)
    result = ingest_paths([CORPUS / name for name in TINY_CORPUS])
    build_index(store, result.documents, result.chunks, cache)
    return Library(store, cache)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("index_versions", "version_rows", "version_files", "chunk_records", "embeddings")
        }


def test_migrations_are_applied_once_in_order_and_an_edited_one_is_refused(pg_url):
    open_store(pg_url)  # migrates
    index = migrations_in(MIGRATIONS, "index")
    assert [m.number for m in index] == sorted(m.number for m in index) and index[0].number == 1
    assert migrate(pg_url, index) == []  # already applied: nothing to do
    with psycopg.connect(pg_url) as conn:
        recorded = conn.execute("SELECT component, number, sha256 FROM schema_migrations ORDER BY number").fetchall()
    assert recorded[0] == ("index", 1, index[0].sha256)
    later = Migration("index", 999, "later", "CREATE TABLE later_one (x int);")
    assert migrate(pg_url, [*index, later]) == ["index/999_later"]
    edited = Migration("index", 1, index[0].name, index[0].sql + "\n-- edited")
    with pytest.raises(RuntimeError, match="已被改动"):
        migrate(pg_url, [edited])


def test_a_write_that_fails_inside_its_transaction_leaves_nothing(pg_library, pg_url, monkeypatch):
    store = pg_library.store
    live, before = store.live_version(), counts(pg_url)

    def disk_full(*args, **kwargs):
        raise psycopg.errors.DiskFull("could not extend file: No space left on device")

    monkeypatch.setattr(PostgresStore, "_point_at", disk_full)  # fails after every row of the version is written
    with pytest.raises(IndexUnavailable, match="磁盘空间不足"):
        pg_library.add([(LAW, LAW.name)])
    after = counts(pg_url)
    assert store.live_version() == live and store.versions() == [live]
    assert {k: after[k] for k in ("index_versions", "version_rows", "version_files", "chunk_records")} == {
        k: before[k] for k in ("index_versions", "version_rows", "version_files", "chunk_records")
    }
    assert after["embeddings"] > before["embeddings"]  # the vectors embedded before the failure are kept
    entry = pg_library.audit()[0]
    assert entry["action"] == "add" and "磁盘空间不足" in entry["result"]


WRITER = """
import sys
from pathlib import Path
from index.library import Library
from index.stores import open_cache, open_store
from tests.fakes import HashingEmbeddings
url, path = sys.argv[1], Path(sys.argv[2])
Library(open_store(url), open_cache(HashingEmbeddings(), url)).add([(path, path.name)], actor="doomed")
"""


def test_a_writer_killed_inside_its_transaction_loses_nothing(pg_library, pg_url):
    store = pg_library.store
    live, before = store.live_version(), counts(pg_url)
    # Hold the pointer's table: the writer gets as far as moving the pointer, every row of its version
    # written, and waits there; then it is killed.
    with psycopg.connect(pg_url) as blocker, psycopg.connect(pg_url, autocommit=True) as watcher:
        blocker.execute("LOCK TABLE live_version IN EXCLUSIVE MODE")  # reads pass, the pointer's update waits
        writer = subprocess.Popen([sys.executable, "-c", WRITER, pg_url, str(LAW)], cwd=PROJECT)
        try:
            deadline = time.monotonic() + 60
            waiting = None
            while time.monotonic() < deadline and writer.poll() is None:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'INSERT INTO live_version%'"
                ).fetchone()[0]  # type: ignore[index]
                if waiting:
                    break
                time.sleep(0.05)
            assert waiting, "the writer never reached the pointer"
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=10)
        finally:
            if writer.poll() is None:
                writer.kill()
        blocker.rollback()
    # the server notices the dead client and rolls its transaction back
    assert store.live_version() == live and store.versions() == [live]
    after = counts(pg_url)
    assert after["index_versions"] == before["index_versions"] and after["version_rows"] == before["version_rows"]
    assert after["embeddings"] > before["embeddings"]  # what it embedded is kept for the next run
    # its advisory lock died with it: the next change goes through, embedding nothing again
    report = pg_library.add([(LAW, LAW.name)])
    assert report.changed and report.embedded == 0
    assert pg_library.audit()[0]["result"] == "ok"
