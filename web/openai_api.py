"""OpenAI-compatible chat API under /v1, so Open WebUI, ChatBox, LobeChat, Dify, the `openai` SDK or
langchain's `ChatOpenAI` can use the assistant as a model.

The last user message is the question and the earlier user messages its history (the chat's follow-up
logic); system and assistant messages are not needed to answer from the documents. The reply is the
answer with its [n] markers and the 出处 list, as the chat shows it; the citations also come as data in
an extra `citations` field, which OpenAI clients ignore. A refusal is an ordinary assistant message.
Errors are OpenAI error objects: {"error": {"message", "type", "param", "code"}}.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Mapping
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from answer.records import Answer
from answer.service import AnswerService
from index.live import IndexBuilding
from web.api import require_api_key, stream_answer
from web.auth import ApiKeys
from web.limits import question_problem
from web.schemas import EXAMPLE_CITATION, CitationModel
from web.text import answer_markdown, escape_for_chat
from web.usage import UsageStore

log = logging.getLogger(__name__)

MODEL_ID = "union-policy-qa"
MODEL_CREATED = 1767225600  # 2026-01-01, a fixed date: the model is the documents, not a release
EXAMPLE_CONTENT = (
    "推动《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》的修改进程[1]"
    "\n\n**出处**\n[1] 《认真学习贯彻党的二十届四中全会精神》  "
)
CORRECTED = "\n\n（以上为生成中的文字；核对出处后的回答如下）\n\n"


# -- requests -------------------------------------------------------------------------------------


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls… are accepted and not needed

    role: str = Field(description="system、user、assistant……；只有 user 消息用于回答")
    content: str | list[dict[str, Any]] | None = Field(default=None, description="文字，或 OpenAI 的内容片段列表")

    def text(self) -> str:
        if isinstance(self.content, list):  # [{"type": "text", "text": "…"}, {"type": "image_url", …}]
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",  # temperature, max_tokens, stream_options…: accepted; an extractive answer needs none
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [
                        {"role": "user", "content": "北京工会要修改哪些法规?"},
                        {"role": "assistant", "content": "……"},
                        {"role": "user", "content": "那上海呢?"},
                    ],
                    "stream": False,
                }
            ]
        },
    )

    model: str = Field(default=MODEL_ID, description=f"模型名；只有一个：{MODEL_ID}（其他名称也按它回答）")
    messages: list[ChatMessage] = Field(description="对话；最后一条 user 消息是问题，此前的 user 消息用于追问")
    stream: bool = Field(default=False, description="true：以 server-sent events 逐段返回，以 data: [DONE] 结束")


# -- responses ------------------------------------------------------------------------------------


class ModelCard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": MODEL_ID}]
        }
    )

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [{"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": MODEL_ID}],
                }
            ]
        }
    )

    object: Literal["list"] = "list"
    data: list[ModelCard]


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "chatcmpl-5f0c8a1e2b3d4c6e",
                    "object": "chat.completion",
                    "created": 1767225600,
                    "model": MODEL_ID,
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": EXAMPLE_CONTENT,
                            },
                            "finish_reason": "stop",
                        }
                    ],
                    "citations": [EXAMPLE_CITATION],
                    "refused": False,
                    "search_query": "北京工会要修改哪些法规?",
                }
            ]
        }
    )

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    citations: list[CitationModel] = Field(description="扩展字段：回答引用的条文（OpenAI 客户端会忽略）")
    refused: bool = Field(description="扩展字段：知识库没有相关规定时为 true")
    search_query: str = Field(description="扩展字段：实际检索的问题")


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "message": "问题太长（612 字），请控制在 500 字以内。",
                        "type": "invalid_request_error",
                        "param": "messages",
                        "code": "string_above_max_length",
                    }
                }
            ]
        }
    )

    error: ErrorDetail


def openai_error(
    status: int,
    message: str,
    code: str | None = None,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    kinds = {401: "authentication_error", 404: "not_found_error", 503: "service_unavailable"}
    kind = kinds.get(status, "invalid_request_error")
    body = OpenAIError(error=ErrorDetail(message=message, type=kind, param=param, code=code))
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OpenAIError, "description": "没有 user 消息、问题为空或超过 500 字、请求格式不对"},
    401: {"model": OpenAIError, "description": "设置了 API_KEYS，而请求没有带其中之一"},
    413: {"model": OpenAIError, "description": "请求体过大"},
    503: {"model": OpenAIError, "description": "首次启动正在建立索引；Retry-After 为建议的等待秒数"},
}


class OpenAIRoute(APIRoute):
    """Every failure of a /v1 route as an OpenAI error object (clients show its message), not FastAPI's detail."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_openai_errors(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"] if part != "body")
                return openai_error(400, f"请求格式不对：{where} {first['msg']}", "invalid_request", where or None)
            except HTTPException as exc:
                code = "invalid_api_key" if exc.status_code == 401 else None
                return openai_error(exc.status_code, str(exc.detail), code, headers=exc.headers)

        return with_openai_errors


