"""python -m eval QUESTIONS.jsonl --index DIR [--k 5] [--json] [--folds N [--by-law]] — retrieval and answer quality."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from eval.metrics import Question, hit_rank, keyword_hit, load_questions, percentile, recall_at, relevant_in
from eval.overlap import bleu, meteor
from settings import Settings


def evaluate(questions: list[Question], retriever, k: int, service=None) -> dict:
    """Retrieval numbers; with an AnswerService, answer numbers too (keywords, citations, overlap, refusals)."""
    return summarise(evaluate_rows(questions, retriever, k, service), k)


def evaluate_rows(questions, retriever, k: int, service=None) -> list[dict]:
    depth = max(k, 5)
    retriever = retriever.model_copy(update={"k": depth})
    results = []
    for question in questions:
        started = time.perf_counter()
        documents = retriever.invoke(question.question)
        latency = (time.perf_counter() - started) * 1000
        passages = [(d.page_content, d.metadata["source"]) for d in documents]
        row = {
            "id": question.id,
            "question": question.question,
            "answerable": question.answerable,
            "hit_rank": hit_rank(question, passages) if question.answerable else None,
            "recall_at_k": recall_at(question, passages[:k]) if question.answerable else None,
            "recall_at_5": recall_at(question, passages[:5]) if question.answerable else None,
            "relevance": documents[0].metadata["relevance"] if documents else 0.0,
            "top": [d.id for d in documents[:k]],
            "top_citations": [f"{d.metadata['source']} {d.metadata['article']}".strip() for d in documents[:k]],
            "retrieve_ms": latency,
        }
        if service is not None:
            row.update(answer_row(question, service.ask(question.question)))
        results.append(row)
    return results


def answer_row(question: Question, answer) -> dict:
    row = {
        "answer": answer.text,
        "refused": answer.refused,
        "answer_ms": answer.timings.get("total_ms", 0.0),
        "citations": [c.label for c in answer.citations],
    }
    if question.keywords:
        row["keyword_hit"] = keyword_hit(question.keywords, answer.text)
    if question.relevant and not answer.refused:
        row["cites_relevant"] = any(relevant_in(question, c.text, c.source) for c in answer.citations)
    if question.reference:
        hypothesis = "" if answer.refused else answer.text
        row.update(meteor=meteor(question.reference, hypothesis), bleu=bleu(question.reference, hypothesis))
    return row


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def summarise(results: list[dict], k: int) -> dict:
    latencies = [r["retrieve_ms"] for r in results]
    answerable = [r for r in results if r["answerable"]]
    ranks = [r["hit_rank"] for r in answerable]
    report = {
        "questions": len(results),
        "answerable": len(answerable),
        "k": k,
        "hits_at_1": sum(1 for r in ranks if r == 1),
        "hits_at_5": sum(1 for r in ranks if r and r <= 5),
        "hits_at_k": sum(1 for r in ranks if r and r <= k),
        "recall_at_5": _mean([r["recall_at_5"] for r in answerable]),
        "recall_at_k": _mean([r["recall_at_k"] for r in answerable]),
        "mrr": round(sum(1 / r for r in ranks if r and r <= k) / max(len(ranks), 1), 4),
        "latency_ms_p50": round(percentile(latencies, 0.5), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "results": results,
    }
    if results and "refused" in results[0]:
        unanswerable = [r for r in results if not r["answerable"]]
        answered = [r for r in answerable if not r["refused"]]
        cited = [r["cites_relevant"] for r in answered if "cites_relevant" in r]
        report.update(
            keyword_rows=sum(1 for r in answerable if "keyword_hit" in r),
            keyword_hits=sum(1 for r in answerable if r.get("keyword_hit") and not r["refused"]),
            refused_unanswerable=sum(1 for r in unanswerable if r["refused"]),
            unanswerable=len(unanswerable),
            false_refusals=len(answerable) - len(answered),
            answered=len(answered),
            answer_cites_relevant=sum(cited),
            answer_cites_relevant_share=_mean([float(c) for c in cited]),
            answer_ms_p50=round(percentile([r["answer_ms"] for r in results], 0.5), 2),
        )
        with_reference = [r for r in answerable if "meteor" in r]
        if with_reference:
            report.update(
                meteor=_mean([r["meteor"] for r in with_reference]),
                bleu=_mean([r["bleu"] for r in with_reference]),
                reference_rows=len(with_reference),
            )
    return report


def print_report(report: dict) -> None:
    n, k = report["answerable"], report["k"]
    line = f"hits@1 {report['hits_at_1']}/{n}   hits@5 {report['hits_at_5']}/{n}"
    if k != 5:
        line += f"   hits@{k} {report['hits_at_k']}/{n}"
    if report.get("folds"):
        folding = "按法律分折" if report.get("by_law") else "按题目分折"
        learned = "、".join(report["learned"]) or "无（手设融合）"
        print(f"{report['folds']} 折交叉验证（{folding}），学习的组件：{learned}")
    print(f"{line}   recall@5 {report['recall_at_5']:.3f}   MRR@{k} {report['mrr']:.3f}")
    print(f"检索延迟 p50 {report['latency_ms_p50']:.1f} ms   p95 {report['latency_ms_p95']:.1f} ms")
    misses = [r for r in report["results"] if r["answerable"] and (r["hit_rank"] is None or r["hit_rank"] > k)]
    for row in misses[:30]:
        first = row["top_citations"][0] if row["top_citations"] else "（无结果）"
        print(f"  未命中 {row['id']} {row['question'][:40]}  → 排第一的是 {first}")
    if len(misses) > 30:
        print(f"  …另有 {len(misses) - 30} 个未命中")
    answerable = [r["relevance"] for r in report["results"] if r["answerable"]]
    if answerable:
        print(f"相关度 可回答: 最低 {min(answerable):.3f}  中位 {percentile(answerable, 0.5):.3f}")
    for row in report["results"]:
        if not row["answerable"]:
            print(f"  不可回答 {row['id']} {row['question']}  相关度 {row['relevance']:.3f}")
    if "refused_unanswerable" not in report:
        return
    print(
        f"回答: 已回答 {report['answered']}/{n}   误拒 {report['false_refusals']}   "
        f"不可回答已拒答 {report['refused_unanswerable']}/{report['unanswerable']}   "
        f"引用了相关条文 {report['answer_cites_relevant']}/{report['answered']}   "
        f"回答延迟 p50 {report['answer_ms_p50']:.1f} ms"
    )
    if report["keyword_rows"]:
        print(f"关键词命中 {report['keyword_hits']}/{report['keyword_rows']}")
        for row in report["results"]:
            if row["answerable"] and "keyword_hit" in row and not (row["keyword_hit"] and not row["refused"]):
                print(f"  关键词未命中 {row['id']} {row['question']} → {row['answer'][:60]}")
    if "meteor" in report:
        print(f"与参考答案: METEOR {report['meteor']:.3f}   BLEU {report['bleu']:.3f}（{report['reference_rows']} 题）")


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m eval", description="检索与回答评测")
    parser.add_argument("questions", type=Path)
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.add_argument("--retrieval-only", action="store_true", help="只评检索，不生成回答")
    parser.add_argument("--limit", type=int, default=0, help="只评前 N 题（快速试验）")
    parser.add_argument("--folds", type=int, default=0, help="交叉验证：每折用其余各折重新训练学习到的组件")
    parser.add_argument(
        "--by-law", action="store_true", help="按法律分折：同一部法律的问题同在一折（检验对没见过的法律是否适用）"
    )
    parser.add_argument(
        "--learn",
        # what ships on the bundled index; union + laws ships adapter,ranker (make eval-laws); the learned
        # vocabulary measured worse and is not used (README)
        default="ranker",
        help="交叉验证时训练哪些组件：ranker（默认）、adapter,ranker（工会+法律库上线所用）、vocabulary,ranker（试验）"
        "或 none（手设融合）",
    )
    parser.add_argument(
        "--learn-also",
        type=Path,
        nargs="+",
        default=[],
        help="交叉验证时每折都另外学习的问题文件（不参与评测），例如手写的劳动法问题集",
    )
    args = parser.parse_args(argv)
    if (args.by_law or args.learn_also) and not args.folds:
        parser.error("--by-law 与 --learn-also 只用于交叉验证：同时给出 --folds N")

    from answer.service import build_service
    from index.versions import IndexUnavailable

    try:
        questions = load_questions(args.questions)
        # ids repeat across files (c01 in two sets): each is known by its file too, as `python -m learn` does
        if len({path.stem for path in args.learn_also}) < len(args.learn_also):
            raise ValueError("two --learn-also files have the same name")
        also = [replace(q, id=f"{path.stem}/{q.id}") for path in args.learn_also for q in load_questions(path)]
        service = build_service(replace(settings, index_dir=args.index, embed_model=args.model))
    except (ValueError, OSError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.limit:
        questions = questions[: args.limit]
    if args.folds:
        from answer.service import AnswerService
        from learn.train import cross_validate

        def run(fold_questions, retriever):
            fold_service = None if args.retrieval_only else AnswerService(retriever, None, service.refuse_below)
            return evaluate_rows(list(fold_questions), retriever, args.k, fold_service)

        components = [c for c in args.learn.split(",") if c and c != "none"]
        rows = cross_validate(service.retriever, questions, args.folds, run, components, args.by_law, also)
        report = summarise(rows, args.k)
        report.update(
            folds=args.folds, learned=components, by_law=args.by_law, learned_also=[str(p) for p in args.learn_also]
        )
    else:
        report = evaluate(questions, service.retriever, args.k, None if args.retrieval_only else service)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
