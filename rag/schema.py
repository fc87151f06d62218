"""The answer object: what `rag ask --json` prints and `POST /v1/ask` returns.

Example::

    >>> Answer(text="918 家", value=918, unit="家").model_dump(by_alias=True)["from"] is None
    True
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from rag.kinds import QuestionKind


class Status(StrEnum):
    ANSWERED = "answered"
    NOT_FOUND = "not_found"


class AnswerItem(BaseModel):
    """One item of a list answer, with its own place in the document."""

    text: str
    doc_id: str
    start: int
    end: int


class ComparedFigure(BaseModel):
    """One side of a comparison ("昆山和江都，哪边…更多"): the place and its own figure."""

    place: str
    text: str = Field(description="该地的数字原文，如 “18034家”")
    value: float
    unit: str | None = None
    doc_id: str
    start: int = Field(description="document_text[start:end] 即该数字原文")
    end: int


class Answer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    kind: QuestionKind = Field(
        QuestionKind.FIGURE,
        description="答案类型：figure 数字、person 人物、date 日期、place 地点、name 名称、"
        "list 列举、yesno 是非、definition 释义、describe 说明",
    )
    text: str = Field(
        description="答案原文：数字（含限定词和单位，如 “918 家”）、人名、日期、名称；列举为各项以“、”相连；"
        "是非题为 “是”/“否”；释义与说明为回答问题的句子"
    )
    value: float | None = Field(
        None, description="仅数字答案：换算到基本单位的数值（1.12 万家 → 11200）"
    )
    unit: str | None = Field(None, description="仅数字答案：基本单位：家、人、元、% …")
    qualifier: str | None = Field(
        None, description="仅数字答案：限定词：近、逾、超过、余、多、上 …"
    )
    from_: float | None = Field(
        None, alias="from", description="仅数字答案：“由 X 增加到 Y” 中的 X"
    )
    change: float | None = Field(
        None,
        description="仅数字答案，问“增加了多少”“减少了多少”“比…多多少”时：value − from，由原文的两个数字"
        "算出（“由4081家增加到6299家” → 2218）",
    )
    compared_to: str | None = Field(
        None,
        description="仅数字答案，问“比…多多少”时：问题里比较的另一方（“应约企业”）；change 即两数之差",
    )
    rest: float | None = Field(
        None,
        description="仅数字答案，问“没有…的有多少”时：from − value，即总数中其余的部分，由原文的两个"
        "数字算出（“受理1424件，成功调解1321件” → 103）",
    )
    post: str | None = Field(None, description="人物答案：原文写在人名旁的职务，如 “主席”")
    items: list[AnswerItem] | None = Field(None, description="列举答案的各项，各带原文位置")
    compared: list[ComparedFigure] | None = Field(
        None,
        description="比较题：各地的数字，胜出的一方在前（问“更多”时数值大者，问“更少”时小者）",
    )
    winner: str | None = Field(None, description="比较题：胜出的地点；两地数字相同时为 null")
    doc_id: str | None = Field(None, description="答案所在文档")
    start: int | None = Field(
        None, description="答案片段在文档中的起始位置：document_text[start:end] 即答案原文"
    )
    end: int | None = None


class Citation(BaseModel):
    doc_id: str
    title: str
    region: str | None = None
    period: str | None = None
    quote: str = Field(description="原文句子，恰为 document_text[start:end]")
    start: int
    end: int
    page: int | None = Field(
        None, description="引文在 PDF 原文中的页码（从 1 起）；无分页的格式为 null"
    )
    chunk: str = Field(description="包含该句的整个文本块")
    score: float
    tokens: int | None = Field(
        None, description="chunk 的 cl100k_base token 数，供接入大模型时估算"
    )


class AnswerObject(BaseModel):
    question: str
    kind: QuestionKind = Field(QuestionKind.FIGURE, description="问题类型（决定答案类型）")
    status: Status
    answer: Answer | None = None
    citations: list[Citation] = Field(default_factory=list)
    message: str | None = Field(
        None, description="未找到答案时的中文说明；改正疑似错字后回答时说明改了哪个词"
    )
    resolved_question: str | None = Field(
        None,
        description="实际回答的完整问题：追问补全后的问题（如 “苏州2012年职工书屋多少家”），或改正疑似错字后的问题（职工数屋 → 职工书屋）；都没有时为 null",
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
    page: int | None = Field(None, description="段落在 PDF 原文中的起始页码；无分页的格式为 null")
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    tokens: int


class SearchResult(BaseModel):
    query: str
    passages: list[Passage]
    took_ms: float
