"""The trainers' tab: browse the laws, search them, quiz from them, practise, export handouts."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from index.store import SearchIndex
from study.browse import catalogue, highlight, outline_html, search_html
from study.export import quiz_docx, quiz_markdown
from study.quiz import QuizMaker, QuizQuestion, grade

MAX_QUESTIONS = 10
STUDY_CSS = """
.article { margin: 6px 0; } .article p { white-space: pre-wrap; margin: 2px 0 8px 0; line-height: 1.6; }
.article.focus { background: #fff8c5; border-left: 3px solid #d4a72c; padding-left: 6px; }
.article-link { font-weight: 600; } .hit { margin: 8px 0; } .hit .path { color: #57606a; font-size: 12px; }
mark { background: #fff3a3; }
"""


@dataclass
class StudyViews:
    """The components a deep link (?doc=…&art=…) sets."""

    tabs: gr.Tabs
    document: gr.Dropdown
    outline: gr.HTML
    quiz_documents: gr.Dropdown  # refreshed on page load: admins add and remove documents meanwhile


def write_download(data: bytes | str, name: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="export-")) / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, "utf-8")
    return str(path)


def build_study_tab(current_index: Callable[[], SearchIndex], quizzes: QuizMaker | None = None) -> StudyViews:
    index = current_index()
    quizzes = quizzes or QuizMaker(current_index)
    with gr.Tabs() as tabs:
        with gr.Tab("浏览法规", id="browse"):
            document = gr.Dropdown(label="选择文档（按类型、地区分组）", choices=catalogue(index), elem_id="browse-doc")
            outline = gr.HTML("<p>选择一个文档，查看它的章、节、条。</p>", elem_id="browse-outline")
        with gr.Tab("检索", id="search"):
            with gr.Row():
                query = gr.Textbox(label="关键词", placeholder="例如：集体合同、哺乳、工会经费", scale=4)
                search = gr.Button("检索", scale=1)
            results = gr.HTML(elem_id="search-results")
        with gr.Tab("测验", id="quiz"):
            with gr.Row():
                quiz_docs = gr.Dropdown(
                    label="出题范围（可多选；不选则全部）",
                    choices=quiz_titles(index),
                    multiselect=True,
                    scale=3,
                    elem_id="quiz-docs",
                )
                count = gr.Slider(1, MAX_QUESTIONS, value=5, step=1, label="题数", scale=1)
                seed = gr.Number(value=1, precision=0, label="随机种子", scale=1)
            make = gr.Button("出题", variant="primary", elem_id="quiz-make")
            questions = gr.State([])
            slots = []
            for number in range(MAX_QUESTIONS):
                with gr.Group(visible=False) as group:
                    text = gr.Markdown(elem_id=f"quiz-q{number}")
                    choice = gr.Radio(label="选择", choices=[], visible=False, elem_id=f"quiz-choice{number}")
                    blank = gr.Textbox(label="填空", visible=False, elem_id=f"quiz-blank{number}")
                slots.append((group, text, choice, blank))
            submit = gr.Button("交卷", elem_id="quiz-submit")
            score = gr.Markdown(elem_id="quiz-score")
            mistakes = gr.HTML(elem_id="quiz-mistakes")
            with gr.Row():
                export_md = gr.Button("导出讲义（Markdown）", size="sm")
                export_docx = gr.Button("导出讲义（Word）", size="sm")
            handout = gr.File(label="讲义", interactive=False)

    # UI callbacks return HTML and component updates: private; the Gradio API has its own endpoints (web.gradio_api).
    # .input, not .change: a deep link sets the value too, and must keep its focused outline
    document.input(
        lambda doc_id: outline_html(current_index(), doc_id) if doc_id else "",
        [document],
        [outline],
        api_visibility="private",
    )
    search.click(lambda q: search_html(current_index(), q), [query], [results], api_visibility="private")
    query.submit(lambda q: search_html(current_index(), q), [query], [results], api_visibility="private")

    def make_quiz(titles: list[str], n: float, seed_value: float):
        picked = quizzes.make(titles, int(n), int(seed_value or 0))
        updates: list = []
        for number in range(MAX_QUESTIONS):
            if number < len(picked):
                q = picked[number]
                is_choice = q.type == "multiple_choice"
                updates += [
                    gr.update(visible=True),
                    f"**{number + 1}.** {html.escape(q.question)}",
                    gr.update(choices=q.options, value=None, visible=is_choice),
                    gr.update(value="", visible=not is_choice),
                ]
            else:
                updates += [gr.update(visible=False), "", gr.update(visible=False), gr.update(visible=False)]
        message = "" if picked else "所选范围里没有可出题的条文。"
        return [q.to_dict() for q in picked], *updates, message, ""

    def check(saved: list[dict], *responses):
        picked = [QuizQuestion(**q) for q in saved]
        if not picked:
            return "先出题。", ""
        answers = [
            (responses[2 * i] if q.type == "multiple_choice" else responses[2 * i + 1]) or ""
            for i, q in enumerate(picked)
        ]
        points, wrong = grade(picked, answers)
        cards = []
        for i in wrong:
            q = picked[i]
            label = html.escape(f"《{q.citation['title']}》{q.citation['article']}")
            cards.append(
                f"<div class='hit'><b>第 {i + 1} 题</b> 你的答案：{html.escape(answers[i]) or '（未作答）'}；"
                f"正确答案：<mark>{html.escape(q.answer)}</mark><br>{label}"
                f"<p>{highlight(q.citation['text'], [q.answer])}</p></div>"
            )
        return f"### 得分：{points} / {len(picked)}", "".join(cards)

    def export(saved: list[dict], as_docx: bool):
        picked = [QuizQuestion(**q) for q in saved]
        if not picked:
            return None
        return (
            write_download(quiz_docx(picked), "测验讲义.docx")
            if as_docx
            else write_download(quiz_markdown(picked), "测验讲义.md")
        )

    slot_outputs = [component for slot in slots for component in slot]
    make.click(
        make_quiz, [quiz_docs, count, seed], [questions, *slot_outputs, score, mistakes], api_visibility="private"
    )
    responses = [c for _, _, choice, blank in slots for c in (choice, blank)]
    submit.click(check, [questions, *responses], [score, mistakes], api_visibility="private")
    export_md.click(lambda saved: export(saved, False), [questions], [handout], api_visibility="private")
    export_docx.click(lambda saved: export(saved, True), [questions], [handout], api_visibility="private")
    return StudyViews(tabs, document, outline, quiz_docs)


def quiz_titles(index: SearchIndex) -> list[str]:
    return sorted({d["title"] for d in index.manifest.documents})
