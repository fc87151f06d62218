"""Uploading and deleting documents over HTTP, while questions keep being answered.

Every test removes what it adds, so the shared server ends with the seed corpus.
"""

from __future__ import annotations

import html
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import ADMIN_TOKEN, MAX_UPLOAD_BYTES, MISSION, ApiServer, assert_error

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

# A made-up report with a figure no seed document has; the sentence holding it also
# carries characters that must be escaped on the document page.
REPORT = """常州市总工会2018年工作报告
（2019年1月15日）

一、2018年工作回顾
2018年，常州市总工会深入推进职工文化建设，全年新建职工书屋 37 家，“书香<工会>&读书”活动覆盖全市。
全市各级工会组织开展劳动竞赛，参赛职工广泛，竞赛成果显著。
在页面中出现的标记 <script>alert("x")</script> 只应被当作文字显示。
"""
QUESTION = "常州2018年新建职工书屋多少家"


def upload(client: httpx.Client, name: str, text: str | bytes, **fields: str) -> httpx.Response:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/v1/documents", files={"file": (name, data, "text/plain")}, data=fields, headers=AUTH
    )


@pytest.fixture(scope="module")
def http(api_server: ApiServer):
    with api_server.client() as client:
        yield client


def cited_ids(answer: dict) -> set[str]:
    return {c["doc_id"] for c in answer["citations"]}


def test_upload_makes_a_question_answerable_and_delete_undoes_it(http):
    before = http.get("/v1/documents").json()["count"]

    created = upload(
        http,
        "changzhou_2018.txt",
        REPORT,
        title="常州市总工会2018年工作报告（测试）",
        period="2018",
    )
    assert created.status_code == 201, created.text
    body = created.json()
    doc_id = body["doc_id"]
    assert body["status"] == "added" and doc_id == "changzhou_2018"
    assert body["metadata"]["title"] == "常州市总工会2018年工作报告（测试）"
    assert body["metadata"]["region"] == "常州" and body["metadata"]["period"] == "2018"
    assert body["documents"] == before + 1
    try:
        answer = http.post("/v1/ask", json={"question": QUESTION}).json()
        assert answer["status"] == "answered" and answer["answer"]["value"] == 37
        cite = answer["citations"][0]
        assert cite["doc_id"] == doc_id and "<工会>&" in cite["quote"]

        page = http.get(
            f"/documents/{doc_id}", params={"start": cite["start"], "end": cite["end"]}
        ).text
        assert re.findall(r'<mark id="hl">(.*?)</mark>', page, re.S) == [html.escape(cite["quote"])]
        assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page

        # Same file again: nothing to do. Same content under another name: not added twice.
        again = upload(
            http,
            "changzhou_2018.txt",
            REPORT,
            title="常州市总工会2018年工作报告（测试）",
            period="2018",
        )
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        copy = upload(http, "copy_of_changzhou.md", REPORT)
        assert copy.status_code == 200
        assert copy.json()["status"] == "duplicate" and copy.json()["doc_id"] == doc_id
        assert http.get("/v1/documents").json()["count"] == before + 1
    finally:
        deleted = http.delete(f"/v1/documents/{doc_id}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json() == {
        "status": "deleted",
        "doc_id": doc_id,
        "documents": before,
    }
    after = http.post("/v1/ask", json={"question": QUESTION}).json()
    assert doc_id not in cited_ids(after)
    assert after["answer"] is None or after["answer"]["value"] != 37
    assert_error(http.get(f"/v1/documents/{doc_id}"), 404, "not_found")
    assert_error(http.delete(f"/v1/documents/{doc_id}", headers=AUTH), 404, "not_found")


