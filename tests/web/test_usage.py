from __future__ import annotations

import csv
import io

from web.usage import UsageStore, similarity


def test_gap_report_groups_similar_refused_and_disliked_questions(tmp_path):
    usage = UsageStore(tmp_path / "usage.sqlite3")
    usage.log_question("公租房怎么申请?", refused=True)
    usage.log_question("怎么申请公租房?", refused=True)
    usage.log_question("哺乳时间有多久?", refused=False)  # answered: not a gap
    usage.log_question("个人所得税起征点是多少?", refused=True)
    usage.record_feedback({"question": "申请公租房要什么条件?", "text": "…", "citations": []}, liked=False)
    usage.record_feedback({"question": "产假多少天?", "text": "98天", "citations": []}, liked=True)

    gaps = usage.gaps()
    assert [g["count"] for g in gaps] == [3, 1]
    housing = gaps[0]
    assert housing["refused"] == 2 and housing["disliked"] == 1
    assert set(housing["examples"]) == {"公租房怎么申请?", "怎么申请公租房?", "申请公租房要什么条件?"}
    assert housing["last_asked"] >= gaps[1]["last_asked"] or housing["count"] > gaps[1]["count"]

    rows = list(csv.DictReader(io.StringIO(usage.gaps_csv())))
    assert rows[0]["count"] == "3" and "公租房" in rows[0]["examples"]
    assert usage.feedback()[-1]["rating"] == 1


def test_similarity_is_symmetric_and_bounded():
    assert similarity("怎么申请公租房", "公租房怎么申请") == similarity("公租房怎么申请", "怎么申请公租房")
    assert 0.0 <= similarity("产假", "工伤认定") < 0.1 and similarity("产假", "产假") == 1.0


def test_daily_statistics_count_in_the_admins_time_zone(tmp_path, monkeypatch):
    from datetime import date
    from zoneinfo import ZoneInfo

    import web.usage

    usage = UsageStore(tmp_path / "usage.sqlite3")
    stamps = iter(
        [
            "2025-03-01T03:00:00+00:00",  # 11:00 on 3月1日 in Shanghai
            "2025-03-01T17:30:00+00:00",  # 01:30 on 3月2日 in Shanghai, still 3月1日 in UTC
            "2025-03-01T18:00:00+00:00",
            "2025-03-02T02:00:00+00:00",
            "2025-03-02T03:00:00+00:00",
        ]
    )
    monkeypatch.setattr(web.usage, "_now", lambda: next(stamps))
    usage.log_question("产假多少天?", refused=False, cited=["女职工劳动保护特别规定"])
    usage.log_question("公租房怎么申请?", refused=True)
    usage.log_question("怎么申请公租房?", refused=True)
    usage.log_question("哺乳时间有多久?", refused=False, cited=["女职工劳动保护特别规定", "女职工劳动保护特别规定"])
    usage.record_feedback({"question": "产假多少天?", "text": "98天", "citations": []}, liked=True)

    shanghai = ZoneInfo("Asia/Shanghai")
    days = usage.daily(date(2025, 3, 1), date(2025, 3, 3), shanghai)
    assert [(d.day.day, d.questions, d.refused, d.liked) for d in days] == [(1, 1, 0, 0), (2, 3, 2, 1), (3, 0, 0, 0)]
    assert days[1].refusal_rate == 2 / 3
    utc = usage.daily(date(2025, 3, 1), date(2025, 3, 2), ZoneInfo("UTC"))
    assert [d.questions for d in utc] == [3, 1]
    topics = usage.refused_topics(date(2025, 3, 1), date(2025, 3, 2), shanghai)
    assert len(topics) == 1 and topics[0]["count"] == 2 and "公租房" in topics[0]["question"]
    assert usage.cited_documents(date(2025, 3, 1), date(2025, 3, 2), shanghai) == [("女职工劳动保护特别规定", 2)]
    assert usage.cited_documents(date(2025, 3, 3), date(2025, 3, 3), shanghai) == []
    rows = list(csv.DictReader(io.StringIO(usage.daily_csv(date(2025, 3, 1), date(2025, 3, 2), shanghai))))
    assert rows[1] == {
        "date": "2025-03-02",
        "questions": "3",
        "refused": "2",
        "refusal_rate": "0.667",
        "liked": "1",
        "disliked": "0",
    }


def test_a_store_from_before_the_cited_column_is_upgraded(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at TEXT, question TEXT, refused INTEGER)")
        db.execute("INSERT INTO questions (asked_at, question, refused) VALUES ('2025-03-01T03:00:00+00:00', 'q', 1)")
    usage = UsageStore(path)
    usage.log_question("工会经费?", refused=False, cited=["中华人民共和国工会法"])
    assert [g["question"] for g in usage.gaps()] == ["q"]


def test_times_are_shown_in_local_time():
    from zoneinfo import ZoneInfo

    from web.usage import local_time

    assert local_time("2025-03-01T17:30:00+00:00", ZoneInfo("Asia/Shanghai")) == "2025-03-02 01:30"
    assert local_time("2025-03-01T17:30:00", ZoneInfo("Asia/Shanghai")) == "2025-03-02 01:30"  # naive means UTC
    assert local_time("", ZoneInfo("Asia/Shanghai")) == ""
