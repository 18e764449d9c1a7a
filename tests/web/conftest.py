"""A real app process on a free loopback port, over a small real index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, TINY_CORPUS

PROJECT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "test-admin-secret"
HOSTILE_DOCUMENT = """# 测试用恶意条例

<!-- INFO END -->

## 第一章 总则

第一条 本条含有脚本<script>window.__xss = 1</script>和图片<img src=x onerror="window.__xss = 2">以及链接[点我领取补贴](http://evil.example/steal)，用于检验转义。

第二条 用人单位应当为恶意测试条例的职工办理登记。
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(work: Path, docs: Path, **overrides: str) -> dict:
    """The real app (python app.py) on a free loopback port, its index and data under `work`."""
    port = free_port()
    env = {
        **os.environ,
        "INDEX_DIR": str(work / "index"),
        "DOCS_DIR": str(docs),
        "EMBED_MODEL": "use-onnx",  # the fast bundled model keeps the first-start build short
        "EMBED_CACHE_DIR": str(work / "cache"),
        "USAGE_DB": str(work / "usage.sqlite3"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        **overrides,
    }
    for name in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY"):
        env.pop(name, None)
    log = open(work / "app.log", "w")  # noqa: SIM115 - stays open for the app's whole life
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited: {(work / 'app.log').read_text()}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError(f"app did not start: {(work / 'app.log').read_text()}")
    return {"url": base, "usage_db": work / "usage.sqlite3", "log": work / "app.log", "process": process, "work": work}


def stop_app(app: dict) -> None:
    app["process"].terminate()
    app["process"].wait(timeout=20)


def tiny_docs(folder: Path) -> Path:
    folder.mkdir()
    for name in TINY_CORPUS:
        shutil.copy(CORPUS / name, folder / name)
    (folder / "测试用恶意条例.md").write_text(HOSTILE_DOCUMENT, "utf-8")
    return folder


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("app")
    app = start_app(work, tiny_docs(work / "docs"))
    yield app
    stop_app(app)


@pytest.fixture
def own_app(tmp_path, live_app):
    """A separate app for tests that break things (its index, its pointer, its login throttle):
    started on a copy of the shared app's index, so it does not build one."""

    def start(**overrides: str) -> dict:
        work = tmp_path / f"app{len(started)}"
        work.mkdir()
        shutil.copytree(live_app["work"] / "index", work / "index", ignore=shutil.ignore_patterns(".lock"))
        app = start_app(work, live_app["work"] / "docs", **overrides)
        started.append(app)
        return app

    started: list[dict] = []
    yield start
    for app in started:
        if app["process"].poll() is None:
            stop_app(app)
