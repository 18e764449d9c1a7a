"""python -m eval QUESTIONS.jsonl --index DIR [--k 5] [--json] — how often the evidence is retrieved."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.metrics import hit_rank, load_questions, percentile
from settings import Settings


def evaluate(questions, retriever, k: int) -> dict:
    depth = max(k, 5)
    retriever = retriever.model_copy(update={"k": depth})
    results, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        documents = retriever.invoke(question.question)
        latencies.append((time.perf_counter() - started) * 1000)
        passages = [(d.page_content, d.metadata["source"]) for d in documents]
        rank = hit_rank(question, passages) if question.answerable else None
        results.append(
            {
                "id": question.id,
                "question": question.question,
                "answerable": question.answerable,
                "hit_rank": rank,
                "relevance": documents[0].metadata["relevance"] if documents else 0.0,
                "top": [d.id for d in documents[:k]],
                "top_citations": [f"{d.metadata['source']} {d.metadata['article']}".strip() for d in documents[:k]],
            }
        )
    ranks = [r["hit_rank"] for r in results if r["answerable"]]
    return {
        "answerable": len(ranks),
        "k": k,
        "hits_at_1": sum(1 for r in ranks if r == 1),
        "hits_at_5": sum(1 for r in ranks if r and r <= 5),
        "hits_at_k": sum(1 for r in ranks if r and r <= k),
        "mrr": round(sum(1 / r for r in ranks if r and r <= k) / max(len(ranks), 1), 4),
        "latency_ms_p50": round(percentile(latencies, 0.5), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "results": results,
    }


def print_report(report: dict) -> None:
    n, k = report["answerable"], report["k"]
    line = f"hits@1 {report['hits_at_1']}/{n}   hits@5 {report['hits_at_5']}/{n}"
    if k != 5:
        line += f"   hits@{k} {report['hits_at_k']}/{n}"
    print(f"{line}   MRR@{k} {report['mrr']:.3f}")
    print(f"检索延迟 p50 {report['latency_ms_p50']:.1f} ms   p95 {report['latency_ms_p95']:.1f} ms")
    for row in report["results"]:
        if row["answerable"] and (row["hit_rank"] is None or row["hit_rank"] > k):
            first = row["top_citations"][0] if row["top_citations"] else "（无结果）"
            print(f"  未命中 {row['id']} {row['question']}  → 排第一的是 {first}")
    answerable = [r["relevance"] for r in report["results"] if r["answerable"]]
    if answerable:
        print(f"相关度 可回答: 最低 {min(answerable):.3f}  中位 {percentile(answerable, 0.5):.3f}")
    for row in report["results"]:
        if not row["answerable"]:
            print(f"  不可回答 {row['id']} {row['question']}  相关度 {row['relevance']:.3f}")


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m eval", description="检索评测")
    parser.add_argument("questions", type=Path)
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    args = parser.parse_args(argv)

    from index.retriever import open_retriever
    from index.store import IndexUnavailable

    try:
        questions = load_questions(args.questions)
        retriever = open_retriever(args.index, args.model)
    except (ValueError, OSError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    report = evaluate(questions, retriever, args.k)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
