"""The answer object: what `rag ask --json` prints and `POST /v1/ask` returns.

Example::

    >>> Answer(text="918 家", value=918, unit="家").model_dump(by_alias=True)["from"] is None
    True
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    ANSWERED = "answered"
    NOT_FOUND = "not_found"


class Answer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    text: str = Field(description="数字原文（含限定词和单位），如 “918 家”“超过十亿元”")
    value: float = Field(description="换算到基本单位的数值：1.12 万家 → 11200")
    unit: str | None = Field(None, description="基本单位：家、人、元、% …")
    qualifier: str | None = Field(None, description="限定词：近、逾、超过、余、多、上 …")
    from_: float | None = Field(None, alias="from", description="“由 X 增加到 Y” 中的 X")


class Citation(BaseModel):
    doc_id: str
    title: str
    region: str | None = None
    period: str | None = None
    quote: str = Field(description="原文句子，恰为 document_text[start:end]")
    start: int
    end: int
    chunk: str = Field(description="包含该句的整个文本块")
    score: float
    tokens: int | None = Field(
        None, description="chunk 的 cl100k_base token 数，供接入大模型时估算"
    )


class AnswerObject(BaseModel):
    question: str
    status: Status
    answer: Answer | None = None
    citations: list[Citation] = Field(default_factory=list)
    message: str | None = Field(None, description="未找到答案时的中文说明")
    resolved_question: str | None = Field(
        None,
        description="追问补全后实际回答的完整问题（如 “苏州2012年职工书屋多少家”）；没有承接上文时为 null",
    )
    took_ms: float


class Passage(BaseModel):
    """A retrieved chunk, as `rag search` and `GET /v1/search` return it."""

    doc_id: str
    title: str
    region: str | None = None
    period: str | None = None
    text: str
    start: int
    end: int
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    tokens: int


class SearchResult(BaseModel):
    query: str
    passages: list[Passage]
    took_ms: float
