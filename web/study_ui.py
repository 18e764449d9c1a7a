"""The trainers' tab: browse the laws as a tree beside their text, search them, quiz from them, export handouts."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from index.live import IndexBuilding
from index.store import SearchIndex
from study.browse import catalogue, highlight, kinds_and_regions, outline_html, search_page
from study.export import quiz_docx, quiz_markdown
from study.quiz import QuizMaker, QuizQuestion, grade
from web.downloads import download_file

MAX_QUESTIONS = 10
ALL = "全部"  # the search filters' "no filter"
STUDY_CSS = """
.doc-meta { color: #57606a; font-size: 13px; margin: 0 0 8px 0; }
.doc-columns { display: grid; grid-template-columns: minmax(180px, 240px) 1fr; gap: 16px; align-items: start; }
.toc { overflow-y: auto; border: 1px solid #d0d7de;
       border-radius: 8px; padding: 6px 8px; font-size: 14px; }
.toc > summary { font-weight: 600; cursor: pointer; }
.doc-tree details.node { margin: 4px 0; } .doc-tree summary { cursor: pointer; line-height: 1.5; }
.doc-tree .span { color: #57606a; font-size: 12px; white-space: nowrap; }
.doc-tree .leaves { display: flex; flex-wrap: wrap; gap: 2px 8px; padding: 2px 0 4px 14px; }
.doc-tree > .leaf, .doc-tree .leaf { white-space: nowrap; margin-right: 8px; }
.doc-tree .leaf.focus { font-weight: 700; }
.doc-text { min-width: 0; }
@media (min-width: 701px) {  /* the tree stays beside the text: each scrolls on its own */
  .toc, .doc-text { max-height: 75vh; overflow-y: auto; }
  .doc-text { padding-right: 8px; }
}
.article, .prose, .preamble { margin: 6px 0; scroll-margin-top: 8px; }
.article p, .prose p, .preamble p { white-space: pre-wrap; margin: 2px 0 8px 0; line-height: 1.6; }
.preamble p { color: #57606a; font-size: 13px; }
.article.focus { background: #fff8c5; border-left: 3px solid #d4a72c; padding-left: 6px; }
.article-link { font-weight: 600; } .hit { margin: 8px 0; } .hit .path { color: #57606a; font-size: 12px; }
.count { font-weight: 600; }
mark { background: #fff3a3; }
@media (max-width: 700px) {
  .doc-columns { grid-template-columns: 1fr; }
  .toc { max-height: 50vh; }
}
"""


@dataclass
class StudyViews:
    """What the page load and a deep link (?doc=…&art=…) set: the tabs, the outline, and the choosers
    whose choices follow the live index (document, quiz documents, search kind and region)."""

    tabs: gr.Tabs
    outline: gr.HTML
    choosers: list[gr.Dropdown]  # the document picker first

    @staticmethod
    def chooser_updates(index: SearchIndex) -> list[dict]:
        kinds, regions = kinds_and_regions(index)
        titles = sorted({d["title"] for d in index.manifest.documents})
        return [
            gr.update(choices=catalogue(index)),
            gr.update(choices=titles),
            gr.update(choices=[ALL, *kinds]),
            gr.update(choices=[ALL, *regions]),
        ]


def _waiting(exc: IndexBuilding) -> str:
    return f"<p class='notice'>{html.escape(exc.status.describe())}。索引建好后即可使用。</p>"


def build_study_tab(current_index: Callable[[], SearchIndex], quizzes: QuizMaker) -> StudyViews:
    """`current_index` raises IndexBuilding while the first index is being built; choices then come later.
    `quizzes` is shared with the Gradio API's /quiz."""
    with gr.Tabs() as tabs:
        with gr.Tab("浏览法规", id="browse"):
            # value=None: nothing is preselected that the outline below does not show
            document = gr.Dropdown(
                label="选择文档（可输入标题筛选；按类型、地区分组）", choices=[], value=None, elem_id="browse-doc"
            )
            outline = gr.HTML("<p>选择一个文档，查看它的编、章、节、条目录和全文。</p>", elem_id="browse-outline")
        with gr.Tab("检索", id="search"):
            with gr.Row():
                query = gr.Textbox(
                    label="关键词（空格分开的词都要出现）", placeholder="例如：集体合同、哺乳、工会经费", scale=4
                )
                search = gr.Button("检索", scale=1, elem_id="search-go")
            with gr.Row():
                kind = gr.Dropdown(label="类型", choices=[ALL], value=ALL, scale=1, elem_id="search-kind")
                region = gr.Dropdown(label="地区", choices=[ALL], value=ALL, scale=1, elem_id="search-region")
            results = gr.HTML(elem_id="search-results")
            with gr.Row():
                previous = gr.Button("上一页", size="sm", interactive=False, elem_id="search-prev")
                following = gr.Button("下一页", size="sm", interactive=False, elem_id="search-next")
            page = gr.State(1)
        with gr.Tab("测验", id="quiz"):
            with gr.Row():
                quiz_docs = gr.Dropdown(
                    label="出题范围（可多选；不选则全部）",
                    choices=[],
                    multiselect=True,
                    scale=3,
                    elem_id="quiz-docs",
                )
                count = gr.Slider(1, MAX_QUESTIONS, value=5, step=1, label="题数", scale=1)
            with gr.Row():
                make = gr.Button("出题", variant="primary", elem_id="quiz-make")
                another = gr.Button("换一套题", elem_id="quiz-another")
            seed = gr.State(1)  # 换一套题 moves to the next set; the same set can be asked again with 出题
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
            handout = gr.File(label="讲义", interactive=False, visible=False)

    def show_document(doc_id: str | None):
        try:
            return outline_html(current_index(), doc_id) if doc_id else ""
        except IndexBuilding as exc:
            return _waiting(exc)

    def run_search(text: str, kind_name: str, region_name: str, wanted: int):
        try:
            index = current_index()
        except IndexBuilding as exc:
            return _waiting(exc), 1, gr.update(interactive=False), gr.update(interactive=False)
        kind_filter, region_filter = ("" if name in (ALL, None) else name for name in (kind_name, region_name))
        found = search_page(index, text, wanted, kind_filter, region_filter)
        return (
            found.html,
            found.page,
            gr.update(interactive=found.page > 1),
            gr.update(interactive=found.page < found.pages),
        )

    def first_page(text: str, kind_name: str, region_name: str):
        return run_search(text, kind_name, region_name, 1)

    # UI callbacks return HTML and component updates: private; the Gradio API has its own endpoints (web.gradio_api).
    paged = [results, page, previous, following]
    # .input, not .change: a deep link sets the value too, and must keep its focused outline
    document.input(show_document, [document], [outline], api_visibility="private")
    search.click(first_page, [query, kind, region], paged, api_visibility="private")
    query.submit(first_page, [query, kind, region], paged, api_visibility="private")
    kind.input(first_page, [query, kind, region], paged, api_visibility="private")
    region.input(first_page, [query, kind, region], paged, api_visibility="private")
    previous.click(
        lambda q, k, r, p: run_search(q, k, r, p - 1), [query, kind, region, page], paged, api_visibility="private"
    )
    following.click(
        lambda q, k, r, p: run_search(q, k, r, p + 1), [query, kind, region, page], paged, api_visibility="private"
    )

    def make_quiz(titles: list[str], n: float, seed_value: int):
        try:
            picked = quizzes.make(titles, int(n), int(seed_value or 1))
        except IndexBuilding as exc:
            hidden = [gr.update(visible=False), "", gr.update(visible=False), gr.update(visible=False)]
            return [], *hidden * MAX_QUESTIONS, exc.status.describe(), ""
        updates = []
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
            return gr.update(visible=False)
        data = quiz_docx(picked) if as_docx else quiz_markdown(picked)
        return gr.update(value=download_file(data, "测验讲义.docx" if as_docx else "测验讲义.md"), visible=True)

    slot_outputs = [component for slot in slots for component in slot]
    quiz_outputs = [questions, *slot_outputs, score, mistakes]
    make.click(make_quiz, [quiz_docs, count, seed], quiz_outputs, api_visibility="private")
    another.click(lambda s: s + 1, [seed], [seed], api_visibility="private").then(
        make_quiz, [quiz_docs, count, seed], quiz_outputs, api_visibility="private"
    )
    responses = [c for _, _, choice, blank in slots for c in (choice, blank)]
    submit.click(check, [questions, *responses], [score, mistakes], api_visibility="private")
    export_md.click(lambda saved: export(saved, False), [questions], [handout], api_visibility="private")
    export_docx.click(lambda saved: export(saved, True), [questions], [handout], api_visibility="private")
    return StudyViews(tabs, outline, [document, quiz_docs, kind, region])
