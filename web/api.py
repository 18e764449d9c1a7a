"""REST API: POST /api/ask, GET /api/health — and what every way of asking shares: the answer with its
usage log and the API-key check. (Input bounds are web/limits.py's.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from answer.records import Answer
from answer.service import AnswerService
from index.live import IndexBuilding
from web.auth import API_KEY_MESSAGE, ApiKeys
from web.limits import history_problem, question_problem, usable_history
from web.schemas import AskRequest, AskResponse, HealthResponse, error_responses
from web.usage import UsageStore

api_key_bearer = HTTPBearer(
    auto_error=False, scheme_name="ApiKey", description="API 密钥（API_KEYS 之一）；未设置 API_KEYS 时无需提供"
)


def stream_answer(service: AnswerService, usage: UsageStore, question: str, history: list[str]) -> Iterator[Answer]:
    """The service's answers (partial while an LLM writes, then final); the question is logged once answered."""
    answer = None
    for answer in service.stream(question, usable_history(history)):
        yield answer
    if answer is not None:
        usage.log_question(question, answer.refused, [c.title for c in answer.citations])


def answer_question(service: AnswerService, usage: UsageStore, question: str, history: list[str]) -> Answer:
    *_, final = stream_answer(service, usage, question, history)
    return final


def building_response(exc: IndexBuilding) -> JSONResponse:
    """503 while the first index is built: how far it got, and when to ask again."""
    content = {"detail": exc.status.wait_text(), "progress": exc.status.to_dict()}
    return JSONResponse(status_code=503, content=content, headers=exc.status.retry_headers())


def require_api_key(keys: ApiKeys) -> Callable[..., None]:
    """A dependency: passes when no keys are configured, or the bearer token is one of them; else 401."""

    def check(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(api_key_bearer)]) -> None:
        if not keys.check(credentials.credentials if credentials else None):
            raise HTTPException(status_code=401, detail=API_KEY_MESSAGE, headers={"WWW-Authenticate": "Bearer"})

    return check


def api_router(service: AnswerService, usage: UsageStore, keys: ApiKeys | None = None) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["问答"])
    api_key = Depends(require_api_key(keys or ApiKeys()))

    @router.post(
        "/ask",
        summary="提问：返回有出处的回答",
        response_model=AskResponse,
        responses=error_responses(400, 401, 413, 503),
        dependencies=[api_key],
    )
    def ask(request: AskRequest, response: Response) -> AskResponse | JSONResponse:
        """回答只依据知识库中的法规原文，每句后带出处标记 [n]；知识库没有相关规定时拒答（`refused: true`）。
        追问时把此前的问题放在 `history` 里（如先问北京、再问“那上海呢?”）。设置了 API_KEYS 时需要
        `Authorization: Bearer <密钥>`。"""
        problem = question_problem(request.question) or history_problem(request.history)
        if problem:
            return JSONResponse(status_code=400, content={"detail": problem})
        try:
            answer = answer_question(service, usage, request.question, request.history)
        except IndexBuilding as exc:  # the first start: not ready yet, and for how long
            return building_response(exc)
        # which index version answered: with several replicas, clients (and tests) can tell
        response.headers["X-Index-Version"] = answer.index_version
        return AskResponse.from_answer(answer)

    @router.get("/health", summary="服务状态与索引版本（首次启动建索引时：进度）", response_model=HealthResponse)
    def health() -> HealthResponse:
        try:
            index = service.retriever.index
        except IndexBuilding as exc:
            status = exc.status
            return HealthResponse(status="building" if status.building else "failed", progress=status.to_dict())
        problem = service.index_problem
        return HealthResponse(
            status="degraded" if problem else "ok",
            problem=problem,
            index_version=index.version,
            documents=len(index.manifest.documents),
            chunks=len(index.chunks),
            embedder=index.manifest.embedder,
            generator=service.generator.config.model if service.generator else "extractive",
        )

    return router
