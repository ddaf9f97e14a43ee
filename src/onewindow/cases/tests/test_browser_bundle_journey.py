"""Real-browser journey (Debian Chromium via Playwright) of 开办企业一件事 on the demo data, on a desktop
and on a 390×844 phone: window1 files it as one application (the 营业执照 is not asked), accepts it once
and prints one slip with the bundle's own number and query code; each department reviews and decides
its part (印章刻制 waits for the 营业执照 and is not offered 决定 meanwhile); the bundle page shows the one
营业执照 PDF, whose unified social credit code is checked here with python-stdnum.

Written with the helpers of portal/tests/browser.py; the contexts are made here (desktop 1280×800 and
phone 390×844) so the test moves to a shared harness unchanged but for the import."""

import io

import pytest
from pypdf import PdfReader
from stdnum.cn import uscc as stdnum_uscc

from onewindow.accounts import demo as accounts_demo
from onewindow.accounts.models import Role, User
from onewindow.cases.models import BundleFiling, Case
from onewindow.catalog import demo as catalog_demo
from onewindow.portal.tests.browser import PASSWORD, chromium, login, shot
from onewindow.regions import demo as regions_demo
from onewindow.workdays import demo as workdays_demo

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _page(browser, base_url, viewport):
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=viewport, extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context.set_default_timeout(20_000)
    return context.new_page()


def _staff(role, department):
    """The department's demo reviewer/approver; created with the demo password when this checkout's demo
    has none yet (issue 10 adds them)."""
    user = User.objects.filter(role=role, department=department, is_active=True).order_by("pk").first()
    return user or User.objects.create_user(f"{role}_{department.code.lower()}", password=PASSWORD, role=role,
                                            department=department)


def _no_sideways_scroll(page, viewport):
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(f"""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > {viewport["width"]})
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= viewport["width"], (page.url, width, wide)


def _pdf_text(page, href) -> str:
    answer = page.context.request.get(href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf", href
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for loader in (workdays_demo, regions_demo, catalog_demo, accounts_demo):
        loader.load()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_kaiban_qiye_bundle_journey(demo, live_server, device):
    viewport = VIEWPORTS[device]
    with chromium() as browser:
        window = _page(browser, live_server.url, viewport)
        login(window, "window1", next_url="/window/")
        window.goto("/window/?bundle=YJS-KBQY")
        # the 营业执照 is issued by the bundle itself: shown, not asked
        row = window.locator("table.checklist tr", has=window.locator(".issued-in-bundle"))
        assert row.count() == 1 and "营业执照" in row.inner_text()
        assert row.locator("input[name=materials]").count() == 0
        window.fill("#id_ident", "110102199101010078")
        window.fill("#id_name", "张三")
        window.fill("#id_phone", "13800000001")
        window.fill("input[name=enterprise_name]", "宿州市浏览器科技有限公司")
        window.fill("input[name=legal_representative]", "张三")
        window.fill("input[name=registered_capital]", "100")
        window.fill("input[name=address]", "宿州市埇桥区汴河中路1号")
        boxes = window.locator("table.checklist input[name=materials]")
        for i in range(boxes.count()):
            boxes.nth(i).check()
        shot(window, f"kbqy-{device}-01-filing")
        with window.expect_navigation():
            window.click("form.intake button")
        assert "/bundles/" in window.url, window.url
        filing = BundleFiling.objects.get()
        parts = list(Case.objects.filter(bundle_filing=filing).select_related("department", "item").order_by("pk"))
        assert len(parts) == 5
        # one acceptance for the whole application
        with window.expect_navigation():
            window.click("#bundle-accept")
        assert {c.state for c in Case.objects.filter(bundle_filing=filing)} == {"accepted"}
        slip = _pdf_text(window, window.locator("#bundle-slip").get_attribute("href"))
        assert filing.number in slip and filing.query_code in slip
        assert not any(c.number in slip for c in parts)  # one slip, the bundle's own number and code
        _no_sideways_scroll(window, viewport)
        shot(window, f"kbqy-{device}-02-accepted")

        staff = _page(browser, live_server.url, viewport)
        registration = next(c for c in parts if c.item.code == "SZ-SCJG-XK-0001")
        seal = next(c for c in parts if c.item.code == "SZ-GAJ-QR-0009")
        order = [seal, registration] + [c for c in parts if c not in (seal, registration)]
        for c in order:
            for role, action in ((Role.REVIEWER, "review"), (Role.APPROVER, "decide")):
                user = _staff(role, c.department)
                staff.context.clear_cookies()
                login(staff, user.username, next_url=f"/cases/{c.number}/")
                if c is seal and action == "decide" and not Case.objects.get(pk=registration.pk).result:
                    # waiting for the 营业执照: 决定 is not offered (the same rule perform() applies)
                    assert staff.locator("#action-decide").count() == 0
                    assert "待同一件事签发" in staff.locator("#material-M02").inner_text()
                    continue
                staff.click(f"#action-{action} > summary")
                form = staff.locator(f"#action-{action} form")
                if action == "review":
                    form.locator("textarea[name=opinion]").fill("同意")
                else:
                    form.locator("input[name=result][value=approve]").check()
                with staff.expect_navigation():
                    form.locator("button").click()
                assert staff.locator("#case-state").inner_text() == ("已审核" if action == "review" else "已办结")
        # the seal part got the 营业执照 and can now be decided
        user = _staff(Role.APPROVER, seal.department)
        staff.context.clear_cookies()
        login(staff, user.username, next_url=f"/cases/{seal.number}/")
        assert "免提交" in staff.locator("#material-M02").inner_text()
        staff.click("#action-decide > summary")
        staff.locator("#action-decide input[name=result][value=approve]").check()
        with staff.expect_navigation():
            staff.locator("#action-decide form button").click()
        assert staff.locator("#case-state").inner_text() == "已办结"

        window.goto(f"/bundles/{filing.number}/")
        assert "全部办结" in window.content()
        filing.refresh_from_db()
        assert window.locator("b.uscc").inner_text() == filing.uscc
        links = window.locator("a.licence-pdf")
        assert links.count() == 1 and "营业执照" in links.inner_text()
        text = _pdf_text(window, links.get_attribute("href")).replace(" ", "").replace("\n", "")
        assert filing.uscc in text and "宿州市浏览器科技有限公司" in text
        assert stdnum_uscc.is_valid(filing.uscc), filing.uscc  # independent GB 32100 check
        _no_sideways_scroll(window, viewport)
        shot(window, f"kbqy-{device}-03-concluded")
