"""Every kind of answer as the widget draws it and as Markdown (api/render.py).

The browser tests ask through the widget on the demo page of a real uvicorn server
(conftest's ``api_server``) and compare what is shown with ``POST /v1/ask``'s JSON for
the same question: no answer string is written here. Chromium and the page helpers are
those of tests/test_widget.py. The Markdown tests build answer objects with the real
pipeline (conftest's ``qa``).

Run: ``.venv/bin/python -m pytest tests/test_widget_kinds.py -q``
"""

from __future__ import annotations

import re

import httpx
import pytest
from test_widget import BOT, W, ask, browser, expect, new_page, open_widget  # noqa: F401

from api.render import PASSAGES_CITED, answer_markdown, escape, sentence, where
from rag.schema import Status

PERSON = "江都区总工会主席是谁"
LIST = "苏州工会依法履行的四项职能是什么"
DEFINITION = "什么是苏工惠"
DESCRIBE = "工会做了什么"
YESNO = "江都的行业工资集体协商经验在全国推广了吗"
NOT_FOUND = "江都区总工会的秘书长是谁"  # a person the reports do not name
SPANS = {  # kind -> a question of that kind
    "date": "苏州市总工会十五届三次全委会议是什么时候开的",
    "place": "顾秋亮是哪里人",
    "name": "顾秋亮获得了什么荣誉",
}
FIGURE = "苏州2016年职工书屋多少家"


def unwrap(text: str) -> str:
    """A quote as the widget shows it: line breaks inside a sentence are PDF wraps."""
    return re.sub(r"[ \t]*\n\s*", "", text)


