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


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("app")
    docs = work / "docs"
    docs.mkdir()
    for name in TINY_CORPUS:
        shutil.copy(CORPUS / name, docs / name)
    (docs / "测试用恶意条例.md").write_text(HOSTILE_DOCUMENT, "utf-8")
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
    yield {"url": base, "usage_db": work / "usage.sqlite3", "log": work / "app.log"}
    process.terminate()
    process.wait(timeout=20)
    log.close()
