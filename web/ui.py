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
from index.live import IndexBuilding
from index.progress import FAILED, BuildStatus
from study.browse import article_link, outline_html
from study.export import chat_docx, chat_markdown
from study.quiz import QuizMaker
from web.api import stream_answer
from web.downloads import download_file
from web.gradio_api import add_api_endpoints
from web.limits import question_problem
from web.study_ui import STUDY_CSS, build_study_tab
from web.text import answer_markdown, escape_for_chat, unlink_markers
from web.usage import UsageStore

EXAMPLES = [
    "北京工会要修改哪些法规?",
    "老板能兼任工会主席吗?",
    "女职工生育能休多少天产假?",
    "公司不跟我签劳动合同,能要求赔偿吗?",
    "工作满三年了,每年能休几天带薪年假?",
]
# After an answer: the question it answers at the top of the chat and of the screen, so the answer is read
# from its source line down (on a phone the end of a long answer showed first); a notice that answers no
# question (空问题, 太长) is itself brought into view.
ANSWER_TOP = """() => { const rows = document.querySelectorAll('#chat .message-row'); if (!rows.length) return;
  const last = rows[rows.length - 1], before = rows[rows.length - 2];
  const answered = before && before.classList.contains('user-row') && last.classList.contains('bot-row');
  (answered ? before : last).scrollIntoView({block: 'start'}); }"""
# After a deep link loads, bring the focused article into view — once, and not after the reader has
# jumped elsewhere meanwhile: Gradio may run a load event's js again later (it did on a click in the law
# tree), and a late scroll would pull the text back from where the reader went.
SCROLL_TO_ARTICLE = """() => { if (window.__articleShown) return; window.__articleShown = true; setTimeout(() => {
  if (window.__readerJumped) return;
  const el = document.querySelector('.article.focus'); if (el) el.scrollIntoView({block: 'center'}); }, 800); }"""
# In-page jumps, done here because the page's <base href="./"> would turn "#x" into a reload of "/" (and
# lose ?doc=…): a [n] marker opens the sources panel if folded and brings its card into view, marked; a
# tree entry in the law browser brings its article or heading into view.
# Bound once: Gradio can put the head's script into the page twice, and two handlers would open and close
# the sources panel in one click.
HEAD = """<script>
if (!window.__jumpsBound) { window.__jumpsBound = true; document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#source-"], a[href^="#art-"], a[href^="#sec-"]');
  if (!link) return;
  event.preventDefault();
  window.__readerJumped = true;
  const id = decodeURIComponent(link.getAttribute('href').slice(1));
  const isSource = id.startsWith('source-');
  const panel = isSource && document.getElementById('sources-panel');
  const toggle = panel && panel.querySelector('button.label-wrap');
  if (toggle && !toggle.classList.contains('open')) toggle.click();
  setTimeout(() => {
    const target = document.getElementById(id);
    if (!target) return;
    if (isSource) {
      document.querySelectorAll('.source-card.flash').forEach((c) => c.classList.remove('flash'));
      target.classList.add('flash');
    }
    target.scrollIntoView(isSource ? {behavior: 'smooth', block: 'nearest'} : {block: 'start'});
  }, isSource ? 150 : 0);
}); }
</script>"""
CSS = (
    STUDY_CSS
    + """
.gradio-container { width: 100% !important; max-width: 960px !important; margin: auto; }
#index-status .building { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 8px; padding: 8px 12px; }
#index-status .failed { border: 1px solid #cf222e; background: #ffebe9; border-radius: 8px; padding: 8px 12px; }
#index-status progress { width: 100%; height: 8px; margin-top: 6px; }
#sources { max-height: 60vh; overflow-y: auto; }
.source-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin: 8px 0; scroll-margin: 8px; }
.source-card.flash { outline: 3px solid #d4a72c; }
.source-card h4 { margin: 0 0 4px 0; font-size: 15px; }
.source-card .path { color: #57606a; font-size: 12px; }
.source-card .quote { background: #fff8c5; }
.source-card p { white-space: pre-wrap; margin: 6px 0 0 0; line-height: 1.6; }
#chat a[href^="#source-"] { color: #0969da; text-decoration: none; font-weight: 600; padding: 0 1px; }
.notice { color: #9a6700; }
@media (max-width: 600px) { .gradio-container { padding: 4px !important; } }
"""
)


def chat_text(answer: Answer) -> str:
    text = answer_markdown(answer, link=True)
    if answer.search_query and answer.search_query != answer.question.strip():
        text = f"（按『{escape_for_chat(answer.search_query)}』检索）\n\n" + text
    return text


def building_text(status: BuildStatus) -> str:
    """What a question asked before the index is ready gets back."""
    if not status.building:  # failed: wait_text says why
        return status.wait_text()
    return f"{status.wait_text()}，完成后即可提问。（{status.describe()}）"


def status_banner(status: BuildStatus | None) -> str:
    """The notice at the top of every tab while the first index is built; empty once it is live."""
    if status is None:
        return ""
    if status.stage == FAILED:
        return f"<div class='failed' role='alert'><b>建立索引失败</b>：{html.escape(status.error)}</div>"
    done, total = (status.passages_done, status.passages_total) if status.passages_total else (0, 1)
    return (
        f"<div class='building' role='status'><b>首次启动，正在建立索引</b> —— {html.escape(status.describe())}。"
        f"建好之前可以先浏览页面，提问会提示稍候。<progress max='{total}' value='{done}'></progress></div>"
    )


def _build_status(service: AnswerService) -> BuildStatus | None:
    try:
        service.retriever  # noqa: B018 - raises while the first index is being built
    except IndexBuilding as exc:
        return exc.status
    return None


