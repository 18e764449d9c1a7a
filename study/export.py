"""Classroom handouts: a quiz (questions, then the answer key with citations) or a chat session,
as Markdown or .docx."""

from __future__ import annotations

import io

import docx

from ingest.records import book_title
from study.quiz import QuizQuestion

LETTERS = "ABCDEFGH"


def _citation(question: QuizQuestion) -> str:
    return book_title(question.citation["title"]) + question.citation["article"]


def quiz_markdown(questions: list[QuizQuestion], title: str = "工会法规测验") -> str:
    lines = [f"# {title}", ""]
    for n, q in enumerate(questions, 1):
        lines.append(f"{n}. {q.question}")
        lines += [f"   {LETTERS[i]}. {option}" for i, option in enumerate(q.options)]
        lines.append("")
    lines += ["## 答案与出处", ""]
    for n, q in enumerate(questions, 1):
        letter = f"{LETTERS[q.options.index(q.answer)]}. " if q.options else ""
        lines.append(f"{n}. {letter}{q.answer} —— {_citation(q)}：{q.citation['text']}")
    return "\n".join(lines) + "\n"


def quiz_docx(questions: list[QuizQuestion], title: str = "工会法规测验") -> bytes:
    document = docx.Document()
    document.add_heading(title, level=0)
    for n, q in enumerate(questions, 1):
        document.add_paragraph(f"{n}. {q.question}")
        for i, option in enumerate(q.options):
            document.add_paragraph(f"{LETTERS[i]}. {option}", style="List Bullet")
    document.add_heading("答案与出处", level=1)
    for n, q in enumerate(questions, 1):
        letter = f"{LETTERS[q.options.index(q.answer)]}. " if q.options else ""
        paragraph = document.add_paragraph(f"{n}. {letter}{q.answer} —— {_citation(q)}")
        paragraph.add_run("\n" + q.citation["text"]).italic = True
    return _bytes(document)


def _quoted(text: str) -> list[str]:
    """Every line of `text` inside the quote block, blank lines too, so a multi-paragraph article stays in it."""
    return [f"> {line}" if line.strip() else ">" for line in text.splitlines()]


def chat_markdown(answers: list[dict], title: str = "问答记录") -> str:
    """answers: Answer.to_dict() for each turn. Each line of an answer is its own paragraph (Markdown would
    run single lines together); each cited article is one quote block, however many paragraphs it has."""
    lines = [f"# {title}", ""]
    for n, answer in enumerate(answers, 1):
        lines += [f"## {n}. {answer['question']}", ""]
        for line in filter(str.strip, answer["text"].splitlines()):
            lines += [line, ""]
        for citation in answer.get("citations", []):
            lines += [f"> [{citation['n']}] {citation['label']}", ">", *_quoted(citation["text"]), ""]
    return "\n".join(lines) + "\n"


def chat_docx(answers: list[dict], title: str = "问答记录") -> bytes:
    document = docx.Document()
    document.add_heading(title, level=0)
    for n, answer in enumerate(answers, 1):
        document.add_heading(f"{n}. {answer['question']}", level=2)
        document.add_paragraph(answer["text"])
        for citation in answer.get("citations", []):
            paragraph = document.add_paragraph(f"[{citation['n']}] {citation['label']}", style="Intense Quote")
            paragraph.add_run("\n" + citation["text"])
    return _bytes(document)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
