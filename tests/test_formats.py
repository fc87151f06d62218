"""PDF, Word and HTML documents: real files made here, read, indexed and answered.

The PDFs are printed by Chromium on a narrow page (lines wrap mid-sentence) with a
running header, page numbers and a forced page break inside a section; the .docx is
written by python-docx with Word's automatic numbering, a table and a footer. The
reports are made up, with figures no seed document has, so a right answer can only
come from the file under test; the page a figure is on is read from the PDF itself.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from made_files import PAGE_BREAK, print_pdfs, report_html, write_docx

from rag.documents import make_document
from rag.formats.word import format_number
from rag.index import load_index
from rag.ingest import ingest
from rag.pages import page_of
from rag.pipeline import Pipeline
from rag.settings import Settings

PDF_REPORT = f"""# 连云港市总工会2019年工作报告
（2020年1月16日）
各位委员，同志们：
2019年，连云港市总工会在市委和上级工会的坚强领导下，紧紧围绕全市中心工作，团结动员广大职工群众建功立业，各项工作取得了新的进展，现将主要工作报告如下。
## 一、职工文化建设扎实推进
（一）职工书屋建设。全年全市新建职工书屋 263 家，其中全国级示范点 12 家，配送图书超过 8.6 万册，职工读书活动覆盖全市各县区和主要园区。
（二）职工文体活动。举办全市职工运动会、职工歌手大赛等活动 57 场次，参与职工累计达到 3.4 万人次，基层工会文体骨干培训实现全覆盖。
{PAGE_BREAK}
（三）职工教育培训。联合有关高校开办职工学历教育班，当年录取在职职工学员 318 名，开展职工技能培训 96 期，培训职工 1.27 万人次。
## 二、困难职工帮扶精准有效
各级工会深入开展送温暖活动，走访慰问困难职工 4127 户，发放慰问金和慰问物资折合 596.3 万元，为困难职工子女发放助学金 183 万元，帮助 642 名困难职工实现再就业，切实把党和政府的温暖送到职工心坎上。
## 三、劳动和技能竞赛广泛开展
全市组织各类劳动和技能竞赛 81 项，参赛职工 11.6 万人次，评选产生市级劳动模范 45 名、市五一劳动奖章 73 名，命名劳模创新工作室 29 个。
"""
PDF_HEADER = "连云港市总工会 2019 年度工作报告"

DOCX_REPORT = """# 镇江市总工会2020年工作报告
（2021年1月20日）
各位委员，同志们：
2020年，镇江市总工会团结带领全市职工，统筹推进疫情防控和经济社会发展，各项工作取得新成效。
## 一、维护职工合法权益
### （一）集体协商
全市签订集体合同 2156 份，覆盖职工 38.7 万人，工资专项集体合同覆盖率保持在 95% 以上。
### （二）法律援助
工会法律援助中心受理职工法律援助案件 468 件，为职工挽回经济损失 1327 万元。
## 二、服务职工群众
1. 全年建成职工驿站 84 个，服务户外劳动者超过 20 万人次。
2. 为一线职工免费健康体检 1.9 万人。
## 三、主要指标
| 指标 | 数量 |
| 新建工会组织 | 327 个 |
| 新发展会员 | 4.12 万人 |
"""

HTML_REPORT = """<!doctype html><html><head><meta charset="utf-8"><title>南通工会</title>
<script>var tracker = "新建职工书屋 999 家";</script><style>p{color:#333}</style></head>
<body><header><nav><a href="/">首页</a> <a href="/news">工会要闻</a> 新建职工书屋 888 家</nav></header>
<aside>热点：网站访问量 555 万次</aside>
<main><article><h1>南通市总工会2021年工作综述</h1>
<p>2021年，南通市总工会紧扣全市中心工作，
全年新建职工书屋 146 家，组织职工参加技能竞赛 2.3 万人次。</p>
<h2>一、帮扶困难职工</h2>
<p>全市各级工会走访慰问困难职工 2874 户，发放慰问金 431.5 万元。</p>
</article></main><footer>版权所有 南通市总工会 访问量 777 万次</footer></body></html>
"""

PDF_QUESTIONS = [
    ("连云港2019年新建职工书屋多少家", 263, "263 家"),
    ("连云港职工技能培训多少期", 96, "96 期"),
    ("连云港走访慰问困难职工多少户", 4127, "4127 户"),
    ("连云港评选产生市级劳动模范多少名", 45, "45 名"),
]
DOCX_QUESTIONS = [
    ("镇江2020年签订集体合同多少份", 2156, None),
    ("镇江2020年法律援助案件受理多少件", 468, None),
    ("镇江建成职工驿站多少个", 84, None),
    ("镇江新建工会组织多少个", 327, None),
]
HTML_QUESTIONS = [("南通2021年新建职工书屋多少家", 146, None)]


def digits_loose(text: str) -> str:
    return re.sub(r"(?<=\d) | (?=\d)", "", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    pdfs = print_pdfs({"lianyungang_2019": (report_html(PDF_REPORT), PDF_HEADER)}, folder)
    docx_path = write_docx(DOCX_REPORT, folder / "zhenjiang_2020.docx")
    html_path = folder / "nantong_2021.html"
    html_path.write_text(HTML_REPORT, encoding="utf-8")
    return {"pdf": pdfs["lianyungang_2019"], "docx": docx_path, "html": html_path}


@pytest.fixture(scope="module")
def pdf_doc(files):
    return make_document(files["pdf"].read_bytes(), files["pdf"].name)


def pdf_pages(path: Path) -> list[str]:
    """Each page's raw text as PDFium reads it (header and page number included)."""
    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def page_holding(pages: list[str], fragment: str) -> int:
    found = [i + 1 for i, text in enumerate(pages) if squash(fragment) in squash(text)]
    assert len(found) == 1, (fragment, found)
    return found[0]


# ------------------------------------------------------------------------ PDF


def test_pdf_lines_are_rejoined_and_headings_kept_on_their_own(pdf_doc, files):
    pages = pdf_pages(files["pdf"])
    assert len(pages) >= 3
    # The layout really wraps mid-sentence: some page has a line ending on a comma.
    assert any(re.search(r"[，、\w]\r\n", page) for page in pages)
    text = pdf_doc.text
    lines = text.split("\n")
    for source in PDF_REPORT.splitlines():
        if not source or source == PAGE_BREAK:
            continue
        if source.startswith("#"):  # a heading: a line of its own, marked as one
            assert any(line.lstrip("# ") == source.lstrip("# ") for line in lines), source
            assert any(line.startswith("#") and source.lstrip("# ") in line for line in lines)
        else:  # a paragraph: whole, on one line, its wraps gone (a space by a figure
            # at a line end is not in the PDF: Chromium does not draw it)
            assert digits_loose(source) in {digits_loose(line) for line in lines}, source


def test_pdf_running_header_and_page_numbers_are_dropped(pdf_doc, files):
    pages = pdf_pages(files["pdf"])
    assert all(PDF_HEADER in page for page in pages)  # they are in the PDF …
    assert PDF_HEADER not in pdf_doc.text  # … but not in the text
    assert not re.search(r"第\s*\d+\s*页", pdf_doc.text)


def test_every_character_knows_its_page(pdf_doc, files):
    pages = pdf_pages(files["pdf"])
    starts = pdf_doc.page_starts
    assert pdf_doc.format == "pdf" and len(starts) == len(pages) and starts[0] == 0
    for number, raw in enumerate(pages, 1):
        end = starts[number] if number < len(starts) else len(pdf_doc.text)
        ours = squash(pdf_doc.text[starts[number - 1] : end]).replace("#", "")
        theirs = squash(raw.replace(PDF_HEADER, "")).replace(f"第{number}页", "")
        assert ours == theirs, number
    # The forced break sits inside section 一: its third item starts a later page.
    third = pdf_doc.text.index("（三）职工教育培训")
    assert page_of(pdf_doc, third) == page_holding(pages, "（三）职工教育培训") > 1


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    from made_files import print_pdf_of_image
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(picture).rectangle((50, 50, 550, 350), outline="black", width=5)
    path = tmp_path / "scan.png"
    picture.save(path)
    pdf = print_pdf_of_image(tmp_path / "scan.pdf", path.read_bytes())
    with pytest.raises(ValueError, match=r"scan\.pdf: .*扫描件.*没有文字层.*文字识别"):
        make_document(pdf.read_bytes(), "scan.pdf")


# ----------------------------------------------------------------------- Word


def test_docx_numbering_headings_table_and_no_footer(files):
    doc = make_document(files["docx"].read_bytes(), files["docx"].name)
    assert doc.format == "docx" and doc.page_starts is None
    lines = doc.text.split("\n\n")
    # The numbers Word draws (python-docx does not give them), resolved into the text.
    assert "## 一、维护职工合法权益" in lines
    assert "### （一）集体协商" in lines and "### （二）法律援助" in lines
    assert "## 二、服务职工群众" in lines and "## 三、主要指标" in lines
    assert any(line.startswith("1. 全年建成职工驿站 84 个") for line in lines)
    assert any(line.startswith("2. 为一线职工免费健康体检") for line in lines)
    assert "新建工会组织 | 327 个" in lines
    assert lines[0] == "# 镇江市总工会2020年工作报告"
    assert "第 1 页" not in doc.text and "内部资料" not in doc.text


def test_word_number_formats():
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20)] == [
        "一",
        "十",
        "十一",
        "二十",
    ]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(4, "upperRoman") == "IV" and format_number(28, "lowerLetter") == "ab"


