"""What users asked and what they thought of it, in SQLite — and the gap report built from it."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

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
GAP_COLUMNS = ["question", "count", "refused", "disliked", "last_asked", "examples"]


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

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def log_question(self, question: str, refused: bool) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO questions (asked_at, question, refused) VALUES (?,?,?)", (_now(), question, int(refused))
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

    def gaps_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=GAP_COLUMNS)
        writer.writeheader()
        for group in self.gaps():
            writer.writerow({**group, "examples": " | ".join(group["examples"])})
        return out.getvalue()
