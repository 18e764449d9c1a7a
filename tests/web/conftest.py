"""A real app process on a free loopback port, over a small real index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
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


@dataclass
class AppProcess:
    """`python app.py` on a free loopback port over a fresh index folder, as on a fresh clone."""

    work: Path
    process: subprocess.Popen
    url: str
    started: float  # time.monotonic() when the process was spawned

    def log(self) -> str:
        return (self.work / "app.log").read_text("utf-8")

    def health(self) -> dict | None:
        try:
            response = httpx.get(f"{self.url}/api/health", timeout=2)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None

    def wait_until(self, ready, timeout_s: float, what: str):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited: {self.log()}")
            found = ready()
            if found:
                return found
            time.sleep(0.25)
        raise RuntimeError(f"app not {what} after {timeout_s} s: {self.log()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_app(work: Path, documents: list[str], model: str, written: dict[str, str] | None = None) -> AppProcess:
    """`documents` copied from corpus/union, `written` (name → text) made up for the test."""
    docs = work / "docs"
    docs.mkdir()
    for name in documents:
        shutil.copy(CORPUS / name, docs / name)
    for name, text in (written or {}).items():
        (docs / name).write_text(text, "utf-8")
    port = free_port()
    env = {
        **os.environ,
        "INDEX_DIR": str(work / "index"),
        "DOCS_DIR": str(docs),
        "EMBED_MODEL": model,
        "EMBED_CACHE_DIR": str(work / "cache"),
        "USAGE_DB": str(work / "usage.sqlite3"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    for name in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY"):
        env.pop(name, None)
    with open(work / "app.log", "w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return AppProcess(work, process, f"http://127.0.0.1:{port}", time.monotonic())


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("app")
    # the fast bundled model keeps the first-start build short
    app = start_app(work, TINY_CORPUS, "use-onnx", {"测试用恶意条例.md": HOSTILE_DOCUMENT})
    try:
        app.wait_until(lambda: (app.health() or {}).get("status") == "ok", 180, "serving an index")
    except RuntimeError:
        app.process.kill()
        raise
    yield {"url": app.url, "usage_db": work / "usage.sqlite3", "log": work / "app.log", "index": work / "index"}
    app.stop()
