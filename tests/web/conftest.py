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
API_KEYS = ("test-key-one", "test-key-two")
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


# Settings the tests choose themselves: never inherited from the shell that runs them.
CHOSEN_BY_TESTS = ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "API_KEYS", "ADMIN_PASSWORD", "ADMIN_PASSWORD_HASH")


@dataclass
class AppProcess:
    """`python app.py` on a free loopback port."""

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
        self.process.kill()
        raise RuntimeError(f"app not {what} after {timeout_s} s: {self.log()}")

    def stop(self) -> None:
        stop_app(self.process)


def spawn_app(work: Path, settings: dict[str, str]) -> AppProcess:
    """app.py on a free loopback port with these settings, not waiting for it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CHOSEN_BY_TESTS}
    env.update(settings, PORT=str(port), HOST="127.0.0.1")
    with open(work / "app.log", "w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return AppProcess(work, process, f"http://127.0.0.1:{port}", time.monotonic())


def start_app(work: Path, settings: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """app.py with these settings, once it serves an index (built first if there is none); the process and URL."""
    app = spawn_app(work, settings)
    app.wait_until(lambda: (app.health() or {}).get("status") in ("ok", "degraded"), 180, "serving an index")
    return app.process, app.url


def app_settings(work: Path, documents: list[str], model: str, written: dict[str, str] | None = None) -> dict:
    """Settings over a fresh index folder, as on a fresh clone: `documents` copied from corpus/union,
    `written` (name → text) made up for the test."""
    docs = work / "docs"
    docs.mkdir()
    for name in documents:
        shutil.copy(CORPUS / name, docs / name)
    for name, text in (written or {}).items():
        (docs / name).write_text(text, "utf-8")
    return {
        "INDEX_DIR": str(work / "index"),
        "DOCS_DIR": str(docs),
        "EMBED_MODEL": model,
        "EMBED_CACHE_DIR": str(work / "cache"),
        "USAGE_DB": str(work / "usage.sqlite3"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("app")
    # the fast bundled model keeps the first-start build short
    settings = app_settings(work, TINY_CORPUS, "use-onnx", {"测试用恶意条例.md": HOSTILE_DOCUMENT})
    process, base = start_app(work, settings)
    yield {
        "url": base,
        "usage_db": work / "usage.sqlite3",
        "log": work / "app.log",
        "settings": settings,
        "work": work,
        "index": work / "index",
    }
    stop_app(process)


@pytest.fixture
def own_app(tmp_path, live_app):
    """A separate app for tests that break things (its index, its pointer, its login throttle):
    started on a copy of the shared app's index, so it does not build one."""
    started: list[dict] = []

    def start() -> dict:
        work = tmp_path / f"app{len(started)}"
        work.mkdir()
        shutil.copytree(live_app["work"] / "index", work / "index", ignore=shutil.ignore_patterns(".lock"))
        settings = {
            **live_app["settings"],
            "INDEX_DIR": str(work / "index"),
            "USAGE_DB": str(work / "usage.sqlite3"),
            "EMBED_CACHE_DIR": str(work / "cache"),
        }
        process, base = start_app(work, settings)
        app = {"url": base, "process": process, "work": work, "settings": settings}
        started.append(app)
        return app

    yield start
    for app in started:
        if app["process"].poll() is None:
            stop_app(app["process"])


@pytest.fixture(scope="session")
def keyed_app(live_app, tmp_path_factory):
    """A second app over the same index, with API_KEYS set and an OpenAI-compatible generator (a stub on
    loopback whose `reply` a test may set): the keys' checks and the LLM's streaming path, end to end."""
    from tests.answer.openai_stub import ChatStub

    work = tmp_path_factory.mktemp("keyed-app")
    with ChatStub("推动两部北京法规的修改[1]。") as stub:
        settings = {
            **live_app["settings"],
            "USAGE_DB": str(work / "usage.sqlite3"),
            "API_KEYS": ",".join(API_KEYS),
            "LLM_BASE_URL": stub.base_url,
            "LLM_MODEL": "stub-model",
        }
        del settings["ADMIN_PASSWORD"]
        process, base = start_app(work, settings)
        yield {"url": base, "stub": stub, "log": work / "app.log"}
        stop_app(process)
