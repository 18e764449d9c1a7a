"""How far an index build has got: documents read, passages embedded, an estimate of the time left.

The first start builds the index in a background thread while the app already serves; the page,
/api/health and questions asked meanwhile read a `BuildStatus` snapshot from here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass

READING, EMBEDDING, WRITING, DONE, FAILED = "reading", "embedding", "writing", "done", "failed"
STAGE_WORDS = {
    READING: "正在读取文档",
    EMBEDDING: "正在向量化段落",
    WRITING: "正在写入索引",
    DONE: "索引已建立",
    FAILED: "建立索引失败",
}
WRITING_SECONDS = 3.0  # keyword index and files after the last batch: a few seconds on 2 cores


@dataclass(frozen=True)
class BuildStatus:
    stage: str
    documents_done: int
    documents_total: int
    passages_done: int
    passages_total: int
    elapsed_s: float
    eta_s: float | None  # None until the first batch tells how fast embedding goes
    error: str = ""

    @property
    def building(self) -> bool:
        return self.stage not in (DONE, FAILED)

    def describe(self) -> str:
        """One line for people: 正在向量化段落：已读取 25/25 件文档，已向量化 320/1354 段，约 60 秒."""
        if self.stage == FAILED:
            return f"{STAGE_WORDS[FAILED]}：{self.error}"
        parts = [f"已读取 {self.documents_done}/{self.documents_total or '?'} 件文档"]
        if self.passages_total:
            parts.append(f"已向量化 {self.passages_done}/{self.passages_total} 段")
        line = f"{STAGE_WORDS[self.stage]}：" + "，".join(parts)
        return line + (f"，约 {self.eta_text()}" if self.building and self.eta_s is not None else "")

    def wait_text(self) -> str:
        """正在建立索引，约 40 秒 — what someone who asks a question meanwhile is told (or why it failed)."""
        if self.stage == FAILED:
            return f"建立索引失败，暂时无法回答：{self.error}。请联系管理员。"
        return "正在建立索引，" + (f"约 {self.eta_text()}" if self.eta_s is not None else "请稍候")

    def retry_headers(self) -> dict[str, str]:
        """Retry-After for a 503 while building; none once the build has failed (asking again won't help)."""
        if not self.building:
            return {}
        return {"Retry-After": str(max(1, round(self.eta_s if self.eta_s is not None else 30)))}

    def eta_text(self) -> str:
        seconds = max(1, round(self.eta_s or 0))
        return f"{seconds} 秒" if seconds < 120 else f"{round(seconds / 60)} 分钟"

    def to_dict(self) -> dict:
        return {**asdict(self), "elapsed_s": round(self.elapsed_s, 1), "message": self.describe()} | (
            {"eta_s": round(self.eta_s, 1)} if self.eta_s is not None else {}
        )


class BuildProgress:
    """Written by the building thread, read by request handlers; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._embedding_started: float | None = None
        self._last_batch = 0.0
        self._stage = READING
        self._documents = (0, 0)
        self._passages = (0, 0)
        self._error = ""

    def documents_read(self, done: int, total: int) -> None:
        with self._lock:
            self._stage, self._documents = READING, (done, total)

    def passages_embedded(self, done: int, total: int) -> None:
        with self._lock:
            now = time.monotonic()
            if self._embedding_started is None:
                self._embedding_started = now
            self._last_batch = now
            self._stage = EMBEDDING if done < total else WRITING
            self._passages = (done, total)

    def finished(self, error: str = "") -> None:
        with self._lock:
            self._stage, self._error = (FAILED, error) if error else (DONE, "")

    def status(self) -> BuildStatus:
        with self._lock:
            now = time.monotonic()
            (done, total), eta = self._passages, None
            if self._stage == WRITING:
                eta = WRITING_SECONDS
            elif self._stage == EMBEDDING and done and self._embedding_started is not None:
                # the pace so far, counted down since the last batch (so the estimate falls between batches)
                per_passage = (self._last_batch - self._embedding_started) / done
                eta = max(1.0, per_passage * (total - done) - (now - self._last_batch)) + WRITING_SECONDS
            return BuildStatus(self._stage, *self._documents, done, total, now - self._started, eta, error=self._error)
