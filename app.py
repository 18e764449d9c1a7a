"""The web app: Gradio chat at /, REST API under /api, one server. Run: python app.py (or make run)."""

from __future__ import annotations

import os

# Before gradio is imported: otherwise it calls out at launch (analytics, hub look-ups).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging
import sys

from fastapi import FastAPI

from settings import Settings

log = logging.getLogger("app")


def ensure_index(settings: Settings) -> None:
    """First start: build the index from the bundled documents, with progress. With PostgreSQL, replicas
    starting together build it once: the first takes the writers' lock, the others find its version."""
    from index.store import IndexUnavailable
    from index.stores import make_store
    from ingest.__main__ import main as ingest

    store = make_store(settings)
    with store.writer_lock():
        try:
            store.serving()  # a broken pointer or version: the newest whole one serves
            return
        except IndexUnavailable:
            pass  # no whole version at all: build one
        print(f"首次启动：从 {settings.docs_dir} 建立索引（{store.location()}）…", flush=True)
        if ingest([str(settings.docs_dir), "--index", str(settings.index_dir), "--model", settings.embed_model]):
            raise SystemExit("建立索引失败，见上面的信息")


def create_app(settings: Settings) -> FastAPI:
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    from answer.service import build_service

    # Load the index while gradio imports and the UI is built: from PostgreSQL, 150k passages take seconds.
    loading = ThreadPoolExecutor(max_workers=1).submit(build_service, settings)
    import gradio as gr

    from index.embedders import make_embedder
    from index.library import Library
    from index.stores import make_cache, make_store
    from ingest.loaders import MAX_FILE_BYTES
    from web.admin_api import admin_router
    from web.admin_ui import build_admin_tab
    from web.api import api_router
    from web.auth import UploadGuard
    from web.backends import make_admin_auth, make_usage_store
    from web.limits import BodyLimit
    from web.ui import CSS, build_ui

    usage = make_usage_store(settings)  # SQLite, or PostgreSQL shared by the replicas (DATABASE_URL)
    # The admin side embeds with its own model instance, so an upload never holds up workers' questions.
    library = Library(make_store(settings), make_cache(settings, make_embedder(settings.embed_model)))
    auth = make_admin_auth(settings)
    service = loading.result()
    app = FastAPI(title="工会政策问答 API", description="依据工会与劳动法规回答问题，附条文出处。")
    app.include_router(api_router(service, usage))
    app.include_router(admin_router(library, usage, auth))
    demo = build_ui(service, usage, admin=partial(build_admin_tab, library, usage, auth))
    app.add_middleware(UploadGuard, tokens=auth.upload_tokens)
    app.add_middleware(BodyLimit)
    return gr.mount_gradio_app(
        app, demo, path="/", css=CSS, footer_links=["api"], max_file_size=f"{MAX_FILE_BYTES // (1024 * 1024)}mb"
    )


def main() -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    logging.getLogger("faiss").setLevel(logging.WARNING)  # it logs every CPU-feature probe at INFO
    settings = Settings.from_env()
    ensure_index(settings)
    app = create_app(settings)
    print(f"工会政策问答：http://{settings.host}:{settings.port}/", flush=True)
    # SIGTERM: stop accepting, give requests in flight a few seconds, then exit even if a stream lingers.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
