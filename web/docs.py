"""The FastAPI app with its API docs at /docs (Swagger UI) and /redoc (ReDoc), both working offline: their
scripts and styles come from the fastapi-offline package and are served by this app, never a CDN."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse
from fastapi_offline import FastAPIOffline

ASSETS = "/static-offline-docs"  # where fastapi-offline mounts its copies of the assets


def offline_docs_app(title: str, description: str, version: str) -> FastAPI:
    app = FastAPIOffline(title=title, description=description, version=version, redoc_url=None, static_url=ASSETS)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        # The ReDoc bundle shows its maker's logo from their CDN; images from this server only, so the
        # page never reaches out (nor tells a third party who reads the docs).
        page.headers["Content-Security-Policy"] = "img-src 'self' data:"
        return page

    return app
