"""The OpenAI-compatible routes (api/chat.py) through the official ``openai`` client, and
follow-ups on POST /v1/ask, against a real uvicorn server on loopback.

Run: ``.venv/bin/python -m pytest tests/test_chat_api.py -q``
"""

from __future__ import annotations

import json
import re

import httpx
import openai
import pytest
from conftest import MISSION, assert_error

from api.chat import MODEL_ID

FOLLOW_UP = "那昆山呢？"
RESOLVED = "昆山2016年职工书屋多少家"


@pytest.fixture(scope="module")
def client(api_server) -> openai.OpenAI:
    return openai.OpenAI(base_url=api_server.url + "/v1", api_key="unused", max_retries=0)


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def assert_openai_error(exc: openai.APIStatusError, status: int, code: str) -> dict:
    """OpenAI's error shape, which keeps our code and Chinese message."""
    assert exc.status_code == status
    error = exc.response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}, error
    assert error["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", error["message"])
    assert "Traceback" not in exc.response.text
    return error


# ------------------------------------------------------------------- models


def test_models_lists_the_model(client):
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL_ID]
    assert models.data[0].object == "model"


# --------------------------------------------------------------------- chat


def test_chat_answers_in_markdown_with_citations_and_answer_object(client, api_server):
    reply = client.chat.completions.create(model=MODEL_ID, messages=[user(MISSION)])
    assert reply.object == "chat.completion" and reply.model == MODEL_ID
    choice = reply.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert content.startswith("**918 家**")
    with httpx.Client(base_url=api_server.url) as http:
        asked = http.post("/v1/ask", json={"question": MISSION}).json()
    first = asked["citations"][0]
    assert f"> {first['quote']}" in content
    link = f"{api_server.url}/documents/{first['doc_id']}?start={first['start']}&end={first['end']}"
    assert f"]({link})" in content
    # extra fields: the citations of /v1/ask and the whole answer object
    extra = reply.model_extra
    assert [(c["doc_id"], c["start"], c["end"]) for c in extra["citations"]] == [
        (c["doc_id"], c["start"], c["end"]) for c in asked["citations"]
    ]
    assert extra["answer"]["answer"] == asked["answer"]
    assert extra["answer"]["status"] == "answered"
    assert reply.usage.completion_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    # the link opens the highlighted sentence
    with httpx.Client() as http:
        page = http.get(link)
    assert page.status_code == 200 and '<mark id="hl">' in page.text


def test_earlier_user_messages_are_the_conversation(client):
    first = client.chat.completions.create(model=MODEL_ID, messages=[user(MISSION)])
    messages = [
        {"role": "system", "content": "你是工会数据助手。"},
        user(MISSION),
        {"role": "assistant", "content": first.choices[0].message.content},
        user(FOLLOW_UP),
    ]
    reply = client.chat.completions.create(model=MODEL_ID, messages=messages)
    content = reply.choices[0].message.content
    assert content.splitlines()[0] == f"按“{RESOLVED}”查找"
    answer = reply.model_extra["answer"]
    assert answer["resolved_question"] == RESOLVED
    assert answer["question"] == FOLLOW_UP
    assert answer["answer"]["text"] == "127家"
    # content as a list of text parts, as some clients send it
    parts = [{"type": "text", "text": "那昆山"}, {"type": "text", "text": "呢？"}]
    messages[-1] = {"role": "user", "content": parts}
    again = client.chat.completions.create(model=MODEL_ID, messages=messages)
    assert again.model_extra["answer"]["resolved_question"] == RESOLVED


def test_unresolvable_follow_up_asks_to_restate(client):
    reply = client.chat.completions.create(model=MODEL_ID, messages=[user("那个呢")])
    assert "请把问题说完整" in reply.choices[0].message.content
    assert reply.model_extra["answer"]["status"] == "not_found"


