"""One error shape for every failure: ``{"error": {"code": "…", "message": "…"}}``.

Clients (the widget, scripts) branch on ``code`` and show ``message``, which is always
Chinese and never contains a stack trace or the user's input.

Example::

    raise ApiError(404, "not_found", "没有编号为 x 的文档")   # anywhere in a route

    >>> error_response(429, "rate_limited", "请求过于频繁", {"Retry-After": "3"}).status_code
    429
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from api.pages import document_csp, error_page
from rag.index import StoreUnavailable

log = logging.getLogger("rag.api")

# Default code and message for statuses raised by the framework rather than by us
# (unknown route, wrong method, malformed multipart …).
_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "需要管理令牌：请在 Authorization 头中提供 Bearer 令牌"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的地址不存在"),
    405: ("method_not_allowed", "该地址不支持此请求方法"),
    409: ("conflict", "请求与当前状态冲突，请稍后再试"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的请求内容类型"),
    422: ("invalid_input", "请求参数无效"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后再试"),
    503: ("not_ready", "服务暂不可用，请稍后再试"),
}


class ApiError(Exception):
    """An expected failure with its HTTP status, stable code and Chinese message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, details: list[dict] | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    code: str | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    details: list[dict] | None = None,
) -> JSONResponse:
    default_code, default_message = _BY_STATUS.get(status, ("error", "请求失败"))
    return JSONResponse(
        error_body(code or default_code, message or default_message, details),
        status_code=status,
        headers=headers,
    )


def wants_page(request: Request) -> bool:
    """A browser opening one of our HTML pages (a document link, /documents): it reads
    an error as a page. API paths (/v1/…) and clients that do not ask for HTML get JSON."""
    accept = request.headers.get("accept", "")
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith("/v1/")
        and "text/html" in accept
    )


def respond(
    request: Request,
    status: int,
    code: str | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    details: list[dict] | None = None,
) -> JSONResponse | HTMLResponse:
    """The error as JSON, or as a readable page for a browser (see :func:`wants_page`)."""
    if not wants_page(request):
        return error_response(status, code, message, headers, details)
    text = message or _BY_STATUS.get(status, ("error", "请求失败"))[1]
    cors = request.app.state.rag.settings.cors_origins
    page = error_page(status, text, root=request.scope.get("root_path", ""))
    return HTMLResponse(
        page,
        status_code=status,
        headers={**(headers or {}), "Content-Security-Policy": document_csp(cors)},
    )


# The framework's own 400s explain themselves in English (Starlette's multipart parser,
# FastAPI's body parsing). Each is told in Chinese under a stable code instead; the
# English text goes to the log only. First match wins; anything unknown is "bad_request".
_PARSER_ERRORS: list[tuple[re.Pattern, int, str, str]] = [
    (re.compile(r"^Too many files"), 422, "too_many_files",
     "一次只能上传一个文件（表单字段 file）"),
    (re.compile(r"^Too many fields"), 422, "unknown_field",
     "表单字段过多：除文件外只接受标题、地区、时期、日期（title、region、period、date）"),
    (re.compile(r"^(Part|Field) exceeded maximum size"), 422, "field_too_long",
     "表单字段过长"),
    (re.compile(r"^Missing boundary"), 400, "malformed_multipart",
     "multipart 请求缺少 boundary 参数"),
    (re.compile(r"Content-Disposition|^Invalid multipart"), 400, "malformed_multipart",
     "multipart 请求格式错误，无法解析"),
    (re.compile(r"^There was an error parsing the body"), 400, "malformed_body",
     "请求体无法解析：请发送 JSON 对象（Content-Type: application/json）"),
]  # fmt: skip

# Chinese names of the fields that messages mention; ``details[].field`` keeps the
# machine name for programs.
FIELD_LABELS = {
    "question": "问题",
    "top_k": "段落数",
    "q": "检索词",
    "start": "引文起点",
    "end": "引文终点",
    "doc_id": "文档编号",
    "file": "文件",
    "title": "标题",
    "region": "地区",
    "period": "时期",
    "date": "日期",
}


