"""The admin tab: log in, upload, list, preview, delete, replace, roll back, see usage and the gap report.

Usable on a phone: sub-tabs instead of one long page, buttons that wrap, tables that scroll inside
themselves. Times are shown in the admins' time zone (TZ); every result appears next to its action.
"""

from __future__ import annotations

import html
from pathlib import Path
from zoneinfo import ZoneInfo

import gradio as gr

from index.library import ChangeReport, Library, LibraryError
from index.versions import IndexUnavailable
from web.admin_stats import build_stats_panel, csv_download
from web.auth import DISABLED_MESSAGE, AdminAuth, UploadTokens
from web.text import escape_for_chat
from web.usage import UsageStore, gaps_csv, local_time

DOC_COLUMNS = ["标题", "类型", "地区", "日期", "状态", "入库时间", "段落", "字数", "编号"]
GAP_HEADERS = ["问题", "次数", "拒答", "点踩", "最近一次", "同类问题"]
AUDIT_HEADERS = ["时间", "操作", "文档", "结果", "操作人"]
ACTIONS = {"add": "上传", "remove": "删除", "replace": "替换", "rebuild": "重建", "rollback": "回滚"}
ACTIONS["build"] = "建立索引"  # the first start
UPLOAD_TYPES = [".md", ".txt", ".docx", ".pdf", ".html", ".htm"]
NOT_LOGGED_IN = "请先登录。"
ADMIN_CSS = """
#admin-panel .admin-actions { flex-wrap: wrap; gap: 8px; }
#admin-panel .admin-actions > * { min-width: 120px !important; flex: 1 1 120px; }
/* charts: two to a row on a desktop, one under the other on a phone (each needs about 300 px) */
#admin-panel .stats-charts { flex-wrap: wrap; gap: 8px; }
#admin-panel .stats-charts > * { flex: 1 1 320px; min-width: min(100%, 300px) !important; }
#admin-documents, #admin-gaps, #admin-audit { max-width: 100%; }
.admin-result:empty { display: none; }
"""


def document_rows(documents: list[dict], zone: ZoneInfo, query: str | None = "") -> list[list]:
    """Title first; the newest change on top; `query` keeps rows holding each of its words in some column."""
    words, rows = (query or "").split(), []
    listed = list(enumerate(documents))  # a change appends: the later of two equal times is newer
    for _, d in sorted(listed, key=lambda item: (item[1].get("ingested_at", ""), item[0]), reverse=True):
        status = "已被新版本取代" if d.get("superseded_by") else "现行"
        row = [
            d["title"],
            d["kind"],
            d["region"] or "全国",
            d["date"],
            status,
            local_time(d.get("ingested_at", ""), zone),
            d["chunks"],
            d.get("size", 0),
            d["doc_id"],
        ]
        if all(any(word in str(cell) for cell in row) for word in words):
            rows.append(row)
    return rows


def document_choices(documents: list[dict]) -> list[tuple[str, str]]:
    return [(f"{d['title']}（{d['date'] or d['source']}）", d["doc_id"]) for d in documents]


def audit_rows(entries: list[dict], documents: list[dict], zone: ZoneInfo) -> list[list[str]]:
    """The audit log (newest first), each row with the documents' titles (a failed delete names what it was
    asked for)."""
    titles = {d["doc_id"]: d["title"] for d in documents}
    rows = []
    for entry in entries:
        added, removed = entry.get("added") or [], entry.get("removed") or []
        if entry["action"] == "build":
            subject = f"{len(added)} 件文档"
        elif removed and added:
            subject = "、".join(f"《{t}》" for t in removed) + " → " + "、".join(f"《{t}》" for t in added)
        elif removed or added:
            subject = "、".join(f"《{t}》" for t in removed or added)
        else:
            target = entry.get("target", "")
            subject = f"《{titles[target]}》" if target in titles else target or (entry.get("version") or "")
        result = entry["result"]
        result = {"ok": "成功", "unchanged": "未改动"}.get(result, result.replace("failed: ", "失败："))
        action = ACTIONS.get(entry["action"], entry["action"])
        rows.append([local_time(entry["at"], zone), action, subject, result, entry["who"]])
    return rows


