"""python -m eval QUESTIONS.jsonl --index DIR [--k 5] [--json] — how often the evidence is retrieved."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from eval.metrics import hit_rank, load_questions, percentile
from settings import Settings


def evaluate(questions, retriever, k: int, service=None) -> dict:
    """Retrieval numbers; with an AnswerService, answer numbers too (keyword hits, refusals)."""
    depth = max(k, 5)
    retriever = retriever.model_copy(update={"k": depth})
    results, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        documents = retriever.invoke(question.question)
        latencies.append((time.perf_counter() - started) * 1000)
        passages = [(d.page_content, d.metadata["source"]) for d in documents]
        rank = hit_rank(question, passages) if question.answerable else None
        row = {
            "id": question.id,
            "question": question.question,
            "answerable": question.answerable,
            "hit_rank": rank,
            "relevance": documents[0].metadata["relevance"] if documents else 0.0,
            "top": [d.id for d in documents[:k]],
            "top_citations": [f"{d.metadata['source']} {d.metadata['article']}".strip() for d in documents[:k]],
        }
        if service is not None:
            answer = service.ask(question.question)
            row.update(
                answer=answer.text,
                refused=answer.refused,
                keyword_hit=any(keyword in answer.text for keyword in question.keywords),
                answer_ms=answer.timings.get("total_ms", 0.0),
            )
        results.append(row)
    ranks = [r["hit_rank"] for r in results if r["answerable"]]
    report = {
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
    if service is not None:
        answerable = [r for r in results if r["answerable"]]
        unanswerable = [r for r in results if not r["answerable"]]
        report.update(
            keyword_hits=sum(1 for r in answerable if r["keyword_hit"] and not r["refused"]),
            refused_unanswerable=sum(1 for r in unanswerable if r["refused"]),
            unanswerable=len(unanswerable),
            false_refusals=sum(1 for r in answerable if r["refused"]),
            answer_ms_p50=round(percentile([r["answer_ms"] for r in results], 0.5), 2),
        )
    return report


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
    if "keyword_hits" in report:
        print(
            f"回答: 关键词命中 {report['keyword_hits']}/{n}   不可回答已拒答 "
            f"{report['refused_unanswerable']}/{report['unanswerable']}   误拒 {report['false_refusals']}   "
            f"回答延迟 p50 {report['answer_ms_p50']:.1f} ms"
        )
        for row in report["results"]:
            if row["answerable"] and not (row["keyword_hit"] and not row["refused"]):
                print(f"  关键词未命中 {row['id']} {row['question']} → {row['answer'][:60]}")


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m eval", description="检索评测")
    parser.add_argument("questions", type=Path)
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.add_argument("--retrieval-only", action="store_true", help="只评检索，不生成回答")
    args = parser.parse_args(argv)

    from answer.service import build_service
    from index.store import IndexUnavailable

    try:
        questions = load_questions(args.questions)
        service = build_service(replace(settings, index_dir=args.index, embed_model=args.model))
    except (ValueError, OSError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    report = evaluate(questions, service.retriever, args.k, None if args.retrieval_only else service)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