# ----------------------------------------------------------------------- HTML


def test_html_keeps_the_article_and_drops_scripts_and_navigation(files):
    doc = make_document(files["html"].read_bytes(), files["html"].name)
    assert doc.format == "html"
    assert doc.text.startswith("# 南通市总工会2021年工作综述")
    assert "## 一、帮扶困难职工" in doc.text
    # The source's line break between two Chinese characters is no space.
    assert "紧扣全市中心工作，全年新建职工书屋 146 家" in doc.text
    for hidden in ("999", "888", "555", "777", "首页", "版权所有"):
        assert hidden not in doc.text


# --------------------------------------------------- indexed and answered


@pytest.fixture(scope="module")
def formats_qa(files, tmp_path_factory, seed_index_dir, qa):
    index_dir = tmp_path_factory.mktemp("formats-index") / "index"
    shutil.copytree(seed_index_dir, index_dir)
    settings = Settings(index_dir=index_dir)
    report = ingest([files["pdf"], files["docx"], files["html"]], settings, qa.embedder)
    assert not report.failed, report.failed
    assert sorted(report.added) == ["lianyungang_2019", "nantong_2021", "zhenjiang_2020"]
    return Pipeline(load_index(settings, qa.embedder), qa.embedder, settings)


def assert_answer(qa: Pipeline, question: str, value: float, doc_id: str):
    result = qa.ask(question)
    assert result.status == "answered", (question, result.message)
    assert result.answer.value == value, (question, result.answer)
    cite = result.citations[0]
    assert cite.doc_id == doc_id, (question, cite.doc_id)
    for c in result.citations:
        assert qa.index.docs[c.doc_id].text[c.start : c.end] == c.quote
    return cite


