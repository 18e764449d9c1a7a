from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from answer.service import AnswerService
from index.cache import EmbeddingCache
from index.library import Library, LibraryError
from index.live import LiveIndex
from index.store import open_index
from index.versions import current_version, list_versions
from ingest.loaders import MAX_FILE_BYTES
from tests.conftest import CORPUS
from tests.fakes import HashingEmbeddings

VERSIONS = Path(__file__).resolve().parents[1] / "fixtures" / "versions"


@pytest.fixture
def library(tiny_index, tmp_path, fake_embedder):
    return Library(tiny_index, EmbeddingCache(tmp_path / "cache", fake_embedder))


def titles(library):
    return {d["title"] for d in library.documents()}


def test_add_splits_and_embeds_only_the_new_document(library, fake_embedder):
    before = open_index(library.root)
    calls = fake_embedder.calls
    report = library.add([(CORPUS / "职工带薪年休假条例(2007-12-14).md", "职工带薪年休假条例(2007-12-14).md")])
    assert report.changed and report.added == ["职工带薪年休假条例"]
    after = open_index(library.root)
    new_chunks = [c for c in after.chunks if c.title == "职工带薪年休假条例"]
    assert report.embedded == fake_embedder.calls - calls == len(new_chunks)
    old = [c for c in after.chunks if c.title != "职工带薪年休假条例"]
    assert [c.to_dict() for c in old] == [c.to_dict() for c in before.chunks]  # untouched, not re-split
    assert before.version in list_versions(library.root)


def test_remove_and_rollback(library):
    first = current_version(library.root)
    report = library.remove("北京市集体合同条例")
    assert report.removed == ["北京市集体合同条例"] and report.embedded == 0
    assert "北京市集体合同条例" not in titles(library)
    assert all(c.title != "北京市集体合同条例" for c in open_index(library.root).chunks)
    library.rollback()
    assert current_version(library.root) == first and "北京市集体合同条例" in titles(library)


def test_replace_swaps_the_document(library, tmp_path):
    revised = tmp_path / "北京市集体合同条例(2025-01-01).md"
    text = (CORPUS / "北京市集体合同条例.md").read_text("utf-8").replace("第一条 为了", "第一条 为了进一步")
    revised.write_text(text, "utf-8")
    report = library.replace("北京市集体合同条例.md", (revised, revised.name))
    assert report.changed and report.removed == report.added == ["北京市集体合同条例"]
    docs = [d for d in library.documents() if d["title"] == "北京市集体合同条例"]
    assert len(docs) == 1 and docs[0]["source"] == revised.name and docs[0]["date"] == "2025-01-01"


def test_rebuild_keeps_everything_and_embeds_nothing(library):
    before = {c.chunk_id for c in open_index(library.root).chunks}
    report = library.rebuild()
    assert report.changed and report.embedded == 0
    assert {c.chunk_id for c in open_index(library.root).chunks} == before


def broken_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-really-docx")
    return buffer.getvalue()


