"""API documentation pages, offline: Swagger UI at ``/docs``, ReDoc at ``/redoc``.

The script, CSS and favicon come from the ``fastapi-offline`` package (Swagger UI 5,
ReDoc 2), mounted under ``/static-docs``, so the pages render without any network
beyond this server, and their Content-Security-Policy names no other origin. The only
inline script (Swagger UI's bootstrap) is allowed by its SHA-256 hash.

Example::

    app.include_router(apidocs.router)
    app.mount(apidocs.STATIC_URL, apidocs.static_files(), name="static-docs")
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.pages import frame_ancestors, inline_script_hashes

STATIC_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
STATIC_URL = "/static-docs"
TITLE = "工会数据问答 API"

router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


def docs_csp(cors_origins: list[str], html_text: str) -> str:
    """Same-origin only; inline scripts by hash; ReDoc's search runs in a blob: worker."""
    hashes = " ".join(f"'sha256-{h}'" for h in inline_script_hashes(html_text))
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
        "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
        f"frame-ancestors {frame_ancestors(cors_origins)}"
    )


def _page(request: Request, page: HTMLResponse) -> HTMLResponse:
    html = bytes(page.body).decode("utf-8")
    csp = docs_csp(request.app.state.rag.settings.cors_origins, html)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


@router.get("/docs")
async def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=TITLE,
        swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
    )
    return _page(request, page)


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title=TITLE,
        redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
        with_google_fonts=False,
    )
    return _page(request, page)
