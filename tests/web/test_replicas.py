"""Two real app replicas on one real PostgreSQL: a change through either is served by both, at once
and whole; a replica killed mid-change loses nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from index.stores import open_store
from tests.conftest import CORPUS, TINY_CORPUS
from tests.web.conftest import ADMIN_PASSWORD, HOSTILE_DOCUMENT, app_settings, start_app, stop_app

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": f"Bearer {ADMIN_PASSWORD}"}
COURIERS = """# 测试市快递员权益保障条例

## 第一章 总则

第一条 为了保障快递员的劳动权益，根据有关法律，制定本条例。

第二条 快递企业应当为快递员缴纳工伤保险费，不得以承包、加盟等名义规避。

第三条 快递员连续派件超过四小时的，快递企业应当安排不少于二十分钟的休息时间。
"""
COURIER_QUESTION = "快递员连续派件超过四小时，快递企业应当安排多少休息时间?"
QUESTIONS = ["哺乳期女职工每天有多少哺乳时间?", "北京工会要修改哪些法规?", "工会主席由谁担任?", COURIER_QUESTION]


def start_replica(work: Path, docs: str, url: str) -> dict:
    """python app.py on `url`'s database, its own files (embedding model, logs) under `work`."""
    work.mkdir(exist_ok=True)
    settings = {
        "INDEX_DIR": str(work / "index"),
        "DOCS_DIR": docs,
        "EMBED_MODEL": "use-onnx",  # the fast bundled model keeps the first-start build short
        "EMBED_CACHE_DIR": str(work / "cache"),
        "USAGE_DB": str(work / "usage.sqlite3"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DATABASE_URL": url,
    }
    process, base = start_app(work, settings)
    return {"url": base, "process": process, "work": work}


@pytest.fixture(scope="module")
def replicas(pg_server, tmp_path_factory):
    url = pg_server.fresh_database("replicas")
    work = tmp_path_factory.mktemp("replicas")
    docs = app_settings(work, TINY_CORPUS, "use-onnx", {"测试用恶意条例.md": HOSTILE_DOCUMENT})["DOCS_DIR"]
    apps = {}
    for name in ("a", "b"):  # a builds the index in PostgreSQL; b starts on it
        apps[name] = start_replica(work / name, docs, url)
    state = {**apps, "url": url, "work": work, "docs": docs}
    yield state
    for name in ("a", "b", "a2"):  # a2: the replica restarted after the kill
        app = state.get(name)
        if app and app["process"].poll() is None:
            stop_app(app["process"])
    pg_server.drop_database(url)


def ask(base: str, question: str) -> httpx.Response:
    return httpx.post(f"{base}/api/ask", json={"question": question}, timeout=60)


def upload(base: str, files: list[tuple[str, bytes]], timeout: float = 120) -> httpx.Response:
    parts = [("files", (name, data, "text/markdown")) for name, data in files]
    return httpx.post(f"{base}/api/admin/documents", files=parts, headers=ADMIN, timeout=timeout)


def health(base: str) -> dict:
    return httpx.get(f"{base}/api/health", timeout=10).json()


def test_upload_through_a_is_answered_with_a_citation_by_b_within_2s(replicas):
    a, b = replicas["a"]["url"], replicas["b"]["url"]
    assert health(a)["index_version"] == health(b)["index_version"]
    before = ask(b, COURIER_QUESTION).json()
    assert not any("快递员" in c["label"] for c in before["citations"])
    response = upload(a, [("测试市快递员权益保障条例.md", COURIERS.encode())])
    assert response.status_code == 200, response.text
    done, version = time.monotonic(), response.json()["version"]
    while True:
        answer = ask(b, COURIER_QUESTION)
        cited = [c for c in answer.json()["citations"] if "快递员权益保障条例" in c["label"]]
        if cited:
            break
        assert time.monotonic() - done < 2.0, "replica b still answers without the new document"
        time.sleep(0.05)
    elapsed = time.monotonic() - done
    assert answer.headers["X-Index-Version"] == version and "二十分钟" in cited[0]["text"]
    print(f"upload through a, cited by b after {elapsed:.2f} s")
    assert elapsed <= 2.0


def test_rollback_through_b_is_seen_by_a(replicas):
    a, b = replicas["a"]["url"], replicas["b"]["url"]
    serving = health(a)["index_version"]
    response = httpx.post(f"{b}/api/admin/rollback", headers=ADMIN, timeout=60)
    assert response.status_code == 200, response.text
    done, version = time.monotonic(), response.json()["version"]
    assert version != serving
    while health(a)["index_version"] != version:
        assert time.monotonic() - done < 2.0, "replica a did not follow the rollback"
        time.sleep(0.05)
    assert health(b)["index_version"] == version
    audit = httpx.get(f"{a}/api/admin/audit", headers=ADMIN, timeout=10).json()["entries"]
    assert audit[0]["action"] == "rollback" and audit[0]["version"] == version  # one audit log for both


def test_twenty_users_over_both_replicas_while_an_admin_adds_and_removes(replicas):
    a, b, url = replicas["a"]["url"], replicas["b"]["url"], replicas["url"]
    store = open_store(url)
    chunk_ids = {v: {c.chunk_id for c in store.chunks(v)} for v in store.versions()}
    results: list[tuple[int, str, set[str], str]] = []
    lock = threading.Lock()
    admin_done = threading.Event()
    name = "测试市快递员权益保障条例(第二版).md"
    text = COURIERS.replace("二十分钟", "三十分钟").encode()

    def user(number: int) -> None:
        with httpx.Client(timeout=120) as client:
            for i in range(60):  # bounded; stops a few rounds after the admin is done
                if admin_done.is_set() and i >= 4:
                    return
                base = (a, b)[(number + i) % 2]
                response = client.post(f"{base}/api/ask", json={"question": QUESTIONS[(number + i) % len(QUESTIONS)]})
                cited = {c["chunk_id"] for c in response.json().get("citations", [])} if response.is_success else set()
                with lock:
                    results.append((response.status_code, response.headers.get("X-Index-Version", ""), cited, base))

    users = [threading.Thread(target=user, args=(n,)) for n in range(20)]
    for thread in users:
        thread.start()
    try:
        for _ in range(5):
            added = upload(a, [(name, text)])
            assert added.status_code == 200, added.text
            version = added.json()["version"]
            chunk_ids[version] = {c.chunk_id for c in store.chunks(version)}
            time.sleep(0.5)
            removed = httpx.delete(f"{b}/api/admin/documents/{name}", headers=ADMIN, timeout=120)
            assert removed.status_code == 200, removed.text
            version = removed.json()["version"]
            chunk_ids[version] = {c.chunk_id for c in store.chunks(version)}
            time.sleep(0.5)
    finally:
        admin_done.set()
        for thread in users:
            thread.join()
    errors = [r for r in results if r[0] != 200]
    assert errors == [], errors[:3]
    assert len(results) >= 20 * 4
    for _status, version, cited, base in results:
        assert version in chunk_ids, f"{base} answered from unknown version {version}"
        assert cited <= chunk_ids[version], f"{base} mixed versions: {cited - chunk_ids[version]}"
    assert len({r[1] for r in results}) >= 3, "answers should have come from several versions"
    assert {r[3] for r in results} == {a, b}
    toggled = set.union(*chunk_ids.values()) - set.intersection(*chunk_ids.values())
    assert any(cited & toggled for _, _, cited, _ in results), "no answer came from a version holding the document"


def test_kill_9_of_a_replica_mid_change_loses_nothing(replicas, tmp_path):
    a, b, url = replicas["a"], replicas["b"]["url"], replicas["url"]
    ask(b, "工会主席由谁担任?")  # something in the usage log before the kill
    with psycopg.connect(url) as conn:
        live_before = conn.execute("SELECT version_id FROM live_version").fetchone()
        versions_before = conn.execute("SELECT name FROM index_versions ORDER BY name").fetchall()
        questions_before = conn.execute("SELECT count(*) FROM questions").fetchone()[0]
        audit_before = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        vectors_before = conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    files = []
    for source in sorted(CORPUS.glob("*.md")):
        text = source.read_text("utf-8").replace("第一条", "第一条（副本）") + "\n\n附：测试副本。\n"
        files.append((f"{source.stem}-副本.md", text.encode()))
    worker = threading.Thread(target=lambda: _swallow(lambda: upload(a["url"], files, timeout=300)), daemon=True)
    worker.start()
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] < vectors_before + 256:
            assert time.monotonic() < deadline and worker.is_alive(), "the change ended before it could be killed"
            time.sleep(0.05)
    os.kill(a["process"].pid, signal.SIGKILL)
    a["process"].wait(timeout=10)
    worker.join(timeout=30)

    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version_id FROM live_version").fetchone() == live_before
        assert conn.execute("SELECT name FROM index_versions ORDER BY name").fetchall() == versions_before
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] >= questions_before
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_before
        kept = conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] - vectors_before
    assert kept >= 256
    answer = ask(b, "哺乳期女职工每天有多少哺乳时间?")
    assert answer.status_code == 200 and answer.json()["citations"]
    # a restarted replica serves the same version; the change, repeated through b, resumes the embedding
    (tmp_path / "a2").mkdir()
    replicas["a2"] = start_replica(tmp_path / "a2", replicas["docs"], url)
    assert health(replicas["a2"]["url"])["index_version"] == health(b)["index_version"]
    again = upload(b, files, timeout=600)
    assert again.status_code == 200, again.text
    report = again.json()
    store = open_store(url)
    new_chunks = len(store.chunks(report["version"])) - len(store.chunks(versions_before[-1][0]))
    assert 0 < report["embedded"] <= new_chunks - kept  # what a embedded before it died was not embedded again


def _swallow(call) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the replica was killed under it: expected
        call()