def field_label(name: str) -> str:
    """What a message calls a field: 问题 for ``question``; unknown names as they are."""
    return FIELD_LABELS.get(name, name)


def parser_error(detail: str) -> tuple[int, str, str]:
    """(status, code, Chinese message) for one of the framework's English 400 details."""
    for pattern, status, code, message in _PARSER_ERRORS:
        if pattern.search(detail):
            return status, code, message
    return 400, _BY_STATUS[400][0], _BY_STATUS[400][1]


# ------------------------------------------------------------ validation text


def _field(loc: tuple) -> str:
    if len(loc) == 2 and loc[0] == "body" and isinstance(loc[1], int):
        return ""  # json_invalid puts the character position here, not a field name
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts)


def describe_validation_error(err: dict) -> str:
    """A short Chinese sentence for one pydantic error (never echoes the input)."""
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    field = field_label(_field(loc))
    ctx = err.get("ctx") or {}
    if kind == "json_invalid":
        return "请求体不是合法的 JSON"
    if kind == "missing":
        return f"缺少必填字段：{field}" if field else "缺少 JSON 请求体"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        if field:  # a nested object, e.g. one turn of "history"
            return f"{field} 必须是 JSON 对象"
        return "请求体必须是 JSON 对象（Content-Type: application/json）"
    if kind == "list_type":
        return f"{field} 必须是列表"
    if kind == "too_short":
        return f"{field} 至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"{field} 最多 {ctx.get('max_length')} 项"
    if kind == "extra_forbidden":
        return f"不支持的字段 {field}"
    if kind == "string_too_short":
        return (
            f"{field}不能为空"
            if ctx.get("min_length", 1) <= 1
            else f"{field}至少需要 {ctx['min_length']} 个字符"
        )
    if kind == "string_too_long":
        return f"{field}过长，最多 {ctx.get('max_length')} 个字符"
    if kind == "string_pattern_mismatch":
        return f"{field}不能只有空白"
    if kind == "string_type":
        return f"{field}必须是字符串"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field}必须是整数"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{field}不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{field}不能大于 {ctx.get('le', ctx.get('lt'))}"
    return f"{field or '请求'}无效"


# ------------------------------------------------------------------ handlers


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return respond(request, exc.status, exc.code, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code, message = _BY_STATUS.get(status, ("error", "请求失败"))
    if status == 400 and isinstance(exc.detail, str) and exc.detail:
        log.info("%s %s: %s", request.method, request.url.path, exc.detail)
        status, code, message = parser_error(exc.detail)
    headers = dict(exc.headers or {})
    if status == 405:
        # Starlette names only the first route on the path; list every method it has.
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return respond(request, status, code, message, headers)


def _allowed_methods(request: Request) -> str:
    # Ask the router which methods would fully match, rather than read its internals.
    allowed = [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": _field(tuple(e.get("loc", ()))), "message": describe_validation_error(e)}
        for e in exc.errors()
    ]
    message = "；".join(dict.fromkeys(d["message"] for d in details)) or _BY_STATUS[422][1]
    return respond(request, 422, "invalid_input", message, details=details)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is away (restart, failover, network): temporary, and the pool
    # reconnects by itself. Details (host, port) go to the log only.
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    retry = str(request.app.state.rag.settings.busy_retry_after_s)
    return error_response(
        503, "database_unavailable", "数据库暂时无法连接，请稍后再试", {"Retry-After": retry}
    )


async def _client_gone(request: Request, exc: Exception) -> JSONResponse:
    # The client hung up mid-request (typically mid-upload). Not a server error: no
    # traceback, no 500 in the access log; the response goes nowhere anyway.
    log.info("client disconnected during %s %s", request.method, request.url.path)
    return error_response(400, "client_disconnected", "客户端在请求完成前断开了连接")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log only; the client learns nothing internal.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
