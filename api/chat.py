"""OpenAI-compatible chat: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Any OpenAI client can talk to the service: the last user message is the question, the
earlier user messages (with the assistant replies after them) are the conversation, so
follow-ups resolve as in ``POST /v1/ask``. The reply's content is the answer in Markdown;
the response also carries ``citations`` (the objects of /v1/ask) and ``answer`` (the whole
answer object). ``stream: true`` sends ``chat.completion.chunk`` events ending with
``data: [DONE]``. Errors on these routes use OpenAI's shape, which keeps our ``code`` and
``message``: ``{"error": {"message", "type", "param", "code"}}``.

Example::

    >>> from openai import OpenAI
    >>> client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="unused")
    >>> reply = client.chat.completions.create(
    ...     model="union-figures-qa", messages=[{"role": "user", "content": "苏州2016年职工书屋多少家"}])
    >>> reply.choices[0].message.content.splitlines()[0]
    '**918 家**（苏州 · 2016）'
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError
from api.models import MAX_ANSWER_CHARS, MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, ErrorResponse
from api.render import answer_markdown, document_path
from api.routes import QA, _ask_limiter
from rag.followup import Turn
from rag.schema import AnswerObject, Citation
from rag.tokens import count_tokens

MODEL_ID = "union-figures-qa"
CREATED = 1_764_547_200  # 2025-12-01: when the model id was first served
OPENAI_PATHS = frozenset({"/v1/chat/completions", "/v1/models"})

router = APIRouter(tags=["OpenAI 兼容"])


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = Field(False, strict=True)


class ChatRequest(BaseModel):
    """OpenAI's chat request; sampling options (temperature, max_tokens …) are accepted
    and ignored: answers are extracted, not generated."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [
                        {"role": "user", "content": "苏州2016年职工书屋多少家"},
                        {"role": "assistant", "content": "**918 家**（苏州 · 2016）"},
                        {"role": "user", "content": "那2012年呢？"},
                    ],
                }
            ]
        },
    )

    model: str = Field(description=f"模型编号：{MODEL_ID}")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = Field(False, strict=True)
    stream_options: StreamOptions | None = None


class AssistantMessage(BaseModel):
    role: Literal["assistant"]
    content: str = Field(description="答案的 Markdown：答案、原文句子、带高亮链接的出处")


class Choice(BaseModel):
    index: int
    message: AssistantMessage
    finish_reason: Literal["stop"]


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[Citation] = Field(description="与 /v1/ask 相同的引用")
    answer: AnswerObject = Field(description="完整的答案对象（与 /v1/ask 相同）")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelCard]


STREAM_DOC = {
    "text/event-stream": {
        "schema": {  # one server-sent event
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "string",
                    "description": "chat.completion.chunk 的 JSON；最后一个事件为 [DONE]",
                }
            },
            "description": "stream: true 时的服务器推送事件",
        }
    }
}


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return "".join(p.text or "" for p in message.content or [] if p.type == "text")


def conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (last user message) and the earlier turns, oldest first."""
    if messages[-1].role != "user":
        raise ApiError(422, "invalid_input", "最后一条消息必须是 user 消息（即要回答的问题）")
    question = _text(messages[-1]).strip()
    if not question:
        raise ApiError(422, "invalid_input", "问题不能为空")
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(422, "invalid_input", f"问题过长，最多 {MAX_QUESTION_CHARS} 个字符")
    turns: list[Turn] = []
    for i, m in enumerate(messages[:-1]):
        text = _text(m).strip()
        if m.role != "user" or not text or len(text) > MAX_QUESTION_CHARS:
            continue
        reply = next((n for n in messages[i + 1 : -1] if n.role != "system"), None)
        answer = _text(reply)[:MAX_ANSWER_CHARS] if reply and reply.role == "assistant" else None
        turns.append(Turn(text, answer or None))
    return question, turns[-MAX_HISTORY_TURNS:]


def _check_model(model: str) -> None:
    if model != MODEL_ID:
        raise ApiError(404, "model_not_found", f"模型 {model!r} 不存在；可用的模型：{MODEL_ID}")


@router.get(
    "/v1/models",
    response_model=ModelList,
    summary="模型列表",
    responses={429: {"model": ErrorResponse}},
)
async def models() -> dict:
    return {
        "object": "list",
        "data": [
            {"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "union-figures-rag"}
        ],
    }


@router.post(
    "/v1/chat/completions",
    summary="OpenAI 兼容的对话接口（可流式）",
    response_model=None,
    responses={
        200: {"model": ChatCompletion, "content": STREAM_DOC},
        **{s: {"model": ErrorResponse} for s in (400, 404, 413, 422, 429, 503)},
    },
)
async def chat_completions(body: ChatRequest, qa: QA, request: Request) -> Any:
    _check_model(body.model)
    question, history = conversation(body.messages)
    result: AnswerObject = await anyio.to_thread.run_sync(
        lambda: qa.ask(question, history=history), limiter=_ask_limiter(request)
    )
    base = str(request.base_url).rstrip("/")
    content = answer_markdown(result, link=lambda c: base + document_path(c))
    answer = result.model_dump(mode="json", by_alias=True)
    reply_id = f"chatcmpl-{uuid.uuid4().hex}"
    prompt_tokens = count_tokens(question + "".join(t.question for t in history))
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": count_tokens(content),
        "total_tokens": prompt_tokens + count_tokens(content),
    }
    head = {"id": reply_id, "created": int(time.time()), "model": body.model}
    if not body.stream:
        return JSONResponse(
            {
                **head,
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
                "citations": answer["citations"],
                "answer": answer,
            }
        )
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    return StreamingResponse(
        _chunks(head, content, answer, usage if include_usage else None),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _chunks(head: dict, content: str, answer: dict, usage: dict | None) -> AsyncIterator[str]:
    """Server-sent events: the role, the content paragraph by paragraph, the end."""

    def event(delta: dict, finish: str | None = None, **extra: Any) -> str:
        chunk = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(content):
        yield event({"content": piece})
    yield event({}, "stop", citations=answer["citations"], answer=answer)
    if usage is not None:
        yield f"data: {json.dumps({**head, 'object': 'chat.completion.chunk', 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


def _pieces(content: str) -> list[str]:
    """The content cut after each paragraph break; joined, they are the content."""
    pieces, start = [], 0
    while (at := content.find("\n\n", start)) >= 0:
        pieces.append(content[start : at + 2])
        start = at + 2
    if start < len(content):
        pieces.append(content[start:])
    return pieces


# --------------------------------------------------------------- errors


_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def openai_error(error: dict, status: int) -> dict:
    """Our ``{"code", "message", "details"}`` with OpenAI's ``type`` and ``param`` added."""
    details = error.get("details") or []
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    param = details[0].get("field") if details and isinstance(details[0], dict) else None
    return {**error, "type": kind, "param": param or None}


class OpenAIErrorShapeMiddleware:
    """Rewrites JSON error bodies on the OpenAI routes, wherever they were produced (the
    route, validation, the rate limiter, the body limit, the not-ready check)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in OPENAI_PATHS:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", ()))
                is_json = headers.get(b"content-type", b"").startswith(b"application/json")
                if message["status"] >= 400 and is_json:
                    start = message  # hold it until the body is complete
                    return
            elif start is not None and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                data = json.loads(bytes(body) or b"{}")
                if isinstance(data.get("error"), dict):
                    data["error"] = openai_error(data["error"], start["status"])
                out = json.dumps(data, ensure_ascii=False).encode()
                headers = [(k, v) for k, v in start.get("headers", ()) if k != b"content-length"]
                headers.append((b"content-length", str(len(out)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": out})
                return
            await send(message)

        await self.app(scope, receive, rewrite)
