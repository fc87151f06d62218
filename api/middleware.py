"""Pure ASGI middlewares: request body limit, security headers, last-resort 500.

They are plain ASGI rather than ``BaseHTTPMiddleware`` so that bodies stream through
untouched and exceptions keep their normal path.

Example::

    >>> app.add_middleware(BodyLimitMiddleware, default_limit=2_000_000,
    ...                    limits={"/v1/documents": 2_100_000})
    >>> app.add_middleware(SecurityHeadersMiddleware, default_csp="default-src 'self'")
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

log = logging.getLogger("rag.api")


class PayloadTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes the limit.

    It is an HTTPException on purpose: FastAPI re-raises those from body parsing (other
    exceptions become a 400), and the app's handler turns it into the JSON error.
    """

    def __init__(self, limit: int):
        super().__init__(413, f"请求体超过上限 {limit} 字节")


def _too_large(limit: int):
    return error_response(413, "payload_too_large", f"请求体过大：上限为 {limit} 字节")


class BodyLimitMiddleware:
    """Refuse bodies over the limit: by Content-Length at once, else while streaming.

    Chunked uploads carry no Content-Length, so counting the bytes actually received
    is what really bounds memory.
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int] | None = None):
        self.app = app
        self.default_limit = default_limit
        self.limits = limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLarge:
            # Normally the app's handler already answered; this covers reads made
            # outside a route (e.g. by another middleware).
            if started:
                raise
            await _too_large(limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class SecurityHeadersMiddleware:
    """nosniff and Referrer-Policy everywhere; a CSP on HTML responses that lack one.

    Pages that need a different policy (the demo page's inline script, Swagger UI)
    set their own ``Content-Security-Policy`` and it is left alone.
    """

    def __init__(self, app: ASGIApp, default_csp: str):
        self.app = app
        self.default_csp = default_csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    headers.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.default_csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CatchAllMiddleware:
    """Turn any unhandled exception into the JSON 500, logging the traceback here.

    Starlette's own last resort sits outside every user middleware, so its response
    would miss the security headers and the access log would see no status.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await error_response(500)(scope, receive, send)
