"""MCP server (official ``mcp`` SDK): the question answering as tools for LLM clients.

Tools — each returns structured content (the same objects as the HTTP API) and text:

* ``ask(question, history?)`` — the answer object (follow-ups resolve against ``history``);
* ``search(query, top_k?)`` — passages with scores;
* ``list_documents()`` — the documents with their metadata;
* ``get_document(doc_id, start?, end?)`` — a document's text, or the span [start, end).

Two transports: ``rag mcp`` serves over stdio (for desktop clients, which start it as a
subprocess), and the HTTP service mounts streamable HTTP at ``/mcp`` (stateless, so
any worker can answer any request).

Example::

    $ rag mcp                                    # stdio
    >>> async with mcp.Client("http://127.0.0.1:8000/mcp") as client:
    ...     result = await client.call_tool("ask", {"question": "苏州2016年职工书屋多少家"})
    >>> result.structured_content["answer"]["text"]
    '918 家'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from api.errors import ApiError
from api.models import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TOP_K, DocumentList
from api.render import answer_markdown, sentence
from rag.pipeline import Pipeline
from rag.schema import AnswerObject, SearchResult

INSTRUCTIONS = (
    "从已收录的中国工会工作报告中查找数字、人物、日期等答案，并给出原文句子和出处。"
    "Answers are extracted from the reports, never generated: quote them with their source. "
    "Use `ask` for a question (pass earlier questions as `history` for follow-ups such as "
    "“那2012年呢”), `search` for passages, `list_documents` and `get_document` to read a report."
)
READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=False)


class DocumentText(BaseModel):
    doc_id: str
    title: str
    region: str | None = None
    period: str | None = None
    date: str | None = None
    length: int = Field(description="全文字符数")
    start: int
    end: int
    text: str = Field(description="document_text[start:end]")


def _result(text: str, model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", by_alias=True),
    )


def build_server(get_pipeline: Callable[[], Pipeline]) -> MCPServer:
    """The MCP server; ``get_pipeline`` returns the loaded pipeline or raises
    :class:`ApiError` (503) while it is loading."""
    server = MCPServer("union-figures-qa", instructions=INSTRUCTIONS, version="1.0.0")

    async def call(fn: Callable):
        # In a worker thread: the stdio loader may still be loading, and answering is CPU work.
        try:
            return await anyio.to_thread.run_sync(lambda: fn(get_pipeline()))
        except ApiError as exc:
            raise ToolError(exc.message) from None

    @server.tool(annotations=READ_ONLY)
    async def ask(
        question: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS)],
        history: Annotated[list[str] | None, Field(max_length=MAX_HISTORY_TURNS)] = None,
    ) -> Annotated[CallToolResult, AnswerObject]:
        """Answer a question about the trade-union reports with the exact sentence that
        states it and its source. `history`: earlier questions of the conversation,
        oldest first, so that a follow-up like "那2012年呢" is understood."""
        result = await call(lambda qa: qa.ask(question.strip(), history=history or []))
        return _result(answer_markdown(result), result)

    @server.tool(annotations=READ_ONLY)
    async def search(
        query: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS)],
        top_k: Annotated[int, Field(ge=1, le=MAX_TOP_K)] = 5,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Retrieve the passages of the reports closest to `query`, with scores."""
        result = await call(lambda qa: qa.search(query.strip(), top_k=top_k))
        lines = [
            f"{i}. {p.title}（{p.doc_id}，{p.start}–{p.end}，score {p.score:.3f}）\n{sentence(p.text)}"
            for i, p in enumerate(result.passages, 1)
        ]
        return _result("\n\n".join(lines) or "没有找到相关段落。", result)

    @server.tool(annotations=READ_ONLY)
    async def list_documents() -> Annotated[CallToolResult, DocumentList]:
        """List the reports: id, title, place, period, date and length."""
        docs = await call(lambda qa: sorted(qa.index.docs.values(), key=lambda d: d.doc_id))
        listing = DocumentList.model_validate(
            {
                "count": len(docs),
                "documents": [
                    {
                        "doc_id": d.doc_id,
                        "title": d.meta.title,
                        "region": d.meta.region,
                        "period": d.meta.period,
                        "date": d.meta.date,
                        "length": len(d.text),
                    }
                    for d in docs
                ],
            }
        )
        lines = [
            f"- {d.doc_id}：{d.title}（{d.region or '-'} · {d.period or '-'}，{d.length} 字）"
            for d in listing.documents
        ]
        return _result("\n".join(lines), listing)

    @server.tool(annotations=READ_ONLY)
    async def get_document(
        doc_id: str,
        start: Annotated[int | None, Field(ge=0)] = None,
        end: Annotated[int | None, Field(ge=0)] = None,
    ) -> Annotated[CallToolResult, DocumentText]:
        """Read a report: its whole text, or the characters [start, end) — the offsets
        that citations give."""
        record = await call(lambda qa: qa.index.docs.get(doc_id))
        if record is None:
            raise ToolError(f"没有编号为 {doc_id} 的文档；用 list_documents 查看可用的文档")
        length = len(record.text)
        lo = 0 if start is None else start
        hi = length if end is None else end
        if not lo <= hi <= length:
            raise ToolError(f"范围无效：需满足 0 ≤ start ≤ end ≤ {length}")
        doc = DocumentText(
            doc_id=record.doc_id,
            title=record.meta.title,
            region=record.meta.region,
            period=record.meta.period,
            date=record.meta.date,
            length=length,
            start=lo,
            end=hi,
            text=record.text[lo:hi],
        )
        return _result(doc.text, doc)

    return server


def http_app(server: MCPServer, host: str, origins: list[str]):
    """The streamable HTTP transport, stateless with JSON responses. On a loopback host
    the SDK's DNS-rebinding check stays on, allowing the configured CORS origins."""
    security = None
    if host in ("127.0.0.1", "localhost", "::1"):
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=[
                "http://127.0.0.1:*",
                "http://localhost:*",
                "http://[::1]:*",
                *origins,
            ],
        )
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=security,
        host=host,
    )


# ------------------------------------------------------------------ stdio


class BackgroundPipeline:
    """Loads the pipeline in a thread, so the client's handshake is answered at once."""

    def __init__(self) -> None:
        self._pipeline: Pipeline | None = None
        self._error: Exception | None = None
        self._done = threading.Event()
        threading.Thread(target=self._load, daemon=True, name="rag-mcp-load").start()

    def _load(self) -> None:
        try:
            self._pipeline = Pipeline.load()
        except Exception as exc:  # reported on every tool call
            self._error = exc
        finally:
            self._done.set()

    def __call__(self) -> Pipeline:
        self._done.wait()
        if self._pipeline is None:
            raise ApiError(503, "not_ready", f"模型或索引加载失败：{self._error}")
        return self._pipeline


def serve_stdio() -> int:
    """``rag mcp``: serve the tools over stdin/stdout until the client closes them."""
    build_server(BackgroundPipeline()).run("stdio")
    return 0
