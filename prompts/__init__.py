"""Prompt templates, kept as text files so they can be edited without touching code."""

from __future__ import annotations

from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

_FOLDER = Path(__file__).parent


def _read(name: str) -> str:
    return (_FOLDER / name).read_text("utf-8").strip()


def answer_prompt() -> ChatPromptTemplate:
    """System rules plus the numbered passages and the question; variables: passages, question."""
    return ChatPromptTemplate.from_messages([("system", _read("system.txt")), ("human", _read("question.txt"))])


def condense_prompt() -> PromptTemplate:
    """Rewrite a follow-up as a standalone question; variables: history, question."""
    return PromptTemplate.from_template(_read("condense.txt"))
