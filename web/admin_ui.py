"""The admin tab: log in, upload, list, preview, delete, replace, roll back, see the gap report."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import gradio as gr

from index.library import ChangeReport, Library, LibraryError
from index.store import IndexUnavailable
from web.auth import DISABLED_MESSAGE, AdminAuth, UploadTokens
from web.text import escape_for_chat
from web.usage import UsageStore

DOC_COLUMNS = ["编号", "标题", "类型", "地区", "日期", "段落", "字数", "入库时间", "状态"]
GAP_HEADERS = ["问题", "次数", "拒答", "点踩", "最近一次", "同类问题"]
AUDIT_HEADERS = ["时间", "操作人", "操作", "对象", "结果"]
NOT_LOGGED_IN = "请先登录。"


def document_rows(library: Library) -> list[list]:
    rows = []
    for d in library.documents():
        status = "已被新版本取代" if d.get("superseded_by") else "现行"
        rows.append(
            [
                d["doc_id"],
                d["title"],
                d["kind"],
                d["region"],
                d["date"],
                d["chunks"],
                d.get("size", 0),
                d.get("ingested_at", ""),
                status,
            ]
        )
    return rows


def document_choices(library: Library) -> list[tuple[str, str]]:
    return [(f"{d['title']}（{d['date'] or d['source']}）", d["doc_id"]) for d in library.documents()]


def split_tree_markdown(library: Library, doc_id: str) -> str:
    """章/节/条 outline with chunk boundaries; document text escaped so it shows as text."""
    chunks = library.preview(doc_id)
    lines: list[str] = []
    path: tuple[str, ...] = ()
    for number, chunk in enumerate(chunks, 1):
        for depth, heading in enumerate(chunk.heading_path[1:], 1):
            if path[: depth + 1] != chunk.heading_path[: depth + 1]:
                lines.append(f"{'#' * min(depth + 2, 6)} {escape_for_chat(heading)}")
        path = chunk.heading_path
        label = chunk.article + (f"（第{chunk.part}部分）" if chunk.part else "") or "正文"
        snippet = escape_for_chat(chunk.text[:80].replace("\n", " "))  # document text shows as text, never markup
        span = f"{len(chunk.text)} 字 · 位置 {chunk.start}–{chunk.end}"
        warning = f" ⚠ **{escape_for_chat(chunk.warning)}，不会被引用**" if chunk.warning else ""
        lines.append(f"- 段 {number} · **{escape_for_chat(label)}** · {span}：{snippet}…{warning}")
    return "\n".join(lines) or "（没有段落）"


def build_admin_tab(library: Library, usage: UsageStore, auth: AdminAuth) -> None:
    """Rendered inside the app's Blocks. Every handler checks the session's login state server-side."""
    if not auth.enabled:
        gr.Markdown(DISABLED_MESSAGE)
        return
    logged_in = gr.State(False)
    with gr.Row():
        password = gr.Textbox(label="管理员密码", type="password", scale=3, elem_id="admin-password")
        login = gr.Button("登录", scale=1, elem_id="admin-login")
    status = gr.Markdown("", elem_id="admin-status")
    with gr.Column(visible=False) as panel:
        gr.Markdown("### 上传文档（.md .txt .docx .pdf .html，单个不超过 20 MB）")
        uploads = gr.File(file_count="multiple", file_types=[".md", ".txt", ".docx", ".pdf", ".html", ".htm"])
        upload = gr.Button("上传并入库", variant="primary", elem_id="admin-upload")
        gr.Markdown("### 文档")
        table = gr.Dataframe(headers=DOC_COLUMNS, interactive=False, wrap=True, elem_id="admin-documents")
        with gr.Row():
            chosen = gr.Dropdown(label="选择文档", choices=[], scale=3)
            preview = gr.Button("预览切分", scale=1)
            delete = gr.Button("删除", variant="stop", scale=1)
        with gr.Row():
            replacement = gr.File(label="替换为新文件", file_count="single", scale=3)
            replace = gr.Button("替换", scale=1)
        rollback = gr.Button("回滚到上一个索引版本", size="sm")
        result = gr.Markdown("", elem_id="admin-result")
        tree = gr.Markdown("")
        gr.Markdown("### 缺口报告（被拒答或被点踩的问题）")
        gaps = gr.Dataframe(headers=GAP_HEADERS, interactive=False, wrap=True)
        export = gr.Button("导出 CSV", size="sm")
        csv_file = gr.File(label="缺口报告 CSV", interactive=False)
        gr.Markdown("### 操作日志")
        audit = gr.Dataframe(headers=AUDIT_HEADERS, interactive=False, wrap=True)

    def refreshed():
        gap_rows = [
            [g["question"], g["count"], g["refused"], g["disliked"], g["last_asked"], " | ".join(g["examples"])]
            for g in usage.gaps()
        ]
        audit_rows = [[e["at"], e["who"], e["action"], e["target"], e["result"]] for e in library.audit()]
        return (
            document_rows(library),
            gr.update(choices=document_choices(library), value=None),
            gap_rows,
            audit_rows,
        )

    views = [table, chosen, gaps, audit]

    def do_login(secret: str, authed: bool, request: gr.Request):
        if authed and not secret:
            return True, "已登录。", gr.update(visible=True), "", "", *refreshed()  # pressing 登录 again
        login = auth.attempt(request.client.host if request and request.client else "?", secret)
        if not login.ok:
            return authed, login.message, gr.update(visible=authed), "", "", *[gr.update()] * len(views)
        return True, login.message, gr.update(visible=True), "", auth.upload_tokens.issue(), *refreshed()

    def change(authed: bool, action, progress_label: str, progress):
        if not authed:
            return NOT_LOGGED_IN, *[gr.update()] * len(views)
        progress(0, desc=progress_label)
        try:
            report: ChangeReport = action()
        except (LibraryError, IndexUnavailable) as exc:
            return f"未完成：{html.escape(str(exc))}", *refreshed()
        return html.escape(report.summary()).replace("\n", "<br>"), *refreshed()

    def on_upload(authed, files, progress=gr.Progress()):
        files = files or []
        pairs = [(Path(f), Path(f).name) for f in files]
        return change(authed, lambda: library.add(pairs, "web:admin"), "正在入库…", progress)

    def on_delete(authed, doc_id, progress=gr.Progress()):
        return change(authed, lambda: library.remove(doc_id or "", "web:admin"), "正在删除…", progress)

    def on_replace(authed, doc_id, file, progress=gr.Progress()):
        if not file:
            return "请先选择替换用的文件。", *[gr.update()] * len(views)
        pair = (Path(file), Path(file).name)
        return change(authed, lambda: library.replace(doc_id or "", pair, "web:admin"), "正在替换…", progress)

    def on_rollback(authed, progress=gr.Progress()):
        return change(authed, lambda: library.rollback("web:admin"), "正在回滚…", progress)

    def on_preview(authed, doc_id):
        if not authed:
            return NOT_LOGGED_IN
        try:
            return split_tree_markdown(library, doc_id or "")
        except LibraryError as exc:
            return html.escape(str(exc))

    def on_export(authed):
        if not authed:
            return None
        path = Path(tempfile.mkdtemp(prefix="gaps-")) / "gaps.csv"
        path.write_text(usage.gaps_csv(), "utf-8-sig")  # with BOM so Excel reads the Chinese
        return str(path)

    # Not exposed as API endpoints: admin actions go through this tab (session login) or /api/admin (token).
    # The upload token goes to the browser as a cookie: Gradio's upload route admits only its holder.
    token = gr.Textbox(visible=False)
    set_cookie = f"(t) => {{ if (t) document.cookie = '{UploadTokens.COOKIE}=' + t + '; path=/; SameSite=Strict'; }}"
    login_outputs = [logged_in, status, panel, password, token, *views]
    for trigger in (login.click, password.submit):
        trigger(do_login, [password, logged_in], login_outputs, api_visibility="private").then(
            None, [token], None, js=set_cookie, api_visibility="private"
        )
    upload.click(on_upload, [logged_in, uploads], [result, *views], api_visibility="private")
    delete.click(on_delete, [logged_in, chosen], [result, *views], api_visibility="private")
    replace.click(on_replace, [logged_in, chosen, replacement], [result, *views], api_visibility="private")
    rollback.click(on_rollback, [logged_in], [result, *views], api_visibility="private")
    preview.click(on_preview, [logged_in, chosen], [tree], api_visibility="private")
    export.click(on_export, [logged_in], [csv_file], api_visibility="private")
