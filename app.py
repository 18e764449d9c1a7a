"""The web app: Gradio chat at /, REST API under /api, OpenAI-compatible API under /v1, API docs at /docs
and /redoc (working offline), one server. Run: python app.py (or make run)."""

from __future__ import annotations

import os

# Before gradio is imported: otherwise it calls out at launch (analytics, hub look-ups).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging
import sys
import threading
import time

from fastapi import FastAPI

from settings import Settings

log = logging.getLogger("app")
API_DESCRIPTION = """依据工会与劳动法规回答问题，每句附条文出处。

- `/api`：提问与服务状态；`/api/admin`：文档管理（`Authorization: Bearer <管理员密码>`）。
- `/v1`：OpenAI 兼容接口（模型 `union-policy-qa`），可直接接入 openai SDK、Open WebUI、ChatBox 等。
- 设置了 `API_KEYS` 时，`/api/ask` 与 `/v1/*` 需要 `Authorization: Bearer <密钥>`。
"""


QUIET_LOGGERS = ("bm25s", "faiss", "httpx", "urllib3")  # bm25s sets itself to DEBUG; faiss logs CPU probes


def configure_logging() -> None:
    """Our INFO lines on the console, nothing below INFO from anyone (bm25s raises its own logger to DEBUG)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def build_first_index(library, settings: Settings, progress, service) -> None:
    """The first start's build, in a background thread: the app serves (and says so) meanwhile."""
    from index.library import LibraryError
    from index.versions import IndexUnavailable

    log.info("首次启动：从 %s 建立索引（嵌入模型 %s）", settings.docs_dir, settings.embed_model)
    reporter = threading.Thread(target=_report_progress, args=(progress,), daemon=True)
    reporter.start()
    try:
        report = library.build([settings.docs_dir], "system:first-start", progress, if_empty=True)
        service.retriever  # noqa: B018 - load the new index now, not on the first question
    except (LibraryError, IndexUnavailable, OSError) as exc:
        progress.finished(str(exc))
        log.error("建立索引失败：%s", exc)
        return
    progress.finished()
    for error in report.errors:
        log.warning("跳过 %s", error)
    log.info("索引已建立：%d 件文档，用时 %.0f 秒", len(report.added), report.seconds)


def _report_progress(progress, every_s: float = 10.0) -> None:
    """A console line every few seconds while the build runs."""
    time.sleep(every_s)
    while (status := progress.status()).building:
        log.info(status.describe())
        time.sleep(every_s)


def has_index(store) -> bool:
    """Some whole version to serve (a broken pointer falls back to the newest whole one)."""
    from index.versions import IndexUnavailable

    try:
        store.serving()
    except IndexUnavailable:
        return False
    return True


def create_app(settings: Settings) -> FastAPI:
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    from answer.service import build_service
    from index.progress import BuildProgress
    from index.stores import make_store

    store = make_store(settings)
    # No index yet (a fresh clone): serve at once and build it in the background, reporting progress.
    progress = None if has_index(store) else BuildProgress()
    # Load the index while gradio imports and the UI is built: from PostgreSQL, 150k passages take seconds.
    loading = ThreadPoolExecutor(max_workers=1).submit(build_service, settings, None, progress)
    import gradio as gr

    from index.embedders import make_embedder
    from index.library import Library
    from index.stores import make_cache
    from ingest.loaders import MAX_FILE_BYTES
    from web.admin_api import admin_router
    from web.admin_ui import ADMIN_CSS, build_admin_tab
    from web.api import api_router
    from web.auth import ApiKeys, UploadGuard
    from web.backends import make_admin_auth, make_usage_store
    from web.docs import offline_docs_app
    from web.limits import BodyLimit
    from web.openai_api import openai_router
    from web.ui import CSS, HEAD, build_ui

    usage = make_usage_store(settings)  # SQLite, or PostgreSQL shared by the replicas (DATABASE_URL)
    # The admin side embeds with its own model instance, so an upload never holds up workers' questions.
    # Small batches during the first build, so its progress (and time estimate) moves every few seconds.
    cache = make_cache(settings, make_embedder(settings.embed_model), batch_size=32 if progress else 128)
    library = Library(store, cache)
    auth = make_admin_auth(settings)
    keys = ApiKeys(settings.api_keys)
    service = loading.result()
    app = offline_docs_app(title="工会政策问答 API", description=API_DESCRIPTION, version="1.0")
    app.include_router(api_router(service, usage, keys))
    app.include_router(admin_router(library, usage, auth))
    app.include_router(openai_router(service, usage, keys))
    demo = build_ui(service, usage, admin=partial(build_admin_tab, library, usage, auth, settings.timezone))
    app.add_middleware(UploadGuard, tokens=auth.upload_tokens)
    app.add_middleware(BodyLimit)
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        css=CSS + ADMIN_CSS,
        head=HEAD,
        footer_links=["api"],
        max_file_size=f"{MAX_FILE_BYTES // (1024 * 1024)}mb",
    )
    if progress is not None:
        threading.Thread(
            target=build_first_index, args=(library, settings, progress, service), name="first-index", daemon=True
        ).start()
    return app


def main() -> int:
    import uvicorn

    configure_logging()
    settings = Settings.from_env()
    app = create_app(settings)
    print(f"工会政策问答：http://{settings.host}:{settings.port}/", flush=True)
    # SIGTERM: stop accepting, give requests in flight a few seconds, then exit even if a stream (an open
    # browser tab's Gradio heartbeat) lingers.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