def api_answer(api: str, question: str) -> dict:
    response = httpx.post(api + "/v1/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def doc_link(api: str, c: dict) -> str:
    return f"{api}/documents/{c['doc_id']}?start={c['start']}&end={c['end']}"


@pytest.fixture
def widget(api_server, new_page):  # noqa: F811
    """The demo page of the shared server with the widget open; returns (page, api)."""
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(api_server.url + "/")
    open_widget(page)
    return page, api_server.url


def check_quotes(reply, api: str, data: dict, shown: int) -> None:
    """The first ``shown`` citations, in order, each quoted whole with its source link."""
    cites = data["citations"][:shown]
    expect(reply.locator(".cite")).to_have_count(len(cites))
    for box, c in zip(reply.locator(".cite").all(), cites, strict=True):
        assert box.locator("blockquote").text_content() == unwrap(c["quote"])
        expect(box.locator("a.source")).to_have_attribute("href", doc_link(api, c))


# ------------------------------------------------------------------ browser


@pytest.mark.browser
def test_person_shows_the_post_and_marks_the_name(widget):
    page, api = widget
    data = api_answer(api, PERSON)
    answer = data["answer"]
    assert data["kind"] == "person" and answer["post"], data
    reply = ask(page, PERSON)
    expect(reply.locator(".card")).to_have_class(re.compile(r"\bkind-person\b"))
    head = reply.locator(".span-answer")
    expect(head).to_have_text(f"{answer['text']} · {answer['post']}")
    expect(head.locator(".post")).to_have_text(answer["post"])
    marks = reply.locator("blockquote mark")
    expect(marks).to_have_count(1)
    expect(marks).to_have_text(answer["text"])
    assert reply.locator(".figure").count() == 0
    check_quotes(reply, api, data, 2)


@pytest.mark.browser
@pytest.mark.parametrize("kind", sorted(SPANS))
def test_date_place_name_in_bold_and_marked_where_it_stands(widget, kind):
    page, api = widget
    data = api_answer(api, SPANS[kind])
    answer = data["answer"]
    assert answer["kind"] == kind, data
    reply = ask(page, SPANS[kind])
    expect(reply.locator("strong.span-answer")).to_have_text(answer["text"])
    expect(reply.locator(".post")).to_have_count(0)
    # marked by offsets: the citation holding the span marks exactly the span
    c = data["citations"][0]
    assert (
        c["doc_id"] == answer["doc_id"]
        and c["start"] <= answer["start"] < answer["end"] <= c["end"]
    )
    first = reply.locator("blockquote").first.locator("mark")
    expect(first).to_have_text(unwrap(answer["text"]))
    before = unwrap(c["quote"][: answer["start"] - c["start"]])
    mark_at = reply.locator("blockquote").first.evaluate(
        """q => { let n = 0;
                  for (const x of q.childNodes) {
                    if (x.nodeName === "MARK") return n;
                    n += x.textContent.length;
                  }
                  return -1; }"""
    )
    assert mark_at == len(before)  # where the answer stands, not its first occurrence


@pytest.mark.browser
def test_list_item_by_item_each_marked_and_kept_after_a_reload(widget):
    page, api = widget
    data = api_answer(api, LIST)
    items = [i["text"] for i in data["answer"]["items"] or []]
    assert data["kind"] == "list" and len(items) >= 2, data
    reply = ask(page, LIST)
    expect(reply.locator("ol.items li")).to_have_count(len(items))
    assert reply.locator("ol.items li").all_text_contents() == items
    expect(reply.locator(".figure-note").first).to_have_text(f"共 {len(items)} 项")
    # the headline is no 、-joined string and no figure
    assert reply.locator(".span-answer, .figure").count() == 0
    # each item is marked in the quote that holds it, by its own offsets
    marked = reply.locator("blockquote mark").all_text_contents()
    inside = [
        i["text"]
        for c in data["citations"][:3]
        for i in data["answer"]["items"]
        if i["doc_id"] == c["doc_id"] and c["start"] <= i["start"] and i["end"] <= c["end"]
    ]
    assert marked == [unwrap(t) for t in inside] and marked
    # a reload draws the stored reply the same way
    page.reload()
    again = page.locator(f"{BOT}.msg").nth(1)
    expect(again.locator("ol.items li")).to_have_text(items)
    assert again.locator("blockquote mark").all_text_contents() == marked


@pytest.mark.browser
@pytest.mark.parametrize("question", [DEFINITION, DESCRIBE])
def test_passages_are_quotes_with_sources_and_no_headline(widget, question):
    page, api = widget
    data = api_answer(api, question)
    assert data["status"] == "answered" and data["kind"] in ("definition", "describe"), data
    reply = ask(page, question)
    expect(reply.locator(".passages-head")).to_be_visible()
    # no bold answer that looks like a figure: nothing bold but the source links
    assert reply.locator(".figure, .span-answer, strong, ol.items").count() == 0
    shown = min(PASSAGES_CITED, len(data["citations"]))
    assert shown >= 1
    check_quotes(reply, api, data, shown)
    # the source link opens the document with exactly that passage highlighted
    first = data["citations"][0]
    with page.context.expect_page() as popup:
        reply.locator("a.source").first.click()
    doc = popup.value
    doc.wait_for_load_state()
    assert doc.url == doc_link(api, first)
    assert doc.locator("mark#hl").text_content() == first["quote"]


@pytest.mark.browser
def test_yes_no_in_bold_with_the_sentence_that_decides_it(widget):
    page, api = widget
    data = api_answer(api, YESNO)
    assert data["status"] == "answered" and data["kind"] == "yesno", data
    answer = data["answer"]
    assert answer["text"] in ("是", "否")
    reply = ask(page, YESNO)
    expect(reply.locator("strong.span-answer.yesno")).to_have_text(answer["text"])
    check_quotes(reply, api, data, 2)
    assert data["citations"][0]["doc_id"] == answer["doc_id"]


@pytest.mark.browser
def test_not_found_person_gives_the_message_and_no_answer(widget):
    page, api = widget
    data = api_answer(api, NOT_FOUND)
    assert data["status"] == "not_found" and data["answer"] is None, data
    reply = ask(page, NOT_FOUND)
    expect(reply).to_have_class(re.compile(r"\bnot-found\b"))
    expect(reply.locator(".message")).to_have_text(data["message"])
    assert reply.locator(".span-answer, .figure, ol.items, .passages-head, mark").count() == 0
    closest = data["citations"][:3]
    # one item per document, one line per sentence, each linking to its highlighted span
    docs = list(dict.fromkeys(c["doc_id"] for c in closest))
    expect(reply.locator(".closest li")).to_have_count(len(docs))
    grouped = [c for d in docs for c in closest if c["doc_id"] == d]
    lines = reply.locator(".closest a.excerpt")
    expect(lines).to_have_count(len(grouped))
    for line, c in zip(lines.all(), grouped, strict=True):
        expect(line).to_have_attribute("href", doc_link(api, c))
        doc = httpx.get(doc_link(api, c), timeout=30).text
        assert '<mark id="hl">' in doc


@pytest.mark.browser
def test_marks_only_spans_inside_the_quote_and_only_as_text(widget):
    """Stubbed replies: a span of another document or outside the quote is not marked,
    a yes/no span that is part of its quote is, one that is the whole quote is not;
    hostile text stays text."""
    page, _ = widget
    evil = "<img src=x onerror=alert(1)>"

    def cite(doc_id: str, start: int, quote: str) -> dict:
        return {"doc_id": doc_id, "title": evil, "quote": quote, "start": start,
                "end": start + len(quote), "chunk": quote, "score": 1.0}  # fmt: skip

    quote = "甲乙丙丁戊己庚辛"
    replies = {
        "list": {
            "kind": "list",
            "answer": {"kind": "list", "text": "乙、丁、外", "doc_id": "d", "start": 11, "end": 30,
                       "items": [{"text": "乙", "doc_id": "d", "start": 11, "end": 12},
                                 {"text": "丁", "doc_id": "d", "start": 13, "end": 14},
                                 {"text": "外", "doc_id": "d", "start": 29, "end": 30}]},
            "citations": [cite("d", 10, quote), cite("other", 10, quote)],
        },
        "yesno-part": {
            "kind": "yesno",
            "answer": {"kind": "yesno", "text": "是", "doc_id": "d", "start": 12, "end": 15},
            "citations": [cite("d", 10, quote)],
        },
        "yesno-whole": {
            "kind": "yesno",
            "answer": {"kind": "yesno", "text": "否", "doc_id": "d", "start": 10, "end": 18},
            "citations": [cite("d", 10, quote)],
        },
        "person": {
            "kind": "person",
            "answer": {"kind": "person", "text": evil, "post": evil, "doc_id": "d",
                       "start": 10, "end": 12},
            "citations": [cite("d", 10, quote)],
        },
    }  # fmt: skip

    def fulfil(route):
        question = route.request.post_data_json["question"]
        body = {"question": question, "status": "answered", "message": None, "took_ms": 1.0}
        route.fulfill(json=body | replies[question])

    page.route("**/v1/ask", fulfil)
    reply = ask(page, "list")
    quotes = reply.locator("blockquote")
    assert quotes.nth(0).locator("mark").all_text_contents() == ["乙", "丁"]
    expect(quotes.nth(1).locator("mark")).to_have_count(0)  # another document
    expect(reply.locator("ol.items li")).to_have_text(["乙", "丁", "外"])
    reply = ask(page, "yesno-part")
    expect(reply.locator("blockquote mark")).to_have_text("丙丁戊")
    reply = ask(page, "yesno-whole")
    expect(reply.locator(".span-answer")).to_have_text("否")
    expect(reply.locator("blockquote mark")).to_have_count(0)
    expect(reply.locator("blockquote")).to_have_text(quote)
    reply = ask(page, "person")
    expect(reply.locator(".span-answer .post")).to_have_text(evil)
    expect(reply.locator("blockquote mark")).to_have_text("甲乙")
    count = page.evaluate(
        f"() => document.querySelector('{W}').shadowRoot.querySelectorAll('img, script').length"
    )
    assert count == 0


# ----------------------------------------------------------------- Markdown


def link(c) -> str:
    return f"http://qa/documents/{c.doc_id}?start={c.start}&end={c.end}"


def quoted(result, n: int) -> list[str]:
    return [f"> {escape(sentence(c.quote))}" for c in result.citations[:n]]


def quote_lines(md: str) -> list[str]:
    return [line for line in md.split("\n") if line.startswith("> ")]


def test_markdown_figure_unchanged(qa):
    result = qa.ask(FIGURE)
    md = answer_markdown(result, link=link)
    assert md.startswith(f"**{escape(result.answer.text)}**（")
    assert quote_lines(md) == quoted(result, 2)
    assert f"来源：[{escape(result.citations[0].title)}]({link(result.citations[0])})" in md


def test_markdown_person_with_post(qa):
    result = qa.ask(PERSON)
    answer = result.answer
    assert answer.kind == "person" and answer.post
    md = answer_markdown(result)
    assert md.split("\n")[0].startswith(f"**{escape(answer.text)}** · {escape(answer.post)}")
    assert quote_lines(md) == quoted(result, 2)
    # without a link, the source names the document and the offsets
    c = result.citations[0]
    assert f"`{c.doc_id}`，第 {c.start}–{c.end} 字" in md


@pytest.mark.parametrize("kind", sorted(SPANS))
def test_markdown_span_in_bold(qa, kind):
    result = qa.ask(SPANS[kind])
    assert result.answer.kind == kind
    md = answer_markdown(result, link=link)
    # the span in bold, then only the place: no post
    head = re.escape(f"**{escape(result.answer.text)}**")
    assert re.fullmatch(head + r"(（[^）]*）)?", md.split("\n")[0])
    assert quote_lines(md) == quoted(result, 2)


def test_markdown_list_as_bullets(qa):
    result = qa.ask(LIST)
    items = result.answer.items
    assert result.answer.kind == "list" and len(items) >= 2
    md = answer_markdown(result, link=link)
    blocks = md.split("\n\n")
    assert blocks[0].startswith(f"共 {len(items)} 项")
    assert blocks[1].split("\n") == [f"- {escape(sentence(i.text))}" for i in items]
    assert "**" not in md  # no 、-joined headline
    assert quote_lines(md) == quoted(result, 2)


def test_markdown_yes_no_with_its_sentence(qa):
    result = qa.ask(YESNO)
    assert result.status is Status.ANSWERED and result.answer.kind == "yesno"
    md = answer_markdown(result, link=link)
    assert md.startswith(f"**{result.answer.text}**") and result.answer.text in ("是", "否")
    assert quote_lines(md) == quoted(result, 2)


@pytest.mark.parametrize("question", [DEFINITION, DESCRIBE])
def test_markdown_passages_as_up_to_three_quotes(qa, question):
    result = qa.ask(question)
    assert result.answer.kind.is_passage
    md = answer_markdown(result, link=link)
    assert md.startswith("文档中的相关原文")
    assert "**" not in md  # no bold headline
    shown = result.citations[:PASSAGES_CITED]
    assert len(shown) >= 1 and quote_lines(md) == quoted(result, PASSAGES_CITED)
    assert md.count("来源：[") == len(shown)
    # a place heads the passages only when they all share it
    places = {where(c) for c in shown}
    assert ("（" in md.split("\n")[0]) == (len(places) == 1 and bool(places.pop()))


def test_markdown_not_found(qa):
    result = qa.ask(NOT_FOUND)
    assert result.status is Status.NOT_FOUND and result.answer is None
    md = answer_markdown(result, link=link)
    assert md.startswith(escape(result.message))
    assert "**" not in md and not quote_lines(md)
    if result.citations:
        assert "最接近的句子：" in md
        assert md.count("](http://qa/documents/") == min(3, len(result.citations))


COMPARE = "昆山和江都，哪边获得五一劳动奖章的人数更多？"


@pytest.mark.browser
def test_comparison_names_the_winner_and_shows_both_figures(widget):
    page, api = widget
    data = api_answer(api, COMPARE)
    sides = data["answer"]["compared"]
    assert len(sides) == 2 and data["answer"]["winner"] == sides[0]["place"]
    reply = ask(page, COMPARE)
    expect(reply.locator(".compare-winner")).to_have_text(sides[0]["place"] + "更多")
    shown = reply.locator("ul.compared li").all_text_contents()
    assert shown == [f"{s['place']}：{s['text']}" for s in sides]
    # Each side's quote marks that side's own figure.
    quotes = reply.locator("blockquote")
    for i, side in enumerate(sides):
        assert side["text"] in quotes.nth(i).locator("mark").all_text_contents()


def test_markdown_comparison_names_the_winner_and_both_sides(qa):
    result = qa.ask(COMPARE)
    sides = result.answer.compared
    first = answer_markdown(result).split("\n\n")[0]
    assert first.startswith(f"**{sides[0].place}更多**")
    assert all(f"{escape(s.place)} {escape(s.text)}" in first for s in sides)
