"""The first start: the index is built in the background with progress, and the service says so meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from answer.service import AnswerService
from index.cache import EmbeddingCache
from index.library import Library
from index.live import IndexBuilding, LiveIndex
from index.progress import DONE, EMBEDDING, FAILED, READING, WRITING, BuildProgress
from index.versions import IndexUnavailable, current_version
from web.api import api_router
from web.usage import UsageStore


def test_progress_counts_documents_then_passages_and_estimates_the_rest(monkeypatch):
    now = [0.0]
    monkeypatch.setattr("index.progress.time.monotonic", lambda: now[0])
    progress = BuildProgress()
    progress.documents_read(3, 4)
    reading = progress.status()
    assert (reading.stage, reading.documents_done, reading.documents_total, reading.eta_s) == (READING, 3, 4, None)
    assert reading.describe() == "正在读取文档：已读取 3/4 件文档" and reading.wait_text() == "正在建立索引，请稍候"
    now[0] = 2.0
    progress.passages_embedded(0, 100)  # embedding starts: no pace known yet
    assert progress.status().eta_s is None
    now[0] = 12.0
    progress.passages_embedded(50, 100)  # 50 passages in 10 s: 10 s to go, and a few to write
    halfway = progress.status()
    assert halfway.stage == EMBEDDING and halfway.eta_s == pytest.approx(10.0 + 3.0)
    assert "已向量化 50/100 段，约 13 秒" in halfway.describe() and halfway.wait_text() == "正在建立索引，约 13 秒"
    assert halfway.retry_headers() == {"Retry-After": "13"}
    now[0] = 14.0
    assert progress.status().eta_s == pytest.approx(8.0 + 3.0)  # the estimate falls between batches
    progress.passages_embedded(100, 100)
    assert progress.status().stage == WRITING
    progress.finished()
    assert progress.status().stage == DONE and not progress.status().building
    progress.finished("磁盘已满")
    failed = progress.status()
    assert failed.describe() == "建立索引失败：磁盘已满" and not failed.building
    assert "建立索引失败" in failed.wait_text() and "磁盘已满" in failed.wait_text()  # not "请稍候" forever
    assert failed.retry_headers() == {}  # asking again won't help


def test_live_index_waits_for_the_first_version_then_serves_it(tiny_docs, tmp_path, fake_embedder):
    root = tmp_path / "fresh"
    with pytest.raises(IndexUnavailable):
        LiveIndex(root, fake_embedder)  # no build under way: a missing index is an error at once
    progress = BuildProgress()
    live = LiveIndex(root, fake_embedder, building=progress)
    with pytest.raises(IndexBuilding) as building:
        live.retriever()
    assert building.value.status.stage == READING

    seen: list[tuple[str, int, int]] = []
    original = progress.passages_embedded
    progress.passages_embedded = lambda done, total: (seen.append(("embedded", done, total)), original(done, total))
    library = Library(root, EmbeddingCache(tmp_path / "cache", fake_embedder, batch_size=40))
    report = library.build([tiny_docs], "system:first-start", progress)
    progress.finished()

    assert report.changed and len(report.added) == 4 and current_version(root) == report.version
    assert progress.status().documents_done == progress.status().documents_total == 4
    total = seen[0][2]
    assert seen[0] == ("embedded", 0, total) and seen[-1] == ("embedded", total, total) and len(seen) > 2
    assert live.retriever().index.version == report.version
    assert library.audit()[0]["action"] == "build" and library.audit()[0]["who"] == "system:first-start"


def test_an_upload_during_the_first_build_waits_for_it(tiny_docs, tmp_path, fake_embedder, corpus_file):
    """Both take the writers' lock: the upload lands in the built index instead of being overwritten."""
    root = tmp_path / "fresh"
    library = Library(root, EmbeddingCache(tmp_path / "cache", fake_embedder))
    gate, release = threading.Event(), threading.Event()
    progress = BuildProgress()
    original = progress.passages_embedded

    def slow(done: int, total: int) -> None:
        original(done, total)
        gate.set()
        release.wait(10)

    progress.passages_embedded = slow
    builder = threading.Thread(target=library.build, args=([tiny_docs], "system:first-start", progress))
    builder.start()
    gate.wait(10)
    law = corpus_file("劳动法(2018-12-29).md")
    uploader = threading.Thread(target=lambda: library.add([(law, law.name)], "web:admin"))
    uploader.start()
    time.sleep(0.5)  # the upload is now waiting for the lock; without it, it would write a version of its own
    release.set()
    builder.join(30)
    uploader.join(30)
    assert {d["title"] for d in library.documents()} >= {"中华人民共和国工会法", "中华人民共和国劳动法"}


def test_api_says_building_with_progress_then_answers(tiny_docs, tmp_path, fake_embedder):
    root = tmp_path / "fresh"
    progress = BuildProgress()
    service = AnswerService(LiveIndex(root, fake_embedder, building=progress))
    app = FastAPI()
    app.include_router(api_router(service, UsageStore(tmp_path / "usage.sqlite3")))
    client = TestClient(app)

    health = client.get("/api/health").json()
    assert health["status"] == "building" and health["progress"]["stage"] == READING
    asked = client.post("/api/ask", json={"question": "哺乳时间有多少?"})
    assert asked.status_code == 503 and asked.json()["detail"].startswith("正在建立索引")
    assert int(asked.headers["Retry-After"]) >= 1

    Library(root, EmbeddingCache(tmp_path / "cache", fake_embedder)).build([tiny_docs], "test", progress)
    progress.finished()
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.post("/api/ask", json={"question": "哺乳时间有多少?"}).json()["citations"]


def test_a_failed_build_is_reported_not_hidden(tmp_path, fake_embedder):
    progress = BuildProgress()
    library = Library(tmp_path / "fresh", EmbeddingCache(tmp_path / "cache", fake_embedder))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(Exception, match="没有可索引的文档"):
        library.build([empty], "test", progress)
    progress.finished("没有可索引的文档")
    service = AnswerService(LiveIndex(tmp_path / "fresh", fake_embedder, building=progress))
    with pytest.raises(IndexBuilding) as failed:
        service.ask("工会")
    assert failed.value.status.stage == FAILED and "没有可索引的文档" in str(failed.value)
