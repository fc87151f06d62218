"""Hostile and malformed requests against the service; what test_api*.py does not cover.

Against the shared server: security headers on every HTML page, ``frame-ancestors``
taken from the CORS allow-list, 405 naming every method, malformed and oversized
bodies, path tricks, upload file names that try to escape, legacy encodings over
HTTP, and a writer holding the index lock. In-process apps check the constant-time
token comparison, the 429 headers and the policy without configured origins. A server
started on a corrupted index stays up, not ready, says what to run, and becomes
ready by itself once `rag ingest` has repaired the index.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import (
    ADMIN_TOKEN,
    CORS_ORIGIN,
    MAX_BODY_BYTES,
    MISSION,
    PYTHON,
    ROOT,
    ApiServer,
    assert_error,
)
from fastapi.responses import HTMLResponse

from rag.index import current_generation, ingest_lock
from rag.pipeline import Pipeline
from rag.settings import Settings

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def http(api_server: ApiServer):
    with api_server.client() as client:
        yield client


@pytest.fixture(scope="module")
def doc_id(http) -> str:
    return http.get("/v1/documents").json()["documents"][0]["doc_id"]


def csp(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    out = {}
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        name, *values = directive.split()
        out[name] = values
    return out


def count(http) -> int:
    return http.get("/v1/documents").json()["count"]


def upload(http, name: str, data: bytes, **fields: str) -> httpx.Response:
    return http.post(
        "/v1/documents", files={"file": (name, data, "text/plain")}, data=fields, headers=AUTH
    )


def in_process(app, *requests: tuple[str, str, dict]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.request(m, url, **kw) for m, url, kw in requests]

    return asyncio.run(run())


# ----------------------------------------------------------- headers, CSP


@pytest.mark.parametrize(
    "path", ["/", "/docs", "/documents/{doc}", "/documents/{doc}?start=0&end=8"]
)
def test_every_html_page_has_the_security_headers(http, doc_id, path):
    page = http.get(path.format(doc=doc_id))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = csp(page)
    # Only this site and the configured origins may frame the page.
    assert policy["frame-ancestors"] == ["'self'", CORS_ORIGIN]
    assert "'none'" in policy.get("object-src", policy["default-src"])
    assert policy["base-uri"] == ["'none'"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("GET", "/nope", {}, 404),
        ("POST", "/v1/ask", {"json": {"question": ""}}, 422),
        ("POST", "/v1/ask", {"content": b"x" * (MAX_BODY_BYTES + 1)}, 413),
        ("DELETE", "/v1/documents/x", {}, 401),
        ("GET", "/v1/documents", {}, 200),
    ],
)
def test_json_responses_and_errors_carry_the_headers_too(http, method, path, kwargs, status):
    response = http.request(method, path, **kwargs)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def _app(qa, **settings):
    from api.server import create_app

    return create_app(pipeline=Pipeline(qa.index, qa.embedder, Settings(**settings)))


def test_frame_ancestors_follows_the_configured_origins(qa, seed_index_dir):
    origins = ["https://a.example", "https://b.example:8443"]
    for configured, expected in (([], ["'self'"]), (origins, ["'self'", *origins])):
        app = _app(qa, index_dir=seed_index_dir, cors_origins=configured)
        # A page with no policy of its own gets the default one.
        app.add_api_route("/plain", lambda: HTMLResponse("<p>纯页面</p>"))
        doc = next(iter(qa.index.docs))
        pages = in_process(
            app, *[("GET", p, {}) for p in ("/plain", "/", "/docs", f"/documents/{doc}")]
        )
        for page in pages:
            assert page.status_code == 200, page.text
            assert csp(page)["frame-ancestors"] == expected, page.request.url
            assert page.headers["x-content-type-options"] == "nosniff"


def test_429_has_retry_after_and_cors_so_a_browser_can_read_it(qa, seed_index_dir):
    app = _app(
        qa, index_dir=seed_index_dir, rate_limit_per_minute=2, cors_origins=["https://a.example"]
    )
    origin = {"headers": {"Origin": "https://a.example"}}
    responses = in_process(app, *[("GET", "/v1/documents", origin)] * 3)
    assert [r.status_code for r in responses] == [200, 200, 429]
    limited = assert_error(responses[2], 429, "rate_limited")
    assert "秒后再试" in limited["message"]
    assert 1 <= int(responses[2].headers["retry-after"]) <= 60
    assert responses[2].headers["access-control-allow-origin"] == "https://a.example"
    assert responses[2].headers["x-content-type-options"] == "nosniff"


def test_admin_token_is_compared_in_constant_time(qa, seed_index_dir, monkeypatch):
    import api.admin

    calls = []
    real = api.admin.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api.admin.hmac, "compare_digest", spy)
    app = _app(qa, index_dir=seed_index_dir, admin_token="s3cret-token")
    guesses = ["s3cret-toke", "s3cret-token-", "S3CRET-TOKEN", "s3cret-token\u200b", "令牌"]
    responses = in_process(
        app,
        *[
            ("DELETE", "/v1/documents/x", {"headers": {"Authorization": f"Bearer {g}".encode()}})
            for g in guesses
        ],
    )
    for response in responses:
        assert_error(response, 403, "forbidden")
    # Every guess went through compare_digest (as bytes, so non-ASCII cannot raise).
    assert len(calls) == len(guesses)
    assert all(isinstance(a, bytes) and b == b"s3cret-token" for a, b in calls)


# ------------------------------------------------------------- methods


@pytest.mark.parametrize(
    "path, allowed",
    [("/v1/documents", "GET, POST"), ("/v1/documents/x", "GET, DELETE"), ("/v1/ask", "POST")],
)
def test_405_names_every_method_of_the_path(http, path, allowed):
    for method in ("PUT", "PATCH", "OPTIONS"):
        response = http.request(method, path)
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["allow"] == allowed


# ------------------------------------------------------- hostile requests


JSON = {"content-type": "application/json"}
HOSTILE_BODIES = {
    "deep-array": (b"[" * 40_000 + b"]" * 40_000, JSON),
    "deep-object": (b'{"question": ' + b'{"a": ' * 15_000 + b"1" + b"}" * 15_001, JSON),
    "invalid-utf8": (b'{"question": "\xff\xfe\xfa"}', JSON),
    "lone-surrogate": (b'{"question": "\\ud800 \xe8\x8b\x8f\xe5\xb7\x9e"}', JSON),
    "nan-top-k": (b'{"question": "x", "top_k": NaN}', JSON),
    "huge-top-k": (b'{"question": "x", "top_k": 1e400}', JSON),
    "huge-int": (b'{"question": "x", "top_k": ' + b"9" * 5000 + b"}", JSON),
    "duplicate-keys": (b'{"question": "x", "question": 5}', JSON),
    "gbk-charset": ('{"question": "苏州"}'.encode("gbk"), {"content-type": "application/json; charset=gbk"}),
    "xml": (b"<question>x</question>", {"content-type": "application/xml"}),
    "no-content-type": (b'{"question": "x"}', {}),
    "multipart": (b"--b\r\n\r\n--b--", {"content-type": "multipart/form-data; boundary=b"}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_malformed_ask_bodies_are_4xx_json(http, name):
    content, headers = HOSTILE_BODIES[name]
    response = http.post("/v1/ask", content=content, headers=headers)
    assert response.status_code in (400, 413, 422), response.text
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "question",
    ["\x00\x01\x02苏州", "苏州\u202e2016\u202c年", "🧑‍🏭" * 100, "\ud7ff\ue000\uffff", "​" * 400],
    ids=["controls", "bidi", "emoji", "edge-codepoints", "zero-width"],
)
def test_odd_but_valid_questions_get_an_answer_object(http, question):
    response = http.post("/v1/ask", json={"question": question})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["status"] in ("answered", "not_found")
    else:
        assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/..%2F..%2Fapi%2Fserver.py",
        "/static/..%2F..%2Fapi%2Fserver.py",
        "/static/%2e%2e/%2e%2e/api/server.py",
        "/static/..%5c..%5capi%5cserver.py",
        "/v1/documents/%00",
        "/v1/search?q=%FF%FE%00",
        "/v1/search?q=x&q=y&top_k=1&top_k=99",
        "/documents/x?start=" + "9" * 400 + "&end=1",
        "/" + "a" * 8000,
    ],
)
def test_path_and_query_tricks_are_answered_without_leaking_files(http, path):
    response = http.get(path)
    assert response.status_code < 500
    assert "def create_app" not in response.text and "root:" not in response.text
    if response.status_code >= 400:
        assert_error(response, response.status_code)


def test_upload_file_names_cannot_escape_or_break_ids(http, api_server):
    before = count(http)
    text = "扬州市总工会2010年工作报告\n2010年，全市新建职工书屋 131 家。\n"
    names = {
        "../../escape_upload.txt": "escape_upload",
        "..\\..\\windows_escape.txt": None,
        "<script>x</script>.md": None,
    }
    made = []
    try:
        for i, (name, expected) in enumerate(names.items()):
            response = upload(http, name, (text + f"第{i}份。").encode())
            assert response.status_code == 201, response.text
            doc_id = response.json()["doc_id"]
            made.append(doc_id)
            assert re.fullmatch(r"[\w.-]+", doc_id) and not doc_id.startswith(".")
            if expected:
                assert doc_id == expected
            detail = http.get(f"/v1/documents/{doc_id}").json()
            assert "/" not in detail["source"]
        # Documents live inside the index only; nothing was written by name anywhere.
        for root in (api_server.index_dir.parent, api_server.index_dir.parent.parent, ROOT):
            assert not list(root.glob("escape_upload*"))
    finally:
        for doc_id in made:
            assert http.delete(f"/v1/documents/{doc_id}", headers=AUTH).status_code == 200
    assert count(http) == before


def test_gbk_and_big5_uploads_are_decoded_and_answerable(http):
    reports = {
        "gbk_report.txt": (
            "盐城市总工会2010年工作报告\n\n2010年，盐城市总工会团结动员广大职工建功立业。"
            "全年新建职工书屋 149 家，开展读书活动 20 场次。\n",
            "gbk",
            "盐城2010年新建职工书屋多少家",
            149,
        ),
        "big5_report.txt": (
            "香港職工會聯合會2010年工作報告\n\n2010年，聯合會團結廣大職工。"
            "全年新建職工書屋 83 家，開展讀書活動 20 場次。\n",
            "big5",
            "香港2010年新建職工書屋多少家",
            83,
        ),
    }
    made = []
    try:
        for name, (text, encoding, question, figure) in reports.items():
            response = upload(http, name, text.encode(encoding))
            assert response.status_code == 201, response.text
            doc_id = response.json()["doc_id"]
            made.append(doc_id)
            assert http.get(f"/v1/documents/{doc_id}").json()["text"] == text
            answer = http.post("/v1/ask", json={"question": question}).json()
            assert answer["status"] == "answered" and answer["answer"]["value"] == figure
            assert answer["citations"][0]["doc_id"] == doc_id
    finally:
        for doc_id in made:
            http.delete(f"/v1/documents/{doc_id}", headers=AUTH)


def test_writes_while_another_process_holds_the_lock_are_409(http, api_server, doc_id):
    before = count(http)
    generation = current_generation(api_server.index_dir)
    with ingest_lock(api_server.index_dir):  # e.g. `rag ingest` running by hand
        busy = upload(http, "locked_2010.txt", "无锡市总工会\n新建职工书屋 12 家。".encode())
        error = assert_error(busy, 409, "index_busy")
        assert "另一个导入任务" in error["message"]
        # What to do, not where the index lives on the server (the log has that).
        assert str(api_server.index_dir) not in error["message"] and "/" not in error["message"]
        assert int(busy.headers["retry-after"]) > 0
        assert_error(http.delete(f"/v1/documents/{doc_id}", headers=AUTH), 409, "index_busy")
        # Questions are still answered meanwhile.
        assert http.post("/v1/ask", json={"question": MISSION}).json()["answer"]["value"] == 918
    assert current_generation(api_server.index_dir) == generation
    assert count(http) == before


def test_client_hanging_up_mid_upload_is_not_a_server_error(http, api_server):
    tracebacks = api_server.log().count("Traceback")
    # An earlier request's access line is written after its response went out, so it
    # can land after we counted lines: a marker request fences them off.
    marker = f"/v1/documents/marker-{time.monotonic_ns()}"
    assert_error(http.get(marker), 404)
    deadline = time.monotonic() + 10
    while marker not in api_server.log():
        assert time.monotonic() < deadline, api_server.log()[-2000:]
        time.sleep(0.05)
    records = len(api_server.log().splitlines())
    url = urlsplit(api_server.url)
    head = (
        "POST /v1/documents HTTP/1.1\r\nHost: test\r\n"
        f"Authorization: Bearer {ADMIN_TOKEN}\r\n"
        "Content-Type: multipart/form-data; boundary=cut\r\nContent-Length: 50000\r\n\r\n"
        '--cut\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\n'
    ).encode()
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head + "常州市总工会".encode() * 100)
        time.sleep(0.3)  # the server is now reading the body; then the client is gone

    def upload_records() -> list[dict]:
        lines = api_server.log().splitlines()[records:]
        return [
            r
            for r in (json.loads(line) for line in lines if line.startswith("{"))
            if r["path"] == "/v1/documents" and r["method"] == "POST"
        ]

    deadline = time.monotonic() + 10
    while not upload_records():
        assert time.monotonic() < deadline, api_server.log()[-2000:]
        time.sleep(0.1)
    assert [r["status"] for r in upload_records()] == [400]
    assert api_server.log().count("Traceback") == tracebacks
    assert http.post("/v1/ask", json={"question": MISSION}).json()["answer"]["value"] == 918
    assert_error(http.get("/v1/documents/cut"), 404)


# ------------------------------------------------------- corrupted index


def test_server_on_a_corrupted_index_stays_up_and_recovers_after_rag_ingest(
    api_server_factory, seed_index_dir, tmp_path
):
    index_dir = shutil.copytree(seed_index_dir, tmp_path / "index")
    vectors = current_generation(index_dir) / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])
    server = api_server_factory(env={"RAG_INDEX_DIR": str(index_dir)}, wait="up")
    with server.client() as client:
        deadline = time.monotonic() + 120
        while "加载失败" not in (ready := client.get("/readyz")).text:
            assert time.monotonic() < deadline, server.log()[-2000:]
            time.sleep(0.3)
        message = assert_error(ready, 503, "not_ready")["message"]
        assert "vectors.npy" in message and "rag ingest" in message
        public = assert_error(client.post("/v1/ask", json={"question": MISSION}), 503)
        assert str(index_dir) not in public["message"]
        assert client.get("/healthz").status_code == 200
    # It did not "repair" the index by building a new one over it.
    assert len(vectors.read_bytes()) == 100

    # `rag ingest` from another process repairs it; the running server picks the
    # repaired index up by itself and becomes ready, without a restart.
    repair = subprocess.run(
        [PYTHON, "-m", "rag.cli", "ingest", str(ROOT / "seeds")],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert repair.returncode == 0, repair.stdout + repair.stderr
    with server.client() as client:
        deadline = time.monotonic() + 60
        while (ready := client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, server.log()[-2000:]
            time.sleep(0.3)
        assert ready.json()["documents"] == 5
        answer = client.post("/v1/ask", json={"question": MISSION}).json()
        assert answer["answer"]["value"] == 918
    assert server.proc.poll() is None  # the same process all along


@pytest.mark.parametrize("damage", ["missing-generation", "bad-manifest", "missing-file"])
def test_index_load_errors_say_what_to_do_without_server_paths(seed_index_dir, tmp_path, damage):
    from rag.index import IndexLoadError, load_index

    index_dir = shutil.copytree(seed_index_dir, tmp_path / "index")
    gen = current_generation(index_dir)
    if damage == "missing-generation":
        shutil.rmtree(gen)
    elif damage == "bad-manifest":
        (gen / "manifest.json").write_text("{", encoding="utf-8")
    else:
        (gen / "docs.json").unlink()
    with pytest.raises(IndexLoadError) as caught:
        load_index(Settings(index_dir=index_dir))
    message = str(caught.value)
    assert "rag ingest" in message
    assert str(tmp_path) not in message and "/" not in message, message
