"""Admin endpoints: refused without credentials, and the upload → list → preview → delete cycle."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from index.cache import EmbeddingCache
from index.library import Library
from tests.conftest import CORPUS
from tests.web.conftest import ADMIN_PASSWORD
from web.admin_api import admin_router
from web.auth import AdminAuth, hash_password
from web.usage import UsageStore

pytestmark = pytest.mark.slow
TOKEN = {"Authorization": f"Bearer {ADMIN_PASSWORD}"}


def admin_routes(base: str) -> list[tuple[str, str]]:
    paths = httpx.get(f"{base}/openapi.json").json()["paths"]
    return [(method, path) for path, item in paths.items() if path.startswith("/api/admin") for method in item]


def test_every_admin_endpoint_refuses_without_credentials(own_app):
    app = own_app()  # its own login throttle: the wrong passwords below lock this client out for a while
    routes = admin_routes(app["url"])
    assert len(routes) >= 9
    for method, path in routes:
        url = app["url"] + path.replace("{doc}", "whatever")
        response = httpx.request(method.upper(), url)
        assert response.status_code == 401 and "管理员" in response.json()["detail"], (method, path)
        wrong = httpx.request(method.upper(), url, headers={"Authorization": "Bearer wrong-password"})
        assert wrong.status_code in (401, 429), (method, path)  # 429 once the guesses are throttled


def test_admin_api_is_listed_with_a_bearer_scheme(live_app):
    schema = httpx.get(f"{live_app['url']}/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_upload_list_preview_delete_cycle(live_app):
    base = live_app["url"] + "/api/admin"
    law = (CORPUS / "职工带薪年休假条例(2007-12-14).md").read_bytes()
    response = httpx.post(
        f"{base}/documents",
        headers=TOKEN,
        files=[("files", ("职工带薪年休假条例(2007-12-14).md", law)), ("files", ("../evil.md", b"# x"))],
        timeout=120,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == ["职工带薪年休假条例"] and report["errors"][0]["file"] == "../evil.md"

    # the running app answers from the new version without a restart
    answer = httpx.post(
        f"{live_app['url']}/api/ask", json={"question": "累计工作满10年不满20年的年休假几天?"}, timeout=60
    )
    assert any("年休假" in c["title"] for c in answer.json()["citations"])

    again = httpx.post(f"{base}/documents", headers=TOKEN, files={"files": ("副本.md", law)}, timeout=60)
    assert again.status_code == 422 and "内容相同" in again.json()["message"]

    documents = httpx.get(f"{base}/documents", headers=TOKEN).json()["documents"]
    added = next(d for d in documents if d["title"] == "职工带薪年休假条例")
    assert added["chunks"] > 5 and added["ingested_at"] and added["size"] > 1000

    chunks = httpx.get(f"{base}/documents/{added['doc_id']}/preview", headers=TOKEN).json()["chunks"]
    assert chunks[1]["article"] == "第一条" and chunks[1]["heading_path"][0] == "职工带薪年休假条例"

    deleted = httpx.delete(f"{base}/documents/{added['doc_id']}", headers=TOKEN, timeout=60)
    assert deleted.status_code == 200 and deleted.json()["removed"] == ["职工带薪年休假条例"]
    assert httpx.delete(f"{base}/documents/{added['doc_id']}", headers=TOKEN).status_code == 404

    audit = httpx.get(f"{base}/audit", headers=TOKEN).json()["entries"]
    assert [(e["action"], e["result"][:6]) for e in audit[:4]] == [
        ("remove", "failed"),  # the second delete: failures are audited too
        ("remove", "ok"),
        ("add", "unchan"),
        ("add", "ok"),
    ]
    assert audit[0]["who"] == "api:127.0.0.1"


def test_gap_report_csv_lists_refused_questions(live_app):
    httpx.post(f"{live_app['url']}/api/ask", json={"question": "公租房怎么申请?"}, timeout=60)
    csv_text = httpx.get(f"{live_app['url']}/api/admin/gaps.csv", headers=TOKEN).text
    assert csv_text.splitlines()[0] == "question,count,refused,disliked,last_asked,examples"
    assert "公租房" in csv_text


def test_admin_off_says_how_to_turn_it_on(tiny_index, tmp_path, fake_embedder):
    library = Library(tiny_index, EmbeddingCache(tmp_path / "cache", fake_embedder))
    app = FastAPI()
    app.include_router(admin_router(library, UsageStore(tmp_path / "u.sqlite3"), AdminAuth()))
    response = TestClient(app).get("/api/admin/documents", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403 and "ADMIN_PASSWORD" in response.json()["detail"]


def test_hashed_password_is_accepted():
    auth = AdminAuth(password_hash=hash_password("s3cret", iterations=1000))
    assert auth.check("s3cret") and not auth.check("wrong") and not auth.check("")


def test_admin_tab_actions_are_not_callable_through_the_gradio_api(live_app):
    """The tab's handlers are private events: the only ways in are the logged-in tab and /api/admin."""
    endpoints = httpx.get(f"{live_app['url']}/gradio_api/info").json()["named_endpoints"]
    assert "/ask" in endpoints  # the workers' questions are there…
    admin = ("login", "upload", "delete", "replace", "rollback", "preview", "export")
    assert not [name for name in endpoints if any(word in name for word in admin)]  # …the admin's is not
