"""One contract, two stores: every test here runs on the folder store and on PostgreSQL + pgvector."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from answer.service import AnswerService
from index.builder import build_index
from index.cache import EmbeddingCache
from index.library import Library, LibraryError
from index.live import LiveIndex
from index.stores import FolderStore, IndexStore, open_cache, open_store
from index.stores.base import VectorCache
from index.versions import IndexUnavailable
from ingest.pipeline import ingest_paths
from tests.conftest import CORPUS, TINY_CORPUS
from tests.fakes import HashingEmbeddings

LAW = CORPUS / "劳动法(2018-12-29).md"
LEAVE = CORPUS / "职工带薪年休假条例(2007-12-14).md"


@dataclass
class Backend:
    kind: str
    store: IndexStore
    cache: Callable[[HashingEmbeddings], VectorCache]
    break_version: Callable[[str], None]  # damage a stored version the way its medium can be damaged
    drop_pointer: Callable[[], None]
    point_at: Callable[[str], None]  # move the pointer without the store's checks (as a bad restore could)


def _folder(tmp_path: Path) -> Backend:
    store = FolderStore(tmp_path / "index")

    def damage(version: str) -> None:
        (store.folder(version) / "chunks.jsonl").write_text("{broken", "utf-8")

    return Backend(
        "folder",
        store,
        lambda embedder: EmbeddingCache(tmp_path / "cache", embedder),
        damage,
        lambda: (store.root / "CURRENT").unlink(),
        lambda version: (store.root / "CURRENT").write_text(version, "utf-8"),
    )


def _postgres(url: str) -> Backend:
    import psycopg

    store = open_store(url)

    def damage(version: str) -> None:
        with psycopg.connect(url) as conn:
            conn.execute(
                "UPDATE version_files SET data = 'garbage' WHERE name = 'keyword/userdict.json'"
                " AND version_id = (SELECT id FROM index_versions WHERE name = %s)",
                (version,),
            )

    def drop_pointer() -> None:
        with psycopg.connect(url) as conn:
            conn.execute("DELETE FROM live_version")

    def point_at(version: str) -> None:
        with psycopg.connect(url) as conn:
            conn.execute(
                "UPDATE live_version SET version_id = (SELECT id FROM index_versions WHERE name = %s)", (version,)
            )
            conn.execute("SELECT pg_notify('index_live', %s)", (version,))

    return Backend("postgres", store, lambda embedder: open_cache(embedder, url), damage, drop_pointer, point_at)


@pytest.fixture(params=["folder", "postgres"])
def backend(request, tmp_path):
    made = _folder(tmp_path) if request.param == "folder" else _postgres(request.getfixturevalue("pg_url"))
    yield made
    made.store.close()


@pytest.fixture
def built(backend, fake_embedder):
    """The four tiny documents as the live version."""
    result = ingest_paths([CORPUS / name for name in TINY_CORPUS])
    build_index(backend.store, result.documents, result.chunks, backend.cache(fake_embedder))
    return backend


@pytest.fixture
def library(built, fake_embedder):
    return Library(built.store, built.cache(fake_embedder))


def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> float:
    """Seconds until `condition` held; fails the test if it never did."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "condition not met in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_round_trip_keeps_chunks_manifest_and_vectors(built, fake_embedder):
    store = built.store
    index = store.open(fake_embedder.name, fake_embedder.dimension)
    assert index.version == store.live_version() == store.versions()[-1]
    manifest = store.manifest(index.version)
    assert manifest.embedder == fake_embedder.name and manifest.dimension == 256 and manifest.created_at
    assert len(manifest.documents) == 4 and manifest.chunk_count == len(index.chunks) == index.dense.ntotal
    assert [c.to_dict() for c in store.chunks(index.version)] == [c.to_dict() for c in index.chunks]
    assert {d.title for d in store.documents(index.version)} >= {"中华人民共和国工会法", "北京市集体合同条例"}
    # the dense side finds a passage's own text first, and its vectors are the cache's
    row = next(i for i, c in enumerate(index.chunks) if "哺乳" in c.text)
    hits = index.dense_search(fake_embedder.embed_array([index.chunks[row].search_text])[0], 5)
    assert hits[0][0] == row and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    rows = np.array([row, 0, len(index.chunks) - 1])
    expected = fake_embedder.embed_array([index.chunks[r].search_text for r in rows])
    assert np.allclose(index.dense.reconstruct_batch(rows), expected, atol=1e-6)
    assert store.verify(index.version) == ""


