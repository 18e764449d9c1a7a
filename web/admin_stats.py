"""The admin's 统计 panel: usage at a glance from the usage store, over a date range, as charts and a CSV.

Questions per day, the share refused, 👍/👎 per day, the topics of refused questions and the
documents answers quote most — what an admin of MaxKB or FastGPT sees on their dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr
import pandas as pd

from web.downloads import download_file
from web.usage import UsageStore

RANGES = {"最近 7 天": 7, "最近 30 天": 30, "最近 90 天": 90, "最近一年": 365}
DEFAULT_RANGE = "最近 30 天"
LABEL_CHARS = 10  # a topic or title longer than this is cut, so the bars keep their room on a phone


@dataclass(frozen=True)
class StatsPanel:
    """What the admin tab calls after login: refresh(logged_in, start, end) → the panel's outputs."""

    refresh: object
    inputs: list
    outputs: list


def parse_day(text: str | None) -> date | None:
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def stats_frames(usage: UsageStore, first: date, last: date, zone: ZoneInfo) -> dict[str, pd.DataFrame]:
    """The tables behind the charts: per day (long form, for colour by series), topics, documents."""
    days = usage.daily(first, last, zone)
    stamps = [pd.Timestamp(d.day) for d in days]
    asked = pd.DataFrame(
        {
            "日期": stamps * 2,
            "次数": [d.questions for d in days] + [d.refused for d in days],
            "类别": ["提问"] * len(days) + ["拒答"] * len(days),
        }
    )
    rate = pd.DataFrame({"日期": stamps, "拒答率（%）": [round(100 * d.refusal_rate, 1) for d in days]})
    feedback = pd.DataFrame(
        {
            "日期": stamps * 2,
            "次数": [d.liked for d in days] + [d.disliked for d in days],
            "反馈": ["点赞"] * len(days) + ["点踩"] * len(days),
        }
    )
    topics = usage.refused_topics(first, last, zone)
    topic_frame = pd.DataFrame({"问题": [_short(t["question"]) for t in topics], "次数": [t["count"] for t in topics]})
    cited = usage.cited_documents(first, last, zone)
    cited_frame = pd.DataFrame({"文档": [_short(title) for title, _ in cited], "次数": [n for _, n in cited]})
    return {"asked": asked, "rate": rate, "feedback": feedback, "topics": topic_frame, "cited": cited_frame}


def summary_line(usage: UsageStore, first: date, last: date, zone: ZoneInfo) -> str:
    days = usage.daily(first, last, zone)
    asked, refused = sum(d.questions for d in days), sum(d.refused for d in days)
    liked, disliked = sum(d.liked for d in days), sum(d.disliked for d in days)
    share = f"{100 * refused / asked:.0f}%" if asked else "—"
    return (
        f"**{first.isoformat()} 至 {last.isoformat()}**：提问 {asked} 次，拒答 {refused} 次（拒答率 {share}），"
        f"点赞 {liked} 次，点踩 {disliked} 次"
    )


def build_stats_panel(usage: UsageStore, zone: ZoneInfo, logged_in: gr.State) -> StatsPanel:
    today = datetime.now(zone).date()
    with gr.Row(elem_classes="admin-actions"):
        preset = gr.Dropdown(label="时间范围", choices=list(RANGES), value=DEFAULT_RANGE, elem_id="stats-range")
        start = gr.Textbox(label="开始日期", value=(today - timedelta(days=RANGES[DEFAULT_RANGE] - 1)).isoformat())
        end = gr.Textbox(label="结束日期", value=today.isoformat(), elem_id="stats-end")
        show = gr.Button("统计", scale=1, elem_id="stats-show")
    summary = gr.Markdown("", elem_id="stats-summary")
    # min_width: two charts share a row on a desktop and stack on a phone
    daily: dict[str, Any] = {"x": "日期", "x_axis_format": "%m-%d", "x_title": "日期", "min_width": 320}
    with gr.Row(elem_classes="stats-charts"):
        asked = gr.LinePlot(y="次数", color="类别", title="每日提问与拒答", elem_id="stats-questions", **daily)
        rate = gr.LinePlot(y="拒答率（%）", title="拒答率", elem_id="stats-refusal", **daily)
    feedback = gr.LinePlot(y="次数", color="反馈", title="每日点赞与点踩", elem_id="stats-feedback", **daily)
    with gr.Row(elem_classes="stats-charts"):
        ranked: dict[str, Any] = {"y": "次数", "sort": "-y", "x_label_angle": -30, "min_width": 320}
        topics = gr.BarPlot(x="问题", title="拒答最多的问题", elem_id="stats-topics", **ranked)
        cited = gr.BarPlot(x="文档", title="被引用最多的文档", elem_id="stats-cited", **ranked)
    csv_file = gr.DownloadButton("导出每日统计 CSV", size="sm", elem_id="stats-csv")

    def refresh(authed: bool, first_text: str, last_text: str):
        if not authed:
            return "请先登录。", *[gr.update()] * 6
        first, last = parse_day(first_text), parse_day(last_text)
        if first is None or last is None or first > last:
            return "日期请写成 2025-01-31 这样，且开始不晚于结束。", *[gr.update()] * 6
        frames = stats_frames(usage, first, last, zone)
        path = csv_download(usage.daily_csv(first, last, zone), f"每日统计-{first}-{last}.csv")
        charts = [_from_zero(frames[name]) for name in ("asked", "rate", "feedback", "topics", "cited")]
        return summary_line(usage, first, last, zone), *charts, path

    def pick(name: str):
        today = datetime.now(zone).date()
        return (today - timedelta(days=RANGES.get(name, 30) - 1)).isoformat(), today.isoformat()

    inputs = [logged_in, start, end]
    outputs = [summary, asked, rate, feedback, topics, cited, csv_file]
    preset.input(pick, [preset], [start, end], api_visibility="private").then(
        refresh, inputs, outputs, api_visibility="private"
    )
    show.click(refresh, inputs, outputs, api_visibility="private")
    return StatsPanel(refresh, inputs, outputs)


def _from_zero(frame: pd.DataFrame) -> dict:
    """A chart of counts starts at 0 (else a single bar of 1 has no height) and has room above its top."""
    column = "拒答率（%）" if "拒答率（%）" in frame else "次数"
    top = 100 if column == "拒答率（%）" else max(1, int(frame[column].max()) if len(frame) else 1)
    return gr.update(value=frame, y_lim=[0, top])


def csv_download(text: str, name: str) -> str:
    return download_file(text, name, "utf-8-sig")  # with BOM so Excel reads the Chinese
