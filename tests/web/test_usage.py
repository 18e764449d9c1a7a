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
