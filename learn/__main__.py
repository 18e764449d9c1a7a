"""python -m learn QUESTIONS.jsonl… --index DIR — retrain the learned retrieval components, deterministically.

Writes index/learned/ranker-<embedder>.json (LightGBM trees over the candidate features, kept beside those
learned on an index of another scale: `make learn` over union + laws from the consultations,
`make learn-bundled` over the bundled documents from the hand-written question sets), with
`--learn adapter,ranker` first adapter-<embedder>.json (the query adapter the trees' pools are drawn with,
`index.adapter`), with `--learn vocabulary,ranker` also vocabulary.json (query→statute translation table), and with
`--calibrate-on UNION_INDEX` the refusal calibration (relevance model and threshold) for the index of
`--index`, kept in refusal.json beside those for indexes of another scale (`--folds N` reports them
cross-validated; `--calibrate-also FILE…` adds consultations to the calibration alone, not to the
trees). With `--index` the bundled index itself and `--learn ''`, it calibrates refusal
there (make calibrate). Measure the ranker first with `python -m eval QUESTIONS --index DIR --folds 5`; with
several question files `python -m learn` also scores the ranker on each file, learned from the others.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from learn.refusal import CALIBRATION_QUESTIONS
from settings import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m learn", description="从问答数据训练查询词表与排序模型")
    parser.add_argument(
        "questions", type=Path, nargs="+", help="带 evidences 或 evidence 的问题文件，例如 lecoqa-train.jsonl"
    )
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embed_model)
    parser.add_argument("--out", type=Path, default=None, help="输出目录（默认 index/learned/）")
    parser.add_argument("--learn", default="ranker", help="训练哪些组件：vocabulary、adapter、ranker（逗号分隔）")
    parser.add_argument(
        "--calibrate-on",
        type=Path,
        default=None,
        help="同时校准拒答阈值：给出工会文档索引（其上这些问题算无关问题）",
    )
    parser.add_argument(
        "--dev",
        type=Path,
        nargs="*",
        default=[Path("../shared/eval/dev.jsonl"), Path("eval/colloquial.jsonl"), CALIBRATION_QUESTIONS],
        help="校准用的工会问题（含 answerable 标记）",
    )
    parser.add_argument(
        "--calibrate-also",
        type=Path,
        nargs="*",
        default=[],
        help="只用于校准拒答的带条文问题文件（不训练排序），例如较长的劳动咨询",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="校准时另报 N 折交叉验证的误拒与无关作答（手设与学习所得）",
    )
    args = parser.parse_args(argv)

    from eval.metrics import load_questions
    from index.adapter import adapter_path
    from index.ranking import ranker_path
    from index.retriever import open_retriever
    from index.versions import IndexUnavailable
    from index.vocabulary import DEFAULT_VOCABULARY
    from learn.train import learn, leave_one_set_out, set_pools

    components = [c for c in args.learn.split(",") if c]
    # on the bundled index alone refusal is calibrated with the trees it is served with, those on disk (make
    # learn-bundled trains them first), so nothing else may be learned in the same run
    alone = args.calibrate_on is not None and args.index.resolve() == args.calibrate_on.resolve()
    if alone and components:
        print("错误：在工会索引上单独校准拒答时不训练其他组件（用 --learn ''）", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        sets = {path.stem: load_questions(path) for path in args.questions}
        if len(sets) < len(args.questions):
            raise ValueError("two question files have the same name")
        # ids repeat across files (c01 in two sets): each is known by its file too
        questions = [replace(q, id=f"{name}/{q.id}") if len(sets) > 1 else q for name, qs in sets.items() for q in qs]
        if {p.stem for p in args.calibrate_also} & set(sets):
            raise ValueError("a --calibrate-also file is also a training file")
        calibration_only = [replace(q, id=f"{p.stem}/{q.id}") for p in args.calibrate_also for q in load_questions(p)]
        retriever = open_retriever(replace(settings, index_dir=args.index).index_dir, args.model)
        # several files train the ranker alone, on pools drawn once for it and for each file left out (pools
        # searched with a vocabulary or an adapter are drawn after those are learned, by `learn`)
        by_set = set_pools(retriever, sets) if len(sets) > 1 and components == ["ranker"] else None
        pools = [pool for drawn, _ in by_set.values() for pool in drawn] if by_set else None
        learned = learn(retriever, questions, components, provenance={"question_files": sorted(sets)}, pools=pools)
        left_out = leave_one_set_out(by_set) if by_set else None
    except (ValueError, OSError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    vocabulary_path = (args.out / DEFAULT_VOCABULARY.name) if args.out else DEFAULT_VOCABULARY
    ranker_file = ranker_path(retriever.embedder.name)
    ranker_file = args.out / ranker_file.name if args.out else ranker_file
    if learned.vocabulary is not None:
        learned.vocabulary.save(vocabulary_path)
        print(f"词表：{len(learned.vocabulary.table)} 个提问用词 → {vocabulary_path}")
    if learned.adapter is not None:
        adapter_file = adapter_path(retriever.embedder.name)
        adapter_file = args.out / adapter_file.name if args.out else adapter_file
        learned.adapter.save(adapter_file)
        directions = learned.adapter.left.shape[1]
        print(f"查询适配（{learned.adapter.trained_on['questions']} 题，{directions} 个方向）→ {adapter_file}")
    if learned.ranker is not None:
        learned.ranker.save(ranker_file)
        print(f"排序模型（{learned.ranker.trained_on['questions']} 题）→ {ranker_file}")
    if left_out is not None:
        print("排序（逐个留出问题文件，以其余文件训练）：命中@1、命中@5、MRR，手设融合 → 学习所得")
        for name, (fusion, trees) in left_out.items():
            print(
                f"  {name}（{fusion.questions} 题）：{fusion.hits_at_1} → {trees.hits_at_1}，"
                f"{fusion.hits_at_5} → {trees.hits_at_5}，{fusion.mrr:.3f} → {trees.mrr:.3f}"
            )
    if args.calibrate_on is not None:
        from learn.refusal import REFUSAL_FILE, calibrate_with_model, cross_validate_refusal, relevance_rows

        if args.model != settings.embed_model:
            print(
                f"注意：{args.index} 用 {args.model}，{args.calibrate_on} 用 {settings.embed_model}；"
                "拒答模型将混合两种嵌入的余弦（可用 --out 另存）",
                file=sys.stderr,
            )
        union = retriever if alone else open_retriever(args.calibrate_on, settings.embed_model)
        # calibrated with what was just learned, not what was on disk (with `--learn ''`, with the retriever as
        # served); on the bundled index alone its own retriever judges the consultations it holds
        judge = union if alone else (learned.apply(retriever) if components else retriever)
        on_topic, off_topic = relevance_rows(
            judge,
            union,
            [*questions, *calibration_only],
            [q for f in args.dev for q in load_questions(f)],
        )
        served = union if alone else retriever  # the index this calibration is for
        calibration = replace(
            calibrate_with_model([r for _, r in on_topic], [r for _, r in off_topic]),
            passages=len(served.index.chunks),
        )
        calibration.save(args.out / REFUSAL_FILE.name if args.out else REFUSAL_FILE)
        c = calibration
        print(
            f"拒答阈值 {c.refuse_below}：可回答 {c.answerable} 题中误拒 {c.false_refusals}，"
            f"无关 {c.off_topic} 题中作答 {c.answered_off_topic}，间隔 {c.margin:+.3f}"
        )
        if args.folds:
            for name, result in cross_validate_refusal(on_topic, off_topic, args.folds).items():
                print(
                    f"  {args.folds} 折交叉验证（{name}）：误拒 {result['false_refusals']}/{len(on_topic)}，"
                    f"无关作答 {result['answered_off_topic']}/{len(off_topic)}，代价 {result['cost']:.4f}"
                )
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