def test_another_embedder_and_an_empty_store_are_refused_clearly(built, backend, tmp_path):
    with pytest.raises(IndexUnavailable, match="嵌入模型") as error:
        built.store.open("another/model", 128)
    assert "test/hashing-bigrams" in str(error.value) and "EMBED_MODEL" in str(error.value)
    empty = FolderStore(tmp_path / "nothing") if backend.kind == "folder" else None
    if empty is not None:
        with pytest.raises(IndexUnavailable, match="python -m ingest"):
            empty.open()


def test_empty_postgres_store_says_how_to_build(pg_url):
    store = open_store(pg_url)
    with pytest.raises(IndexUnavailable, match="python -m ingest"):
        store.open()
    assert store.versions() == [] and store.live_version() is None


def test_changes_write_new_versions_and_rollback_returns(library, fake_embedder):
    store = library.store
    first = store.live_version()
    calls = fake_embedder.calls
    added = library.add([(LEAVE, LEAVE.name)], actor="alice")
    assert added.changed and added.added == ["职工带薪年休假条例"] and added.embedded == fake_embedder.calls - calls > 0
    assert store.live_version() == added.version != first and first in store.versions()
    removed = library.remove("北京市集体合同条例", actor="bob")
    assert removed.embedded == 0 and "北京市集体合同条例" not in {d["title"] for d in library.documents()}
    assert all(c.title != "北京市集体合同条例" for c in store.chunks(store.live_version()))
    preview = library.preview("职工带薪年休假条例")
    assert preview and all(c.title == "职工带薪年休假条例" for c in preview)
    back = library.rollback(actor="carol")
    assert store.live_version() == added.version == back.version
    entries = library.audit()
    assert [(e["who"], e["action"], e["result"]) for e in entries[:3]] == [
        ("carol", "rollback", "ok"),
        ("bob", "remove", "ok"),
        ("alice", "add", "ok"),
    ]


def test_a_rejected_file_changes_nothing_and_is_audited(library, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    live, versions = library.store.live_version(), library.store.versions()
    report = library.add([(empty, "empty.md")], actor="test")
    assert not report.changed and "为空" in report.errors[0].reason
    assert (library.store.live_version(), library.store.versions()) == (live, versions)
    assert library.audit()[0]["result"] == "unchanged"
    with pytest.raises(LibraryError, match="没有找到"):
        library.remove("不存在的条例")
    assert library.audit()[0]["result"].startswith("failed")


def test_old_versions_are_pruned_but_the_live_one_is_kept(library):
    store = library.store
    first = store.live_version()
    for _ in range(3):
        library.rebuild()
    library.rollback()
    library.rollback()
    library.rollback()
    assert store.live_version() == first
    for _ in range(3):
        library.add([(LAW, LAW.name)])
        library.remove(LAW.name)
    names = store.versions()
    assert len(names) == 5 and store.live_version() in names  # five kept, however many were written
    assert store.manifest(store.live_version()).chunk_count == len(store.chunks(store.live_version()))


def test_a_broken_live_version_or_pointer_falls_back_to_the_newest_whole_one(library, built, fake_embedder):
    store = library.store
    first = store.live_version()
    second = library.rebuild().version
    built.break_version(second)
    assert store.verify(second) != ""
    version, warning = store.serving()
    assert version == first and second in warning
    index = store.open(fake_embedder.name, fake_embedder.dimension)
    assert index.version == first and index.warning == warning
    built.drop_pointer()
    version, warning = store.serving()
    assert version == first and warning


def test_rollback_skips_a_broken_version(library, built):
    store = library.store
    oldest = store.live_version()
    middle = library.rebuild().version
    library.rebuild()
    built.break_version(middle)
    report = library.rollback()
    assert report.version == oldest and any(middle in note for note in report.notes)
    built.break_version(oldest)
    with pytest.raises(LibraryError, match="完好"):
        library.rollback()
    assert library.audit()[0]["result"].startswith("failed")


def test_live_index_switches_and_questions_in_flight_keep_their_version(library, fake_embedder):
    live = LiveIndex(library.store, fake_embedder)
    try:
        before = live.retriever()
        report = library.add([(LAW, LAW.name)])
        waited = wait_until(lambda: live.retriever().index.version == report.version)
        assert waited < 2.0
        after = live.retriever()
        assert any(c.title == "中华人民共和国劳动法" for c in after.index.chunks)
        # the retriever an answer started with still answers from its own version, whole
        old = before.invoke("哺乳期女职工每天有多少哺乳时间?")
        assert old and {d.id for d in old} <= {c.chunk_id for c in before.index.chunks}
    finally:
        live.close()


def test_a_broken_new_version_keeps_the_old_one_serving(library, built, fake_embedder):
    live = LiveIndex(library.store, fake_embedder)
    try:
        serving = live.retriever().index.version
        broken = library.add([(LAW, LAW.name)]).version
        library.rollback()
        wait_until(lambda: live.retriever().index.version == serving)
        built.break_version(broken)
        built.point_at(broken)
        time.sleep(1.5)  # long enough for a pushing store to have noticed the new pointer
        assert live.retriever().index.version == serving and live.retriever().invoke("工会")
        assert broken in live.problem
    finally:
        live.close()


def test_concurrent_admins_lose_no_change(library, built, fake_embedder):
    other = Library(built.store, built.cache(HashingEmbeddings()))
    errors: list[Exception] = []

    def add(lib: Library, path: Path) -> None:
        try:
            lib.add([(path, path.name)])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(lib, path)) for lib, path in ((library, LAW), (other, LEAVE))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    titles = {d["title"] for d in library.documents()}
    assert {"中华人民共和国劳动法", "职工带薪年休假条例"} <= titles  # the second writer saw the first's version


