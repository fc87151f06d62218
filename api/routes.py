"""Public endpoints: health, ask, search, documents (JSON and HTML), static files.

Question answering is CPU-bound, so those routes are plain ``def``: FastAPI runs them
in its thread pool and the event loop stays free for other requests.

Example::

    $ curl -s localhost:8000/v1/ask -H 'Content-Type: application/json' \\
           -d '{"question": "苏州2016年职工书屋多少家"}'
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from api.errors import ApiError
from api.models import (
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    NOT_BLANK,
    SPACES,
    AskRequest,
    CorpusScope,
    DocumentDetail,
    DocumentList,
    DocumentSummary,
    ErrorResponse,
    Health,
    Readiness,
)
from api.pages import (
    STATIC_DIR,
    demo_csp,
    document_csp,
    document_page,
    documents_page,
    inline_script_hashes,
    placeholder_page,
)
from api.state import ServiceState
from rag.followup import Turn
from rag.index import DocRecord
from rag.pages import page_count
from rag.pipeline import Pipeline
from rag.schema import AnswerObject, SearchResult
from rag.scope import coverage, scope_text

router = APIRouter()


def errors_doc(*statuses: int) -> dict:
    """OpenAPI ``responses`` entry: these statuses return :class:`ErrorResponse`."""
    return {s: {"model": ErrorResponse} for s in statuses}


def json_errors_doc(*statuses: int) -> dict:
    """The same for a route that answers HTML: its errors are still JSON, so say so.

    (With ``model``, FastAPI would file the error schema under ``text/html``.)
    """
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {s: {"content": {"application/json": {"schema": schema}}} for s in statuses}


def get_state(request: Request) -> ServiceState:
    return request.app.state.rag


async def get_pipeline(state: Annotated[ServiceState, Depends(get_state)]) -> Pipeline:
    """503 until the model and index are loaded; also picks up index changes on disk."""
    return state.require()


QA = Annotated[Pipeline, Depends(get_pipeline)]


# ----------------------------------------------------------------- health


@router.get("/healthz", response_model=Health, tags=["运维"], summary="进程存活")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    responses=errors_doc(503),
    tags=["运维"],
    summary="模型和索引已加载",
)
async def readyz(state: Annotated[ServiceState, Depends(get_state)]) -> dict:
    qa = state.require(explain=True)
    return {
        "status": "ready",
        "documents": len(qa.index.docs),
        "chunks": len(qa.index.chunks),
        "model": qa.settings.model,
    }


# Some load balancers probe with HEAD; kept out of the schema (one operation per path).
router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/readyz", readyz, methods=["HEAD"], include_in_schema=False)


# --------------------------------------------------------------- question


def _ask_limiter(request: Request) -> anyio.CapacityLimiter:
    """At most ``ask_threads`` questions compute at once: on two cores, forty threads
    fighting over the model only add switching (BENCHMARKS.md, HTTP section)."""
    limiter = getattr(request.app.state, "ask_limiter", None)
    if limiter is None:
        tokens = get_state(request).settings.ask_threads
        limiter = request.app.state.ask_limiter = anyio.CapacityLimiter(tokens)
    return limiter


@router.post(
    "/v1/ask",
    response_model=AnswerObject,
    responses=errors_doc(400, 413, 422, 429, 503),
    tags=["问答"],
    summary="提问（可带此前的对话），返回数字答案和原文引用",
)
async def ask(body: AskRequest, qa: QA, request: Request) -> JSONResponse:
    history = [Turn(t.question, t.answer) for t in body.history or []]
    result = await anyio.to_thread.run_sync(
        lambda: qa.ask(body.question, top_k=body.top_k, history=history),
        limiter=_ask_limiter(request),
    )
    # by_alias: the answer's "from" field is named from_ in Python
    return JSONResponse(result.model_dump(mode="json", by_alias=True))


@router.get(
    "/v1/search",
    response_model=SearchResult,
    responses=errors_doc(422, 429, 503),
    tags=["问答"],
    summary="只检索段落（带元数据和得分）",
)
def search(
    qa: QA,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            pattern=NOT_BLANK,
            description="检索词或问题",
        ),
    ],
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 5,
) -> JSONResponse:
    return JSONResponse(qa.search(q.strip(SPACES), top_k=top_k).model_dump(mode="json"))


# -------------------------------------------------------------- documents


def _by_id(qa: Pipeline) -> list[DocRecord]:
    """Every indexed document, in the order of their ids (the API list and its page)."""
    return sorted(qa.index.docs.values(), key=lambda d: d.doc_id)


def _record(qa: Pipeline, doc_id: str) -> DocRecord:
    record = qa.index.docs.get(doc_id)
    if record is None:
        raise ApiError(404, "not_found", f"没有编号为 {doc_id} 的文档")
    return record


@router.get(
    "/v1/corpus",
    response_model=CorpusScope,
    responses=errors_doc(429, 503),
    tags=["文档"],
    summary="已收录的地区和年份（随上传更新）",
)
async def corpus_scope(qa: QA) -> dict:
    covered = coverage(d.meta for d in qa.index.docs.values())
    return {
        "documents": len(qa.index.docs),
        "coverage": [c._asdict() for c in covered],
        "text": scope_text(covered),
    }


@router.get(
    "/v1/documents",
    response_model=DocumentList,
    responses=errors_doc(429, 503),
    tags=["文档"],
    summary="文档列表",
)
async def list_documents(qa: QA) -> dict:
    summaries = [
        DocumentSummary(
            doc_id=d.doc_id,
            title=d.meta.title,
            region=d.meta.region,
            period=d.meta.period,
            date=d.meta.date,
            length=len(d.text),
            format=d.format,
            pages=page_count(d),
        )
        for d in _by_id(qa)
    ]
    return {"count": len(summaries), "documents": summaries}


@router.get(
    "/v1/documents/{doc_id}",
    response_model=DocumentDetail,
    responses=errors_doc(404, 422, 429, 503),
    tags=["文档"],
    summary="文档元数据和全文",
)
async def get_document(doc_id: str, qa: QA) -> dict:
    d = _record(qa, doc_id)
    return {
        "doc_id": d.doc_id,
        "source": d.source,
        "length": len(d.text),
        "sha256": d.sha256,
        "metadata": d.meta.to_dict(),
        "text": d.text,
        "format": d.format,
        "pages": page_count(d),
        "page_starts": d.page_starts,
        "original": f"/v1/documents/{d.doc_id}/original" if d.original else None,
    }


@router.get(
    "/documents",
    response_class=HTMLResponse,
    responses=json_errors_doc(429, 503),
    tags=["文档"],
    summary="文档列表页：每篇文档的标题（链接到阅读页）、地区、时期和字数",
)
async def documents_html(request: Request, qa: QA) -> HTMLResponse:
    return _html_page(request, documents_page(_by_id(qa), root=request.scope.get("root_path", "")))


@router.get(
    "/documents/{doc_id}",
    response_class=HTMLResponse,
    responses=json_errors_doc(404, 422, 429, 503),
    tags=["文档"],
    summary="阅读页：高亮引文 [start, end) 并滚动到该处（范围无效时只显示全文）",
)
async def document_html(
    request: Request,
    doc_id: str,
    qa: QA,
    start: Annotated[int | None, Query(ge=0, description="引文起点（字符位置）")] = None,
    end: Annotated[int | None, Query(ge=0, description="引文终点（不含）")] = None,
) -> HTMLResponse:
    d = _record(qa, doc_id)
    # A span that is not one of this text (half given, reversed, past the end: a link
    # to a since-replaced document) shows the document without a highlight, and says so.
    bad = None
    if (start, end) != (None, None) and (
        start is None or end is None or not start <= end <= len(d.text)
    ):
        bad, start, end = (start, end), None, None
    page = document_page(d, start, end, root=request.scope.get("root_path", ""), bad_span=bad)
    return _html_page(request, page)


def _html_page(request: Request, html: str) -> HTMLResponse:
    """A document page, under the policy that forbids inline script."""
    settings = get_state(request).settings
    return HTMLResponse(
        html, headers={"Content-Security-Policy": document_csp(settings.cors_origins)}
    )


# ----------------------------------------------------------------- static


@router.get("/", include_in_schema=False)
async def demo(request: Request) -> HTMLResponse:
    path = STATIC_DIR / "demo.html"
    if not path.is_file():
        return HTMLResponse(placeholder_page())
    # Read per request: it is small, and edits show up without a restart.
    html = path.read_text(encoding="utf-8")
    csp = demo_csp(get_state(request).settings.cors_origins, inline_script_hashes(html))
    return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico on every page; an SVG serves every size.
    return FileResponse(
        STATIC_DIR / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/widget.js", include_in_schema=False)
async def widget() -> FileResponse:
    path = STATIC_DIR / "widget.js"
    if not path.is_file():
        raise ApiError(404, "not_found", "未安装 widget.js")
    return FileResponse(
        path,
        media_type="text/javascript",
        # Embedded on other sites, so it must be loadable cross-origin even under COEP.
        headers={
            "Cache-Control": "public, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
