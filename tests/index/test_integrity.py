"""Versions carry checksums and are verified; a full disk leaves no mess; the CLI explains instead of tracing back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from index.library import Library, LibraryError
from index.store import open_index
from index.versions import IndexUnavailable, current_version, list_versions, serving_folder, verify
from tests.conftest import CORPUS

PROJECT = Path(__file__).resolve().parents[2]


def cli(*args: str, index: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args, "--index", str(index), "--cache-dir", str(cache), "--quiet"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"EMBED_MODEL": "use-onnx", "PATH": "/usr/bin:/bin"},
    )


def test_a_version_is_checksummed_and_a_truncated_one_is_found_out(tiny_index):
    folder = open_index(tiny_index).folder
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert {"chunks.jsonl", "documents.jsonl", "dense.faiss"} <= set(manifest["checksums"])
    assert verify(folder) == ""
    with open(folder / "chunks.jsonl", "r+b") as chunks:
        chunks.truncate(100)
    assert "校验和不符" in verify(folder)


def test_a_broken_or_missing_pointer_falls_back_to_the_newest_whole_version(tiny_index, fake_embedder):
    from index.cache import EmbeddingCache

    library = Library(tiny_index, EmbeddingCache(tiny_index.parent / "cache", fake_embedder))
    first = current_version(tiny_index)
    second = library.rebuild().version
    (tiny_index / "CURRENT").write_text("garbage\n", "utf-8")
    folder, warning = serving_folder(tiny_index)
    assert folder.name == second and "CURRENT" in warning
    (tiny_index / "CURRENT").write_text(second, "utf-8")
    (tiny_index / "versions" / second / "dense.faiss").write_bytes(b"broken")
    folder, warning = serving_folder(tiny_index)
    assert folder.name == first and second in warning and "dense.faiss" in warning
    assert open_index(tiny_index).warning == warning
    (tiny_index / "CURRENT").unlink()
    assert serving_folder(tiny_index)[0].name == first


def test_rollback_skips_a_broken_version(tiny_index, fake_embedder):
    from index.cache import EmbeddingCache

    library = Library(tiny_index, EmbeddingCache(tiny_index.parent / "cache", fake_embedder))
    oldest = current_version(tiny_index)
    middle = library.rebuild().version
    library.rebuild()
    (tiny_index / "versions" / middle / "chunks.jsonl").write_text("{", "utf-8")
    report = library.rollback()
    assert report.version == oldest and any(middle in note for note in report.notes)
    (tiny_index / "versions" / oldest / "documents.jsonl").write_text("", "utf-8")
    with pytest.raises(LibraryError, match="完好"):
        library.rollback()
    audit = (tiny_index / "audit.jsonl").read_text("utf-8").splitlines()
    assert json.loads(audit[-1])["result"].startswith("failed")


def test_cli_list_and_rollback_explain_instead_of_tracing_back(tmp_path, tiny_docs):
    index, cache = tmp_path / "index", tmp_path / "cache"
    assert cli(str(tiny_docs), index=index, cache=cache).returncode == 0
    (index / "CURRENT").write_text("v-does-not-exist\n", "utf-8")
    listing = cli("list", index=index, cache=cache)
    assert listing.returncode == 0 and "CURRENT" in listing.stderr and "《" not in listing.stderr
    assert "工会法" in listing.stdout and "Traceback" not in listing.stderr
    rollback = cli("rollback", index=index, cache=cache)
    assert rollback.returncode == 1 and "错误：" in rollback.stderr and "Traceback" not in rollback.stderr


def test_remove_needs_a_real_id_prefix_name_or_title(tmp_path, tiny_docs):
    index, cache = tmp_path / "index", tmp_path / "cache"
    assert cli(str(tiny_docs), index=index, cache=cache).returncode == 0
    short = cli("remove", "f", index=index, cache=cache)
    assert short.returncode == 1 and "至少要 8 位" in short.stderr
    assert cli("remove", "女职工劳动保护特别规定", index=index, cache=cache).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs: a real full disk (skipped where mounting is not allowed)."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_refuses_cleanly_audits_and_leaves_no_staging(tmp_path, tiny_docs, small_disk):
    built, cache = tmp_path / "built", tmp_path / "cache"
    assert cli(str(tiny_docs), index=built, cache=cache).returncode == 0
    index = small_disk / "index"
    shutil.copytree(built, index)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(free - 64 * 1024, 0))  # leave room for an audit line, not for a version
    before = current_version(index), list_versions(index)
    result = cli("add", str(CORPUS / "劳动法(2018-12-29).md"), index=index, cache=cache)
    assert result.returncode == 1 and "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr
    assert (current_version(index), list_versions(index)) == before
    assert not list((index / "versions").glob(".*.partial"))
    audit = json.loads((index / "audit.jsonl").read_text("utf-8").splitlines()[-1])
    assert audit["action"] == "add" and "磁盘空间不足" in audit["result"]


def test_a_write_that_fails_midway_leaves_no_staging(tiny_index, fake_embedder, monkeypatch):
    import errno

    import faiss

    from index.cache import EmbeddingCache

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    library = Library(tiny_index, EmbeddingCache(tiny_index.parent / "cache", fake_embedder))
    live = current_version(tiny_index)
    monkeypatch.setattr(faiss, "write_index", no_space)
    with pytest.raises(IndexUnavailable, match="磁盘空间不足"):
        library.rebuild()
    assert current_version(tiny_index) == live
    assert not list((tiny_index / "versions").glob(".*.partial"))
