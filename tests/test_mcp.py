"""The MCP server (api/mcp_server.py) through the official SDK's own client, over both
transports: ``rag mcp`` on stdio (a subprocess, as desktop clients run it) and
streamable HTTP at /mcp of a real uvicorn server on loopback.

Run: ``.venv/bin/python -m pytest tests/test_mcp.py -q``
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import httpx
import mcp
import pytest
from conftest import MISSION, PYTHON, ROOT

TOOLS = {"ask", "search", "list_documents", "get_document"}


def stdio_params(index_dir) -> mcp.StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    if "RAG_MODEL" in os.environ:
        env["RAG_MODEL"] = os.environ["RAG_MODEL"]
    return mcp.StdioServerParameters(
        command=PYTHON, args=["-m", "rag.cli", "mcp"], env=env, cwd=ROOT
    )


def run(server, check: Callable[[mcp.Client], Awaitable[None]]) -> None:
    async def main() -> None:
        async with mcp.Client(server, read_timeout_seconds=180) as client:
            await check(client)

    asyncio.run(main())


async def every_tool(client: mcp.Client) -> None:
    """Call every tool, checking structured content and text, and the tool errors."""
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert set(listed) == TOOLS
    assert all(t.output_schema and t.description for t in listed.values())
    assert listed["ask"].annotations.read_only_hint

    asked = await client.call_tool("ask", {"question": MISSION})
    assert not asked.is_error
    answer = asked.structured_content
    assert answer["status"] == "answered" and answer["answer"]["text"] == "918 家"
    assert answer["resolved_question"] is None
    text = asked.content[0].text
    assert text.startswith("**918 家**") and answer["citations"][0]["quote"] in text

    follow = await client.call_tool("ask", {"question": "那昆山呢？", "history": [MISSION]})
    assert follow.structured_content["resolved_question"] == "昆山2016年职工书屋多少家"
    assert follow.content[0].text.startswith("按“昆山2016年职工书屋多少家”查找")
    restate = await client.call_tool("ask", {"question": "那个呢"})
    assert "请把问题说完整" in restate.structured_content["message"]

    found = await client.call_tool("search", {"query": "职工书屋", "top_k": 3})
    passages = found.structured_content["passages"]
    assert len(passages) == 3 and all("职工书屋" in p["text"] for p in passages[:1])
    assert passages[0]["title"] in found.content[0].text

    listing = await client.call_tool("list_documents", {})
    docs = listing.structured_content["documents"]
    assert listing.structured_content["count"] == len(docs) == 5
    assert {d["region"] for d in docs} >= {"苏州", "昆山", "无锡", "江都"}

    cite = answer["citations"][0]
    span = await client.call_tool(
        "get_document", {"doc_id": cite["doc_id"], "start": cite["start"], "end": cite["end"]}
    )
    assert span.structured_content["text"] == cite["quote"] == span.content[0].text
    whole = await client.call_tool("get_document", {"doc_id": cite["doc_id"]})
    assert len(whole.structured_content["text"]) == whole.structured_content["length"]
    assert whole.structured_content["text"][cite["start"] : cite["end"]] == cite["quote"]

    for name, args, says in (
        ("get_document", {"doc_id": "no-such-doc"}, "没有编号为"),
        ("get_document", {"doc_id": cite["doc_id"], "start": 10, "end": 5}, "范围无效"),
        ("ask", {"question": ""}, "question"),
        ("search", {"query": "职工书屋", "top_k": 99}, "top_k"),
    ):
        failed = await client.call_tool(name, args)
        assert failed.is_error, (name, args)
        assert says in failed.content[0].text


def test_stdio_transport(seed_index_dir):
    run(stdio_params(seed_index_dir), every_tool)


def test_streamable_http_transport(api_server):
    run(api_server.url + "/mcp", every_tool)


def test_http_transport_refuses_foreign_hosts(api_server):
    """The SDK's DNS-rebinding check: a page on another origin cannot drive the tools."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"accept": "application/json, text/event-stream", "origin": "http://evil.example"}
    with httpx.Client(base_url=api_server.url) as http:
        r = http.post("/mcp", json=body, headers=headers)
    assert r.status_code in (400, 403, 421)


@pytest.mark.parametrize("path", ["/mcp"])
def test_http_transport_body_limit(api_server, path):
    from conftest import MAX_BODY_BYTES, assert_error

    with httpx.Client(base_url=api_server.url) as http:
        r = http.post(path, content=b"x" * (MAX_BODY_BYTES + 1))
    assert_error(r, 413, "payload_too_large")
