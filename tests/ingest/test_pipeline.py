from __future__ import annotations

import shutil

from ingest.pipeline import ingest_paths


def test_a_bad_file_is_reported_and_the_rest_is_ingested(tmp_path, tiny_docs):
    (tiny_docs / "empty.md").write_bytes(b"")
    (tiny_docs / "broken.docx").write_bytes(b"not a docx")
    result = ingest_paths([tiny_docs])
    assert len(result.documents) == 4
    reasons = {e.source: e.reason for e in result.errors}
    assert set(reasons) == {"empty.md", "broken.docx"}
    assert "为空" in reasons["empty.md"]


def test_identical_content_is_ingested_once(tmp_path, tiny_docs):
    shutil.copy(tiny_docs / "北京市集体合同条例.md", tiny_docs / "副本.md")
    result = ingest_paths([tiny_docs])
    assert len(result.documents) == 4
    assert len(result.errors) == 1
    assert {result.errors[0].source, result.errors[0].reason.split(" ")[1]} == {"副本.md", "北京市集体合同条例.md"}
    assert "内容完全相同" in result.errors[0].reason


def test_sources_are_relative_to_the_folder_given(tmp_path, corpus_file):
    folder = tmp_path / "docs" / "案例"
    folder.mkdir(parents=True)
    shutil.copy(corpus_file("案例/加班费的仲裁时效应当如何认定.md"), folder)
    result = ingest_paths([tmp_path / "docs", tmp_path / "missing.md"])
    assert [d.source for d in result.documents] == ["案例/加班费的仲裁时效应当如何认定.md"]
    assert result.documents[0].kind == "案例"
    assert [e.reason for e in result.errors] == ["文件不存在"]
    assert all(c.doc_id == result.documents[0].doc_id for c in result.chunks)
