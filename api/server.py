"""The FastAPI application and ``rag serve``.

The model and index load once per process, in the background after start-up:
``/healthz`` answers immediately, ``/readyz`` and ``/v1/*`` say 503 until loading
finishes. With no index on disk, one is built from ``settings.seeds_dir`` first.

Example::

    $ rag serve --port 8000                    # or, equivalently:
    $ uvicorn api.server:create_app --factory --port 8000 --workers 2 \\
          --http api.edge:EdgeProtocol --no-proxy-headers

    >>> app = create_app(Settings(admin_token="s3cret"))        # loads at start-up
    >>> app = create_app(pipeline=Pipeline.load())              # already loaded (tests)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import admin, apidocs, chat, mcp_server, originals, routes
from api.accesslog import AccessLogMiddleware, configure_logging
from api.admin import MULTIPART_OVERHEAD
from api.errors import install_error_handlers
from api.links import add_document_links
from api.middleware import BodyLimitMiddleware, CatchAllMiddleware, SecurityHeadersMiddleware
from api.pages import STATIC_DIR, frame_ancestors
from api.ratelimit import RateLimitMiddleware
from api.state import ServiceState
from rag.pipeline import Pipeline
from rag.settings import Settings, get_settings

DESCRIPTION = """\
从已收录的工会工作报告中抽取数字答案，并给出原文引用（文档编号和字符位置）。

错误一律返回 `{"error": {"code": "…", "message": "…"}}`。上传、删除需要 `Authorization: Bearer <RAG_ADMIN_TOKEN>`。
"""


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """Build the app. Without ``pipeline``, the model and index load at start-up."""
    if settings is None:
        settings = pipeline.settings if pipeline is not None else get_settings()
    configure_logging()
    state = ServiceState(settings, pipeline)
    mcp = mcp_server.build_server(state.require)
    mcp_app = mcp_server.http_app(mcp, settings.host, settings.cors_origins)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not state.ready:
            state.start_loading()
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="工会工作报告数字问答",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: api/apidocs.py, offline, with their own CSP
        redoc_url=None,
    )
    app.state.rag = state
    _publish_links(app)
    # "/v1/documents/" is not a path of the API: 404, not a redirect the schema lacks.
    app.router.redirect_slashes = False
    install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(apidocs.router)
    app.include_router(admin.router)
    app.include_router(originals.router)
    app.include_router(chat.router)
    app.router.routes.extend(mcp_app.routes)  # POST/GET/DELETE /mcp: MCP over streamable HTTP
    app.mount(apidocs.STATIC_URL, apidocs.static_files(), name="static-docs")
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    # Added innermost first: the last one added wraps all the others.
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        limits={"/v1/documents": settings.max_upload_bytes + MULTIPART_OVERHEAD},
    )
    app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(chat.OpenAIErrorShapeMiddleware)  # sees the limiters' errors too
    if settings.cors_origins:
        # Outside the rate limiter, so a browser can read a 429 too.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization"],
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware,
        default_csp=(
            "default-src 'self'; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors {frame_ancestors(settings.cors_origins)}"
        ),
    )
    app.add_middleware(AccessLogMiddleware)
    if settings.forwarded_allow_ips:
        # Outermost: the access log and the rate limit see the client the named
        # proxies report. Nobody else's X-Forwarded-For is believed (rag serve turns
        # uvicorn's own handling, which trusts loopback, off).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app


def _publish_links(app: FastAPI) -> None:
    """``/openapi.json`` with the document links (api/links.py), built once."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = add_document_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def serve(host: str | None = None, port: int | None = None, workers: int = 1) -> int:
    """Run uvicorn; ``rag serve`` calls this. ``None`` host/port come from settings.

    The HTTP protocol is :class:`api.edge.EdgeProtocol` (bounded headers, deadlines,
    connection caps), and X-Forwarded-For is believed only from
    ``RAG_FORWARDED_ALLOW_IPS`` (create_app), never from loopback by default.
    """
    import uvicorn

    from api.edge import EdgeProtocol

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    configure_logging()
    EdgeProtocol.configure(settings)
    # Printed here, not by scripts/run.sh: only serve knows the port it was given.
    shown = f"[{host}]" if ":" in host else host
    print(f"==> 演示页: http://{shown}:{port}/   API 文档: http://{shown}:{port}/docs", flush=True)
    edge = {"http": "api.edge:EdgeProtocol", "proxy_headers": False, "access_log": False}
    if workers > 1:
        # Each worker process builds its own app (and loads its own model copy).
        uvicorn.run(
            "api.server:create_app", factory=True, host=host, port=port, workers=workers, **edge
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, **edge)
    return 0
