"""Questions keep being answered, from one whole version each, while admins change the index."""

from __future__ import annotations

import threading

from answer.service import AnswerService
from index.cache import EmbeddingCache
from index.library import Library
from index.live import LiveIndex
from index.store import open_index
from tests.conftest import CORPUS

QUESTIONS = ["劳动法规定每日工作时间不超过几小时?", "哺乳期女职工每天有多少哺乳时间?", "北京工会要修改哪些法规?"]


def test_atomic_swap_under_load(tiny_index, tmp_path, fake_embedder):
    library = Library(tiny_index, EmbeddingCache(tmp_path / "cache", fake_embedder))
    service = AnswerService(LiveIndex(tiny_index, fake_embedder))
    versions = [{c.chunk_id for c in open_index(tiny_index).chunks}]
    answers, errors = [], []
    stop = threading.Event()

    def ask_until_stopped():
        while not stop.is_set():
            for question in QUESTIONS:
                try:
                    answers.append(service.ask(question))
                except Exception as exc:  # any failure is a test failure
                    errors.append(exc)

    workers = [threading.Thread(target=ask_until_stopped) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(2):
            library.add([(CORPUS / "劳动法(2018-12-29).md", "劳动法(2018-12-29).md")])
            versions.append({c.chunk_id for c in open_index(tiny_index).chunks})
            library.remove("劳动法(2018-12-29).md")
            versions.append({c.chunk_id for c in open_index(tiny_index).chunks})
    finally:
        stop.set()
        for worker in workers:
            worker.join()

    assert errors == []
    assert len(answers) > 20
    for answer in answers:
        cited = {c.chunk_id for c in answer.citations}
        assert any(cited <= version for version in versions), answer.text  # never a mix of two versions
    cited_law = [a for a in answers if any("劳动法" in c.title for c in a.citations)]
    assert cited_law, "some answers must have come from a version holding 劳动法"