def _shown(banner: str) -> dict:
    return gr.update(value=banner, visible=bool(banner))


def _content_text(content) -> str:
    """A chat message's text, whether Gradio hands it back as a string or as [{"type": "text", …}]."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


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
        banner = gr.HTML("", visible=False, elem_id="index-status")
        poll = gr.Timer(2.0, active=False)  # runs only while the first index is being built
        with gr.Tabs() as tabs:
            with gr.Tab("问答", id="chat-tab"):
                build_chat_tab(service, usage)
            with gr.Tab("学习", id="study-tab"):
                study = build_study_tab(lambda: service.retriever.index, quizzes)
            if admin is not None:
                with gr.Tab("管理", id="admin-tab"):
                    admin()

        def open_link(request: gr.Request):
            """On every page load: the catalogue as it is now (admins may have changed it), and a deep link;
            while the first index is being built, its progress instead."""
            status = _build_status(service)
            if status is not None:
                idle = [gr.update()] * (3 + len(study.choosers))
                return *idle, _shown(status_banner(status)), gr.Timer(active=status.building)
            index = service.retriever.index
            choosers = study.chooser_updates(index)
            doc, article = request.query_params.get("doc"), request.query_params.get("art", "")
            if not doc or index.document(doc) is None:
                return gr.update(), gr.update(), gr.update(), *choosers, _shown(""), gr.Timer(active=False)
            choosers[0] = gr.update(choices=choosers[0]["choices"], value=doc)
            outline = outline_html(index, doc, focus=article)
            tab, sub_tab = gr.update(selected="study-tab"), gr.update(selected="browse")
            return tab, sub_tab, outline, *choosers, _shown(""), gr.Timer(active=False)

        def poll_build():
            """Every 2 s while building: the progress; when the index is live, the catalogue, once."""
            status = _build_status(service)
            if status is not None:
                banner_update = _shown(status_banner(status))
                return banner_update, gr.Timer(active=status.building), *[gr.update()] * len(study.choosers)
            return _shown(""), gr.Timer(active=False), *study.chooser_updates(service.retriever.index)

        outputs = [tabs, study.tabs, study.outline, *study.choosers, banner, poll]
        demo.load(open_link, None, outputs, js=SCROLL_TO_ARTICLE, api_visibility="private")
        poll.tick(poll_build, None, [banner, poll, *study.choosers], api_visibility="private")
        add_api_endpoints(service, usage, quizzes)
    return demo


def build_chat_tab(service: AnswerService, usage: UsageStore) -> None:
    gr.Markdown("依据知识库里的法律法规、各地条例、典型案例和文章作答，每句话都标明出处；知识库里没有的，会直说。")
    answers = gr.State({})  # assistant message index → Answer.to_dict(), for 👍/👎
    # No floating label: it sat over the first lines of a scrolled conversation.
    # Full-width messages (a quoted provision in a 250 px bubble is a long thin column on a phone), a copy
    # button per answer instead of icons floating over the first line, and no jump to the bottom: a long
    # answer is read from its source line down (ANSWER_TOP scrolls to the question it answers).
    chatbot = gr.Chatbot(
        label="对话",
        show_label=False,
        height="70vh",
        layout="panel",
        buttons=["copy"],
        autoscroll=False,
        feedback_options=("Like", "Dislike"),
        elem_id="chat",
    )
    # Right under the answer (on a phone too), folded or not as the reader likes; [n] in the answer jumps here.
    with gr.Accordion("引用的条文", open=True, elem_id="sources-panel"):
        sources = gr.HTML(sources_html(None), elem_id="sources")
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

    def respond(message: str, chat: list, answered: dict):
        chat = list(chat or [])
        problem = question_problem(message or "")
        if problem:
            yield [*chat, {"role": "assistant", "content": problem}], gr.update(), "", answered
            return
        previous = [answered[key]["question"] for key in sorted(answered, key=int)]  # as typed; stream_answer trims
        chat = [
            {"role": m["role"], "content": unlink_markers(_content_text(m["content"]))}
            if m.get("role") == "assistant"
            else m
            for m in chat
        ]
        chat += [{"role": "user", "content": escape_for_chat(message)}, {"role": "assistant", "content": "…"}]
        answer = None
        try:
            for answer in stream_answer(service, usage, message, previous):
                chat[-1] = {"role": "assistant", "content": chat_text(answer)}
                yield chat, gr.update(), "", answered
        except IndexBuilding as exc:  # the first start: say how long, rather than fail
            chat[-1] = {"role": "assistant", "content": escape_for_chat(building_text(exc.status))}
            yield chat, gr.update(), "", answered
            return
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
    for asked in (send.click, box.submit):
        asked(respond, [box, chatbot, answers], outputs, api_visibility="private").then(
            None, None, None, js=ANSWER_TOP, api_visibility="private"
        )
    chatbot.like(on_like, [answers], None, api_visibility="private")
    new_chat.click(lambda: ([], sources_html(None), "", {}), None, outputs, api_visibility="private")

    def export(answered: dict, as_docx: bool):
        turns = [answered[key] for key in sorted(answered, key=int)]
        if not turns:
            gr.Info("还没有可导出的问答。")
            return gr.update(visible=False)
        data = chat_docx(turns) if as_docx else chat_markdown(turns)
        return gr.update(value=download_file(data, "问答记录.docx" if as_docx else "问答记录.md"), visible=True)

    export_md.click(lambda answered: export(answered, False), [answers], [transcript], api_visibility="private")
    export_docx.click(lambda answered: export(answered, True), [answers], [transcript], api_visibility="private")