@pytest.mark.parametrize("question, value, fragment", PDF_QUESTIONS)
def test_pdf_questions_get_the_figure_and_its_page(formats_qa, files, question, value, fragment):
    cite = assert_answer(formats_qa, question, value, "lianyungang_2019")
    assert cite.page == page_holding(pdf_pages(files["pdf"]), fragment)


@pytest.mark.parametrize("question, value, _", DOCX_QUESTIONS + HTML_QUESTIONS)
def test_docx_and_html_questions_get_the_figure(formats_qa, question, value, _):
    doc_id = "nantong_2021" if question.startswith("南通") else "zhenjiang_2020"
    cite = assert_answer(formats_qa, question, value, doc_id)
    assert cite.page is None


def test_seed_questions_still_answered_and_have_no_page(formats_qa):
    cite = assert_answer(formats_qa, "苏州2016年职工书屋多少家", 918, "001_0a525996db59571e")
    assert cite.page is None


def test_search_passages_carry_the_page(formats_qa):
    found = formats_qa.search("连云港 走访慰问困难职工", top_k=3)
    pdf = [p for p in found.passages if p.doc_id == "lianyungang_2019"]
    assert pdf and all(p.page >= 1 for p in pdf)
    record = formats_qa.index.docs["lianyungang_2019"]
    assert all(p.page == page_of(record, p.start) for p in pdf)


def test_original_kept_and_index_reloads_with_pages(formats_qa, files):
    from rag.originals import read_original

    record = formats_qa.index.docs["lianyungang_2019"]
    assert record.format == "pdf" and record.page_starts and record.data is None
    data = read_original(formats_qa.settings.index_dir, record.original)
    assert data == files["pdf"].read_bytes()
    assert record.original["media_type"] == "application/pdf"