# -- the conversation -----------------------------------------------------------------------------


class NoQuestion(ValueError):
    """The messages hold no question that can be answered; the message says why, for the user."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[str]]:
    """The last user message and the user messages before it."""
    asked = [m.text() for m in messages if m.role == "user"]
    if not asked:
        raise NoQuestion("messages 中没有 user 消息：请把问题放在 role 为 user 的消息里。", "missing_user_message")
    question, history = asked[-1], asked[:-1]
    problem = question_problem(question)
    if problem:
        raise NoQuestion(problem, "string_above_max_length" if question.strip() else "empty_question")
    return question, history


def extras(answer: Answer) -> dict[str, Any]:
    """The fields an OpenAI client ignores and ours can read: the citations as data, refusal, what was searched."""
    citations = answer.to_dict()["citations"]
    return {"citations": citations, "refused": answer.refused, "search_query": answer.search_query}


def sse(data: dict[str, Any] | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


def stream_events(answers: Iterator[Answer], completion_id: str, model: str) -> Iterator[str]:
    """The answer as chat.completion.chunk events: the text as it grows, then the 出处 list, then [DONE].

    An LLM's text streams as written; if checking its citations changed it, the checked answer
    follows in full (a stream cannot take back what it sent)."""
    created = int(time.time())

    def chunk(delta: dict[str, str], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
        return sse({**body, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    sent, final = "", None
    try:
        for final in answers:
            growing = escape_for_chat(final.text.lstrip())
            if growing.startswith(sent) and len(growing) > len(sent):
                yield chunk({"content": growing[len(sent) :]})
                sent = growing
    except Exception as exc:  # the stream has started: the error travels as an event, as OpenAI sends them
        log.exception("answering failed mid-stream: %s", exc)
        yield sse({"error": {"message": "回答失败，请稍后再试。", "type": "server_error", "param": None, "code": None}})
        yield sse("[DONE]")
        return
    if final is not None:
        content = answer_markdown(final)
        rest = content[len(sent) :] if content.startswith(sent) else CORRECTED + content
        if rest:
            yield chunk({"content": rest})
        yield chunk({}, "stop", **extras(final))
    yield sse("[DONE]")


def openai_router(service: AnswerService, usage: UsageStore, keys: ApiKeys | None = None) -> APIRouter:
    router = APIRouter(
        prefix="/v1",
        tags=["OpenAI 兼容"],
        route_class=OpenAIRoute,
        dependencies=[Depends(require_api_key(keys or ApiKeys()))],
        responses={401: ERRORS[401]},
    )
    card = ModelCard(id=MODEL_ID, created=MODEL_CREATED, owned_by=MODEL_ID)

    @router.get("/models", summary="可用的模型（只有一个）", response_model=ModelList)
    def models() -> ModelList:
        return ModelList(data=[card])

    @router.get(
        "/models/{model}",
        summary="模型信息",
        response_model=ModelCard,
        responses={404: {"model": OpenAIError, "description": "没有这个模型"}},
    )
    def model(model: str) -> ModelCard | Response:
        if model != MODEL_ID:
            return openai_error(404, f"没有模型 {model}；可用的模型：{MODEL_ID}", "model_not_found", "model")
        return card

    @router.post(
        "/chat/completions",
        summary="对话补全（OpenAI 兼容，可流式）",
        response_model=ChatCompletion,
        responses={
            **ERRORS,
            200: {
                "description": "stream 为 false 时是 chat.completion；为 true 时是 chat.completion.chunk 事件流",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
        },
    )
    def chat_completions(request: ChatCompletionRequest) -> ChatCompletion | Response:
        """最后一条 user 消息是问题，此前的 user 消息用于追问；回答带 [n] 标记与出处列表，
        引用的条文另在扩展字段 `citations` 中。"""
        try:
            question, history = question_and_history(request.messages)
        except NoQuestion as exc:
            return openai_error(400, str(exc), exc.code, "messages")
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        answers = stream_answer(service, usage, question, history)
        try:
            answers = itertools.chain([next(answers)], answers)
        except IndexBuilding as exc:  # the first start: not ready yet, and for how long
            return openai_error(503, exc.status.wait_text(), "index_building", headers=exc.status.retry_headers())
        if request.stream:
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy may hold the events back
            events = stream_events(answers, completion_id, MODEL_ID)
            return StreamingResponse(events, media_type="text/event-stream", headers=headers)
        *_, final = answers
        return ChatCompletion(
            id=completion_id,
            created=int(time.time()),
            model=MODEL_ID,
            choices=[Choice(message=AssistantMessage(content=answer_markdown(final)))],
            **extras(final),
        )

    return router
