"""Browser tests of the embeddable widget (api/static/widget.js) against a real server.

Playwright drives Debian's Chromium (``bash scripts/install-browser.sh``); Playwright's
own browser download is never used. One uvicorn server (``api_server_factory`` from
conftest.py) is started for the module with ``RAG_CORS_ORIGINS`` set to one local
host-page origin, and two small ``http.server`` instances serve host pages from that
allowed origin and from one that is not allowed.

Run: ``.venv/bin/python -m pytest tests/test_widget.py -q``
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import socket
import threading
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

W = "union-qa-widget"  # the widget's host element; Playwright CSS pierces its open shadow root
LAUNCHER = f"{W} .launcher"
PANEL = f"{W} .panel"
INPUT = f"{W} textarea"
SEND = f"{W} .send"
BOT = f"{W} .msg.bot"
USER = f"{W} .msg.user .bubble"

MISSION = "苏州2016年职工书屋多少家"
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)


# ------------------------------------------------------------------ servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve_dir(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def host_page(api: str, extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>外部网站</title></head>
<body><h1>某区总工会</h1><p>这是一个嵌入了问答窗口的外部网站。</p>
<script src="{api}/widget.js" data-endpoint="{api}" data-title="工会数据问答"
        data-placeholder="例如：{MISSION}" {extra} async></script>
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, api_server_factory):
    """The API server plus host pages on an allowed and on a not-allowed origin."""
    pages = tmp_path_factory.mktemp("widget-pages")
    allowed_port, blocked_port = free_port(), free_port()
    allowed = f"http://127.0.0.1:{allowed_port}"
    blocked = f"http://127.0.0.1:{blocked_port}"
    server = api_server_factory(
        env={"RAG_CORS_ORIGINS": allowed, "RAG_RATE_LIMIT_PER_MINUTE": "100000"}
    )
    api = server.url

    (pages / "index.html").write_text(host_page(api), encoding="utf-8")
    options = (
        'data-position="bottom-left" data-accent="#0b6e4f" data-open="true" '
        'data-greeting="欢迎使用区工会问答"'
    )
    (pages / "options.html").write_text(host_page(api, options), encoding="utf-8")
    (pages / "plain.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body><p>空白页</p>"
        f"<script src='{api}/widget.js' async></script></body></html>",
        encoding="utf-8",
    )
    http_servers = [serve_dir(pages, allowed_port), serve_dir(pages, blocked_port)]
    try:
        yield {"api": api, "allowed": allowed, "blocked": blocked}
    finally:
        for s in http_servers:
            s.shutdown()
            s.server_close()


# ------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium missing: run `bash scripts/install-browser.sh`")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """Factory for pages that fail the test on any JavaScript dialog or page error."""
    contexts = []
    problems: list[str] = []

    def make(**context_args):
        context = browser.new_context(locale="zh-CN", **context_args)
        contexts.append(context)
        page = context.new_page()

        def on_dialog(dialog):
            problems.append(f"dialog: {dialog.type} {dialog.message!r}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        return page

    yield make
    for c in contexts:
        c.close()
    assert not problems, problems


def ask(page, question: str):
    """Type a question, press Enter, return the bot message that answers it."""
    before = page.locator(BOT).count()
    page.locator(INPUT).fill(question)
    page.locator(INPUT).press("Enter")
    reply = page.locator(BOT).nth(before)
    reply.wait_for()
    return reply


def open_widget(page):
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()
    # the greeting is the first bot message
    expect(page.locator(BOT).first).to_be_visible()


def shadow_eval(page, body: str):
    return page.evaluate(
        f"() => {{ const root = document.querySelector('{W}').shadowRoot; {body} }}"
    )


def focused_in_widget(page) -> str | None:
    """Class name of the focused element inside the widget, or None if focus is elsewhere."""
    return page.evaluate(
        f"""() => {{
        const host = document.querySelector('{W}');
        if (!host || document.activeElement !== host) return null;
        const el = host.shadowRoot.activeElement;
        return el ? (el.className || el.tagName.toLowerCase()) : null;
    }}"""
    )


# ------------------------------------------------------------------- tests


def test_mission_question_cites_and_links_to_highlighted_span(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(site["api"] + "/")
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")
    open_widget(page)
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "true")
    expect(page.locator(PANEL)).to_have_attribute("role", "dialog")

    reply = ask(page, MISSION)
    expect(reply.locator(".figure")).to_have_text("918 家")
    quote = reply.locator("blockquote").first
    expect(quote).to_contain_text("职工书屋示范点 918 家")
    expect(quote.locator("mark")).to_have_text("918 家")
    link = reply.locator("a.source").first
    expect(link).to_contain_text("苏州")
    expect(link).to_have_attribute("target", "_blank")
    assert "noopener" in (link.get_attribute("rel") or "")
    # success clears the input for the next question
    expect(page.locator(INPUT)).to_have_value("")

    with page.context.expect_page() as popup:
        link.click()
    doc = popup.value
    doc.wait_for_load_state()
    assert "/documents/001_0a525996db59571e?start=" in doc.url
    hl = doc.locator("mark#hl")
    expect(hl).to_be_visible()
    expect(hl).to_contain_text("918")
    doc.screenshot(path=str(SCREENSHOTS / "document-highlight.png"))
    # a way back: the list of every document, this one among them
    title = doc.locator("h1").text_content()
    doc.locator("p.back a").click()
    expect(doc.locator("ul.documents li a").filter(has_text=title)).to_have_count(1)


def test_keyboard_only(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(site["api"] + "/")
    page.locator(LAUNCHER).wait_for()
    for _ in range(80):
        page.keyboard.press("Tab")
        if focused_in_widget(page) == "launcher":
            break
    else:
        pytest.fail("Tab never reached the launcher")

    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "true")
    assert shadow_eval(page, "return root.activeElement && root.activeElement.id;") == "uqa-input"

    # Shift+Enter is a newline, not a send
    page.keyboard.type("苏州")
    page.keyboard.press("Shift+Enter")
    expect(page.locator(INPUT)).to_have_value("苏州\n")
    assert page.locator(USER).count() == 0

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(MISSION)
    page.keyboard.press("Enter")
    expect(page.locator(f"{BOT} .figure")).to_have_text("918 家")
    expect(page.locator(USER)).to_have_text([MISSION])

    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")
    assert focused_in_widget(page) == "launcher"

    # Enter reopens with the conversation kept
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(f"{BOT} .figure")).to_have_text("918 家")


def test_at_phone_size_focus_stays_in_the_panel_and_esc_closes_it_from_anywhere(site, new_page):
    page = new_page(viewport={"width": 390, "height": 760})
    page.goto(site["api"] + "/")
    open_widget(page)
    ask(page, MISSION)  # a reply with links, so the panel has several stops
    seen = set()
    for _ in range(25):
        page.keyboard.press("Tab")
        where = focused_in_widget(page)
        assert where is not None and where != "launcher", where
        seen.add(where)
    page.keyboard.press("Shift+Tab")
    assert focused_in_widget(page) is not None
    assert len(seen) >= 3  # it cycles through the panel, not one element
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    assert focused_in_widget(page) is None
    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()


def test_xss_question_is_shown_literally_and_runs_nothing(site, new_page):
    page = new_page()  # fails the test on any dialog
    page.goto(site["api"] + "/")
    open_widget(page)
    ask(page, XSS)
    expect(page.locator(USER)).to_have_text([XSS])
    page.wait_for_timeout(300)  # give a would-be onerror handler time to fire
    assert shadow_eval(page, "return root.querySelectorAll('img, script, iframe').length;") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_a_quote_over_a_wrapped_line_reads_as_one_sentence(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, "无锡 安康杯 参赛职工 人数")
    expect(reply.locator(".figure")).to_contain_text("92.9")
    quote = reply.locator("blockquote").first
    # The source breaks the line after "11707家、"; the widget shows the sentence whole.
    expect(quote).to_contain_text("参赛企业11707家、职工92.9万人")


def test_server_text_is_rendered_as_text(site, new_page):
    """Hostile strings in every field of an answer stay text (stubbed response)."""
    evil = "<img src=x onerror=alert(2)>"
    body = {
        "question": evil,
        "status": "answered",
        "answer": {
            "text": f"918 家{evil}",
            "value": 918,
            "unit": "家",
            "qualifier": None,
            "from": None,
        },
        "citations": [
            {
                "doc_id": 'x"><img src=x onerror=alert(3)>',
                "title": f"报告{evil}",
                "region": evil,
                "period": "2016",
                "quote": f"已建示范点 918 家{evil}，完。",
                "start": 1,
                "end": 9,
                "chunk": evil,
                "score": 1.0,
            }
        ],
        "message": None,
        "took_ms": 1.0,
    }
    page = new_page()
    page.route("**/v1/ask", lambda route: route.fulfill(json=body))
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, "问题")
    expect(reply.locator(".figure")).to_have_text(f"918 家{evil}")
    expect(reply.locator("blockquote mark")).to_have_text(f"918 家{evil}")
    expect(reply.locator("a.source")).to_contain_text(f"报告{evil}")
    href = reply.locator("a.source").get_attribute("href")
    assert href.startswith(site["api"] + "/documents/x%22%3E%3Cimg")
    page.wait_for_timeout(300)
    assert shadow_eval(page, "return root.querySelectorAll('img, script, iframe').length;") == 0


def test_not_found_shows_message_and_closest_passages(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, "常州市总工会2015年“安康杯”竞赛参赛企业有多少家？")
    expect(reply).to_have_class("msg bot not-found")
    expect(reply.locator(".message")).to_contain_text("未")
    assert reply.locator(".closest li").count() >= 1
    doc_link = re.compile(re.escape(site["api"]) + r"/documents/[^?]+\?start=\d+&end=\d+$")
    expect(reply.locator(".closest a.source").first).to_have_attribute("href", doc_link)


def test_by_how_much_is_answered_by_the_difference_beside_where_it_ended(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, "江都区基层工会数量增加了多少家？")
    expect(reply.locator("strong.figure")).to_have_text("增加 2218 家")
    expect(reply.locator(".figure-note")).to_contain_text("6299家")
    expect(reply.locator(".figure-note")).to_contain_text("4081")


def test_a_typo_is_answered_and_says_which_question_was_looked_up(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, MISSION.replace("书", "数"))
    expect(reply).to_contain_text("918")
    expect(reply.locator(".resolved")).to_have_text(f"按“{MISSION}”查找")


def test_a_not_found_card_names_each_document_once_and_shows_whole_sentences(site, new_page):
    question = "常州市总工会2015年“安康杯”竞赛参赛企业有多少家？"
    cites = httpx.post(site["api"] + "/v1/ask", json={"question": question}).json()["citations"][:3]
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, question)
    titles = reply.locator(".closest .source-title").all_text_contents()
    assert len(titles) == len(set(titles)) == len({c["doc_id"] for c in cites})
    docs = list(dict.fromkeys(c["doc_id"] for c in cites))  # in the order first cited
    grouped = [c for d in docs for c in cites if c["doc_id"] == d]
    lines = reply.locator(".closest a.excerpt")
    expect(lines).to_have_count(len(cites))
    for line, c in zip(lines.all(), grouped, strict=True):
        flat = re.sub(r"\s+", " ", c["quote"]).strip()
        shown = line.text_content().rstrip("…")
        assert flat.startswith(shown) and len(shown) >= min(len(flat), 160) - 1
        assert line.get_attribute("href").endswith(f"start={c['start']}&end={c['end']}")


@pytest.mark.parametrize(
    ("status", "headers", "payload", "expected"),
    [
        (
            422,
            {},
            {"error": {"code": "invalid_input", "message": "question 过长，最多 500 个字符"}},
            "过长",
        ),
        (
            429,
            {"Retry-After": "7"},
            {"error": {"code": "rate_limited", "message": "请求过于频繁"}},
            "7 秒后再试",
        ),
        (
            503,
            {},
            {"error": {"code": "not_ready", "message": "服务正在加载模型和索引，请稍后再试"}},
            "正在加载",
        ),
        (None, {}, None, "无法连接问答服务"),  # network failure, same origin
    ],
)
def test_errors_are_explained_and_keep_the_input(
    site, new_page, status, headers, payload, expected
):
    page = new_page()
    if status is None:
        page.route("**/v1/ask", lambda route: route.abort("connectionrefused"))
    else:
        page.route(
            "**/v1/ask",
            lambda route: route.fulfill(status=status, headers=headers, json=payload),
        )
    page.goto(site["api"] + "/")
    open_widget(page)
    reply = ask(page, MISSION)
    expect(reply).to_have_class("msg bot error")
    expect(reply).to_contain_text(expected)
    expect(page.locator(INPUT)).to_have_value(MISSION)
    expect(page.locator(SEND)).to_be_enabled()


def test_cross_origin_allowed_site_works(site, new_page):
    page = new_page()
    page.goto(site["allowed"] + "/index.html")
    open_widget(page)
    reply = ask(page, MISSION)
    expect(reply.locator(".figure")).to_have_text("918 家")
    assert (
        reply.locator("a.source")
        .first.get_attribute("href")
        .startswith(site["api"] + "/documents/")
    )


def test_cross_origin_site_not_in_allow_list_is_told_so(site, new_page):
    page = new_page()
    page.goto(site["blocked"] + "/index.html")
    open_widget(page)
    reply = ask(page, MISSION)
    expect(reply).to_have_class("msg bot error")
    expect(reply).to_contain_text("跨域未授权")
    expect(reply).to_contain_text("管理员")
    expect(page.locator(INPUT)).to_have_value(MISSION)


def test_options_position_accent_greeting_open(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(site["allowed"] + "/options.html")
    expect(page.locator(PANEL)).to_be_visible()  # data-open="true"
    expect(page.locator(BOT).first).to_contain_text("欢迎使用区工会问答")
    box = page.locator(PANEL).bounding_box()
    assert box["x"] < 100, box  # bottom-left
    accent = page.locator(LAUNCHER).evaluate("el => getComputedStyle(el).backgroundColor")
    assert accent == "rgb(11, 110, 79)"


def test_no_globals_or_css_leak_into_the_host_page(site, new_page):
    page = new_page()
    page.goto(site["allowed"] + "/plain.html")
    page.locator(LAUNCHER).wait_for()
    leaked = page.evaluate(
        """() => {
        const f = document.createElement('iframe');
        document.body.appendChild(f);
        const base = new Set(Object.getOwnPropertyNames(f.contentWindow));
        f.remove();
        return Object.getOwnPropertyNames(window).filter(k => !base.has(k));
    }"""
    )
    assert leaked == ["UnionQAWidget"], leaked
    assert page.evaluate("document.styleSheets.length") == 0
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"
    # no data-endpoint: the API is the script's own origin, not the page's
    assert page.evaluate("window.UnionQAWidget.endpoint") == site["api"]


def test_demo_page_uses_same_origin_and_host_css_does_not_reach_the_widget(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    page.locator(LAUNCHER).wait_for()
    assert page.evaluate("window.UnionQAWidget.endpoint") == site["api"]
    # demo.html styles `button { text-transform: uppercase; font-size: 13px }`
    style = page.locator(LAUNCHER).evaluate(
        "el => [getComputedStyle(el).textTransform, getComputedStyle(el).fontSize]"
    )
    assert style == ["none", "15px"]
    expect(page.locator("pre#snippet")).to_contain_text(f'src="{site["api"]}/widget.js"')
    # an example question button asks through the widget
    page.locator(".examples button").first.click()
    expect(page.locator(f"{BOT} .figure")).to_have_text("918 家")


def test_phone_and_desktop_screenshots(site, new_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    phone = new_page(
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone.goto(site["api"] + "/")
    open_widget(phone)
    ask(phone, MISSION)
    expect(phone.locator(f"{BOT} .figure")).to_have_text("918 家")
    box = phone.locator(PANEL).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640, box
    for sel in (INPUT, SEND):
        expect(phone.locator(sel)).to_be_visible()
        b = phone.locator(sel).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 360 and b["y"] + b["height"] <= 640, (sel, b)
    assert b["width"] >= 44 and b["height"] >= 40  # send button is a usable touch target
    phone.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))

    desk = new_page(viewport={"width": 1280, "height": 800})
    desk.goto(site["api"] + "/")
    open_widget(desk)
    ask(desk, MISSION)
    expect(desk.locator(f"{BOT} .figure")).to_have_text("918 家")
    desk.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))


def test_loading_indicator_while_waiting(site, new_page):
    held = []
    page = new_page()
    page.route("**/v1/ask", lambda route: held.append(route))
    page.goto(site["api"] + "/")
    open_widget(page)
    page.locator(INPUT).fill(MISSION)
    page.locator(INPUT).press("Enter")
    status = page.locator(f"{W} .status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("正在查找答案")
    expect(page.locator(SEND)).to_be_disabled()
    expect(page.locator(PANEL)).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(f"{BOT} .figure")).to_have_text("918 家")
    expect(status).to_have_text("")
    expect(page.locator(SEND)).to_be_enabled()


def test_a_long_answer_is_shown_from_its_start(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 560})
    page.goto(site["api"] + "/")
    open_widget(page)
    ask(page, MISSION)
    reply = ask(page, "无锡市总工会去年做了哪些工作")
    expect(reply.locator("blockquote").first).to_be_visible()
    log = page.locator(f"{W} .log")
    box, view = reply.bounding_box(), log.bounding_box()
    assert box["height"] > view["height"], "the answer must be taller than the log"
    # Its start is in view, not its end: the first quoted sentence can be read.
    assert view["y"] - 1 <= box["y"] <= view["y"] + 24, (box, view)


def test_the_input_counts_down_near_its_limit_and_says_why_it_stops(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    counter = page.locator(f"{W} .counter")
    page.locator(INPUT).fill("苏州" * 10)
    expect(counter).to_be_hidden()
    page.locator(INPUT).fill("问" * 460)
    expect(counter).to_have_text("还可输入 40 字")
    page.locator(INPUT).fill("问" * 520)  # the box keeps 500
    expect(page.locator(INPUT)).to_have_value("问" * 500)
    expect(counter).to_have_text("问题最多 500 字，请精简后再发送")
    assert page.locator(INPUT).get_attribute("aria-describedby") == "uqa-counter"


def test_screen_readers_hear_who_speaks_before_each_message(site, new_page):
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    ask(page, MISSION)
    expect(page.locator(f"{W} .msg.user > .sr")).to_have_text(["您的问题："])
    expect(page.locator(f"{BOT} > .sr").last).to_have_text("回答：")
    # hidden from sight, not from the accessibility tree
    assert page.locator(f"{BOT} > .sr").last.evaluate("e => getComputedStyle(e).clip") != "auto"


# ------------------------------------------------------------ conversation


def sent_history(requests: list) -> list:
    """The history of the last question the widget sent."""
    return json.loads(requests[-1].post_data)["history"]


def test_conversation_is_kept_across_a_reload_and_cleared_by_new_chat(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    asked = []
    page.on("request", lambda r: asked.append(r) if r.url.endswith("/v1/ask") else None)
    page.goto(site["api"] + "/")
    open_widget(page)

    first = ask(page, MISSION)
    expect(first.locator(".figure")).to_have_text("918 家")
    expect(first.locator(".resolved")).to_have_count(0)  # nothing carried over
    assert sent_history(asked) == []

    second = ask(page, "那昆山呢？")
    expect(second.locator(".resolved")).to_have_text("按“昆山2016年职工书屋多少家”查找")
    expect(second.locator(".figure")).to_have_text("127家")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-followup.png"))
    assert sent_history(asked) == [{"question": MISSION, "answer": "918 家"}]

    third = ask(page, "那江都呢")
    expect(third.locator(".resolved")).to_have_text("按“江都2016年职工书屋多少家”查找")
    assert [t["question"] for t in sent_history(asked)] == [MISSION, "昆山2016年职工书屋多少家"]

    # a reload in the same tab shows the same conversation, panel open
    page.reload()
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(USER)).to_have_text([MISSION, "那昆山呢？", "那江都呢"])
    replies = page.locator(f"{BOT}:not(.error)")
    expect(replies).to_have_count(4)  # the greeting and three answers
    expect(replies.nth(2).locator(".resolved")).to_have_text("按“昆山2016年职工书屋多少家”查找")
    expect(replies.nth(1).locator(".figure")).to_have_text("918 家")

    # …and continues it: the fourth question is resolved against the third
    fourth = ask(page, "无锡呢")
    expect(fourth.locator(".resolved")).to_have_text("按“无锡2016年职工书屋多少家”查找")
    assert [t["question"] for t in sent_history(asked)] == [
        MISSION,
        "昆山2016年职工书屋多少家",
        "江都2016年职工书屋多少家",
    ]

    # 新对话 forgets it all
    page.locator(f"{W} .new-chat").click()
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(BOT)).to_have_count(1)  # the greeting again
    restate = ask(page, "那2012年呢？")
    expect(restate).to_contain_text("请把问题说完整")
    expect(restate.locator(".resolved")).to_have_count(0)
    assert sent_history(asked) == []
    page.reload()
    expect(page.locator(USER)).to_have_text(["那2012年呢？"])


def test_a_reply_to_a_question_asked_before_new_chat_is_dropped(site, new_page):
    held = []
    page = new_page()
    page.goto(site["api"] + "/")
    open_widget(page)
    ask(page, MISSION)
    page.route("**/v1/ask", lambda route: held.append(route))
    page.locator(INPUT).fill("那昆山呢？")
    page.locator(INPUT).press("Enter")
    expect(page.locator(USER)).to_have_count(2)
    page.locator(f"{W} .new-chat").click()
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator(BOT)).to_have_count(1)  # only the greeting
    expect(page.locator(SEND)).to_be_enabled()
    stored = page.evaluate("JSON.stringify(Object.values(sessionStorage))")
    assert "昆山" not in stored


def _api_answer(api: str, question: str) -> dict:
    import httpx

    response = httpx.post(api + "/v1/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_kind_renders_as_its_kind(site, new_page):
    """A person with the post, a list item by item, a passage as quotes without a
    figure-like headline; the marked words are the API's answer span."""
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(site["allowed"] + "/index.html")
    open_widget(page)

    question = "江都区总工会主席是谁"
    data = _api_answer(site["api"], question)
    reply = ask(page, question)
    expect(reply.locator(".span-answer")).to_contain_text(data["answer"]["text"])
    expect(reply.locator(".span-answer .post")).to_have_text(data["answer"]["post"])
    expect(reply.locator("blockquote mark").first).to_have_text(data["answer"]["text"])
    assert reply.locator(".figure").count() == 0

    question = "苏州工会依法履行的四项职能是什么"
    data = _api_answer(site["api"], question)
    assert data["answer"]["kind"] == "list"
    reply = ask(page, question)
    expect(reply.locator("ol.items li")).to_have_count(len(data["answer"]["items"]))
    shown = reply.locator("ol.items li").all_inner_texts()
    assert shown == [i["text"] for i in data["answer"]["items"]]
    marks = reply.locator("blockquote").first.locator("mark").all_inner_texts()
    assert marks == [i["text"] for i in data["answer"]["items"]]

    question = "什么是苏工惠"
    data = _api_answer(site["api"], question)
    reply = ask(page, question)
    expect(reply.locator(".passages-head")).to_be_visible()
    assert reply.locator(".figure, .span-answer").count() == 0
    expect(reply.locator(".cite")).to_have_count(min(3, len(data["citations"])))
    expect(reply.locator(".cite a.source").first).to_be_visible()

    question = "江都的行业工资集体协商经验在全国推广了吗"
    data = _api_answer(site["api"], question)
    reply = ask(page, question)
    if data["status"] == "answered":
        expect(reply.locator(".span-answer")).to_have_text(data["answer"]["text"])
    else:
        expect(reply.locator(".message")).to_have_text(data["message"])

    question = "江都区总工会的秘书长是谁"  # no such person in the reports
    data = _api_answer(site["api"], question)
    assert data["status"] == "not_found"
    reply = ask(page, question)
    expect(reply.locator(".message")).to_have_text(data["message"])
    assert reply.locator(".span-answer, .figure").count() == 0


def test_greeting_and_demo_page_say_what_the_documents_cover(site, new_page):
    """The scope comes from GET /v1/corpus, so it follows uploads; the seed corpus
    covers 苏州 2016 among others."""
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(site["allowed"] + "/index.html")
    open_widget(page)
    expect(page.locator(BOT).first).to_contain_text("已收录：")
    expect(page.locator(BOT).first).to_contain_text("苏州 2016")
    demo = new_page(viewport={"width": 1280, "height": 800})
    demo.goto(site["api"] + "/")
    expect(demo.locator("#scope")).to_contain_text("已收录：")
