"""What the admin tab shows: titles not ids, local times, the newest change first, a district's document
as such, and the statistics behind the charts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from index.cache import EmbeddingCache
from index.library import Library
from settings import Settings
from web.admin_stats import parse_day, stats_frames, summary_line
from web.admin_ui import audit_rows, document_rows, latest_change
from web.usage import UsageStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISTRICT_RULE = """# 海淀区职工劳动权益保障办法

<!-- INFO END -->

第一条 为保障海淀区职工劳动权益，制定本办法。

第二条 区总工会负责组织实施本办法。
"""


@pytest.fixture
def library(tiny_index, tmp_path, fake_embedder):
    return Library(tiny_index, EmbeddingCache(tmp_path / "cache", fake_embedder))


def test_document_table_leads_with_title_and_puts_the_newest_change_first(library, tmp_path):
    upload = tmp_path / "海淀区职工劳动权益保障办法.md"
    upload.write_text(DISTRICT_RULE, "utf-8")
    library.add([(upload, upload.name)], "web:admin")
    rows = document_rows(library.documents(), SHANGHAI)
    title, kind, region, _, status, ingested, *_ = rows[0]
    assert (title, kind, region, status) == ("海淀区职工劳动权益保障办法", "地方规范性文件", "北京市海淀区", "现行")
    assert len(ingested) == len("2025-03-01 10:05")  # local time, minutes
    assert rows[1][2] in ("全国", "北京市")  # a national document says 全国, not an empty cell
    assert [r[0] for r in document_rows(library.documents(), SHANGHAI, "海淀")] == ["海淀区职工劳动权益保障办法"]
    assert {r[0] for r in document_rows(library.documents(), SHANGHAI, "北京市 地方性法规")} == {"北京市集体合同条例"}
    assert document_rows(library.documents(), SHANGHAI, None) == rows


def test_audit_shows_titles_and_local_times(library):
    doc_id = next(d["doc_id"] for d in library.documents() if d["title"] == "北京市集体合同条例")
    library.remove(doc_id, "web:admin")
    with pytest.raises(Exception, match="没有找到"):
        library.remove("no-such-document", "web:admin")
    failed, removed = audit_rows(library.audit(), library.documents(), SHANGHAI)[:2]
    assert removed[1:4] == ["删除", "《北京市集体合同条例》", "成功"] and doc_id not in removed[2]
    assert failed[1] == "删除" and failed[3].startswith("失败：")
    stored = datetime.fromisoformat(library.audit()[1]["at"])  # UTC
    assert removed[0] == stored.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    latest = latest_change(audit_rows(library.audit(), library.documents(), SHANGHAI))
    assert latest.startswith(f"**最近一次改动**：{failed[0]} 删除 no-such-document（失败：")


def test_statistics_behind_the_charts(tmp_path):
    usage = UsageStore(tmp_path / "usage.sqlite3")
    usage.log_question("产假多少天?", refused=False, cited=["女职工劳动保护特别规定"])
    usage.log_question("公租房怎么申请?", refused=True)
    usage.record_feedback({"question": "产假多少天?", "text": "98天", "citations": []}, liked=False)
    today = datetime.now(SHANGHAI).date()
    frames = stats_frames(usage, today - timedelta(days=6), today, SHANGHAI)
    asked = frames["asked"]
    assert len(asked) == 14 and set(asked["类别"]) == {"提问", "拒答"}  # a week, two series
    assert asked.query("类别 == '提问'")["次数"].tolist() == [0] * 6 + [2]
    assert frames["feedback"].query("反馈 == '点踩'")["次数"].sum() == 1
    assert list(frames["topics"]["问题"]) == ["公租房怎么申请?"]
    assert list(frames["cited"].itertuples(index=False, name=None)) == [("女职工劳动保护特别…", 1)]
    assert frames["rate"]["拒答率（%）"].max() == 50.0
    assert "提问 2 次，拒答 1 次（拒答率 50%），点赞 0 次，点踩 1 次" in summary_line(usage, today, today, SHANGHAI)
    assert parse_day("2025-01-31") == date(2025, 1, 31) and parse_day("31/01/2025") is None


def test_time_zone_setting():
    assert Settings.from_env({}).timezone == "Asia/Shanghai"
    assert Settings.from_env({"TZ": "Europe/Berlin"}).timezone == "Europe/Berlin"
    assert Settings.from_env({"TZ": ":UTC"}).timezone == "UTC"
    with pytest.raises(ValueError, match="TZ"):
        Settings.from_env({"TZ": "Mars/Olympus"})
