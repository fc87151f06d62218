"""Text of a PDF with a text layer, page by page, with its line wraps rejoined.

pypdfium2 (PDFium) gives every character with its box and font size. From those:

- lines come from PDFium's own line breaks; a running header or footer (the same line,
  digits aside, at the top or bottom of most pages) and page numbers ("- 3 -", "第3页",
  "3/12") are dropped;
- a line joins the next one when it runs to the right margin without ending a
  sentence, and the next neither starts a numbered heading or list item (一、 （一）
  第X章 1. 1.1) nor is indented (a new paragraph) nor set in another font size. CJK
  lines join without a space; short lines (headings, titles, the last line of a
  paragraph) stay on their own. This also joins a paragraph across a page break;
- lines in a font larger than the body's become Markdown headings (``#`` … ``###``).

Every character keeps its page: ``page_starts[i]`` is the offset in the text where
page ``i + 1`` begins.

Example::

    >>> text, page_starts = read_pdf(Path("report.pdf").read_bytes())
    >>> page_starts[:3]
    (0, 512, 1040)
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rag.formats.errors import FormatError

MAX_PAGES = 3000
# Fewer visible characters than this in the whole file: no text layer to speak of.
MIN_TEXT_CHARS = 20
# Share of pages a line must repeat on (digits ignored) to be a running header/footer.
REPEAT_SHARE = 0.5
EDGE_LINES = 2  # a header or footer is among the first or last lines of a page
_PAGE_NUMBER = re.compile(
    r"[-–—\s]*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|[ivxlcdm]+|"
    r"page\s*\d+(?:\s*of\s*\d+)?)[-–—\s]*",
    re.I,
)
# Lines that start a heading or list item of their own: 一、 （一） 第二章 1. 1、 1.1 ● …
HEADING_START = re.compile(
    r"\s*(?:第[一二三四五六七八九十百零〇\d]+[章节部分篇条款]|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．](?!\d)|\d+(?:[.．]\d+)+\s|[●•■▪◆○◇□√·▶►])"
)
_FIGURE_WORD = re.compile(r"[\u4e00-\u9fff]")
# A sentence (or a lead-in) ends here; closing quotes and brackets may follow the mark.
_FINAL = re.compile(r"[。！？!?：:；;][”’」』）)】》\"']*$")


class Line(NamedTuple):
    text: str
    left: float
    right: float
    top: float
    bottom: float
    size: float  # font size of most of its characters


def read_pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    """(text, page start offsets) of a PDF; FormatError saying why it cannot be read."""
    if b"%%EOF" not in data[-2048:]:
        raise FormatError("PDF 文件不完整（缺少文件结尾，可能下载或复制时被截断）")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise FormatError("PDF 文件已加密（需要密码才能打开），请提供未加密的版本") from None
        raise FormatError("PDF 文件已损坏，无法打开") from None
    try:
        if len(pdf) == 0:
            raise FormatError("PDF 文件没有页面")
        if len(pdf) > MAX_PAGES:
            raise FormatError(f"PDF 页数过多（{len(pdf)} 页，上限 {MAX_PAGES} 页）")
        pages = [_page_lines(pdf[i]) for i in range(len(pdf))]
    finally:
        pdf.close()
    visible = sum(len(re.sub(r"\s", "", line.text)) for page in pages for line, _ in page)
    if visible < MIN_TEXT_CHARS:
        raise FormatError("PDF 是扫描件，没有文字层，需先做文字识别（OCR）后再导入")
    return _assemble(_drop_running_lines(pages))


# ----------------------------------------------------------------- lines of a page


def _page_lines(page) -> list[tuple[Line, float]]:
    """The page's lines in reading order, each with the page height (for edge bands)."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        lines: list[tuple[Line, float]] = []
        chars: list[tuple[str, float, float, float, float, float]] = []
        box = [ctypes.c_double() for _ in range(4)]
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage, i)
            if code == 0x0A:
                _close_line(chars, lines, height)
                continue
            if code < 0x20 or code >= 0x110000 or 0xD800 <= code < 0xE000:
                continue  # \r, PDFium's soft-hyphen marks and other controls
            char = chr(code)
            pdfium_c.FPDFText_GetCharBox(textpage, i, *box)
            left, right, bottom, top = (b.value for b in box)
            size = pdfium_c.FPDFText_GetFontSize(textpage, i)
            chars.append((char, left, right, bottom, top, size))
        _close_line(chars, lines, height)
        return lines
    finally:
        textpage.close()
        page.close()


def _close_line(chars: list, lines: list, height: float) -> None:
    text = "".join(c[0] for c in chars)
    ink = [c for c in chars if not c[0].isspace()]
    chars.clear()
    if not ink:
        return
    sizes = Counter(round(c[5], 1) for c in ink)
    line = Line(
        text=text.strip(),
        left=min(c[1] for c in ink),
        right=max(c[2] for c in ink),
        top=max(c[4] for c in ink),
        bottom=min(c[3] for c in ink),
        size=sizes.most_common(1)[0][0],
    )
    lines.append((line, height))


