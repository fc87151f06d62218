"""/docs (Swagger UI) and /redoc render in Chromium with every outside request blocked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

# The same Chromium fixture as the widget tests.
from test_widget import browser  # noqa: E402, F401

TIMEOUT_MS = 30_000


@pytest.fixture
def offline_page(browser):  # noqa: F811 (the imported fixture)
    """A page whose requests to anything but 127.0.0.1 are aborted and recorded."""
    context = browser.new_context()
    page = context.new_page()
    state = {"blocked": [], "errors": [], "console": []}

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            state["blocked"].append(url)
            r.abort("internetdisconnected")

    page.route("**/*", route)
    page.on("pageerror", lambda e: state["errors"].append(str(e)))
    page.on(
        "console",
        lambda m: state["console"].append(m.text) if m.type == "error" else None,
    )
    yield page, state
    context.close()


def test_docs_csp_names_no_other_origin(api_server):
    with api_server.client() as http:
        for path in ("/docs", "/redoc"):
            r = http.get(path)
            assert r.status_code == 200
            csp = r.headers["content-security-policy"]
            fetches = [d for d in csp.split(";") if not d.strip().startswith("frame-ancestors")]
            assert "http" not in ";".join(fetches), csp
            assert "jsdelivr" not in r.text and "fastapi.tiangolo.com" not in r.text
            assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
        asset = http.get("/static-docs/swagger-ui-bundle.js")
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]


def test_swagger_ui_renders_offline(api_server, offline_page):
    page, state = offline_page
    page.goto(api_server.url + "/docs")
    ops = page.locator(".opblock")
    expect(ops.first).to_be_visible(timeout=TIMEOUT_MS)
    assert ops.count() >= 5
    expect(page.locator(".opblock-summary-path", has_text="/v1/ask").first).to_be_visible()
    # Try it out works against this server: open /healthz and execute it.
    health = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path", has_text="/healthz")
    )
    health.first.locator(".opblock-summary").click()
    health.first.get_by_role("button", name="Try it out").click()
    health.first.get_by_role("button", name="Execute").click()
    expect(
        health.first.locator(".live-responses-table tbody .response-col_status").first
    ).to_contain_text("200", timeout=TIMEOUT_MS)
    assert state["blocked"] == [], state["blocked"]
    assert state["errors"] == [], state["errors"]
    assert not [c for c in state["console"] if "Content Security Policy" in c], state["console"]


# ReDoc's "API docs by Redocly" footer hard-codes its logo on cdn.redoc.ly; the CSP blocks
# it before any request leaves (decoration only, nothing of the page is missing).
REDOC_LOGO = "cdn.redoc.ly/redoc/logo-mini.svg"


def test_redoc_renders_offline(api_server, offline_page):
    page, state = offline_page
    page.goto(api_server.url + "/redoc")
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("/v1/ask").first).to_be_attached(timeout=TIMEOUT_MS)
    assert page.locator("[data-section-id^='operation/']").count() >= 5
    assert state["blocked"] == [], state["blocked"]
    assert state["errors"] == [], state["errors"]
    violations = [c for c in state["console"] if "Content Security Policy" in c]
    assert not [c for c in violations if REDOC_LOGO not in c], violations
