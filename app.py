"""The web app: Gradio chat at /, REST API under /api, OpenAI-compatible API under /v1, API docs at /docs
and /redoc (working offline), one server. Run: python app.py (or make run)."""

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
API_DESCRIPTION = """依据工会与劳动法规回答问题，每句附条文出处。

- `/api`：提问与服务状态；`/api/admin`：文档管理（`Authorization: Bearer <管理员密码>`）。
- `/v1`：OpenAI 兼容接口（模型 `union-policy-qa`），可直接接入 openai SDK、Open WebUI、ChatBox 等。
- 设置了 `API_KEYS` 时，`/api/ask` 与 `/v1/*` 需要 `Authorization: Bearer <密钥>`。
"""


def ensure_index(settings: Settings) -> None:
    """First start: build the index from the bundled documents, with progress."""
    from index.store import IndexUnavailable, serving_folder
    from ingest.__main__ import main as ingest

    try:
        serving_folder(settings.index_dir)  # a broken pointer or version: the newest whole one serves
        return
    except IndexUnavailable:
        pass  # no whole version at all: build one
    print(f"首次启动：从 {settings.docs_dir} 建立索引…", flush=True)
    if ingest([str(settings.docs_dir), "--index", str(settings.index_dir), "--model", settings.embed_model]):
        raise SystemExit("建立索引失败，见上面的信息")


def create_app(settings: Settings) -> FastAPI:
    from functools import partial

    import gradio as gr

    from answer.service import build_service
    from index.cache import EmbeddingCache
    from index.embedders import make_embedder
    from index.library import Library
    from ingest.loaders import MAX_FILE_BYTES
    from web.admin_api import admin_router
    from web.admin_ui import build_admin_tab
    from web.api import api_router
    from web.auth import AdminAuth, ApiKeys, UploadGuard
    from web.docs import offline_docs_app
    from web.limits import BodyLimit
    from web.openai_api import openai_router
    from web.ui import CSS, build_ui
    from web.usage import UsageStore

    service = build_service(settings)
    usage = UsageStore(settings.usage_db)
    # The admin side embeds with its own model instance, so an upload never holds up workers' questions.
    library = Library(settings.index_dir, EmbeddingCache(settings.cache_dir, make_embedder(settings.embed_model)))
    auth = AdminAuth(settings.admin_password, settings.admin_password_hash)
    keys = ApiKeys(settings.api_keys)
    app = offline_docs_app(title="工会政策问答 API", description=API_DESCRIPTION, version="1.0")
    app.include_router(api_router(service, usage, keys))
    app.include_router(admin_router(library, usage, auth))
    app.include_router(openai_router(service, usage, keys))
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
    # SIGTERM: stop accepting, give requests in flight a few seconds, then exit even if a stream (an open
    # browser tab's Gradio heartbeat) lingers.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
