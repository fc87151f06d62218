"""Admin endpoints: upload and delete documents, guarded by ``RAG_ADMIN_TOKEN``.

The token is checked before the body is read (the form is parsed by hand, not by
FastAPI), so an unauthenticated client cannot make the server buffer an upload.
Indexing runs in a thread of its own (api/uploads.py); questions keep being answered
from the old index until the new one is swapped in. An upload not indexed within
``RAG_UPLOAD_WAIT_S`` is answered 202 with a status URL, ``GET /v1/uploads/{upload_id}``.

Example::

    $ curl -X POST localhost:8000/v1/documents -H "Authorization: Bearer $RAG_ADMIN_TOKEN" \\
           -F file=@changzhou_2018.txt -F region=常州 -F period=2018
"""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile

from api.errors import ApiError, field_label
from api.models import DeleteResult, UploadAccepted, UploadResult, UploadStatus
from api.routes import errors_doc, get_state
from api.state import META_FIELDS, ServiceState, UploadOutcome
from api.uploads import UploadJob

router = APIRouter(tags=["管理"])

_bearer = HTTPBearer(auto_error=False, description="RAG_ADMIN_TOKEN 的值")

MAX_META_CHARS = 300
# Room for the multipart boundaries, part headers and metadata fields around the file.
MULTIPART_OVERHEAD = 64 * 1024

_UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    # Other fields are refused (422 unknown_field), so say so.
                    "additionalProperties": False,
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": ".txt 或 .md 文件（UTF-8/GBK 等均可）",
                        },
                        "title": {"type": "string", "description": "标题（默认取正文第一行）"},
                        "region": {"type": "string", "description": "地区，如 常州"},
                        "period": {"type": "string", "description": "时期，如 2018 或 2013-2017"},
                        "date": {"type": "string", "description": "日期 YYYY-MM-DD"},
                    },
                }
            }
        },
    }
}


def require_admin(
    state: Annotated[ServiceState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ServiceState:
    expected = state.settings.admin_token
    if not expected:
        raise ApiError(403, "uploads_disabled", "未设置 RAG_ADMIN_TOKEN，上传和删除功能已关闭")
    if credentials is None:
        raise ApiError(
            401,
            "unauthorized",
            "需要管理令牌：请加上 Authorization: Bearer <令牌>",
            {"WWW-Authenticate": "Bearer"},
        )
    # Constant-time, on bytes so that a non-ASCII guess cannot raise a TypeError.
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise ApiError(403, "forbidden", "管理令牌不正确")
    return state


Admin = Annotated[ServiceState, Depends(require_admin)]


@router.post(
    "/v1/documents",
    status_code=201,
    response_model=UploadResult,
    responses={
        200: {"model": UploadResult, "description": "内容未变或与已有文档重复"},
        202: {
            "model": UploadAccepted,
            "description": "文档较大，正在后台建立索引：到 status_url（亦见 Location 头）查询进度",
            "headers": {"Location": {"description": "进度地址", "schema": {"type": "string"}}},
        },
    }
    | errors_doc(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
    openapi_extra=_UPLOAD_SCHEMA,
    summary="上传 .txt/.md 文档并更新索引（需管理令牌）",
)
async def upload_document(request: Request, state: Admin) -> JSONResponse:
    state.require()
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError(
            415, "unsupported_media_type", "请用 multipart/form-data 上传，文件字段名为 file"
        )
    form = await request.form(
        max_files=1, max_fields=len(META_FIELDS), max_part_size=4 * MAX_META_CHARS
    )
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(
                422, "invalid_input", "缺少上传文件：请用字段名 file 上传 .txt 或 .md 文件"
            )
        if not upload.filename:
            raise ApiError(422, "invalid_input", "上传的文件没有文件名")
        overrides = _metadata_fields(form)
        limit = state.settings.max_upload_bytes
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, "payload_too_large", f"文件过大：上限为 {limit} 字节")
        filename = upload.filename
    finally:
        await form.close()

    doc, meta = await run_in_threadpool(state.prepare_upload, data, filename, overrides)
    del data
    job = state.uploads.start(filename, lambda progress: state.index_upload(doc, meta, progress))
    if not await run_in_threadpool(job.wait, state.settings.upload_wait_s):
        url = _status_url(request, job)
        body = UploadAccepted(**_progress(job, url))
        return JSONResponse(
            body.model_dump(mode="json"), status_code=202, headers={"Location": url}
        )
    if job.error is not None:
        raise job.error
    body = _result(job.outcome)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=201 if body.status == "added" else 200
    )


@router.get(
    "/v1/uploads/{upload_id}",
    response_model=UploadStatus,
    responses=errors_doc(401, 403, 404, 429, 503),
    summary="上传的建立索引进度（需管理令牌）",
)
async def upload_status(upload_id: str, request: Request, state: Admin) -> dict:
    job = state.uploads.get(upload_id)
    if job is None:
        raise ApiError(404, "not_found", f"没有编号为 {upload_id} 的上传（或已过期）")
    out = _progress(job, _status_url(request, job))
    if job.state == "done":
        out["result"] = _result(job.outcome).model_dump(mode="json")
    elif job.error is not None:
        out["error"] = {"code": job.error.code, "message": job.error.message}
    return out


def _status_url(request: Request, job: UploadJob) -> str:
    return f"{request.scope.get('root_path', '')}/v1/uploads/{job.upload_id}"


def _progress(job: UploadJob, url: str) -> dict:
    end = job.finished if job.finished is not None else time.time()
    return {
        "upload_id": job.upload_id,
        "state": job.state,
        "stage": job.stage,
        "embedded": job.done,
        "total": job.total,
        "elapsed_s": round(end - job.created, 1),
        "status_url": url,
    }


def _result(outcome: UploadOutcome) -> UploadResult:
    return UploadResult(
        status=outcome.status,
        doc_id=outcome.doc_id,
        metadata=outcome.meta.to_dict(),
        documents=outcome.documents,
        note=_NOTES.get(outcome.status),
    )


_NOTES = {
    "replaced": "已有同名文档，内容已更新",
    "unchanged": "与已有同名文档完全相同，索引未改变",
    "duplicate": "内容与已收录的文档相同，未重复收录；doc_id 为已有文档",
}


def _metadata_fields(form) -> dict[str, str]:
    unknown = sorted(set(form.keys()) - {"file", *META_FIELDS})
    if unknown:
        raise ApiError(
            422,
            "unknown_field",
            f"未知字段 {', '.join(unknown)}；可选字段：{', '.join(META_FIELDS)}",
        )
    out = {}
    for name in META_FIELDS:
        value = form.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ApiError(422, "invalid_input", f"{field_label(name)}必须是文本字段")
        value = value.strip()
        if len(value) > MAX_META_CHARS:
            raise ApiError(
                422, "invalid_input", f"{field_label(name)}过长，最多 {MAX_META_CHARS} 个字符"
            )
        if value:
            out[name] = value
    return out


@router.delete(
    "/v1/documents/{doc_id}",
    response_model=DeleteResult,
    responses=errors_doc(401, 403, 404, 409, 422, 429, 503),
    summary="删除文档并更新索引（需管理令牌）",
)
async def delete_document(doc_id: str, state: Admin) -> dict:
    remaining = await run_in_threadpool(state.delete_document, doc_id)
    return {"status": "deleted", "doc_id": doc_id, "documents": remaining}
