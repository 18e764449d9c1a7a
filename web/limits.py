"""Bounds on everything a client sends, checked before any work is done.

A question and each earlier question in a follow-up are capped in characters, the history in
turns, and every request body in bytes — read as it arrives, so a 100 MB body is refused after its
first megabytes instead of being read whole. Oversized input gets a clear 4xx at once.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_QUESTION_CHARS = 500
MAX_HISTORY_TURNS = 5
MAX_BODY_BYTES = 64 * 1024  # a question with its full history is under 20 KB of JSON
CHAT_BODY_BYTES = 1024 * 1024  # /v1: chat clients send the whole conversation, answers included
UPLOAD_BODY_BYTES = 21 * 1024 * 1024  # one 20 MB document plus multipart framing


def question_problem(question: str, label: str = "问题") -> str | None:
    """Why a question cannot be asked, in words a user understands; None when it is fine."""
    if not question.strip():
        return f"{label}不能为空，请输入想咨询的内容。"
    if len(question) > MAX_QUESTION_CHARS:
        return f"{label}太长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as \ud800 sent as a JSON escape
        return f"{label}含有无法识别的字符，请重新输入。"
    return None


def history_problem(history: list[str]) -> str | None:
    """Why earlier questions cannot be used as a follow-up's context; None when they are fine."""
    if len(history) > MAX_HISTORY_TURNS * 4:
        return f"对话历史太长（{len(history)} 条），最多 {MAX_HISTORY_TURNS * 4} 条。"
    for number, earlier in enumerate(history, 1):
        if earlier.strip() and (problem := question_problem(earlier, f"第 {number} 条历史问题")):
            return problem
    return None


def usable_history(history: list[str]) -> list[str]:
    """The earlier questions a follow-up may borrow from: the last few that could have been asked themselves
    (every way of asking goes through here: an oversized or undecodable earlier message is left out, so
    /v1 and the Gradio API, which take whole conversations, never feed one to the retriever or an LLM)."""
    return [h for h in history if question_problem(h) is None][-MAX_HISTORY_TURNS:]


class BodyLimit:
    """ASGI middleware: refuse a request body over its route's limit with 413, without reading it all.

    A declared Content-Length over the limit is refused before any byte is read; a body sent without
    one (chunked) is counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        if path.startswith("/api/admin/documents") or path.endswith("/upload"):
            return UPLOAD_BODY_BYTES
        return CHAT_BODY_BYTES if path.startswith("/v1/") else MAX_BODY_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, openai_style=scope["path"].startswith("/v1/"))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # raised inside the app's body read, so FastAPI answers it like any HTTPException
                    raise HTTPException(status_code=413, detail=too_large_message(limit))
            return message

        await self.app(scope, counted, send)


def too_large_message(limit: int) -> str:
    return f"请求内容过大，上限 {limit // 1024} KB。"


async def _too_large(send: Send, limit: int, openai_style: bool = False) -> None:
    message = too_large_message(limit)
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": "request_too_large"}
    body = json.dumps({"error": error} if openai_style else {"detail": message}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
