"""HTML pages: a document with a cited span highlighted, the demo page, and their CSPs.

All document text and metadata pass through ``html.escape``; the only script is the
static ``/static/document.js`` (scrolls ``<mark id="hl">`` into view), so the page's
Content-Security-Policy can forbid inline script entirely.

Example::

    >>> page = document_page(record, start=1492, end=1541)
    >>> '<mark id="hl">' in page
    True
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from pathlib import Path
from urllib.parse import quote

from api.doc_markup import markup
from rag.index import DocRecord
from rag.pages import page_count, page_of

STATIC_DIR = Path(__file__).resolve().parent / "static"


def frame_ancestors(cors_origins: list[str]) -> str:
    # Sites allowed to call the API may also frame its pages (e.g. a citation preview).
    return " ".join(["'self'", *cors_origins])


def document_csp(cors_origins: list[str]) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors(cors_origins)}"
    )


def demo_csp(cors_origins: list[str], script_hashes: list[str]) -> str:
    """Policy for the demo page: its own inline scripts by hash, nothing from elsewhere.

    Styles may be inline: the widget draws itself with a ``<style>`` in its shadow root.
    """
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors(cors_origins)}"
    )


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def inline_script_hashes(html_text: str) -> list[str]:
    """Base64 SHA-256 of each inline ``<script>`` body, as CSP ``'sha256-…'`` wants."""
    return [
        base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        for body in _INLINE_SCRIPT.findall(html_text)
    ]


def _meta_line(record: DocRecord) -> str:
    meta = record.meta
    parts = [
        ("地区", meta.region),
        ("时期", meta.period),
        ("日期", meta.date),
        ("发布单位", meta.issuer),
    ]
    return " · ".join(f"{label}：{escape(value)}" for label, value in parts if value)


_FORMAT_NAMES = {"pdf": "PDF", "docx": "Word", "html": "网页", "text": "文本"}


def _format_line(record: DocRecord, original: str) -> str:
    """ "格式：PDF（12 页）", linked to the original file when it is kept."""
    name = _FORMAT_NAMES.get(record.format, escape(record.format))
    pages = page_count(record)
    label = f"格式：{name}" + (f"（{pages} 页）" if pages else "")
    if record.original:
        return f'{label} · <a class="original" href="{original}">原始文件</a>'
    return label


def document_page(
    record: DocRecord,
    start: int | None,
    end: int | None,
    root: str = "",
    bad_span: tuple[int | None, int | None] | None = None,
) -> str:
    """The whole document, with ``text[start:end]`` in ``<mark id="hl">`` when given.

    The text sits in a ``pre-wrap`` block so citation offsets, which count every
    character including newlines, map one-to-one onto what is shown (Markdown headings
    are styled, their marks hidden: api/doc_markup.py). ``bad_span``: the link's span
    was no span of this text, which the page says above the text.
    """
    text = record.text
    root = escape(root)
    original = f"{root}/v1/documents/{quote(record.doc_id, safe='')}/original"
    markdown = record.source.lower().endswith((".md", ".markdown"))
    body = markup(text, start, end, markdown=markdown)
    if start is not None and end is not None:
        page = page_of(record, start)
        at_page = (
            f' · <a class="page" href="{original}#page={page}" target="_blank" rel="noopener">'
            f"在 PDF 原文第 {page} 页查看</a>"
            if page is not None and record.original
            else ""
        )
        where = f'<p class="meta">高亮引文：第 {start}–{end} 字{at_page} · <a href="#hl">跳到引文</a></p>'
    elif bad_span is not None:
        given = "–".join("?" if v is None else str(v) for v in bad_span)
        where = (
            f'<p class="meta notice">链接中的引文位置（第 {escape(given)} 字）不在本文档的范围内'
            f"（共 {len(text)} 字），文档可能已更新；下面显示全文。</p>"
        )
    else:
        where = ""
    title = escape(record.meta.title or record.doc_id)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/static/document.css">
<script src="{root}/static/document.js" defer></script>
</head>
<body>
<header>
<p class="back"><a href="{root}/documents">← 全部文档</a></p>
<h1>{title}</h1>
<p class="meta">{_meta_line(record)}</p>
<p class="meta">文档编号：{escape(record.doc_id)} · 来源文件：{escape(record.source)} · {_format_line(record, original)} · 共 {len(text)} 字</p>
{where}
</header>
<main><div class="doc">{body}</div></main>
</body>
</html>
"""


def documents_page(records: list[DocRecord], root: str = "") -> str:
    """Every indexed document, its title linking to its reading page, with where and
    when it speaks of and its length."""
    root = escape(root)
    items = "\n".join(
        f'<li><a href="{root}/documents/{quote(r.doc_id, safe="")}">'
        f"{escape(r.meta.title or r.doc_id)}</a>"
        f'<p class="meta">{" · ".join(filter(None, [_meta_line(r), f"共 {len(r.text)} 字"]))}</p></li>'
        for r in records
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>全部文档</title>
<link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/static/document.css">
</head>
<body>
<header>
<h1>全部文档（{len(records)} 篇）</h1>
</header>
<main><ul class="documents">
{items}
</ul></main>
</body>
</html>
"""


def placeholder_page() -> str:
    """Shown at ``/`` when the demo page is not installed."""
    return """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>工会工作报告数字问答</title></head>
<body>
<h1>工会工作报告数字问答</h1>
<p>服务已启动。接口说明见 <a href="docs">/docs</a>（OpenAPI：<a href="openapi.json">/openapi.json</a>）。</p>
<p>示例：<code>curl -X POST /v1/ask -H 'Content-Type: application/json' -d '{"question": "苏州2016年职工书屋多少家"}'</code></p>
</body>
</html>
"""


def error_page(status: int, message: str, root: str = "") -> str:
    """What a browser shows for a bad document link: the message in Chinese and the way
    back to the document list (API clients get the JSON error instead)."""
    root = escape(root)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>出错了（{status}）</title>
<link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/static/document.css">
</head>
<body>
<header>
<p class="back"><a href="{root}/documents">← 全部文档</a></p>
<h1>出错了（{status}）</h1>
</header>
<main><p class="error">{escape(message)}</p>
<p><a href="{root}/documents">查看全部文档</a> · <a href="{root}/">返回问答首页</a></p></main>
</body>
</html>
"""
