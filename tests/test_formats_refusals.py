"""Files that cannot be read are refused helpfully, through ``rag ingest`` and the upload
API, and the index is left untouched; a PDF upload keeps its original and pages.

Refused: old .doc / .wps, a scanned PDF without a text layer, an encrypted PDF, a
corrupt PDF, a truncated PDF, a truncated .docx, a zip bomb named .docx. Each message
names the file and says why; over HTTP each is a 422.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ADMIN_TOKEN, ROOT, assert_error
from made_files import print_pdf_of_image, print_pdfs, report_html, write_docx

from rag.documents import DocumentError, make_document
from rag.index import current_generation

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)

UPLOAD_REPORT = """# 徐州市总工会2019年工作报告
（2020年1月10日）
2019年，徐州市总工会团结动员全市职工建功立业，各项工作取得新进展。
## 一、职工书屋建设
全年全市新建职工书屋 219 家，配送图书 5.2 万册，职工读书活动覆盖全市各县区和主要园区，基层工会普遍建立了读书小组和职工读书角。
"""


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            zeros = bytes(1 << 20)
            for _ in range(60):  # 60 MB of zeros in about 60 kB
                member.write(zeros)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, tuple[bytes, str]]:
    """name → (content, words the reason must contain)."""
    from PIL import Image, ImageDraw
    from pypdf import PdfReader, PdfWriter

    folder = tmp_path_factory.mktemp("bad")
    picture = Image.new("RGB", (500, 300), "white")
    ImageDraw.Draw(picture).ellipse((40, 40, 460, 260), outline="black", width=6)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    scan = print_pdf_of_image(folder / "scan.pdf", png.getvalue()).read_bytes()
    # Latin text only, so the font is small and the file fits the shared upload limit.
    plain = print_pdfs({"plain": (report_html("Annual report 2019. " * 40), "Union")}, folder)[
        "plain"
    ].read_bytes()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    docx = write_docx("# 报告\n一、总则\n正文。", folder / "x.docx").read_bytes()
    return {
        "old_report.doc": (OLE, "请另存为 .docx"),
        "old_report.wps": (OLE, "请另存为 .docx"),
        "renamed_doc.docx": (OLE, "请另存为 .docx"),
        "scan.pdf": (scan, "扫描件，没有文字层，需先做文字识别"),
        "locked.pdf": (locked.getvalue(), "已加密"),
        "corrupt.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "已损坏"),
        "cut.pdf": (plain[: len(plain) // 2], "不完整"),
        "cut.docx": (docx[: len(docx) // 2], "已损坏或不完整"),
        "bomb.docx": (_zip_bomb(), "压缩炸弹"),
    }


def test_each_bad_file_is_refused_with_its_name_and_reason(bad_files):
    for name, (data, reason) in bad_files.items():
        with pytest.raises(DocumentError) as info:
            make_document(data, name)
        message = str(info.value)
        assert message.startswith(f"{name}: ") and reason in message, message


def test_parsing_has_a_time_limit(bad_files):
    scan, _ = bad_files["scan.pdf"]
    with pytest.raises(DocumentError, match=r"slow\.pdf: 解析超时（超过 0\.01 秒）"):
        make_document(scan, "slow.pdf", timeout_s=0.01)


def _snapshot(index_dir: Path) -> tuple[str, dict]:
    gen = current_generation(index_dir)
    return gen.name, {p.name: p.read_bytes() for p in gen.iterdir() if p.is_file()}


def test_rag_ingest_refuses_them_and_leaves_the_index_as_it_was(
    bad_files, tmp_path, seed_index_dir, monkeypatch, capsys
):
    from rag import cli
    from rag.settings import get_settings

    index_dir = tmp_path / "index"
    shutil.copytree(seed_index_dir, index_dir)
    before = _snapshot(index_dir)
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, (data, _) in bad_files.items():
        (folder / name).write_bytes(data)
    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("COLUMNS", "1000")
    get_settings.cache_clear()
    try:
        code = cli.main(["ingest", str(folder)])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert code == 1  # every file failed
    for name, (_, reason) in bad_files.items():
        line = next(line for line in err.splitlines() if f"{name}:" in line)
        assert "失败" in line and reason in line, line
    assert _snapshot(index_dir) == before


@pytest.fixture(scope="module")
def server(api_server_factory):
    # Default upload limit (20 MB): a Chromium PDF embeds its whole CJK font (~9 MB).
    return api_server_factory(
        env={"RAG_ADMIN_TOKEN": ADMIN_TOKEN, "RAG_RATE_LIMIT_PER_MINUTE": "100000"}
    )


def test_upload_api_refuses_them_with_422_and_the_index_is_untouched(server, bad_files):
    with server.client() as http:
        count = http.get("/v1/documents").json()["count"]
        before = _snapshot(server.index_dir)
        for name, (data, reason) in bad_files.items():
            response = http.post("/v1/documents", files={"file": (name, data)}, headers=AUTH)
            error = assert_error(response, 422, "invalid_document")
            assert error["message"].startswith(f"{name}: ") and reason in error["message"]
        assert http.get("/v1/documents").json()["count"] == count
        assert _snapshot(server.index_dir) == before
        answer = http.post("/v1/ask", json={"question": "苏州2016年职工书屋多少家"}).json()
        assert answer["answer"]["value"] == 918


def test_pdf_upload_keeps_the_original_and_cites_its_page(server, tmp_path):
    pdf = print_pdfs({"xuzhou_2019": (report_html(UPLOAD_REPORT), "徐州市总工会")}, tmp_path)
    data = pdf["xuzhou_2019"].read_bytes()
    with server.client() as http:
        created = http.post(
            "/v1/documents", files={"file": ("xuzhou_2019.pdf", data)}, headers=AUTH
        )
        assert created.status_code == 201, created.text
        try:
            listed = {d["doc_id"]: d for d in http.get("/v1/documents").json()["documents"]}
            assert listed["xuzhou_2019"]["format"] == "pdf"
            assert listed["xuzhou_2019"]["pages"] >= 1
            assert listed["001_0a525996db59571e"]["format"] == "text"
            assert listed["001_0a525996db59571e"]["pages"] is None

            answer = http.post("/v1/ask", json={"question": "徐州2019年新建职工书屋多少家"}).json()
            assert answer["answer"]["value"] == 219
            cite = answer["citations"][0]
            assert cite["doc_id"] == "xuzhou_2019" and cite["page"] >= 1
            detail = http.get("/v1/documents/xuzhou_2019").json()
            assert detail["text"][cite["start"] : cite["end"]] == cite["quote"]
            assert detail["pages"] == len(detail["page_starts"])

            original = http.get(detail["original"])
            assert original.status_code == 200 and original.content == data
            assert original.headers["content-type"] == "application/pdf"
            assert "xuzhou_2019.pdf" in original.headers["content-disposition"]
            assert original.headers["content-disposition"].startswith("inline")

            page = http.get(
                "/documents/xuzhou_2019", params={"start": cite["start"], "end": cite["end"]}
            ).text
            link = f"/v1/documents/xuzhou_2019/original#page={cite['page']}"
            assert link in page and "格式：PDF" in page
            assert re.search(r'<mark id="hl">', page)
        finally:
            assert http.delete("/v1/documents/xuzhou_2019", headers=AUTH).status_code == 200
        assert_error(http.get("/v1/documents/xuzhou_2019/original"), 404, "not_found")


def test_seed_originals_are_served_as_text(server):
    with server.client() as http:
        response = http.get("/v1/documents/001_0a525996db59571e/original")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == (ROOT / "seeds" / "001_0a525996db59571e.txt").read_bytes()
