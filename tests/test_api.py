"""HTTP API against a real uvicorn process: answers, citations, pages, errors, limits.

Uploads and deletions are in ``test_api_upload.py``; the servers come from conftest.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import re
import time
from pathlib import Path

import httpx
import pytest
from conftest import ADMIN_TOKEN, CORS_ORIGIN, MAX_BODY_BYTES, MISSION, ApiServer, assert_error

from api.pages import inline_script_hashes
from api.ratelimit import TokenBucketLimiter

STATIC = Path(__file__).resolve().parent.parent / "api" / "static"


@pytest.fixture(scope="module")
def http(api_server: ApiServer):
    with api_server.client() as client:
        yield client


# ------------------------------------------------------------------ health


def test_health_and_readiness(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.head("/healthz").status_code == 200
    ready = http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["documents"] >= 5


# ------------------------------------------------------------------- answers


def test_mission_question_cites_the_right_span(http):
    response = http.post("/v1/ask", json={"question": MISSION})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "answered"
    assert body["answer"]["value"] == 918
    assert "from" in body["answer"]  # the alias, not from_
    cite = body["citations"][0]
    assert "918" in cite["quote"]

    doc = http.get(f"/v1/documents/{cite['doc_id']}").json()
    assert doc["text"][cite["start"] : cite["end"]] == cite["quote"]

    page = http.get(
        f"/documents/{cite['doc_id']}", params={"start": cite["start"], "end": cite["end"]}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text
    marked = re.findall(r'<mark id="hl">(.*?)</mark>', page.text, re.S)
    assert marked == [html.escape(cite["quote"])]
    assert html.escape(doc["metadata"]["title"]) in page.text
    assert "地区：苏州" in page.text and "时期：2016" in page.text


def test_document_page_security_headers_and_scroll_script(http):
    doc_id = http.get("/v1/documents").json()["documents"][0]["doc_id"]
    page = http.get(f"/documents/{doc_id}", params={"start": 0, "end": 10})
    csp = page.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {CORS_ORIGIN}" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # No inline script: scrolling lives in a static file.
    assert not inline_script_hashes(page.text)
    src = re.search(r'<script src="([^"]+)"', page.text).group(1)
    script = http.get(src)
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "scrollIntoView" in script.text

    plain = http.get(f"/documents/{doc_id}")
    assert plain.status_code == 200 and "<mark" not in plain.text


def test_documents_page_lists_every_document_and_each_page_links_back(http):
    listed = http.get("/v1/documents").json()["documents"]
    page = http.get("/documents")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    links = re.findall(r'<a href="/documents/([^"]+)">([^<]+)</a>', page.text)
    assert [doc_id for doc_id, _ in links] == [d["doc_id"] for d in listed]
    assert all(title == d["title"] for (_, title), d in zip(links, listed, strict=True))
    reading = http.get(f"/documents/{listed[0]['doc_id']}")
    assert '<a href="/documents">' in reading.text


def test_search_returns_passages_with_metadata_and_scores(http):
    response = http.get("/v1/search", params={"q": "职工书屋", "top_k": 3})
    assert response.status_code == 200
    passages = response.json()["passages"]
    assert 1 <= len(passages) <= 3
    for p in passages:
        assert {"doc_id", "title", "region", "period", "text", "start", "end", "score"} <= set(p)
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_documents_list_and_detail(http):
    listing = http.get("/v1/documents").json()
    assert listing["count"] == len(listing["documents"]) >= 5
    first = listing["documents"][0]
    assert {"doc_id", "title", "region", "period", "length"} <= set(first)
    detail = http.get(f"/v1/documents/{first['doc_id']}").json()
    assert len(detail["text"]) == first["length"] == detail["length"]
    assert detail["metadata"]["title"] == first["title"]


def test_question_of_500_characters_as_sent_is_accepted_and_501_is_not(http):
    question = "  " + ("苏州职工书屋" * 100)[:495] + "？  "
    assert len(question) == 500
    assert http.post("/v1/ask", json={"question": question, "top_k": 20}).status_code == 200
    # The schema's maxLength counts what is sent: padding with spaces does not get round it.
    padded = "苏州职工书屋多少家" + " " * 492
    error = assert_error(http.post("/v1/ask", json={"question": padded}), 422, "invalid_input")
    assert "500" in error["message"]


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "payload",
    [
        {"question": ""},
        {"question": "   \n\t "},
        {"question": "问" * 501},
        {"question": 123},
        {"question": None},
        {"question": ["苏州"]},
        {},
        {"question": MISSION, "top_k": 0},
        {"question": MISSION, "top_k": 21},
        {"question": MISSION, "top_k": "5"},
        {"question": MISSION, "top_k": 2.5},
        {"question": MISSION, "top_k": True},
    ],
    ids=lambda p: json.dumps(p, ensure_ascii=False)[:40],
)
def test_ask_rejects_invalid_input(http, payload):
    assert_error(http.post("/v1/ask", json=payload), 422, "invalid_input")


@pytest.mark.parametrize(
    "content, ctype",
    [
        (b'{"question": "x"', "application/json"),
        (b"[1, 2]", "application/json"),
        (b"", "application/json"),
        (b"question=x", "application/x-www-form-urlencoded"),
        ("\u82cf".encode("utf-16"), "application/json"),
    ],
    ids=["truncated-json", "array", "empty", "form", "utf16"],
)
def test_ask_rejects_bodies_that_are_not_a_json_object(http, content, ctype):
    assert_error(
        http.post("/v1/ask", content=content, headers={"content-type": ctype}), 422, "invalid_input"
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 501},
        {"q": "书屋", "top_k": 0},
        {"q": "书屋", "top_k": "many"},
    ],
    ids=["missing", "empty", "blank", "long", "top_k-0", "top_k-text"],
)
def test_search_rejects_invalid_input(http, params):
    assert_error(http.get("/v1/search", params=params), 422, "invalid_input")


@pytest.mark.parametrize(
    "params",
    [{"start": -1, "end": 5}, {"start": "a", "end": 3}],
    ids=["negative", "not-int"],
)
def test_document_page_rejects_spans_the_schema_rejects(http, params):
    doc_id = http.get("/v1/documents").json()["documents"][0]["doc_id"]
    assert_error(http.get(f"/documents/{doc_id}", params=params), 422, "invalid_input")


@pytest.mark.parametrize(
    "params",
    [{"start": 5}, {"end": 5}, {"start": 10, "end": 5}, {"start": 0, "end": 10**7}],
    ids=["start-only", "end-only", "reversed", "past-end"],
)
def test_document_page_shows_the_text_unmarked_for_a_span_it_does_not_have(http, params):
    doc_id = http.get("/v1/documents").json()["documents"][0]["doc_id"]
    page = http.get(f"/documents/{doc_id}", params=params)
    assert page.status_code == 200 and "<mark" not in page.text
    # ... and says why, in words, above the text.
    assert "链接中的引文位置" in page.text and "下面显示全文" in page.text
    assert "链接中的引文位置" not in http.get(f"/documents/{doc_id}").text


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [("/documents/no-such-doc", {}, 404), ("/documents/{doc}", {"start": -1, "end": 5}, 422)],
    ids=["bad-id", "bad-offset"],
)
def test_a_browser_gets_a_readable_error_page_and_a_program_json(http, path, params, status):
    doc_id = http.get("/v1/documents").json()["documents"][0]["doc_id"]
    url = path.format(doc=doc_id)
    page = http.get(url, params=params, headers=BROWSER)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert f"出错了（{status}）" in page.text and '<a href="/documents">' in page.text
    assert "error" not in re.sub(r"<[^>]+>", "", page.text).lower()  # no English field names
    # The same request from a program (no text/html in Accept) is the JSON error.
    assert http.get(url, params=params).json()["error"]["code"] in ("not_found", "invalid_input")
    # API paths stay JSON for browsers too.
    assert http.get("/v1/documents/no-such-doc", headers=BROWSER).json()["error"]


def test_favicon_is_served(http):
    icon = http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text
    for page in ("/", "/documents"):
        href = re.search(r'<link rel="icon" href="([^"]+)"', http.get(page).text).group(1)
        assert http.get(href).status_code == 200


@pytest.mark.parametrize(
    "path", ["/nope", "/v1/documents/no-such-doc", "/documents/no-such-doc", "/static/none.js"]
)
def test_unknown_things_are_404_json(http, path):
    assert_error(http.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_trailing_slash_is_404_not_a_redirect(http, method):
    response = http.request(method, "/v1/documents/", follow_redirects=False)
    assert_error(response, 404, "not_found")


def test_wrong_method_is_405_json(http):
    assert_error(http.put("/v1/ask", json={"question": MISSION}), 405, "method_not_allowed")


def test_body_over_limit_by_content_length_is_413(http):
    payload = {"question": MISSION, "padding": "x" * MAX_BODY_BYTES}
    assert_error(http.post("/v1/ask", json=payload), 413, "payload_too_large")


def test_body_over_limit_while_streaming_is_413(http):
    # A generator body goes out chunked, with no Content-Length to check up front.
    def chunks():
        yield b'{"question": "' + MISSION.encode() + b'", "padding": "'
        for _ in range(15):
            yield b"x" * 10_000
        yield b'"}'

    response = http.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


def test_admin_endpoints_need_the_right_token(http):
    files = {"file": ("x.txt", "无锡市总工会2019年工作报告\n新建职工书屋 5 家。".encode())}
    missing = http.post("/v1/documents", files=files)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_error(
        http.post("/v1/documents", files=files, headers={"Authorization": f"Basic {ADMIN_TOKEN}"}),
        401,
    )
    assert_error(
        http.post("/v1/documents", files=files, headers={"Authorization": "Bearer wrong"}),
        403,
        "forbidden",
    )
    assert_error(
        http.post("/v1/documents", files=files, headers={"Authorization": "Bearer 错误".encode()}),
        403,
        "forbidden",
    )
    assert_error(http.delete("/v1/documents/x"), 401, "unauthorized")
    assert_error(
        http.delete("/v1/documents/x", headers={"Authorization": "Bearer wrong"}), 403, "forbidden"
    )


def test_unexpected_error_is_json_500_without_internals(tmp_path):
    """Forced in-process: a pipeline that raises (nothing in the real one is known to)."""
    from api.server import create_app
    from rag.settings import Settings

    class ExplodingPipeline:
        settings = Settings(index_dir=tmp_path)

        def ask(self, *args, **kwargs):
            raise RuntimeError("secret internal detail /etc/passwd")

    app = create_app(pipeline=ExplodingPipeline())

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/v1/ask", json={"question": MISSION})

    response = asyncio.run(call())
    assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


# --------------------------------------------------------- cross-cutting


def test_cors_allows_only_configured_origins(http):
    preflight = http.options(
        "/v1/ask",
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    allowed = http.get("/v1/documents", headers={"Origin": CORS_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == CORS_ORIGIN
    other = http.get("/v1/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    denied = http.options(
        "/v1/ask",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in denied.headers


def test_access_log_is_json_without_bodies_or_queries(http, api_server):
    marker = "日志不应出现的问题文本"
    http.get("/v1/search", params={"q": marker})
    http.post("/v1/ask", json={"question": marker})
    time.sleep(0.3)
    log = api_server.log()
    assert marker not in log
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert records
    for record in records:
        assert set(record) == {"ts", "method", "path", "status", "ms", "ip"}
        assert "?" not in record["path"]
    assert {"method": "POST", "path": "/v1/ask", "status": 200} in [
        {k: r[k] for k in ("method", "path", "status")} for r in records
    ]
    assert '"GET /healthz HTTP/1.1"' not in log  # uvicorn's own access log is off


def test_openapi_and_docs(http):
    spec = http.get("/openapi.json").json()
    for path in (
        "/v1/ask",
        "/v1/search",
        "/v1/documents",
        "/v1/documents/{doc_id}",
        "/documents/{doc_id}",
    ):
        assert path in spec["paths"]
    upload = spec["paths"]["/v1/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    docs = http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "frame-ancestors" in docs.headers["content-security-policy"]


def test_demo_page_and_widget_are_served(http):
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors" in csp and page.headers["x-content-type-options"] == "nosniff"
    demo = STATIC / "demo.html"
    if demo.is_file():
        # Every inline script of the demo is allowed by hash, and nothing else inline.
        for body in re.findall(
            r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", demo.read_text("utf-8"), re.S
        ):
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    widget = http.get("/widget.js")
    if (STATIC / "widget.js").is_file():
        assert widget.status_code == 200
        assert widget.headers["content-type"].startswith("text/javascript")
    else:
        assert_error(widget, 404)


# ------------------------------------------------- rate limit, not ready


@pytest.fixture(scope="module")
def limited_server(api_server_factory) -> ApiServer:
    # A model that cannot load keeps this server "not ready" for good, which makes the
    # 503 deterministic and costs no model loading; uploads are disabled (no token).
    server = api_server_factory(
        env={"RAG_RATE_LIMIT_PER_MINUTE": "3", "RAG_MODEL": "/nonexistent/model"},
        copy_index=False,
        wait="up",
    )
    # /readyz is exempt from the limit, so waiting here for the load to fail costs
    # no tokens.
    deadline = time.monotonic() + 60
    while "加载失败" not in httpx.get(server.url + "/readyz").text:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.2)
    return server


def test_not_ready_rate_limited_and_uploads_disabled(limited_server):
    with limited_server.client() as client:
        files = {"file": ("x.txt", b"text")}
        assert_error(
            client.post("/v1/documents", files=files, headers={"Authorization": "Bearer x"}),
            403,
            "uploads_disabled",
        )
        public = assert_error(client.post("/v1/ask", json={"question": MISSION}), 503, "not_ready")
        assert "/nonexistent" not in public["message"]  # internals only on /readyz
        assert "/nonexistent" in assert_error(client.get("/readyz"), 503, "not_ready")["message"]
        assert_error(client.get("/v1/documents"), 503, "not_ready")

        limited = client.get("/v1/documents")
        assert_error(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert_error(client.post("/v1/ask", json={"question": MISSION}), 429)

        # Health checks and static files are never limited.
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert client.get("/").status_code == 200
        assert client.get("/static/document.js").status_code == 200


def test_token_bucket_refills_at_the_set_rate():
    limiter = TokenBucketLimiter(per_minute=60)
    assert all(limiter.acquire("a", now=0.0) == 0.0 for _ in range(60))
    assert limiter.acquire("a", now=0.0) == pytest.approx(1.0)
    assert limiter.acquire("b", now=0.0) == 0.0  # per client
    assert limiter.acquire("a", now=1.0) == 0.0
    assert limiter.acquire("a", now=1.0) > 0