BAD_INPUTS = {
    "empty.md": (b"", "为空"),
    "disguised.txt": (bytes(range(256)) * 40, "二进制"),
    "undecodable.txt": (b"\xff\xfe\xfa" * 10 + "正文".encode("utf-32-be") * 50, "无法"),
    "broken.docx": (broken_docx(), ".docx"),
    "broken.pdf": (b"%PDF-1.7\n%%EOF garbage", "PDF"),
    "../escape.md": ("# 标题\n\n第一条 正文。\n\n第二条 正文。".encode(), "不合法"),
    "bad\x07name.md": ("# 标题\n\n第一条 正文。".encode(), "不合法"),
    "工会法副本.md": ((CORPUS / "工会法(2021-12-24).md").read_bytes(), "内容相同"),
    "工会法(2021-12-24).md": ("# 工会法\n\n第一条 同名但内容不同。".encode(), "同名"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_each_bad_input_gets_a_clear_message_and_changes_nothing(library, tmp_path, name):
    content, reason = BAD_INPUTS[name]
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    live, versions = current_version(library.root), list_versions(library.root)
    report = library.add([(path, name)], actor="test")
    assert not report.changed and len(report.errors) == 1
    assert reason in report.errors[0].reason, report.errors[0].reason
    assert current_version(library.root) == live and list_versions(library.root) == versions
    entry = library.audit()[0]
    assert entry["who"] == "test" and entry["result"] == "unchanged" and reason in entry["errors"][0]


def test_oversized_upload_is_refused(library, tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as out:
        out.truncate(MAX_FILE_BYTES + 10)
    report = library.add([(path, "big.txt")])
    assert not report.changed and "过大" in report.errors[0].reason


def test_good_files_go_in_even_when_others_in_the_batch_are_bad(library, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    report = library.add([(empty, "empty.md"), (CORPUS / "劳动法(2018-12-29).md", "劳动法(2018-12-29).md")])
    assert report.changed and report.added == ["中华人民共和国劳动法"] and len(report.errors) == 1


def test_unknown_document_and_last_document_are_refused(library):
    with pytest.raises(LibraryError, match="没有找到"):
        library.remove("不存在的条例")
    for doc in library.documents()[:-1]:
        library.remove(doc["doc_id"])
    with pytest.raises(LibraryError, match="最后一个"):
        library.remove(library.documents()[0]["doc_id"])
    assert json.loads((library.root / "audit.jsonl").read_text("utf-8").splitlines()[-1])["result"].startswith("failed")


def test_two_versions_of_a_law_are_linked_and_the_newest_preferred(library, fake_embedder):
    files = [(p, p.name) for p in sorted(VERSIONS.glob("*.md"))]
    library.add(files)
    docs = {d["date"]: d for d in library.documents() if "行政复议法" in d["title"]}
    assert docs["2017-09-01"]["superseded_by"] == docs["2023-09-01"]["doc_id"]
    assert docs["2023-09-01"]["superseded_by"] == ""

    service = AnswerService(LiveIndex(library.root, fake_embedder))
    top = service.retriever.invoke("行政复议法的立法目的是什么?")[0]
    assert top.metadata["date"] == "2023-09-01"

    answer = service.ask("2017年行政复议法第一条规定了什么?")  # naming the year lifts the older version
    old = [c for c in answer.citations if c.date == "2017-09-01"]
    assert old and old[0].newer_version == "《中华人民共和国行政复议法》（2023-09-01）"
    assert "已有新版本" in answer.notice


def test_copying_an_index_elsewhere_keeps_it_usable(library, tmp_path, fake_embedder):
    copy = tmp_path / "copy"
    shutil.copytree(library.root, copy)
    assert open_index(copy, fake_embedder.name, fake_embedder.dimension).chunks


def test_live_index_picks_up_a_new_version_without_restart(library, fake_embedder):
    live = LiveIndex(library.root, fake_embedder)
    first = live.retriever().index.version
    library.add([(CORPUS / "劳动法(2018-12-29).md", "劳动法(2018-12-29).md")])
    assert live.retriever().index.version == current_version(library.root) != first


def test_a_broken_new_version_keeps_the_old_one_serving(library, fake_embedder):
    live = LiveIndex(library.root, fake_embedder)
    serving = live.retriever().index.version
    library.add([(CORPUS / "劳动法(2018-12-29).md", "劳动法(2018-12-29).md")])
    (open_index(library.root).folder / "chunks.jsonl").write_text("{broken", "utf-8")
    assert live.retriever().index.version == serving
    assert live.retriever().invoke("工会")


def test_fresh_cache_reuses_the_live_vectors(tiny_index, tmp_path):
    embedder = HashingEmbeddings()
    Library(tiny_index, EmbeddingCache(tmp_path / "empty-cache", embedder)).remove("北京市集体合同条例")
    assert embedder.calls == 0
