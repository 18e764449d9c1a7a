"""👍/👎 on answers, kept in SQLite with the question, the answer and its citations."""

from __future__ import annotations

import json
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
)
"""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # Gradio calls handlers from worker threads
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, answer: dict, liked: bool) -> None:
        citations = [{"label": c["label"], "chunk_id": c["chunk_id"]} for c in answer.get("citations", [])]
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
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

    def all(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
