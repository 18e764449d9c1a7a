"""The Gradio API (what `gradio_client` and "Use via API" show): a few named endpoints that take and
return plain JSON. The UI's own callbacks, which return HTML and component updates, are private.

Bad input raises `gr.Error` with a message for the caller — never an unhandled exception.
"""

# No `from __future__ import annotations` here: gr.api reads the endpoints' type hints, return types
# included, from the live signature to describe them.

import functools
from collections.abc import Callable
from typing import Any

import gradio as gr
from pydantic import ValidationError

from answer.service import AnswerService
from index.live import IndexBuilding
from study.browse import article_link, search_chunks
from study.quiz import QuizMaker, QuizQuestion, grade
from web.api import answer_question
from web.limits import question_problem
from web.schemas import AskResponse
from web.study_ui import MAX_QUESTIONS
from web.usage import UsageStore

MAX_SEARCH_HITS = 50


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise gr.Error(f"{name} 应为字符串列表")
    return value


def _whole_number(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise gr.Error(f"{name} 应为 {low}–{high} 之间的整数")
    return int(value)


def _when_ready(fn: Callable) -> Callable:
    """While the first index is being built, callers are told how long, not sent a traceback."""

    @functools.wraps(fn)  # gr.api reads the signature through __wrapped__
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IndexBuilding as exc:
            raise gr.Error(exc.status.wait_text()) from exc

    return call


def add_api_endpoints(service: AnswerService, usage: UsageStore, quizzes: QuizMaker) -> None:
    """Called inside the app's Blocks."""

    def ask(question: str, history: list[str] | None = None) -> dict:
        problem = question_problem(question if isinstance(question, str) else "")
        if problem:
            raise gr.Error(problem)
        answer = answer_question(service, usage, question, _strings(history, "history"))
        return AskResponse.from_answer(answer).model_dump()

    def feedback(answer: dict, liked: bool) -> str:
        try:
            rated = AskResponse.model_validate(answer)
        except ValidationError as exc:
            raise gr.Error("answer 应为 /ask 返回的回答（原样传回）") from exc
        if not isinstance(liked, bool):
            raise gr.Error("liked 应为 true（👍）或 false（👎）")
        record = {
            "question": rated.question,
            "text": rated.answer,
            "refused": rated.refused,
            "citations": [{"label": c.label, "chunk_id": c.chunk_id} for c in rated.citations],
        }
        usage.record_feedback(record, liked=liked)
        return "谢谢反馈！"

    def search(query: str, k: int = 10) -> list[dict]:
        if not isinstance(query, str) or not query.strip():
            raise gr.Error("请输入关键词，例如：集体合同、哺乳、工会经费")
        hits = search_chunks(service.retriever.index, query, _whole_number(k, "k", 1, MAX_SEARCH_HITS))
        return [
            {
                "title": chunk.title,
                "article": chunk.article,
                "heading_path": list(chunk.heading_path),
                "text": chunk.text,
                "doc_id": chunk.doc_id,
                "link": article_link(chunk.doc_id, chunk.article),
            }
            for chunk in hits
        ]

    def documents() -> list[dict]:
        fields = ("doc_id", "title", "kind", "region", "date", "superseded_by")
        return [{f: d.get(f, "") for f in fields} for d in service.retriever.index.manifest.documents]

    def quiz(titles: list[str] | None = None, n: int = 5, seed: int = 1) -> list[dict]:
        picked = quizzes.make(
            _strings(titles, "titles"), _whole_number(n, "n", 1, MAX_QUESTIONS), _whole_number(seed, "seed", 0, 10**9)
        )
        if not picked:
            raise gr.Error("所选范围里没有可出题的条文（titles 应为 /documents 中的标题）")
        return [q.to_dict() for q in picked]

    def grade_answers(questions: list[dict], answers: list[str]) -> dict:
        try:
            asked = [QuizQuestion(**q) for q in questions]
        except TypeError as exc:
            raise gr.Error("questions 应为 /quiz 返回的题目（原样传回）") from exc
        given = _strings(answers, "answers")
        if len(given) != len(asked):
            raise gr.Error(f"answers 应与题目一一对应：{len(asked)} 道题，收到 {len(given)} 个答案")
        try:
            score, wrong = grade(asked, given)
        except TypeError as exc:  # a question whose fields are not the texts /quiz gave
            raise gr.Error("questions 应为 /quiz 返回的题目（原样传回）") from exc
        mistakes = [
            {"number": i + 1, "given": given[i], "answer": asked[i].answer, "citation": asked[i].citation}
            for i in wrong
        ]
        return {"score": score, "total": len(asked), "mistakes": mistakes}

    endpoints: list[tuple[Callable[..., Any], str, str]] = [
        (ask, "ask", "提问：question 为问题（500 字以内），history 为此前的问题（追问用）。返回有出处的回答。"),
        (feedback, "feedback", "对 /ask 的回答点赞或点踩：answer 为 /ask 返回的回答（原样），liked 为 true 或 false。"),
        (search, "search", "关键词检索全部法规：返回至多 k 条匹配的条文（标题、条号、原文、链接）。"),
        (documents, "documents", "知识库中的文档：编号、标题、类型、地区、日期。"),
        (quiz, "quiz", "出测验题：titles 为出题范围（/documents 中的标题，空为全部），n 为题数（1–10），seed 为种子。"),
        (grade_answers, "grade", "交卷：questions 为 /quiz 返回的题目，answers 为逐题的答案。返回得分与错题的出处。"),
    ]
    for fn, name, description in endpoints:
        gr.api(_when_ready(fn), api_name=name, api_description=description)
