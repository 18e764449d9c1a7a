"""python -m answer "问题" [--json] — ask from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m answer", description="按知识库回答一个问题")
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    args = parser.parse_args(argv)
    if not args.question.strip():
        print("问题不能为空", file=sys.stderr)
        return 2

    from answer.service import build_service
    from index.versions import IndexUnavailable

    try:
        service = build_service(Settings.from_env())
    except (IndexUnavailable, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    answer = service.ask(args.question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(answer.text)
    if answer.notice:
        print(f"（{answer.notice}）")
    for citation in answer.citations:
        print(f"[{citation.n}] {citation.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