@pytest.mark.parametrize(
    "name, content, fields, status",
    [
        ("report.pdf", "常州市总工会", {}, 422),
        ("report.txt", b"%PDF-1.7 binary", {}, 422),
        ("report.txt", b"   \n ", {}, 422),
        ("report.txt", "常州市总工会", {"period": "去年"}, 422),
        ("report.txt", "常州市总工会", {"date": "2019/01/15"}, 422),
        ("report.txt", "常州市总工会", {"author": "张三"}, 422),
        ("report.txt", "常" * (MAX_UPLOAD_BYTES // 3 + 1), {}, 413),
        ("report.txt", b"x" * (MAX_UPLOAD_BYTES + 100_000), {}, 413),
    ],
    ids=[
        "pdf-name",
        "pdf-bytes",
        "blank",
        "bad-period",
        "bad-date",
        "unknown-field",
        "file-too-big",
        "body-too-big",
    ],
)
def test_upload_rejects_bad_files_and_fields(http, name, content, fields, status):
    count = http.get("/v1/documents").json()["count"]
    assert_error(upload(http, name, content, **fields), status)
    assert http.get("/v1/documents").json()["count"] == count


def test_streamed_upload_over_limit_is_413(http):
    # Chunked, so only counting the bytes as they arrive can stop it.
    boundary = "api-test-boundary"

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(30):
            yield b"x" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = AUTH | {"content-type": f"multipart/form-data; boundary={boundary}"}
    response = http.post("/v1/documents", content=body(), headers=headers)
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


def test_upload_needs_multipart_with_a_file(http):
    assert_error(
        http.post("/v1/documents", json={"text": REPORT}, headers=AUTH),
        415,
        "unsupported_media_type",
    )
    no_file = http.post("/v1/documents", files={"title": (None, "标题")}, headers=AUTH)
    assert_error(no_file, 422, "invalid_input")


def test_questions_keep_being_answered_during_an_upload(api_server, http):
    # Big enough that indexing takes a while on CPU, so the questions overlap it.
    filler = "\n".join(
        f"第{'一二三四五六七八九十'[i % 10]}部分：武进区各级工会组织围绕职工需求开展走访慰问、技能培训和文体活动，"
        "推动工会工作向基层延伸，职工群众的获得感不断增强。"
        for i in range(80)
    )
    text = "常州市武进区总工会2017年工作报告\n\n" + filler + "\n全年建成职工之家 58 个。\n"
    questions = [
        MISSION,
        QUESTION,
        "无锡给多少困难职工的孩子发了助学金？",
        "昆山五年来职工书屋多少家",
    ]

    def ask(i: int) -> tuple[int, float]:
        response = httpx.post(
            api_server.url + "/v1/ask",
            json={"question": questions[i % len(questions)]},
            timeout=120,
        )
        return response.status_code, time.monotonic()

    def add() -> tuple[httpx.Response, float]:
        with api_server.client(timeout=120) as client:
            return upload(client, "wujin_2017.txt", text), time.monotonic()

    with ThreadPoolExecutor(max_workers=21) as pool:
        uploading = pool.submit(add)
        time.sleep(0.05)
        answers = list(pool.map(ask, range(20)))
        uploaded, upload_done = uploading.result()
    try:
        assert uploaded.status_code == 201, uploaded.text
        assert [status for status, _ in answers] == [200] * 20
        # Indexing takes seconds on CPU; questions must not wait for it.
        assert any(done < upload_done for _, done in answers)
    finally:
        if uploaded.status_code == 201:
            assert http.delete("/v1/documents/wujin_2017", headers=AUTH).status_code == 200


def test_index_written_by_another_process_is_picked_up(api_server, http, tmp_path):
    from rag.ingest import ingest
    from rag.settings import Settings

    path = tmp_path / "outside_writer_2019.txt"
    path.write_text(
        "泰州市总工会2019年工作报告\n2019年，全市新建职工书屋 41 家。\n", encoding="utf-8"
    )
    report = ingest([path], Settings(index_dir=api_server.index_dir))
    assert report.added == ["outside_writer_2019"]

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if http.get("/v1/documents/outside_writer_2019").status_code == 200:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the server did not pick up the index written by another process")
    assert http.delete("/v1/documents/outside_writer_2019", headers=AUTH).status_code == 200


# ------------------------------------------------- messages in one language

# What the framework's parsers say in English; none of it may reach a user.
ENGLISH = re.compile(r"There was|Invalid|Too many|Maximum|exceeded|boundary in|must be|got '")


def raw_upload(client: httpx.Client, body: bytes, boundary: str | None = "b") -> httpx.Response:
    ctype = "multipart/form-data" + (f"; boundary={boundary}" if boundary else "")
    return client.post("/v1/documents", content=body, headers=AUTH | {"content-type": ctype})


def one_language(response: httpx.Response, status: int, code: str) -> str:
    message = assert_error(response, status, code)["message"]
    assert not ENGLISH.search(message), message
    return message


def test_multipart_parser_errors_are_chinese_with_a_stable_code(http):
    text = "常州市总工会".encode()
    two_files = http.post(
        "/v1/documents",
        files=[("file", ("a.txt", text, "text/plain")), ("file", ("b.txt", text, "text/plain"))],
        headers=AUTH,
    )
    assert "一个文件" in one_language(two_files, 422, "too_many_files")
    fields = {"title": "t", "region": "常州", "period": "2018", "date": "2019-01-15", "x": "y"}
    one_language(upload(http, "a.txt", text, **fields), 422, "unknown_field")
    one_language(upload(http, "a.txt", text, title="长" * 2000), 422, "field_too_long")
    one_language(raw_upload(http, b"--b\r\n\r\nx", boundary=None), 400, "malformed_multipart")
    garbage = b'--b\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nzz\r\n--b--\r\n'
    one_language(raw_upload(http, garbage), 400, "malformed_multipart")


def test_metadata_and_validation_messages_name_fields_in_chinese(http):
    text = "常州市总工会".encode()
    period = one_language(upload(http, "a.txt", text, period="去年"), 422, "invalid_input")
    assert "时期" in period and "period must" not in period
    date = one_language(upload(http, "a.txt", text, date="2019/01/15"), 422, "invalid_input")
    assert "日期" in date
    empty = assert_error(http.post("/v1/ask", json={"question": "  "}), 422, "invalid_input")
    assert "问题" in empty["message"] and "question" not in empty["message"]
    assert empty["details"][0]["field"] == "question"  # the machine name stays in details
    top_k = assert_error(http.post("/v1/ask", json={"question": "x", "top_k": 0}), 422)
    assert "段落数" in top_k["message"] and "top_k" not in top_k["message"]
    # JSON nested deeper than the parser recurses: FastAPI's English 400.
    deep = b"[" * 40_000 + b"]" * 40_000
    unparsable = http.post("/v1/ask", content=deep, headers={"content-type": "application/json"})
    one_language(unparsable, 400, "malformed_body")
