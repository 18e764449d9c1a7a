"""The OpenAI-compatible API through the real `openai` SDK and langchain's ChatOpenAI, against the running app."""

from __future__ import annotations

import re

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI

from tests.web.conftest import API_KEYS

pytestmark = pytest.mark.slow

SEED = "北京工会要修改哪些法规?"
BEIJING_REGULATIONS = ("北京市实施〈中华人民共和国工会法〉办法", "北京市集体合同条例")


def sdk(app: dict, api_key: str = "anything") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{app['url']}/v1", api_key=api_key, max_retries=0, timeout=60)


def assert_cites_both_beijing_regulations(content: str, citations: list[dict]) -> None:
    quoted = "".join(c["quote"] for c in citations)
    assert all(title in quoted for title in BEIJING_REGULATIONS), quoted
    assert "[1]" in content.replace("\\", "") and "**出处**" in content


def test_models_lists_the_one_model(live_app):
    client = sdk(live_app)
    assert [m.id for m in client.models.list()] == ["union-policy-qa"]
    assert client.models.retrieve("union-policy-qa").owned_by
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert "union-policy-qa" in missing.value.message


def test_sdk_answers_the_seed_question_with_both_beijing_regulations(live_app):
    completion = sdk(live_app).chat.completions.create(
        model="union-policy-qa", messages=[{"role": "user", "content": SEED}]
    )
    message = completion.choices[0].message
    assert message.role == "assistant" and completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra or {}
    assert extra["refused"] is False and extra["search_query"] == SEED
    assert_cites_both_beijing_regulations(message.content or "", extra["citations"])
    assert {"label", "quote", "text", "doc_id", "article", "heading_path", "chunk_id"} <= set(extra["citations"][0])


