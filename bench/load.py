"""python -m bench.load — does one heavy client slow everyone? Printed numbers, not asserted.

Starts the app on a free loopback port over an existing index (read only; usage goes to a temporary
database), then in one run: 20 clients asking normal questions; the same 20 while 2 more send the
largest follow-ups the API accepts (a 500-character question with five 500-character earlier
questions); and how fast oversized input (a 200 KB body, a 600-character question) is refused.
Every loop is bounded in count; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from eval.metrics import load_questions, percentile
from settings import PROJECT_DIR, Settings

CLIENTS = 20
HEAVY_CLIENTS = 2


def start(index: Path, model: str, work: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "INDEX_DIR": str(index), "EMBED_MODEL": model, "PORT": str(port), "HOST": "127.0.0.1"}
    env.update(USAGE_DB=str(work / "usage.sqlite3"), EMBED_CACHE_DIR=str(work / "cache"), ADMIN_PASSWORD="")
    log = open(work / "app.log", "w")  # noqa: SIM115 - open for the app's life
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"app did not start: {(work / 'app.log').read_text()[-2000:]}")


def run_clients(base: str, questions: list[str], rounds: int, heavy: int) -> list[float]:
    """Latencies (ms) of the normal clients' questions, while `heavy` clients send maximum-size follow-ups."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = threading.Event()

    def normal(offset: int) -> None:
        with httpx.Client(timeout=120) as client:
            for i in range(rounds):
                question = questions[(offset + i) % len(questions)]
                started = time.perf_counter()
                client.post(f"{base}/api/ask", json={"question": question}).raise_for_status()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    def giant(offset: int) -> None:
        long = "用人单位拖欠工资怎么办" * 45  # 495 characters
        payload = {"question": long + f"{offset}?", "history": [long + str(k) for k in range(5)]}
        with httpx.Client(timeout=120) as client:
            for _ in range(rounds * 4):  # bounded; ends early once the normal clients are done
                if stop.is_set():
                    return
                client.post(f"{base}/api/ask", json=payload).raise_for_status()

    heavy_threads = [threading.Thread(target=giant, args=(k,)) for k in range(heavy)]
    normal_threads = [threading.Thread(target=normal, args=(k,)) for k in range(CLIENTS)]
    for thread in heavy_threads + normal_threads:
        thread.start()
    for thread in normal_threads:
        thread.join()
    stop.set()
    for thread in heavy_threads:
        thread.join()
    return latencies


def refusal_ms(base: str) -> tuple[float, float]:
    with httpx.Client(timeout=30) as client:
        started = time.perf_counter()
        body = client.post(f"{base}/api/ask", content=b'{"question": "' + b"x" * 200_000 + b'"}')
        big = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        long = client.post(f"{base}/api/ask", json={"question": "工" * 600})
        too_long = (time.perf_counter() - started) * 1000
    assert body.status_code == 413 and long.status_code == 400, (body.status_code, long.status_code)
    return big, too_long


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m bench.load", description="并发负载：大请求是否拖慢其他人")
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--questions", type=Path, default=PROJECT_DIR.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--rounds", type=int, default=5, help="每个普通客户端提问次数")
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions(args.questions)]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as work:
        process, base = start(args.index, args.model, Path(work))
        try:
            run_clients(base, questions, 1, 0)  # warm-up
            alone = run_clients(base, questions, args.rounds, 0)
            loaded = run_clients(base, questions, args.rounds, HEAVY_CLIENTS)
            big, too_long = refusal_ms(base)
        finally:
            process.terminate()
            process.wait(timeout=30)
    p95_alone, p95_loaded = percentile(alone, 0.95), percentile(loaded, 0.95)
    print(f"{CLIENTS} 个客户端，各问 {args.rounds} 次（索引 {args.index}，{args.model}）")
    print(f"  仅普通问题:            p50 {percentile(alone, 0.5):.0f} ms  p95 {p95_alone:.0f} ms")
    print(
        f"  另有 {HEAVY_CLIENTS} 个客户端发最大追问: p50 {percentile(loaded, 0.5):.0f} ms  p95 {p95_loaded:.0f} ms"
        f"（p95 为前者的 {p95_loaded / p95_alone:.2f} 倍）"
    )
    print(f"  超大请求体（200 KB）拒绝用时 {big:.0f} ms；超长问题（600 字）拒绝用时 {too_long:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
