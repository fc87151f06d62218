"""Real PDF, Word and HTML files for the tests, made from report texts at test time.

``print_pdfs({name: (html, header)}, folder)``
    Chromium (Playwright, /usr/bin/chromium) prints each HTML page to a PDF on a narrow
    page, so lines wrap mid-sentence, with a running header and "第 N 页" footers.
``report_html(text)``
    A report's text (Markdown-ish, as in seeds/) as an HTML page; ``<hr class="page">``
    in the text, written as a line ``[分页]``, forces a page break (e.g. inside a section).
``write_docx(text, path)``
    The same text as a .docx via python-docx: "#" lines become Heading styles, lines
    starting "一、", "（一）", "1." or "1.1 " get Word's automatic numbering instead of
    the typed number, "|" lines become a table, and the footer says "第 X 页".

Example::

    >>> print_pdfs({"report": (report_html(text), "常州市总工会")}, tmp_path)
    {'report': PosixPath('…/report.pdf')}
"""

from __future__ import annotations

import html
import re
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PAGE_BREAK = "[分页]"
_STYLE = """
body { font-family: 'WenQuanYi Zen Hei', sans-serif; font-size: 11pt; line-height: 1.6; }
p { text-indent: 2em; margin: 0 0 .3em; text-align: justify; }
h1 { font-size: 17pt; text-align: center; } h2 { font-size: 14pt; } h3 { font-size: 12.5pt; }
td, th { border: 1px solid #999; padding: 2px 4px; }
.page { break-after: page; border: 0; }
"""


def report_html(text: str) -> str:
    body = []
    rows: list[str] = []

    def close_table() -> None:
        if rows:
            body.append("<table>" + "".join(rows) + "</table>")
            rows.clear()

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        close_table()
        if not line:
            continue
        if line == PAGE_BREAK:
            body.append('<hr class="page">')
        elif line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")), 3)
            body.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        else:
            body.append(f"<p>{html.escape(line)}</p>")
    close_table()
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><style>{_STYLE}</style></head>'
        f"<body>{''.join(body)}</body></html>"
    )


def print_pdfs(pages: dict[str, tuple[str, str]], folder: Path) -> dict[str, Path]:
    """``{name: (html, running header)}`` → ``{name: path of the printed PDF}``."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        for name, (markup, header) in pages.items():
            page.set_content(markup)
            path = folder / f"{name}.pdf"
            page.pdf(
                path=str(path),
                width="105mm",
                height="150mm",
                margin={"top": "16mm", "bottom": "16mm", "left": "11mm", "right": "11mm"},
                display_header_footer=True,
                header_template=(
                    '<div style="font-size:7px;width:100%;text-align:center;">'
                    f"{html.escape(header)}</div>"
                ),
                footer_template=(
                    '<div style="font-size:7px;width:100%;text-align:center;">'
                    '第 <span class="pageNumber"></span> 页</div>'
                ),
            )
            out[name] = path
        browser.close()
    return out


def print_pdf_of_image(path: Path, png: bytes) -> Path:
    """A "scanned" PDF: one page holding only a picture, no text layer."""
    import base64

    from playwright.sync_api import sync_playwright

    src = "data:image/png;base64," + base64.b64encode(png).decode()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.set_content(f'<html><body><img src="{src}" style="width:90%"></body></html>')
        page.pdf(path=str(path), format="A5")
        browser.close()
    return path


# ----------------------------------------------------------------------- Word

_NUMBERED = [
    # (pattern of the typed number, numbering list, level)
    (re.compile(r"^[一二三四五六七八九十]+、"), "cn", 0),
    (re.compile(r"^（[一二三四五六七八九十]+）"), "cn", 1),
    (re.compile(r"^\d+\.\d+\s+"), "dec", 1),
    (re.compile(r"^\d+\.(?!\d)\s*"), "dec", 0),
]


def write_docx(text: str, path: Path, footer: str = "常州市总工会办公室 第 1 页") -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.append(
        parse_xml(
            f'<w:abstractNum {w} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(
        parse_xml(
            f'<w:abstractNum {w} w:abstractNumId="91">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    # numbering.xml wants every abstractNum before the first num: move ours up.
    for abstract in numbering.findall(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}abstractNum"
    ):
        numbering.remove(abstract)
        numbering.insert(0, abstract)

    rows: list[list[str]] = []

    def close_table() -> None:
        if rows:
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
            rows.clear()

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
            continue
        close_table()
        if not line or line == PAGE_BREAK:
            continue
        heading = len(line) - len(line.lstrip("#"))
        body = line.lstrip("#").strip()
        number = next(((pat, lst, lvl) for pat, lst, lvl in _NUMBERED if pat.match(body)), None)
        if number is not None:
            body = number[0].sub("", body, count=1)
        paragraph = (
            document.add_heading(body, level=min(heading, 3))
            if heading
            else document.add_paragraph(body)
        )
        if number is not None:
            num_id = "90" if number[1] == "cn" else "91"
            ppr = paragraph._p.get_or_add_pPr()
            ppr.insert(
                0,
                parse_xml(
                    f'<w:numPr {w}><w:ilvl w:val="{number[2]}"/><w:numId w:val="{num_id}"/>'
                    "</w:numPr>"
                ),
            )
    close_table()
    document.sections[0].footer.paragraphs[0].text = footer
    document.sections[0].header.paragraphs[0].text = "内部资料"
    document.save(str(path))
    return path
