"""Request and response bodies of the HTTP API (they also make up ``/openapi.json``).

Example::

    >>> AskRequest.model_validate({"question": "  苏州2016年职工书屋多少家 "}).question
    '苏州2016年职工书屋多少家'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

MAX_QUESTION_CHARS = 500
MAX_TOP_K = 20

# Whitespace as JSON Schema's (ECMAScript's) \s knows it, spelled out so that the schema
# and the server agree on what "blank" is: the limits apply to the text as sent (the
# schema's maxLength), and it must hold one character that is not one of these.
SPACES = " \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = f"[^{SPACES}]"

QuestionText = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        pattern=NOT_BLANK,
        description=f"问题，1–{MAX_QUESTION_CHARS} 个字符（含首尾空白），不能只有空白；首尾空白会被去掉",
    ),
    AfterValidator(lambda text: text.strip(SPACES)),
]


def _integral_float(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


MAX_HISTORY_TURNS = 10
MAX_ANSWER_CHARS = 4000


class HistoryTurn(BaseModel):
    """An earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")

    question: QuestionText
    answer: str | None = Field(
        None,
        max_length=MAX_ANSWER_CHARS,
        strict=True,
        description="该轮显示给用户的答案文字（可选；追问“他/她”时用来确定所指的人）",
    )


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "苏州2016年职工书屋多少家", "top_k": 5},
                {"question": "那2012年呢？", "history": [{"question": "苏州2016年职工书屋多少家"}]},
            ]
        }
    )

    question: QuestionText
    history: list[HistoryTurn] | None = Field(
        None,
        max_length=MAX_HISTORY_TURNS,
        description=f"此前的对话轮次，从早到晚，最多 {MAX_HISTORY_TURNS} 轮；用于理解“那2012年呢”这样的追问",
    )
    # strict: "5" or true is a client bug worth reporting, not something to guess at;
    # 5.0 is an integer in JSON Schema's sense, so it is taken as 5.
    top_k: Annotated[int, BeforeValidator(_integral_float)] = Field(
        5, ge=1, le=MAX_TOP_K, strict=True, description="检索的段落数"
    )


class ErrorDetail(BaseModel):
    code: str = Field(description="机器可读的错误码，如 invalid_input、not_found、rate_limited")
    message: str = Field(description="中文说明")
    details: list[dict] | None = Field(None, description="输入校验错误时，逐字段的说明")


class ErrorResponse(BaseModel):
    error: ErrorDetail


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    region: str | None = None
    period: str | None = None
    date: str | None = None
    length: int = Field(description="全文字符数")
    format: str = Field("text", description="原始格式：text、pdf、docx、html")
    pages: int | None = Field(None, description="PDF 的页数；无分页的格式为 null")


class DocumentList(BaseModel):
    count: int
    documents: list[DocumentSummary]


class CoveredEntry(BaseModel):
    place: str | None = Field(None, description="地区（文档的 region）")
    start: int | None = Field(None, description="起始年份")
    end: int | None = Field(None, description="截止年份")
    documents: int = Field(description="该地区该时期的文档数")


class CorpusScope(BaseModel):
    documents: int
    coverage: list[CoveredEntry]
    text: str = Field(description="中文概述，如 “已收录：昆山 2013–2017、苏州 2016”")


class DocumentDetail(BaseModel):
    doc_id: str
    source: str
    length: int
    sha256: str
    metadata: dict = Field(description="标题、发布单位、地区、日期、时期等")
    text: str = Field(description="全文；引文的 start/end 即此文本中的字符位置")
    format: str = Field("text", description="原始格式：text、pdf、docx、html")
    pages: int | None = Field(None, description="PDF 的页数；无分页的格式为 null")
    page_starts: list[int] | None = Field(
        None, description="PDF 每页第一个字在 text 中的位置（第 i 页从 page_starts[i-1] 起）"
    )
    original: str | None = Field(None, description="原始文件的地址（未保存原始文件时为 null）")


class UploadResult(BaseModel):
    status: Literal["added", "replaced", "unchanged", "duplicate"] = Field(
        description="added：新增（201）；replaced：同名文档内容已更新；unchanged：与已有同名文档相同；"
        "duplicate：内容与另一篇已有文档相同，未重复收录（doc_id 为那篇文档）"
    )
    doc_id: str
    metadata: dict
    documents: int = Field(description="索引中的文档总数")
    note: str | None = None


class UploadProgress(BaseModel):
    upload_id: str
    state: Literal["queued", "running", "done", "failed"] = Field(
        description="queued：等待前一个写入完成；running：正在建立索引；done：已可提问；failed：失败（原索引不变）"
    )
    stage: Literal["waiting", "chunking", "embedding", "indexing", "saving", "done", "failed"] = (
        Field(description="当前步骤：分块、编码（向量化）、建立检索索引、保存")
    )
    embedded: int = Field(description="已编码的文本数（段落与句子）")
    total: int = Field(description="需编码的文本总数（进入编码步骤前为 0）")
    elapsed_s: float = Field(description="自上传起的秒数")
    status_url: str = Field(description="查询进度的地址（GET，需管理令牌）")


class UploadAccepted(UploadProgress):
    """202: the upload is being indexed; poll ``status_url`` until ``state`` is done."""


class UploadStatus(UploadProgress):
    result: UploadResult | None = Field(None, description="state 为 done 时：与同步上传的结果相同")
    error: ErrorDetail | None = Field(None, description="state 为 failed 时：原因")


class DeleteResult(BaseModel):
    status: Literal["deleted"] = "deleted"
    doc_id: str
    documents: int


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    documents: int
    chunks: int
    model: str
