"""One JSON line per request on the ``rag.access`` logger (stderr by default).

Only method, path, status, duration and client IP are written: no query string
(questions travel in ``/v1/search?q=…``), no headers (tokens), no bodies.

Example line::

    {"ts": "2026-11-23T18:15:00.123Z", "method": "POST", "path": "/v1/ask",
     "status": 200, "ms": 41.7, "ip": "127.0.0.1"}
"""

from __future__ import annotations

import json
import logging
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("rag.access")


def configure_logging() -> None:
    """Give our loggers a stderr handler unless the host application configured them.

    Also silences uvicorn's own access log, which would duplicate ours and include
    query strings.
    """
    for name, fmt in (
        ("rag.access", "%(message)s"),
        ("rag.api", "%(levelname)s %(name)s: %(message)s"),
    ):
        logger = logging.getLogger(name)
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(fmt))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def _timestamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.time()
        t0 = time.perf_counter()
        status = 500  # what the client gets if the app dies before answering

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            client = scope.get("client")
            record = {
                "ts": _timestamp(started_at),
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "ms": round((time.perf_counter() - t0) * 1000, 2),
                "ip": client[0] if client else None,
            }
            access_log.info(json.dumps(record, ensure_ascii=False))
