"""The Gradio API as `gradio_client` sees it: named, described endpoints; each works or refuses cleanly."""

from __future__ import annotations

import sqlite3

import pytest

pytestmark = pytest.mark.slow

ENDPOINTS = {"/ask", "/feedback", "/search", "/documents", "/quiz", "/grade"}


@pytest.fixture(scope="module")
def client(live_app):
    from gradio_client import Client

    client = Client(live_app["url"], verbose=False)
    yield client
    client.close()


def test_only_the_named_endpoints_are_listed_each_with_a_description(client):
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == ENDPOINTS and not api["unnamed_endpoints"]
    for name, endpoint in api["named_endpoints"].items():
        assert endpoint["description"], name
    assert [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]] == ["question", "history"]


def test_ask_answers_with_citations_and_refuses_bad_questions(client):
    from gradio_client.exceptions import AppError

    answer = client.predict("北京工会要修改哪些法规?", [], api_name="/ask")
    assert not answer["refused"] and any("北京市集体合同条例" in c["quote"] for c in answer["citations"])
    follow_up = client.predict("那上海呢?", ["北京工会要修改哪些法规?"], api_name="/ask")
    assert follow_up["search_query"] == "上海工会要修改哪些法规?"
    for question, words in (("   ", "不能为空"), ("工会" * 300, "太长")):
        with pytest.raises(AppError, match=words):
            client.predict(question, api_name="/ask")
    with pytest.raises(AppError, match="history"):
        client.predict("产假多少天?", "不是列表", api_name="/ask")


def test_feedback_records_a_rating_of_an_answer(client, live_app):
    from gradio_client.exceptions import AppError

    answer = client.predict("女职工生育能休多少天产假?", api_name="/ask")
    assert client.predict(answer, False, api_name="/feedback") == "谢谢反馈！"
    with sqlite3.connect(live_app["usage_db"]) as db:
        rating, question = db.execute("SELECT rating, question FROM feedback ORDER BY id DESC").fetchone()
    assert (rating, question) == (-1, "女职工生育能休多少天产假?")
    for bad in ({}, {"answer": "x"}, "not an answer"):
        with pytest.raises(AppError, match="/ask"):
            client.predict(bad, True, api_name="/feedback")
    with pytest.raises(AppError, match="liked"):
        client.predict(answer, "yes", api_name="/feedback")


def test_search_and_documents(client):
    from gradio_client.exceptions import AppError

    hits = client.predict("哺乳", 3, api_name="/search")
    assert 0 < len(hits) <= 3 and all("哺乳" in h["text"] for h in hits) and hits[0]["link"].startswith("?doc=")
    with pytest.raises(AppError, match="关键词"):
        client.predict("  ", api_name="/search")
    with pytest.raises(AppError, match="k"):
        client.predict("哺乳", 0, api_name="/search")
    titles = {d["title"] for d in client.predict(api_name="/documents")}
    assert {"中华人民共和国工会法", "北京市集体合同条例"} <= titles


def test_quiz_then_grade(client):
    from gradio_client.exceptions import AppError

    questions = client.predict(["女职工劳动保护特别规定"], 3, 7, api_name="/quiz")
    assert len(questions) == 3 and all(q["citation"]["title"] == "女职工劳动保护特别规定" for q in questions)
    assert client.predict(["女职工劳动保护特别规定"], 3, 7, api_name="/quiz") == questions  # a seed repeats
    answers = [questions[0]["answer"], "不知道", "不知道"]
    result = client.predict(questions, answers, api_name="/grade")
    assert result["total"] == 3 and result["score"] >= 1 and [m["number"] for m in result["mistakes"]][:1] == [2]
    with pytest.raises(AppError, match="一一对应"):
        client.predict(questions, answers[:1], api_name="/grade")
    with pytest.raises(AppError, match="/quiz"):
        client.predict([{"question": "?"}], ["x"], api_name="/grade")
    with pytest.raises(AppError, match="没有可出题"):
        client.predict(["没有这个文档"], 3, 1, api_name="/quiz")
    with pytest.raises(AppError, match="n"):
        client.predict(None, 99, 1, api_name="/quiz")


def test_ui_callbacks_cannot_be_called_through_the_client(client):
    """/on_like used to crash when called without like data; the UI's callbacks are private now."""
    for name in ("/on_like", "/respond", "/lambda_1", "/make_quiz", "/check", "/open_link", "/load_example"):
        with pytest.raises(ValueError, match="Cannot find a function"):
            client.predict(api_name=name)
    others = [d["id"] for d in client.config["dependencies"] if f"/{d.get('api_name')}" not in ENDPOINTS]
    assert len(others) > 20  # the chat, study and admin tabs' callbacks
    for fn_index in others:
        with pytest.raises(ValueError, match="Invalid function index"):
            client.predict(fn_index=fn_index)
