"""The web layer's state on both backends: SQLite/memory by default, PostgreSQL shared by replicas."""

from __future__ import annotations

import csv
import io

import pytest

from settings import Settings
from web.auth import AdminAuth, hash_password
from web.backends import (
    PostgresLoginThrottle,
    PostgresUploadTokens,
    PostgresUsageStore,
    make_admin_auth,
    make_usage_store,
    web_database,
)
from web.usage import UsageStore


@pytest.fixture(params=["sqlite", "postgres"])
def usage(request, tmp_path) -> UsageStore:
    if request.param == "sqlite":
        return make_usage_store(Settings(usage_db=tmp_path / "usage.sqlite3"))
    store = make_usage_store(Settings(database_url=request.getfixturevalue("pg_url")))
    assert isinstance(store, PostgresUsageStore)
    return store


def test_gap_report_is_the_same_on_both_backends(usage):
    usage.log_question("公租房怎么申请?", refused=True)
    usage.log_question("怎么申请公租房?", refused=True)
    usage.log_question("哺乳时间有多久?", refused=False)
    usage.log_question("个人所得税起征点是多少?", refused=True)
    usage.record_feedback({"question": "申请公租房要什么条件?", "text": "…", "citations": []}, liked=False)
    usage.record_feedback(
        {"question": "产假多少天?", "text": "98天", "citations": [{"label": "《女职工》第七条", "chunk_id": "c1"}]},
        liked=True,
    )
    gaps = usage.gaps()
    assert [g["count"] for g in gaps] == [3, 1]
    assert gaps[0]["refused"] == 2 and gaps[0]["disliked"] == 1
    rows = list(csv.DictReader(io.StringIO(usage.gaps_csv())))
    assert rows[0]["count"] == "3" and "公租房" in rows[0]["examples"]
    liked = usage.feedback()[-1]
    assert liked["rating"] == 1 and "c1" in liked["citations"] and liked["question"] == "产假多少天?"


def test_replicas_share_usage_tokens_and_login_failures(pg_url):
    settings = Settings(database_url=pg_url, admin_password_hash=hash_password("s3cret", iterations=1000))
    one, other = make_admin_auth(settings), make_admin_auth(settings)  # two replicas' views
    assert isinstance(one.upload_tokens, PostgresUploadTokens) and isinstance(one.throttle, PostgresLoginThrottle)
    token = one.upload_tokens.issue()
    assert (
        other.upload_tokens.valid(token)
        and not other.upload_tokens.valid("forged")
        and not other.upload_tokens.valid(None)
    )
    for _ in range(one.throttle.free):  # guesses through one replica…
        assert not one.attempt("10.0.0.9", "guess").ok
    refused = other.attempt("10.0.0.9", "s3cret")  # …count on the other
    assert not refused.ok and refused.retry_after > 0
    assert other.attempt("10.0.0.10", "s3cret").ok
    usage_a, usage_b = make_usage_store(settings), make_usage_store(settings)
    usage_a.log_question("加班费怎么算?", refused=True)
    assert usage_b.gaps()[0]["question"] == "加班费怎么算?"


def test_throttle_arithmetic_on_postgres(pg_url):
    throttle = PostgresLoginThrottle(web_database(pg_url), free=3, lock_after=6, lock_seconds=600)
    for _ in range(3):
        assert throttle.retry_after("a", now=100.0) == 0
        throttle.failed("a", now=100.0)
    assert throttle.retry_after("a", now=100.0) == 1.0
    for _ in range(3):
        throttle.failed("a", now=101.0)
    assert throttle.retry_after("a", now=102.0) == 599.0
    throttle.failed("a", now=800.0)  # the lock ran out: counting starts over
    assert throttle.retry_after("a", now=800.0) == 0
    throttle.succeeded("a")
    assert throttle.retry_after("a", now=800.0) == 0


def test_without_a_database_the_defaults_stay_local(tmp_path):
    settings = Settings(usage_db=tmp_path / "u.sqlite3")
    assert type(make_usage_store(settings)) is UsageStore
    auth = make_admin_auth(settings)
    assert type(auth) is AdminAuth and type(auth.upload_tokens).__name__ == "UploadTokens"


def test_usage_statistics_are_the_same_on_both_backends(usage):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    usage.log_question("产假多少天?", refused=False, cited=["女职工劳动保护特别规定"])
    usage.log_question("哺乳时间有多久?", refused=False, cited=["女职工劳动保护特别规定", "中华人民共和国劳动法"])
    usage.log_question("公租房怎么申请?", refused=True)
    usage.record_feedback({"question": "产假多少天?", "text": "98天", "citations": []}, liked=False)
    today = datetime.now(UTC).date()
    (day,) = usage.daily(today, today, ZoneInfo("UTC"))
    assert (day.questions, day.refused, day.disliked) == (3, 1, 1)
    assert usage.cited_documents(today, today, ZoneInfo("UTC")) == [
        ("女职工劳动保护特别规定", 2),
        ("中华人民共和国劳动法", 1),
    ]