QUESTIONS = ["劳动法规定每日工作时间不超过几小时?", "哺乳期女职工每天有多少哺乳时间?", "北京工会要修改哪些法规?"]


def test_answers_under_changes_each_come_from_one_version(library, fake_embedder):
    store = library.store
    service = AnswerService(LiveIndex(store, fake_embedder))
    chunk_ids = {store.live_version(): {c.chunk_id for c in store.chunks(store.live_version())}}
    answers, errors = [], []
    stop = threading.Event()

    def ask_until_stopped() -> None:
        while not stop.is_set():
            for question in QUESTIONS:
                try:
                    answers.append(service.ask(question))
                except Exception as exc:
                    errors.append(exc)

    workers = [threading.Thread(target=ask_until_stopped) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(2):
            for change in (lambda: library.add([(LAW, LAW.name)]), lambda: library.remove(LAW.name)):
                version = change().version
                chunk_ids[version] = {c.chunk_id for c in store.chunks(version)}
                time.sleep(0.3)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        service._source.close()  # type: ignore[union-attr]
    assert errors == [] and len(answers) > 20
    for answer in answers:
        assert {c.chunk_id for c in answer.citations} <= chunk_ids[answer.index_version], answer.text
    assert len({a.index_version for a in answers}) > 1, "answers should span more than one version"


def test_the_cache_keeps_what_was_embedded_for_the_next_run(backend, fake_embedder):
    texts = ["第一条 甲", "第二条 乙", "第三条 丙"]
    first = backend.cache(fake_embedder)
    assert first.ensure(texts[:2]) == 2
    again = backend.cache(fake_embedder)  # a new process, say, after a kill
    vectors, embedded = again.embed(texts)
    assert embedded == 1 and np.allclose(vectors, fake_embedder.embed_array(texts), atol=1e-6)
    again.prime(["第四条 丁"], fake_embedder.embed_array(["第四条 丁"]))
    calls = fake_embedder.calls
    assert backend.cache(fake_embedder).ensure(["第四条 丁"]) == 0 and fake_embedder.calls == calls


def test_a_fresh_cache_reuses_the_live_vectors(built, tmp_path):
    embedder = HashingEmbeddings()
    cache = EmbeddingCache(tmp_path / "empty-cache", embedder)
    Library(built.store, cache).remove("北京市集体合同条例")
    assert embedder.calls == 0


def test_the_cache_reports_each_embedded_batch(backend, fake_embedder):
    """What the first start's progress bar shows: done/total after each batch, on either store."""
    texts = [f"第{n}条 内容{n}" for n in range(1, 8)]
    seen: list[tuple[int, int]] = []
    cache = backend.cache(fake_embedder)
    cache.batch_size = 3
    assert cache.ensure(texts, on_batch=lambda done, total: seen.append((done, total))) == 7
    assert seen == [(0, 7), (3, 7), (6, 7), (7, 7)]