def gap_rows(groups: list[dict], zone: ZoneInfo) -> list[list]:
    rows = []
    for g in groups:
        last = local_time(g["last_asked"], zone)
        rows.append([g["question"], g["count"], g["refused"], g["disliked"], last, " | ".join(g["examples"])])
    return rows


def latest_change(rows: list[list[str]]) -> str:
    """The newest audit row (see audit_rows), as one line."""
    if not rows:
        return ""
    at, action, subject, result, who = rows[0]
    return f"**最近一次改动**：{at} {action} {html.escape(subject)}（{result}，{html.escape(who)}）"


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


def build_admin_tab(library: Library, usage: UsageStore, auth: AdminAuth, timezone: str = "Asia/Shanghai") -> None:
    """Rendered inside the app's Blocks. Every handler checks the session's login state server-side."""
    if not auth.enabled:
        gr.Markdown(DISABLED_MESSAGE)
        return
    zone = ZoneInfo(timezone)
    logged_in = gr.State(False)
    with gr.Row(elem_classes="admin-actions"):
        password = gr.Textbox(label="管理员密码", type="password", scale=3, elem_id="admin-password")
        login = gr.Button("登录", scale=1, elem_id="admin-login")
        logout = gr.Button("退出登录", scale=1, visible=False, elem_id="admin-logout")
    status = gr.Markdown("", elem_id="admin-status")
    with gr.Column(visible=False, elem_id="admin-panel") as panel, gr.Tabs():
        with gr.Tab("文档", id="admin-docs"):
            latest = gr.Markdown("", elem_id="admin-latest")
            upload = gr.UploadButton(
                "上传文档（.md .txt .docx .pdf .html，可多选，单个不超过 20 MB）",
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                variant="primary",
                elem_id="admin-upload",
            )
            upload_result = gr.Markdown("", elem_id="admin-result", elem_classes="admin-result")
            search = gr.Textbox(
                label="查找文档", placeholder="输入标题、类型、地区或日期，例如：海淀区", elem_id="admin-doc-search"
            )
            table = gr.Dataframe(
                headers=DOC_COLUMNS,
                interactive=False,
                wrap=True,
                max_height=420,
                # fixed widths: on a phone the table scrolls inside itself, the title column first in view
                column_widths=["200px", "120px", "120px", "105px", "90px", "150px", "60px", "70px", "160px"],
                elem_id="admin-documents",
            )
            with gr.Row(elem_classes="admin-actions"):
                chosen = gr.Dropdown(label="选择文档", choices=[], scale=3, elem_id="admin-chosen")
                preview = gr.Button("预览切分", scale=1, elem_id="admin-preview")
                delete = gr.Button("删除", variant="stop", scale=1, elem_id="admin-delete")
                replace = gr.UploadButton(
                    "用新文件替换", file_count="single", file_types=UPLOAD_TYPES, scale=1, elem_id="admin-replace"
                )
            doc_result = gr.Markdown("", elem_id="admin-doc-result", elem_classes="admin-result")
            tree = gr.Markdown("", elem_id="admin-tree")
            with gr.Row(elem_classes="admin-actions"):
                rollback = gr.Button("回滚到上一个索引版本", size="sm", elem_id="admin-rollback")
            rollback_result = gr.Markdown("", elem_classes="admin-result")
        with gr.Tab("统计", id="admin-stats"):
            stats = build_stats_panel(usage, zone, logged_in)
        with gr.Tab("缺口报告", id="admin-gaps-tab"):
            gr.Markdown("被拒答或被点踩的问题，按相似程度归并：知识库缺什么，一看便知。")
            gaps = gr.Dataframe(headers=GAP_HEADERS, interactive=False, wrap=True, elem_id="admin-gaps")
            gaps_download = gr.DownloadButton("导出 CSV", size="sm", elem_id="admin-gaps-csv")
        with gr.Tab("操作日志", id="admin-audit-tab"):
            audit = gr.Dataframe(headers=AUDIT_HEADERS, interactive=False, wrap=True, elem_id="admin-audit")

    def refreshed(query: str = ""):
        """Every view after a change or login: the documents, audit log and gap report read once each."""
        documents, groups = library.documents(), usage.gaps()
        audits = audit_rows(library.audit(), documents, zone)
        return (
            document_rows(documents, zone, query),
            gr.update(choices=document_choices(documents), value=None),
            latest_change(audits),
            gap_rows(groups, zone),
            csv_download(gaps_csv(groups), "缺口报告.csv"),
            audits,
        )

    views = [table, chosen, latest, gaps, gaps_download, audit]
    unchanged = [gr.update()] * len(views)
    session = [logged_in, status, panel, password, login, logout]

    def do_login(secret: str, authed: bool, query: str, request: gr.Request):
        if authed and not secret:  # pressing 登录 again keeps a logged-in admin logged in
            shown = gr.update(visible=True)
            return True, "已登录。", shown, "", gr.update(), gr.update(), gr.update(), *refreshed(query)
        login = auth.attempt(request.client.host if request and request.client else "?", secret)
        if not login.ok:
            shown = gr.update(visible=authed)
            return authed, login.message, shown, "", gr.update(), shown, gr.update(), *unchanged
        token, shown = auth.upload_tokens.issue(), gr.update(visible=True)
        return True, login.message, shown, "", gr.update(), shown, token, *refreshed(query)

    def do_logout():
        return False, "已退出。", gr.update(visible=False), "", gr.update(), gr.update(visible=False), "", *unchanged

    def change(authed: bool, action, progress_label: str, progress, query: str):
        """(message, preview, *views): the preview is cleared, since the document it showed may be gone."""
        if not authed:
            return NOT_LOGGED_IN, gr.update(), *unchanged
        progress(0, desc=progress_label)
        try:
            report: ChangeReport = action()
        except (LibraryError, IndexUnavailable) as exc:
            return f"未完成：{html.escape(str(exc))}", "", *refreshed(query)
        return html.escape(report.summary()).replace("\n", "<br>"), "", *refreshed(query)

    def on_upload(authed, files, query, progress=gr.Progress()):
        pairs = [(Path(f), Path(f).name) for f in files or []]
        return change(authed, lambda: library.add(pairs, "web:admin"), "正在入库…", progress, query)

    def on_delete(authed, doc_id, query, progress=gr.Progress()):
        return change(authed, lambda: library.remove(doc_id or "", "web:admin"), "正在删除…", progress, query)

    def on_replace(authed, doc_id, file, query, progress=gr.Progress()):
        if not doc_id:
            return "请先在“选择文档”里选出要替换的文档。", gr.update(), *unchanged
        pair = (Path(file), Path(file).name)
        return change(authed, lambda: library.replace(doc_id, pair, "web:admin"), "正在替换…", progress, query)

    def on_rollback(authed, query, progress=gr.Progress()):
        return change(authed, lambda: library.rollback("web:admin"), "正在回滚…", progress, query)

    def on_preview(authed, doc_id):
        if not authed:
            return NOT_LOGGED_IN, ""
        try:
            return "", split_tree_markdown(library, doc_id or "")
        except LibraryError as exc:
            return html.escape(str(exc)), ""

    def on_search(authed, query):
        return document_rows(library.documents(), zone, query) if authed else gr.update()

    # Not exposed as API endpoints: admin actions go through this tab (session login) or /api/admin (token).
    # The upload token goes to the browser as a cookie: Gradio's upload route admits only its holder.
    token = gr.Textbox(visible=False)
    set_cookie = f"(t) => {{ if (t) document.cookie = '{UploadTokens.COOKIE}=' + t + '; path=/; SameSite=Strict'; }}"
    login_outputs = [*session, token, *views]
    for trigger in (login.click, password.submit):
        trigger(do_login, [password, logged_in, search], login_outputs, api_visibility="private").then(
            None, [token], None, js=set_cookie, api_visibility="private"
        ).then(stats.refresh, stats.inputs, stats.outputs, api_visibility="private")
    logout.click(do_logout, None, login_outputs, api_visibility="private")
    upload.upload(on_upload, [logged_in, upload, search], [upload_result, tree, *views], api_visibility="private")
    delete.click(on_delete, [logged_in, chosen, search], [doc_result, tree, *views], api_visibility="private")
    replace.upload(
        on_replace, [logged_in, chosen, replace, search], [doc_result, tree, *views], api_visibility="private"
    )
    rollback.click(on_rollback, [logged_in, search], [rollback_result, tree, *views], api_visibility="private")
    preview.click(on_preview, [logged_in, chosen], [doc_result, tree], api_visibility="private")
    search.change(on_search, [logged_in, search], [table], api_visibility="private")
