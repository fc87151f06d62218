"""A document's text as reading-page HTML (api/doc_markup.py): every character kept, the
highlight exact, Markdown headings styled with their marks hidden — checked on the HTML
and, in Chromium, on what a reader sees."""

from __future__ import annotations

import html
import re

import pytest
from test_widget import browser, new_page  # noqa: F401

from api.doc_markup import headings, markup
from api.pages import STATIC_DIR, document_page
from rag.index import DocRecord
from rag.metadata import DocMeta

TEXT = (
    "# 苏州市总工会工作报告\n\n一、过去一年的工作\n\n已建职工书屋示范点 918 家。\n\n"
    "## 二、今年的任务 ##\n新建“妈妈驿站”100个。\n\n附件\n===\n\n- 名单"
)


def shown(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_headings_by_markdown_it_with_their_marks():
    found = {TEXT[b:e]: level for level, _, b, e, _ in headings(TEXT) if e > b}
    assert found == {"苏州市总工会工作报告": 1, "二、今年的任务": 2, "附件": 1}


@pytest.mark.parametrize("markdown", [True, False])
@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (0, 5), (3, 40), (TEXT.index("918"), TEXT.index("918") + 5), (7, 7),
     (TEXT.index("## "), TEXT.index("100个")), (0, len(TEXT))],
)  # fmt: skip
def test_every_character_kept_and_the_highlight_exact(markdown, start, end):
    body = markup(TEXT, start, end, markdown=markdown)
    assert shown(body) == TEXT
    marks = re.findall(r'<mark id="hl">(.*?)</mark>', body, re.S)
    if start is None:
        assert not marks
    else:
        assert len(marks) == 1 and shown(marks[0]) == TEXT[start:end]
    assert ("md-h" in body) is markdown


def test_plain_text_is_never_styled_as_markdown():
    assert markup("# 不是标题的井号", None, None) == html.escape("# 不是标题的井号")


def record(source: str) -> DocRecord:
    meta = DocMeta(doc_id="d1", title="工作报告")
    return DocRecord(doc_id="d1", source=source, text=TEXT, sha256="0", meta=meta)


@pytest.mark.browser
def test_a_reader_sees_headings_not_hashes_and_the_exact_highlight(new_page):  # noqa: F811
    start, end = TEXT.index("## "), TEXT.index("100个") + 4
    pages = {
        "/documents/d1": document_page(record("report.md"), start, end),
        "/static/document.css": (STATIC_DIR / "document.css").read_text(encoding="utf-8"),
    }

    def serve(route):
        path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
        body = pages.get(path)
        kind = "text/css" if path.endswith(".css") else "text/html"
        route.fulfill(status=200 if body else 404, body=body or "", content_type=kind)

    page = new_page(viewport={"width": 1000, "height": 800})
    page.route("http://doc.test/**", serve)
    page.goto("http://doc.test/documents/d1")
    doc = page.locator(".doc")
    assert doc.text_content() == TEXT  # offsets: every character is in the page
    seen = doc.inner_text()  # what is rendered: marks hidden
    assert "#" not in seen and "===" not in seen and "苏州市总工会工作报告" in seen
    h1 = page.locator(".md-h1").first
    assert h1.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert float(h1.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) > float(
        page.locator(".doc").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    assert page.locator("mark#hl").text_content() == TEXT[start:end]
    # Plain text with # keeps it visible: only Markdown files are read as Markdown.
    pages["/documents/d1"] = document_page(record("report.txt"), None, None)
    page.goto("http://doc.test/documents/d1")
    assert page.locator(".doc").inner_text().startswith("# 苏州市总工会工作报告")
