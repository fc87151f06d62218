"""Text of an HTML page: the article, its headings kept, scripts and navigation dropped.

lxml's HTML parser (libxml2) reads the page however broken its markup. What is read:
the ``<article>`` holding the most text, else ``<main>`` (or ``role="main"``), else the
body; inside it, scripts, styles, navigation, page headers and footers, side bars,
forms and hidden elements are dropped. Block elements (p, div, li, tr, br …) end a
line; ``<h1>``–``<h6>`` become Markdown headings; a table row is one line with its cells
separated by " | ". Whitespace is collapsed as a browser would, and a line break in
the source between two Chinese characters disappears, as it does on screen.

Example::

    >>> read_html("<h1>标题</h1><nav>首页</nav><p>全年新建职工书屋 37 家。</p>")
    '# 标题\\n\\n全年新建职工书屋 37 家。'
"""

from __future__ import annotations

import re

from rag.formats.errors import FormatError

DROP = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "canvas", "button", "select", "textarea", "object", "embed", "menu",
    "dialog", "head",
)  # fmt: skip
BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "tr",
    "table", "blockquote", "pre", "figure", "figcaption", "address", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "caption", "center", "body",
}  # fmt: skip
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"


def read_html(markup: str) -> str:
    """The readable text of an HTML document; FormatError if it has none."""
    import lxml.html

    # lxml refuses a str that still declares its encoding (XHTML's <?xml … ?>).
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    try:
        root = lxml.html.document_fromstring(markup)
    except Exception as exc:  # lxml: "Document is empty" and parser errors
        raise FormatError(f"HTML 无法解析（{type(exc).__name__}）") from None
    for element in root.xpath(
        "//*[@hidden or @aria-hidden='true' or @role='navigation' or @role='banner'"
        " or @role='contentinfo' or @role='complementary']"
    ):
        element.drop_tree()
    for tag in DROP:
        for element in root.iter(tag):
            element.drop_tree()
    main = _main_element(root)
    lines: list[str] = []
    current: list[str] = []
    _walk(main, lines, current)
    _flush(lines, current)
    text = "\n\n".join(line for line in lines if line)
    if not text.strip():
        raise FormatError("网页中没有可读的正文")
    return text


def _main_element(root):
    articles = root.xpath("//article")
    if articles:
        return max(articles, key=lambda e: len(e.text_content()))
    for found in (root.xpath("//main"), root.xpath("//*[@role='main']")):
        if found:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _walk(element, lines: list[str], current: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in BLOCKS:
        _flush(lines, current)
    if tag == "br":
        _flush(lines, current)
    if tag in ("td", "th") and current:
        current.append(" | ")
    if element.text and tag:
        current.append(element.text)
    for child in element:
        _walk(child, lines, current)
    if tag in BLOCKS:
        _flush(lines, current, heading=int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0)
    if element.tail:
        current.append(element.tail)


def _flush(lines: list[str], current: list[str], heading: int = 0) -> None:
    text = _collapse("".join(current))
    current.clear()
    if text.strip(" |"):
        lines.append("#" * heading + " " + text if heading else text)


def _collapse(text: str) -> str:
    # A line break of the source between two Chinese characters is no space on screen.
    text = re.sub(rf"(?<=[{_CJK}])[ \t]*\n\s*(?=[{_CJK}])", "", text)
    text = re.sub(r"[ \t\r\n\f\v\u00a0]+", " ", text)
    return text.strip()
