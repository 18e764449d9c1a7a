"""What users asked and what they thought of it, in SQLite — and the gap report and usage
statistics built from it. Times are stored in UTC; days are counted in the admins' time zone."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL,          -- 1 for 👍, -1 for 👎
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL           -- JSON list of the citation labels and chunk ids
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    refused INTEGER NOT NULL
);
"""
# Added after the first release: stores made before it gain the column on open.
CITED_COLUMN = "ALTER TABLE questions ADD COLUMN cited TEXT NOT NULL DEFAULT '[]'"  # JSON list of document titles
GAP_COLUMNS = ["question", "count", "refused", "disliked", "last_asked", "examples"]
DAILY_COLUMNS = ["date", "questions", "refused", "refusal_rate", "liked", "disliked"]


@dataclass(frozen=True)
class DayCount:
    day: date
    questions: int
    refused: int
    liked: int
    disliked: int

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.questions if self.questions else 0.0


def local_day(stamp: str, zone: ZoneInfo) -> date:
    """The admins' calendar day of a stored UTC time."""
    return datetime.fromisoformat(stamp).astimezone(zone).date()


def local_time(stamp: str, zone: ZoneInfo) -> str:
    """2025-03-01T02:05:00+00:00 → 2025-03-01 10:05 in Asia/Shanghai; '' stays ''."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_QUESTION_WORDS = re.compile(
    r"请问|怎么样|怎么办|怎么|怎样|如何|什么|多少|哪些|哪里|能不能|可不可以|是否|可以|吗|呢|啊|[^\w]"
)


def _bigrams(text: str) -> set[str]:
    core = _QUESTION_WORDS.sub("", text)
    return {core[i : i + 2] for i in range(len(core) - 1)} or {core}


def similarity(a: str, b: str) -> float:
    """Share of the shorter question's character bigrams (question words aside) found in the other."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


class UsageStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # handlers run on worker threads
        with self._connect() as db:
            db.executescript(SCHEMA)
            if "cited" not in {row["name"] for row in db.execute("PRAGMA table_info(questions)")}:
                db.execute(CITED_COLUMN)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def log_question(self, question: str, refused: bool, cited: list[str] | tuple[str, ...] = ()) -> None:
        """`cited`: titles of the documents the answer quoted (for the most-cited statistics)."""
        titles = json.dumps(list(dict.fromkeys(cited)), ensure_ascii=False)
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO questions (asked_at, question, refused, cited) VALUES (?,?,?,?)",
                (_now(), question, int(refused), titles),
            )

    def record_feedback(self, answer: dict, liked: bool) -> None:
        citations = [{"label": c["label"], "chunk_id": c["chunk_id"]} for c in answer.get("citations", [])]
        row = (
            _now(),
            1 if liked else -1,
            answer["question"],
            answer["text"],
            int(bool(answer.get("refused"))),
            json.dumps(citations, ensure_ascii=False),
        )
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, refused, citations) VALUES (?,?,?,?,?,?)",
                row,
            )

    def feedback(self) -> list[dict]:
        with self._connect() as db:
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

    def gaps(self, threshold: float = 0.5) -> list[dict]:
        """Refused and 👎 questions grouped by similarity (character bigrams), most frequent first."""
        with self._connect() as db:
            events = [
                (r["question"], r["at"], "refused")
                for r in db.execute("SELECT question, asked_at AS at FROM questions WHERE refused = 1")
            ] + [
                (r["question"], r["at"], "disliked")
                for r in db.execute("SELECT question, created_at AS at FROM feedback WHERE rating < 0")
            ]
        return _group(events, threshold)

    # -- statistics over a date range, in the admins' time zone --------------------------------------
    def _between(self, table: str, column: str, first: date, last: date, zone: ZoneInfo) -> list[sqlite3.Row]:
        """Rows whose local day is within [first, last] (a day's margin in SQL, the exact cut in Python)."""
        low = (datetime.combine(first, datetime.min.time()) - timedelta(days=1)).isoformat()
        high = (datetime.combine(last, datetime.min.time()) + timedelta(days=2)).isoformat()
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM {table} WHERE {column} >= ? AND {column} < ?", (low, high)).fetchall()
        return [r for r in rows if first <= local_day(r[column], zone) <= last]

    def daily(self, first: date, last: date, zone: ZoneInfo) -> list[DayCount]:
        """One row per day from `first` to `last`, days without questions included (as zeros)."""
        questions = self._between("questions", "asked_at", first, last, zone)
        feedback = self._between("feedback", "created_at", first, last, zone)
        asked = Counter(local_day(r["asked_at"], zone) for r in questions)
        refused = Counter(local_day(r["asked_at"], zone) for r in questions if r["refused"])
        liked = Counter(local_day(r["created_at"], zone) for r in feedback if r["rating"] > 0)
        disliked = Counter(local_day(r["created_at"], zone) for r in feedback if r["rating"] < 0)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        return [DayCount(d, asked[d], refused[d], liked[d], disliked[d]) for d in days]

    def refused_topics(self, first: date, last: date, zone: ZoneInfo, limit: int = 10) -> list[dict]:
        """Refused questions of the range grouped by similarity: the topics the documents lack."""
        rows = self._between("questions", "asked_at", first, last, zone)
        events = [(r["question"], r["asked_at"], "refused") for r in rows if r["refused"]]
        return _group(events)[:limit]

    def cited_documents(self, first: date, last: date, zone: ZoneInfo, limit: int = 10) -> list[tuple[str, int]]:
        """(title, answers that quoted it), most cited first."""
        rows = self._between("questions", "asked_at", first, last, zone)
        counts = Counter(title for r in rows for title in json.loads(r["cited"] or "[]"))
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def daily_csv(self, first: date, last: date, zone: ZoneInfo) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(DAILY_COLUMNS)
        for day in self.daily(first, last, zone):
            row = [day.day.isoformat(), day.questions, day.refused, f"{day.refusal_rate:.3f}", day.liked]
            writer.writerow([*row, day.disliked])
        return out.getvalue()

    def gaps_csv(self) -> str:
        return gaps_csv(self.gaps())


def gaps_csv(groups: list[dict]) -> str:
    """The gap report (UsageStore.gaps) as CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GAP_COLUMNS)
    writer.writeheader()
    for group in groups:
        writer.writerow({**group, "examples": " | ".join(group["examples"])})
    return out.getvalue()


def _group(events: list[tuple[str, str, str]], threshold: float = 0.5) -> list[dict]:
    """(question, at, reason) events grouped by similarity (single link), most frequent first."""
    groups: list[dict] = []
    members: list[set[str]] = []  # every question seen in each group (single-link grouping)
    for question, at, reason in sorted(events, key=lambda e: e[1]):
        found = [i for i, seen in enumerate(members) if any(similarity(question, q) >= threshold for q in seen)]
        if found:
            group = groups[found[0]]
        else:
            group = {"question": question, "count": 0, "refused": 0, "disliked": 0, "last_asked": at}
            group["examples"] = []
            groups.append(group)
            members.append(set())
        members[groups.index(group)].add(question)
        group["count"] += 1
        group[reason] += 1
        group["last_asked"] = max(group["last_asked"], at)
        if question not in group["examples"] and len(group["examples"]) < 5:
            group["examples"].append(question)
    return sorted(groups, key=lambda g: (g["count"], g["last_asked"]), reverse=True)
