"""``GET /v1/documents/{doc_id}/original``: the file as it was uploaded or ingested.

A PDF is served inline, so that ``…/original#page=N`` (the link beside a PDF citation)
opens the browser's viewer at the cited page; Word files are downloads; an HTML
original is a download too, and sandboxed should a browser render it anyway — it is
someone else's page, and must not run script on this origin.

Example::

    $ curl -OJ localhost:8000/v1/documents/changzhou_2018/original
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.errors import ApiError
from api.routes import QA, errors_doc, get_state
from api.state import ServiceState
from rag.formats import FORMATS
from rag.store import original_bytes

router = APIRouter(tags=["文档"])

_INLINE = ("application/pdf", "text/plain", "text/markdown")
# Every content type an original can be served with (documented in /openapi.json).
_SERVED = sorted({t.split(";")[0] for _, t in FORMATS.values()} | {*_INLINE[1:]})


@router.get(
    "/v1/documents/{doc_id}/original",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _SERVED}}} | errors_doc(404, 422, 429, 503),
    summary="原始文件（PDF、Word、网页或文本），PDF 可加 #page=N 打开到指定页",
)
async def original(
    doc_id: str, qa: QA, state: Annotated[ServiceState, Depends(get_state)]
) -> Response:
    record = qa.index.docs.get(doc_id)
    if record is None:
        raise ApiError(404, "not_found", f"没有编号为 {doc_id} 的文档")
    if not record.original:
        raise ApiError(
            404, "not_found", f"文档 {doc_id} 没有保存原始文件（在支持原始文件之前导入）"
        )
    data = await run_in_threadpool(original_bytes, state.settings, record)
    if data is None:
        raise ApiError(404, "not_found", f"文档 {doc_id} 的原始文件已不可用，请重新导入")
    media_type = record.original.get("media_type") or "application/octet-stream"
    disposition = "inline" if media_type.startswith(_INLINE) else "attachment"
    ascii_name = "".join(
        c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in record.source
    )
    headers = {
        "Content-Disposition": (
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(record.source)}"
        ),
        "Cache-Control": "private, max-age=300",
    }
    if media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return Response(data, media_type=media_type, headers=headers)
