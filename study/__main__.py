"""python -m study quiz --index DIR [--doc TITLE] [--chapter 第二章] --n 10 --seed 1 [--json|--markdown|--docx F]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from settings import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m study", description="学习模式：从法规条文出测验题")
    commands = parser.add_subparsers(dest="command", required=True)
    quiz = commands.add_parser("quiz", help="生成测验")
    quiz.add_argument("--index", type=Path, default=settings.index_dir)
    quiz.add_argument("--doc", help="只从标题含这段文字的文档出题（标题完全相同时只取该文档）")
    quiz.add_argument("--chapter", help="只从这一章/节出题，例如 第二章")
    quiz.add_argument("--n", type=int, default=10)
    quiz.add_argument("--seed", type=int, default=1)
    output = quiz.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help='输出 {"questions": [...]}')
    output.add_argument("--markdown", action="store_true", help="输出讲义（题目，然后答案与出处）")
    output.add_argument("--docx", type=Path, help="把讲义写成 .docx 文件")
    args = parser.parse_args(argv)

    from index.store import open_index
    from index.versions import IndexUnavailable
    from study.export import quiz_docx, quiz_markdown
    from study.quiz import QuizGenerator, articles_from_index

    if args.n < 1:
        print("--n 至少为 1", file=sys.stderr)
        return 2
    try:
        index = open_index(args.index)
    except IndexUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    questions = QuizGenerator(articles_from_index(index)).generate(args.n, args.seed, args.doc, args.chapter)
    if not questions:
        print("没有找到可以出题的条文（检查 --doc / --chapter）", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"questions": [q.to_dict() for q in questions]}, ensure_ascii=False, indent=1))
    elif args.docx:
        args.docx.write_bytes(quiz_docx(questions))
        print(f"已写入 {args.docx}（{len(questions)} 题）")
    else:
        print(quiz_markdown(questions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
