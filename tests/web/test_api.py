"""The REST API through a real HTTP client against the running app."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_health_reports_the_index(live_app):
    health = httpx.get(f"{live_app['url']}/api/health").json()
    assert health["status"] == "ok" and health["documents"] == 5 and health["chunks"] > 100
    assert health["index_version"].startswith("v") and health["generator"] == "extractive"


def test_ask_returns_a_cited_answer(live_app):
    response = httpx.post(f"{live_app['url']}/api/ask", json={"question": "北京工会要修改哪些法规?"}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert not body["refused"]
    assert any("北京市集体合同条例" in c["quote"] for c in body["citations"])
    assert body["citations"][0]["label"].startswith("《")


def ask(live_app, question: str, history: list[str] | None = None) -> dict:
    payload = {"question": question, **({"history": history} if history else {})}
    return httpx.post(f"{live_app['url']}/api/ask", json=payload, timeout=30).json()


def test_follow_up_uses_history(live_app):
    assert ask(live_app, "那上海呢?", ["北京工会要修改哪些法规?"])["search_query"] == "上海工会要修改哪些法规?"


def test_a_merged_follow_up_the_documents_do_not_cover_is_refused_like_any_other(live_app):
    body = ask(live_app, "那股票呢?", ["如何做一道红烧肉?"])
    assert body["search_query"] == "如何做一道红烧肉? 股票"
    assert body["refused"] and body["citations"] == []


def test_unrelated_question_is_refused(live_app):
    body = ask(live_app, "如何做一道红烧肉?")
    assert body["refused"] and body["citations"] == [] and "12351" in body["answer"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [({"question": "   "}, "不能为空"), ({"question": "工会" * 300}, "太长"), ({}, "question")],
)
def test_bad_questions_get_a_4xx_with_a_clear_message(live_app, payload, message):
    response = httpx.post(f"{live_app['url']}/api/ask", json=payload, timeout=30)
    assert 400 <= response.status_code < 500
    assert message in response.text


def test_api_is_in_the_openapi_schema(live_app):
    paths = httpx.get(f"{live_app['url']}/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/health"} <= set(paths)
