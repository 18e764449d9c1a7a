"""kill -9 in the middle of an ingest: the old version keeps serving and a re-run finishes the job."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.embedders import make_embedder
from index.live import LiveIndex
from index.store import open_index
from index.versions import current_version, list_versions
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]


def ingest(*args: str, root: Path, cache: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "ingest", *args, "--index", str(root), "--model", "use-onnx"]
    command += ["--cache-dir", str(cache), "--quiet"]
    return subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_kill_mid_ingest_then_resume(tmp_path, tiny_docs):
    root, cache = tmp_path / "index", tmp_path / "cache"
    assert ingest(str(tiny_docs), root=root, cache=cache).wait(timeout=120) == 0
    live_before, versions_before = current_version(root), list_versions(root)

    # Enough new text (every bundled law, three times over with a distinguishing line) to take a while.
    batch = tmp_path / "batch"
    batch.mkdir()
    for copy in range(3):
        for source in sorted(CORPUS.glob("*.md")):
            text = source.read_text("utf-8") + f"\n\n附：第 {copy} 份测试副本。\n"
            (batch / f"{source.stem}-副本{copy}.md").write_text(
                text.replace("第一条", f"第一条（副本{copy}）"), "utf-8"
            )
    files = sorted(str(p) for p in batch.glob("*.md"))
    shards = lambda: len(list(cache.rglob("shard-*.npz")))  # noqa: E731
    initial_shards = shards()

    process = ingest("add", *files, root=root, cache=cache)
    deadline = time.monotonic() + 120
    while shards() < initial_shards + 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed; give it more work"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert current_version(root) == live_before and list_versions(root) == versions_before
    embedder = make_embedder("use-onnx")
    serving = LiveIndex(root, embedder).retriever()
    assert serving.index.version == live_before and serving.invoke("哺乳时间")

    rerun = ingest("add", *files, root=root, cache=cache)
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output
    embedded = int(re.search(r"新向量化 (\d+) 段", output).group(1))
    total_new = len(open_index(root).chunks) - len(serving.index.chunks)
    assert 0 < embedded < total_new  # what was embedded before the kill was not embedded again
    assert current_version(root) != live_before
    assert not list((root / "versions").glob(".*.partial"))
