"""In a real browser: the API docs work with no internet, the error pages fit a phone, the favicon."""

import pytest

from onewindow.core.testing.browser import assert_page_ok, open_page, visit


def _offline(page, base_url):
    """Abort every request that does not go to the platform itself; return the list of them."""
    outside = []

    def route(r):
        if r.request.url.startswith(base_url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    return outside


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_offline(browser, live_server):
    page = open_page(browser, live_server.url)
    outside = _offline(page, live_server.url)
    visit(page, "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    text = page.inner_text("body")
    assert "OneWindow 一窗通办 API" in text
    assert "/api/v1/items" in text and "/api/v1/track/{number}" in text
    assert outside == [], outside
    # the vendored copy carries its licence
    assert page.request.get(f"{live_server.url}/static/onewindow/vendor/swagger-ui/LICENSE").status == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_error_pages_in_the_layout(browser, demo_site, viewport):
    page = open_page(browser, demo_site, viewport)
    visit(page, "/items/NO-SUCH-ITEM/", status=404)
    assert_page_ok(page, "error-404-item")
    visit(page, "/no/such/page/", status=404)
    assert page.locator("h1").inner_text() == "页面不存在"
    assert_page_ok(page, "error-404")
    icon = page.request.get(f"{demo_site}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"

    staff = open_page(browser, demo_site, viewport, user="window1")
    visit(staff, "/hall/", status=403)
    assert staff.locator("h1").inner_text() == "无权访问"
    assert "网上办事大厅仅供申请人使用" in staff.inner_text("main")
    assert_page_ok(staff, "error-403")

    english = open_page(browser, demo_site, viewport, lang="en")
    visit(english, "/no/such/page/", status=404)
    assert english.locator("h1").inner_text() == "Page not found"
    assert_page_ok(english, "error-404-en")
