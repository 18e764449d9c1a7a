"""REST API: POST /api/ask, GET /api/health."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from answer.service import AnswerService
from index.live import IndexBuilding
from web.usage import UsageStore

MAX_QUESTION_CHARS = 500


class AskRequest(BaseModel):
    question: str = Field(description="用户的问题（中文，500 字以内）")
    history: list[str] = Field(default_factory=list, description="此前的用户问题，最早的在前，用于追问")


def question_problem(question: str) -> str | None:
    """Why a question cannot be asked, in words a user understands; None when it is fine."""
    if not question.strip():
        return "问题不能为空，请输入想咨询的内容。"
    if len(question) > MAX_QUESTION_CHARS:
        return f"问题太长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
    return None


def api_router(service: AnswerService, usage: UsageStore) -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.post("/ask", summary="提问：返回有出处的回答")
    def ask(request: AskRequest):
        problem = question_problem(request.question)
        if problem:
            return JSONResponse(status_code=400, content={"detail": problem})
        history = [h for h in request.history if h.strip()][-5:]
        try:
            answer = service.ask(request.question, history).to_dict()
        except IndexBuilding as exc:  # the first start: not ready yet, and for how long
            wait = max(1, round(exc.status.eta_s if exc.status.eta_s is not None else 30))
            content = {"detail": exc.status.wait_text(), "progress": exc.status.to_dict()}
            return JSONResponse(status_code=503, content=content, headers={"Retry-After": str(wait)})
        usage.log_question(request.question, answer["refused"], [c["title"] for c in answer["citations"]])
        return {
            "answer": answer["text"],
            "citations": answer["citations"],
            "refused": answer["refused"],
            "notice": answer["notice"],
            "search_query": answer["search_query"],
            "timings": answer["timings"],
        }

    @router.get("/health", summary="服务状态与索引版本（首次启动建索引时：进度）")
    def health():
        try:
            index = service.retriever.index
        except IndexBuilding as exc:
            return {"status": "building" if exc.status.building else "failed", "progress": exc.status.to_dict()}
        return {
            "status": "ok",
            "index_version": index.version,
            "documents": len(index.manifest.documents),
            "chunks": len(index.chunks),
            "embedder": index.manifest.embedder,
            "generator": service.generator.config.model if service.generator else "extractive",
        }

    return router