def test_sdk_streams_the_same_answer_as_chunks_ending_in_done(live_app):
    with httpx.stream(
        "POST",
        f"{live_app['url']}/v1/chat/completions",
        json={"model": "union-policy-qa", "messages": [{"role": "user", "content": SEED}], "stream": True},
        timeout=60,
    ) as raw:
        lines = [line for line in raw.iter_lines() if line]
    assert raw.headers["content-type"].startswith("text/event-stream") and lines[-1] == "data: [DONE]"

    stream = sdk(live_app).chat.completions.create(
        model="union-policy-qa", messages=[{"role": "user", "content": SEED}], stream=True
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert_cites_both_beijing_regulations(content, (last.model_extra or {})["citations"])
    whole = sdk(live_app).chat.completions.create(model="union-policy-qa", messages=[{"role": "user", "content": SEED}])
    assert content == whole.choices[0].message.content


def test_langchain_chat_openai_invokes_and_streams(live_app):
    chat = ChatOpenAI(base_url=f"{live_app['url']}/v1", model="union-policy-qa", api_key="anything", max_retries=0)
    reply = chat.invoke(SEED)
    assert all(title in reply.text for title in BEIJING_REGULATIONS[1:]) and "出处" in reply.text
    streamed = "".join(chunk.text for chunk in chat.stream([HumanMessage(SEED)]))
    assert streamed == reply.text


def test_earlier_user_turns_are_the_follow_up_history(live_app):
    completion = sdk(live_app).chat.completions.create(
        model="union-policy-qa",
        messages=[
            {"role": "system", "content": "你是助手"},
            {"role": "user", "content": SEED},
            {"role": "assistant", "content": "……"},
            {"role": "user", "content": [{"type": "text", "text": "那上海呢?"}]},
        ],
    )
    assert (completion.model_extra or {})["search_query"] == "上海工会要修改哪些法规?"


def test_an_unrelated_question_is_an_ordinary_refusal(live_app):
    chat = ChatOpenAI(base_url=f"{live_app['url']}/v1", model="union-policy-qa", api_key="anything", max_retries=0)
    reply = chat.invoke([HumanMessage("如何做一道红烧肉?")])
    assert isinstance(reply, AIMessage) and "12351" in reply.text and "出处" not in reply.text


@pytest.mark.parametrize(
    ("messages", "code", "words"),
    [
        ([{"role": "system", "content": "你是助手"}], "missing_user_message", "没有 user 消息"),
        ([{"role": "user", "content": "工会" * 300}], "string_above_max_length", "太长"),
        ([{"role": "user", "content": "  "}], "empty_question", "不能为空"),
    ],
)
def test_bad_requests_get_openai_400_errors(live_app, messages, code, words):
    with pytest.raises(openai.BadRequestError) as error:
        sdk(live_app).chat.completions.create(model="union-policy-qa", messages=messages)
    assert error.value.status_code == 400 and error.value.code == code and words in error.value.message
    assert error.value.body["type"] == "invalid_request_error" and error.value.param == "messages"


def test_a_malformed_or_oversized_body_is_an_openai_error_too(live_app):
    malformed = httpx.post(f"{live_app['url']}/v1/chat/completions", json={"messages": "你好"})
    assert malformed.status_code == 400 and "messages" in malformed.json()["error"]["message"]
    oversized = httpx.post(
        f"{live_app['url']}/v1/chat/completions",
        content=b'{"messages": [], "padding": "' + b"x" * 1_100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert oversized.status_code == 413 and oversized.json()["error"]["code"] == "request_too_large"


def test_without_api_keys_the_question_endpoints_are_open(live_app):
    assert httpx.get(f"{live_app['url']}/v1/models").status_code == 200
    assert httpx.post(f"{live_app['url']}/api/ask", json={"question": SEED}, timeout=60).status_code == 200


def test_api_keys_protect_ask_and_v1(keyed_app):
    base = keyed_app["url"]
    with pytest.raises(openai.AuthenticationError) as refused:
        sdk(keyed_app, api_key="wrong-key").models.list()
    assert refused.value.status_code == 401 and refused.value.code == "invalid_api_key"
    assert "API_KEYS" in refused.value.message
    missing = httpx.post(f"{base}/v1/chat/completions", json={"messages": [{"role": "user", "content": SEED}]})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert httpx.post(f"{base}/api/ask", json={"question": SEED}).status_code == 401
    assert httpx.get(f"{base}/api/health").status_code == 200  # status stays public

    for key in API_KEYS:
        assert [m.id for m in sdk(keyed_app, api_key=key).models.list()] == ["union-policy-qa"]
    asked = httpx.post(
        f"{base}/api/ask", json={"question": SEED}, headers={"Authorization": f"Bearer {API_KEYS[1]}"}, timeout=60
    )
    assert asked.status_code == 200 and asked.json()["citations"]


def test_a_generated_answer_streams_as_written_and_its_checked_version_follows(keyed_app):
    """With an LLM, its text streams token by token; a marker pointing nowhere ([9]) is removed by the
    citation check, so the checked answer follows in full — a stream cannot take back what it sent."""
    stub, client = keyed_app["stub"], sdk(keyed_app, api_key=API_KEYS[0])
    first = client.chat.completions.create(model="m", messages=[{"role": "user", "content": SEED}])
    passage = (first.model_extra or {})["citations"][0]["text"]
    # a sentence the passage it cites supports, whichever passage the ranker put first
    clause = re.split(r"[，。；:：\s]", re.sub(r"^第[^条]{1,8}条\s*", "", passage).strip())[0][:24]
    assert len(clause) >= 6
    stub.reply = f"{clause}[1]。"
    chunks = list(client.chat.completions.create(model="m", messages=[{"role": "user", "content": SEED}], stream=True))
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 3  # the stub's tokens arrived one by one
    content = "".join(pieces)
    assert content.startswith(f"{clause}\\[1\\]。") and "核对出处" not in content and "**出处**" in content
    assert (chunks[-1].model_extra or {})["citations"][0]["n"] == 1

    stub.reply = f"{clause}[1]，另见[9]。"
    chunks = list(client.chat.completions.create(model="m", messages=[{"role": "user", "content": SEED}], stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    written, checked = content.split("核对出处后的回答如下")
    assert "\\[9\\]" in written and "\\[9\\]" not in checked and "1 个指向不存在资料的引用标记" in checked
    assert stub.requests[-1]["stream"] is True and stub.requests[-1]["model"] == "stub-model"