def test_stream_sends_chunks_that_add_up_to_the_answer(client):
    messages = [user(MISSION), {"role": "assistant", "content": "918 家"}, user(FOLLOW_UP)]
    plain = client.chat.completions.create(model=MODEL_ID, messages=messages)
    chunks = []
    with client.chat.completions.create(model=MODEL_ID, messages=messages, stream=True) as stream:
        for chunk in stream:  # each chunk as it arrives
            assert chunk.object == "chat.completion.chunk"
            chunks.append(chunk)
    assert len(chunks) >= 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len({c.id for c in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    last = chunks[-1].model_extra
    assert last["answer"]["resolved_question"] == RESOLVED
    assert last["citations"][0]["doc_id"] == last["answer"]["citations"][0]["doc_id"]


def test_stream_is_server_sent_events_ending_with_done(api_server):
    body = {"model": MODEL_ID, "messages": [user(MISSION)], "stream": True}
    events = []
    with (
        httpx.Client(base_url=api_server.url, timeout=60) as http,
        http.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():  # read incrementally, line by line
            if line:
                assert line.startswith("data: ")
                events.append(line[len("data: ") :])
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks).startswith(
        "**918 家**"
    )


def test_stream_options_include_usage(client):
    with client.chat.completions.create(
        model=MODEL_ID,
        messages=[user(MISSION)],
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        chunks = list(stream)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0


# ------------------------------------------------------------------- errors


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="gpt-4o", messages=[user(MISSION)])
    error = assert_openai_error(info.value, 404, "model_not_found")
    assert error["type"] == "invalid_request_error"
    assert MODEL_ID in error["message"]


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([], "messages"),
        ([{"role": "assistant", "content": "你好"}], None),
        ([user("   ")], None),
        ([user("问" * 501)], None),
        ([{"role": "robot", "content": "x"}], "messages.0.role"),
    ],
)
def test_invalid_messages_get_an_openai_error(client, messages, param):
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(model=MODEL_ID, messages=messages)
    error = assert_openai_error(info.value, 422, "invalid_input")
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_malformed_json_and_oversized_body_use_the_openai_shape(api_server):
    from conftest import MAX_BODY_BYTES

    with httpx.Client(base_url=api_server.url) as http:
        bad = http.post(
            "/v1/chat/completions",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        big = http.post(
            "/v1/chat/completions",
            json={"model": MODEL_ID, "messages": [user("问" * MAX_BODY_BYTES)]},
        )
        wrong_method = http.get("/v1/chat/completions")
    for response, status, code in (
        (bad, 422, "invalid_input"),
        (big, 413, "payload_too_large"),
        (wrong_method, 405, "method_not_allowed"),
    ):
        error = assert_error(response, status, code)
        assert {"type", "param"} <= set(error), error
    # the other routes keep their own shape
    with httpx.Client(base_url=api_server.url) as http:
        plain = http.post("/v1/ask", json={"question": ""})
    assert set(assert_error(plain, 422, "invalid_input")) == {"code", "message", "details"}


# ----------------------------------------------------------- /v1/ask history


def test_ask_with_history_resolves_the_follow_up(api_server):
    with httpx.Client(base_url=api_server.url) as http:
        r = http.post(
            "/v1/ask",
            json={"question": FOLLOW_UP, "history": [{"question": MISSION, "answer": "918 家"}]},
        )
        plain = http.post("/v1/ask", json={"question": MISSION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["question"] == FOLLOW_UP and body["resolved_question"] == RESOLVED
    assert body["answer"]["text"] == "127家"
    assert plain.json()["resolved_question"] is None


@pytest.mark.parametrize(
    ("history", "field"),
    [
        ([{"question": MISSION}] * 11, "history"),
        ("苏州2016年职工书屋多少家", "history"),
        (["苏州2016年职工书屋多少家"], "history.0"),
        ([{"question": ""}], "history.0.question"),
        ([{"question": "问" * 501}], "history.0.question"),
        ([{"question": MISSION, "answer": 918}], "history.0.answer"),
        ([{"question": MISSION, "extra": 1}], "history.0.extra"),
    ],
)
def test_ask_history_is_validated(api_server, history, field):
    with httpx.Client(base_url=api_server.url) as http:
        r = http.post("/v1/ask", json={"question": FOLLOW_UP, "history": history})
    error = assert_error(r, 422, "invalid_input")
    assert field in [d["field"] for d in error["details"]], error


# -------------------------------------------------------------- rate limits


def test_rate_limit_applies_to_the_new_routes(api_server_factory):
    server = api_server_factory(env={"RAG_RATE_LIMIT_PER_MINUTE": "4"})
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    client.models.list()
    client.chat.completions.create(model=MODEL_ID, messages=[user(MISSION)])
    with httpx.Client(base_url=server.url) as http:
        assert http.post("/v1/ask", json={"question": MISSION}).status_code == 200
        mcp = http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"accept": "application/json, text/event-stream"},
        )
        assert mcp.status_code != 429  # the fourth request: still within the bucket
        limited_mcp = http.post("/mcp", json={})
    assert_error(limited_mcp, 429, "rate_limited")
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model=MODEL_ID, messages=[user(MISSION)])
    error = assert_openai_error(info.value, 429, "rate_limited")
    assert error["type"] == "rate_limit_error"
    assert int(info.value.response.headers["retry-after"]) >= 1
