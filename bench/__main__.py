"""python -m bench — speed and memory numbers for ingest and search, printed, not asserted.

Union set: cold ingest (empty cache), warm re-ingest (nothing changed: nothing embedded), the
embedder alone on a sample of the same texts (so pipeline overhead shows as a ratio), query
latency and peak memory. With --laws: the same at scale over union + laws (about 80k chunks):
load/split time, keyword index build and query latency, dense throughput of each bundled model,
and hybrid search over a full dense index built with the fast model (cached under var/, so a
killed or repeated run resumes instead of starting over).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from eval.metrics import load_questions, percentile
from settings import PROJECT_DIR, Settings


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(text: str) -> None:
    print(text, flush=True)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def latencies_ms(search, questions: list[str], repeat: int = 3) -> tuple[float, float]:
    search(questions[0])  # warm-up: first call loads lazily initialised state
    samples = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            search(question)
            samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.95)


def bench_union(settings: Settings, questions: list[str], model: str, work: Path) -> None:
    from answer.service import AnswerService
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from index.embedders import make_embedder
    from index.library import Library
    from index.retriever import open_retriever
    from ingest.pipeline import ingest_paths

    say(f"== 工会文档集 {settings.docs_dir.name}（嵌入模型 {model}）")
    embedder = make_embedder(model)

    def ingest(cache_dir: Path):
        result = ingest_paths([settings.docs_dir])
        return result, build_index(work / "index", result.documents, result.chunks, EmbeddingCache(cache_dir, embedder))

    (result, cold), cold_s = timed(ingest, work / "cache")
    say(f"冷启动入库: {cold_s:.1f} s，文档 {cold.documents}，段落 {cold.chunks}，向量化 {cold.embedded}")
    (_, warm), warm_s = timed(ingest, work / "cache")
    say(f"无变化重新入库: {warm_s:.2f} s，向量化 {warm.embedded}（应为 0）")

    sample = [c.search_text for c in result.chunks[:256]]
    _, alone_s = timed(embedder.embed_array, sample)
    rate = len(sample) / alone_s
    say(f"嵌入模型单独: {rate:.1f} 段/s（同一批文本前 {len(sample)} 段）")
    say(
        f"流水线开销: 冷启动 {cold_s:.1f} s / 纯嵌入估计 {cold.chunks / rate:.1f} s "
        f"= {cold_s * rate / cold.chunks:.2f}x"
    )

    retriever = open_retriever(work / "index", model)
    p50, p95 = latencies_ms(retriever.invoke, questions)
    say(f"查询延迟（混合检索，{len(questions)} 题 × 3）: p50 {p50:.1f} ms，p95 {p95:.1f} ms")
    service = AnswerService(retriever)
    p50, p95 = latencies_ms(service.ask, questions)
    say(f"回答延迟（检索+摘录作答，无 LLM）: p50 {p50:.1f} ms，p95 {p95:.1f} ms")
    p50, p95 = latencies_ms(lambda q: next(iter(service.stream(q))), questions)
    say(f"界面首个输出（stream 的第一次产出）: p50 {p50:.1f} ms，p95 {p95:.1f} ms")

    # Admin: one changed document end to end (load, split, embed its new text, new version live), then delete it.
    library = Library(work / "index", EmbeddingCache(work / "cache", embedder))
    source = settings.docs_dir / "工会法(2021-12-24).md"
    changed = work / "工会法(2030-01-01).md"
    changed.write_text(source.read_text("utf-8").replace("第一条 ", "第一条 （修订测试）"), "utf-8")
    report, add_s = timed(library.add, [(changed, changed.name)], "bench")
    say(f"加入一个改了一条的文档（端到端，向量化 {report.embedded} 段）: {add_s:.2f} s")
    report, remove_s = timed(library.remove, changed.name, "bench")
    say(f"删除一个文档（不重建）: {remove_s:.2f} s")
    rewritten = work / "工会法(2031-01-01).md"
    rewritten.write_text(re.sub(r"^(第\S+条 )", r"\1（全文修订）", source.read_text("utf-8"), flags=re.M), "utf-8")
    report, add_s = timed(library.add, [(rewritten, rewritten.name)], "bench")
    say(f"加入一个每条都是新文本的文档（端到端，向量化 {report.embedded} 段）: {add_s:.2f} s")
    say(f"峰值内存: {peak_memory_mb():.0f} MB")


def bench_scale(settings: Settings, laws: Path, questions_path: Path, fast_model: str, cache_dir: Path) -> None:
    import numpy as np

    from eval.__main__ import evaluate
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from index.embedders import make_embedder
    from index.keyword import ChineseTokenizer, KeywordIndex, corpus_terms
    from index.ranking import LinearRanker
    from index.retriever import open_retriever
    from ingest.pipeline import ingest_paths

    say(f"\n== 规模：工会文档集 + {laws}")
    result, load_s = timed(ingest_paths, [settings.docs_dir, laws], progress=False)
    chars = sum(len(d.text) for d in result.documents)
    say(
        f"读取+切分: {load_s:.1f} s，文档 {len(result.documents)}，段落 {len(result.chunks)}，"
        f"{chars / 1e6:.1f} M 字，跳过 {len(result.errors)}"
    )
    texts = [c.search_text for c in result.chunks]
    tokenizer, dict_s = timed(
        lambda: ChineseTokenizer(corpus_terms((d.title for d in result.documents), (d.text for d in result.documents)))
    )
    keyword, keyword_s = timed(KeywordIndex.build, texts, tokenizer)
    say(f"关键词索引: 词典 {len(tokenizer.user_words)} 词 {dict_s:.1f} s，建索引 {keyword_s:.1f} s")
    questions = [q.question for q in load_questions(questions_path)]
    p50, p95 = latencies_ms(lambda q: keyword.search(q, 5), questions)
    say(f"关键词查询延迟: p50 {p50:.1f} ms，p95 {p95:.1f} ms")

    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(256, len(texts)), replace=False)]
    for model in dict.fromkeys([settings.embed_model, fast_model]):
        embedder = make_embedder(model)
        _, seconds = timed(embedder.embed_array, sample)
        rate = len(sample) / seconds
        say(f"稠密入库吞吐 {model}: {rate:.1f} 段/s（随机 {len(sample)} 段）→ 全量约 {len(texts) / rate / 60:.0f} 分钟")

    say(f"用 {fast_model} 建全量稠密索引（向量缓存在 {cache_dir}，中断后重跑会续上）…")
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    cache = EmbeddingCache(cache_dir, make_embedder(fast_model))
    report, build_s = timed(build_index, work / "index", result.documents, result.chunks, cache, progress=True)
    say(f"全量索引: {build_s:.0f} s，其中新向量化 {report.embedded} 段")
    retriever = open_retriever(work / "index", fast_model)
    p50, p95 = latencies_ms(retriever.invoke, questions)
    say(
        f"混合检索延迟（全量，{fast_model}，排序模型 {'学习所得' if retriever.ranker.trained_on else '手设融合'}）: "
        f"p50 {p50:.1f} ms，p95 {p95:.1f} ms"
    )
    scored = evaluate(load_questions(questions_path), retriever, 5)
    say(
        f"dev 命中（全量，混合，{fast_model}）: "
        f"hits@5 {scored['hits_at_5']}/{scored['answerable']}，MRR {scored['mrr']:.3f}"
    )
    keyword_only = retriever.model_copy(update={"ranker": LinearRanker(("keyword",), (1.0,))})
    scored = evaluate(load_questions(questions_path), keyword_only, 5)
    say(f"dev 命中（全量，仅关键词）: hits@5 {scored['hits_at_5']}/{scored['answerable']}，MRR {scored['mrr']:.3f}")
    say(f"峰值内存: {peak_memory_mb():.0f} MB")


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m bench", description="入库与检索的速度、内存基准")
    parser.add_argument("--questions", type=Path, default=PROJECT_DIR.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--laws", type=Path, help="加测规模：工会文档集 + 这个法规目录")
    parser.add_argument("--fast-model", default="use-onnx", help="规模测试中建全量稠密索引用的模型")
    args = parser.parse_args(argv)
    if not args.questions.exists():
        print(f"找不到问题集 {args.questions}", file=sys.stderr)
        return 2
    questions = [q.question for q in load_questions(args.questions)]
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        bench_union(settings, questions, args.model, Path(work))
    if args.laws:
        if not args.laws.is_dir():
            print(f"找不到法规目录 {args.laws}，跳过规模测试", file=sys.stderr)
        else:
            bench_scale(settings, args.laws, args.questions, args.fast_model, settings.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
