"""REST API: POST /api/ask, GET /api/health."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from answer.service import AnswerService
from web.limits import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, history_problem, question_problem, usable_history
from web.usage import UsageStore


class AskRequest(BaseModel):
    question: str = Field(description=f"用户的问题（中文，{MAX_QUESTION_CHARS} 字以内）")
    history: list[str] = Field(
        default_factory=list,
        description=(
            f"此前的用户问题，最早的在前，用于追问（每条 {MAX_QUESTION_CHARS} 字以内，只用最后 {MAX_HISTORY_TURNS} 条）"
        ),
    )


def api_router(service: AnswerService, usage: UsageStore) -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.post("/ask", summary="提问：返回有出处的回答")
    def ask(request: AskRequest, response: Response):
        problem = question_problem(request.question) or history_problem(request.history)
        if problem:
            return JSONResponse(status_code=400, content={"detail": problem})
        history = usable_history(request.history)
        answer = service.ask(request.question, history).to_dict()
        usage.log_question(request.question, answer["refused"])
        # which index version answered: with several replicas, clients (and tests) can tell
        response.headers["X-Index-Version"] = answer["index_version"]
        return {
            "answer": answer["text"],
            "citations": answer["citations"],
            "refused": answer["refused"],
            "notice": answer["notice"],
            "search_query": answer["search_query"],
            "timings": answer["timings"],
        }

    @router.get("/health", summary="服务状态与索引版本")
    def health():
        index = service.retriever.index
        problem = service.index_problem
        return {
            "status": "degraded" if problem else "ok",
            "problem": problem,
            "index_version": index.version,
            "documents": len(index.manifest.documents),
            "chunks": len(index.chunks),
            "embedder": index.manifest.embedder,
            "generator": service.generator.config.model if service.generator else "extractive",
        }

    return router
