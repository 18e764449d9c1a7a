"""REST API: POST /api/ask, GET /api/health — and what every way of asking shares: the question checks,
the history kept, the usage log, the API-key check and the request-size limit."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from answer.records import Answer
from answer.service import AnswerService
from web.auth import API_KEY_MESSAGE, ApiKeys
from web.schemas import MAX_QUESTION_CHARS, AskRequest, AskResponse, HealthResponse, error_responses
from web.usage import UsageStore

MAX_HISTORY = 5  # earlier questions kept for follow-ups; only the last one or few are ever used
MAX_JSON_BYTES = 1_000_000  # a question with a long chat history is far below this
BODY_TOO_LARGE = "请求体过大（超过 {limit} 字节）。"

api_key_bearer = HTTPBearer(
    auto_error=False, scheme_name="ApiKey", description="API 密钥（API_KEYS 之一）；未设置 API_KEYS 时无需提供"
)


def question_problem(question: str) -> str | None:
    """Why a question cannot be asked, in words a user understands; None when it is fine."""
    if not question.strip():
        return "问题不能为空，请输入想咨询的内容。"
    if len(question) > MAX_QUESTION_CHARS:
        return f"问题太长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
    return None


def recent_questions(history: list[str]) -> list[str]:
    """The last few earlier questions that could have been answered (blank and over-long ones never were)."""
    return [h for h in history if h.strip() and len(h) <= MAX_QUESTION_CHARS][-MAX_HISTORY:]


def stream_answer(service: AnswerService, usage: UsageStore, question: str, history: list[str]) -> Iterator[Answer]:
    """The service's answers (partial while an LLM writes, then final); the question is logged once answered."""
    answer = None
    for answer in service.stream(question, recent_questions(history)):
        yield answer
    if answer is not None:
        usage.log_question(question, answer.refused)


def answer_question(service: AnswerService, usage: UsageStore, question: str, history: list[str]) -> Answer:
    *_, final = stream_answer(service, usage, question, history)
    return final


def require_api_key(keys: ApiKeys) -> Callable[..., None]:
    """A dependency: passes when no keys are configured, or the bearer token is one of them; else 401."""

    def check(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(api_key_bearer)]) -> None:
        if not keys.check(credentials.credentials if credentials else None):
            raise HTTPException(status_code=401, detail=API_KEY_MESSAGE, headers={"WWW-Authenticate": "Bearer"})

    return check


def declared_length(request: Request) -> int:
    length = request.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def size_limited_route(max_bytes: int) -> type[APIRoute]:
    """Routes that refuse a body over `max_bytes` (by its Content-Length) with a 413, before reading it."""

    class SizeLimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if declared_length(request) > max_bytes:
                    return JSONResponse(status_code=413, content={"detail": BODY_TOO_LARGE.format(limit=max_bytes)})
                return await handler(request)

            return limited

    return SizeLimitedRoute


def api_router(service: AnswerService, usage: UsageStore, keys: ApiKeys | None = None) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["问答"], route_class=size_limited_route(MAX_JSON_BYTES))
    api_key = Depends(require_api_key(keys or ApiKeys()))

    @router.post(
        "/ask",
        summary="提问：返回有出处的回答",
        response_model=AskResponse,
        responses=error_responses(400, 401, 413),
        dependencies=[api_key],
    )
    def ask(request: AskRequest) -> AskResponse | JSONResponse:
        """回答只依据知识库中的法规原文，每句后带出处标记 [n]；知识库没有相关规定时拒答（`refused: true`）。
        追问时把此前的问题放在 `history` 里（如先问北京、再问“那上海呢?”）。设置了 API_KEYS 时需要
        `Authorization: Bearer <密钥>`。"""
        problem = question_problem(request.question)
        if problem:
            return JSONResponse(status_code=400, content={"detail": problem})
        return AskResponse.from_answer(answer_question(service, usage, request.question, request.history))

    @router.get("/health", summary="服务状态与索引版本", response_model=HealthResponse)
    def health() -> HealthResponse:
        index = service.retriever.index
        return HealthResponse(
            status="ok",
            index_version=index.version,
            documents=len(index.manifest.documents),
            chunks=len(index.chunks),
            embedder=index.manifest.embedder,
            generator=service.generator.config.model if service.generator else "extractive",
        )

    return router