def _key(text: str) -> str:
    """A line with its digits blanked: "第 3 页" and "第 4 页" are the same footer."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_lines(pages: list[list[tuple[Line, float]]]) -> list[list[Line]]:
    """Each page's lines without page numbers and running headers and footers."""
    edge_keys: Counter[str] = Counter()
    for page in pages:
        edge_keys.update({_key(line.text) for line, _ in _edges(page)})
    repeated = {
        k
        for k, n in edge_keys.items()
        if len(pages) >= 2 and n >= max(2, REPEAT_SHARE * len(pages))
    }
    out = []
    for page in pages:
        edges = {id(item) for item in _edges(page)}
        kept = []
        for item in page:
            line, _ = item
            if id(item) in edges and (
                _PAGE_NUMBER.fullmatch(line.text) or _key(line.text) in repeated
            ):
                continue
            kept.append(line)
        out.append(kept)
    return out


def _edges(page: list[tuple[Line, float]]) -> list[tuple[Line, float]]:
    """The lines nearest the top and the bottom of the page, by position, not by order:
    PDFium lists a header printed last (as Chromium does) after the body."""
    by_top = sorted(page, key=lambda item: -item[0].top)
    return by_top[:EDGE_LINES] + by_top[-EDGE_LINES:]


# ------------------------------------------------------------------- assembling


def _assemble(pages: list[list[Line]]) -> tuple[str, tuple[int, ...]]:
    body = [line for page in pages for line in page]
    if not body:
        return "", tuple(0 for _ in pages)
    weights: Counter[float] = Counter()
    for line in body:
        weights[line.size] += len(line.text)
    body_size = weights.most_common(1)[0][0]
    heading_sizes = sorted({s for s in weights if s >= body_size * 1.15}, reverse=True)[:3]
    lefts = [line.left for line in body if line.size == body_size]
    rights = [line.right for line in body if line.size == body_size]
    margin_left = min(lefts) if lefts else min(line.left for line in body)
    # The body's right edge: most full lines reach it (justified or not).
    margin_right = _high(rights) if rights else max(line.right for line in body)

    def joins(a: Line, b: Line, across_pages: bool) -> bool:
        if abs(a.size - b.size) > 0.5:
            return False
        em = a.size * 0.9 or 10.0
        if a.size in heading_sizes and not across_pages:
            # A long heading wraps onto a second, centred line of the same size.
            wide = a.right - a.left >= 0.75 * (margin_right - margin_left)
            return wide and not _FINAL.search(a.text) and a.bottom - b.top < a.top - a.bottom
        if a.right < margin_right - 1.6 * em:  # a short line ends its paragraph
            return False
        if _FINAL.search(a.text) or HEADING_START.match(b.text):
            return False
        if b.left > margin_left + 1.2 * em:  # first-line indent: a new paragraph
            return False
        return across_pages or a.bottom - b.top < 1.5 * (a.top - a.bottom + 1)

    spaced = _spaces_figures(body)
    pieces: list[str] = []
    length = 0
    starts: list[int | None] = []
    previous: Line | None = None
    prev_page = -1
    for page_no, page in enumerate(pages):
        starts.append(None)
        for line in page:
            text = _heading(line, heading_sizes)
            if previous is None:
                glue = ""
            elif joins(previous, line, page_no != prev_page):
                glue = " " if _needs_space(pieces[-1], line.text, spaced) else ""
                text = line.text  # a heading's second line is not a heading of its own
            else:
                glue = "\n\n"
            pieces.append(glue)
            length += len(glue)
            if starts[page_no] is None:
                starts[page_no] = length
            pieces.append(text)
            length += len(text)
            previous, prev_page = line, page_no
    out: list[int] = [length] * len(pages)
    following = length
    for i in range(len(pages) - 1, -1, -1):  # a page without text starts where the next does
        following = starts[i] if starts[i] is not None else following
        out[i] = following
    out[0] = 0
    return "".join(pieces), tuple(out)


def _needs_space(before: str, after: str, spaced_figures: bool) -> bool:
    """Whether a wrap stood for a space: Latin words and numbers keep theirs; between a
    figure and a Chinese word, the document's own habit decides ("318 名" or "318名");
    CJK text joins directly. A space at a line end is never drawn, so it is not in the PDF.
    """
    if not before or not after:
        return False
    a, b = before[-1], after[0]
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum():
        return True
    return spaced_figures and (
        (a.isdigit() and _FIGURE_WORD.match(b)) or (_FIGURE_WORD.match(a) and b.isdigit())
    )


def _spaces_figures(lines: list[Line]) -> bool:
    """Whether this document writes a space between figures and Chinese words."""
    text = "\n".join(line.text for line in lines)
    spaced = len(re.findall(r"\d [\u4e00-\u9fff]|[\u4e00-\u9fff] \d", text))
    tight = len(re.findall(r"\d(?![年月日号])[\u4e00-\u9fff]|(?<![第])[\u4e00-\u9fff]\d", text))
    return spaced > tight


def _heading(line: Line, heading_sizes: list[float]) -> str:
    for level, size in enumerate(heading_sizes, 1):
        if abs(line.size - size) <= 0.5:
            return "#" * level + " " + line.text
    return line.text


def _high(values: list[float]) -> float:
    """The value 90 % of ``values`` stay under: the right edge most full lines reach."""
    ordered = sorted(values)
    if len(ordered) < 5:
        return ordered[-1]
    return statistics.quantiles(ordered, n=10)[-1]
