"""The workers' chat: Gradio Blocks in Chinese, readable on a phone.

Everything that comes from a document is escaped before it is shown — a document containing
<script>, <img onerror> or a markdown link renders as plain text.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr

from answer.records import Answer
from answer.service import AnswerService
from study.browse import article_link, catalogue, outline_html
from study.export import chat_docx, chat_markdown
from study.quiz import QuizMaker
from web.api import stream_answer
from web.gradio_api import add_api_endpoints
from web.limits import question_problem, usable_history
from web.study_ui import STUDY_CSS, build_study_tab, quiz_titles, write_download
from web.text import escape_for_chat
from web.usage import UsageStore

EXAMPLES = [
    "北京工会要修改哪些法规?",
    "老板能兼任工会主席吗?",
    "女职工生育能休多少天产假?",
    "公司不跟我签劳动合同,能要求赔偿吗?",
    "工作满三年了,每年能休几天带薪年假?",
]
# After a deep link loads, bring the focused article into view.
SCROLL_TO_ARTICLE = """() => { setTimeout(() => {
  const el = document.querySelector('.article.focus'); if (el) el.scrollIntoView({block: 'center'}); }, 800); }"""
CSS = (
    STUDY_CSS
    + """
.gradio-container { max-width: 860px !important; margin: auto; }
.source-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.source-card h4 { margin: 0 0 4px 0; font-size: 15px; }
.source-card .path { color: #57606a; font-size: 12px; }
.source-card .quote { background: #fff8c5; }
.source-card p { white-space: pre-wrap; margin: 6px 0 0 0; line-height: 1.6; }
.notice { color: #9a6700; }
@media (max-width: 600px) { .gradio-container { padding: 4px !important; } }
"""
)


def answer_markdown(answer: Answer) -> str:
    """The answer with its [n] markers, any notice, then the 出处 list — markdown that shows document text as text.
    Also the content of the OpenAI-compatible API's replies."""
    text = escape_for_chat(answer.text)
    if answer.notice:
        text += f"\n\n（{escape_for_chat(answer.notice)}）"
    if answer.citations:
        text += "\n\n**出处**\n" + "\n".join(f"{escape_for_chat(f'[{c.n}] {c.label}')}  " for c in answer.citations)
    return text


def chat_text(answer: Answer) -> str:
    text = answer_markdown(answer)
    if answer.search_query and answer.search_query != answer.question.strip():
        text = f"（按『{escape_for_chat(answer.search_query)}』检索）\n\n" + text
    return text


def sources_html(answer: Answer | None) -> str:
    if answer is None or not answer.citations:
        return "<p>提问后，这里显示回答所引用的条文全文。</p>"
    cards = []
    for citation in answer.citations:
        body = html.escape(citation.text)
        for sentence in filter(None, citation.quote.splitlines()):
            piece = html.escape(sentence)
            body = body.replace(piece, f'<span class="quote">{piece}</span>', 1)
        newer = (
            f'<div class="notice">有更新的版本：{html.escape(citation.newer_version)}</div>'
            if citation.newer_version
            else ""
        )
        link = (
            f'<a class="open-article" href="{article_link(citation.doc_id, citation.article)}" target="_blank">'
            "在法规浏览中打开</a>"
            if citation.doc_id and citation.article
            else ""
        )
        cards.append(
            f'<div class="source-card" id="source-{citation.n}"><h4>[{citation.n}] {html.escape(citation.label)}</h4>'
            f'<div class="path">{html.escape(" › ".join(citation.heading_path))} {link}</div>{newer}<p>{body}</p></div>'
        )
    return "".join(cards)


def build_ui(service: AnswerService, usage: UsageStore, admin: Callable[[], None] | None = None) -> gr.Blocks:
    """The whole app: chat, study and (when given) admin tabs; ?doc=…&art=… opens an article.
    Its Gradio API is the named endpoints of `web.gradio_api`; the UI's own callbacks are private."""
    quizzes = QuizMaker(lambda: service.retriever.index)
    with gr.Blocks(title="工会政策问答") as demo:
        gr.Markdown("## 工会政策问答")
        with gr.Tabs() as tabs:
            with gr.Tab("问答", id="chat-tab"):
                build_chat_tab(service, usage)
            with gr.Tab("学习", id="study-tab"):
                study = build_study_tab(lambda: service.retriever.index, quizzes)
            if admin is not None:
                with gr.Tab("管理", id="admin-tab"):
                    admin()

        def open_link(request: gr.Request):
            """On every page load: the catalogue as it is now (admins may have changed it), and a deep link."""
            index = service.retriever.index
            choices = catalogue(index)
            quiz = gr.update(choices=quiz_titles(index))
            doc, article = request.query_params.get("doc"), request.query_params.get("art", "")
            if not doc or index.document(doc) is None:
                return gr.update(), gr.update(), gr.update(choices=choices), gr.update(), quiz
            outline = outline_html(index, doc, focus=article)
            tab, sub_tab = gr.update(selected="study-tab"), gr.update(selected="browse")
            return tab, sub_tab, gr.update(choices=choices, value=doc), outline, quiz

        views = [tabs, study.tabs, study.document, study.outline, study.quiz_documents]
        demo.load(open_link, None, views, js=SCROLL_TO_ARTICLE, api_visibility="private")
        add_api_endpoints(service, usage, quizzes)
    return demo


def build_chat_tab(service: AnswerService, usage: UsageStore) -> None:
    gr.Markdown("依据工会法、劳动合同法等法规和北京市总工会文章作答，每句话都标明出处；知识库里没有的，会直说。")
    answers = gr.State({})  # assistant message index → Answer.to_dict(), for 👍/👎
    chatbot = gr.Chatbot(label="对话", height=460, feedback_options=("Like", "Dislike"), elem_id="chat")
    with gr.Row(equal_height=True):
        box = gr.Textbox(
            placeholder="输入问题，例如：老板能兼任工会主席吗？", show_label=False, scale=5, elem_id="question"
        )
        send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
    gr.Examples(EXAMPLES, inputs=box, label="试试这些问题", api_visibility="private")
    with gr.Row():
        new_chat = gr.Button("新对话", size="sm")
        export_md = gr.Button("导出对话（Markdown）", size="sm")
        export_docx = gr.Button("导出对话（Word）", size="sm")
    transcript = gr.File(label="对话记录", interactive=False, visible=False)
    gr.Markdown("### 引用的条文")
    sources = gr.HTML(sources_html(None), elem_id="sources")

    def respond(message: str, chat: list, answered: dict):
        chat = list(chat or [])
        problem = question_problem(message or "")
        if problem:
            yield [*chat, {"role": "assistant", "content": problem}], gr.update(), "", answered
            return
        previous = usable_history([answered[key]["question"] for key in sorted(answered, key=int)])  # as typed
        chat += [{"role": "user", "content": escape_for_chat(message)}, {"role": "assistant", "content": "…"}]
        answer = None
        for answer in stream_answer(service, usage, message, previous):
            chat[-1] = {"role": "assistant", "content": chat_text(answer)}
            yield chat, gr.update(), "", answered
        if answer is not None:
            answered = {**answered, str(len(chat) - 1): answer.to_dict()}
            yield chat, sources_html(answer), "", answered

    def on_like(data: gr.LikeData, answered: dict | None):  # gradio passes the like data by this type hint
        if not answered:  # nothing answered in this session yet
            return
        answer = answered.get(str(data.index[0] if isinstance(data.index, list | tuple) else data.index))
        if answer is not None:
            usage.record_feedback(answer, liked=bool(data.liked))
            gr.Info("谢谢反馈！")

    outputs = [chatbot, sources, box, answers]
    send.click(respond, [box, chatbot, answers], outputs, api_visibility="private")
    box.submit(respond, [box, chatbot, answers], outputs, api_visibility="private")
    chatbot.like(on_like, [answers], None, api_visibility="private")
    new_chat.click(lambda: ([], sources_html(None), "", {}), None, outputs, api_visibility="private")

    def export(answered: dict, as_docx: bool):
        turns = [answered[key] for key in sorted(answered, key=int)]
        if not turns:
            gr.Info("还没有可导出的问答。")
            return gr.update(visible=False)
        data = chat_docx(turns) if as_docx else chat_markdown(turns)
        return gr.update(value=write_download(data, "问答记录.docx" if as_docx else "问答记录.md"), visible=True)

    export_md.click(lambda answered: export(answered, False), [answers], [transcript], api_visibility="private")
    export_docx.click(lambda answered: export(answered, True), [answers], [transcript], api_visibility="private")
