"""The intake modes once in a real browser (Debian's Chromium via Playwright, as portal's journey),
with the demo users and the demo 食品经营许可 (SZ-SCJG-XK-0005: M04 and M05 deferrable, M03 and M04
replaceable by commitment):

1. 容缺受理: window1 accepts with M04 deferred and the applicant's commitment; the 承诺书 PDF opens;
   window1 records the make-up and the deferral clears.
2. 告知承诺: a commitment case decided by approver1; reviewer1 verifies it false → 已撤销, licence revoked.
3. 寄递送达: window1 posts the result with courier and waybill; /track/ shows 已寄出, then 已签收.
4. The public 中介服务清单 page.
"""

import pytest
from django.utils import timezone

from onewindow.accounts import demo as accounts_demo
from onewindow.accounts.models import User
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.catalog import demo as catalog_demo
from onewindow.intake.models import BrokenCommitment, Deferral, Postal
from onewindow.intermediaries import demo as intermediaries_demo
from onewindow.licences.models import Licence
from onewindow.portal.tests.browser import chromium, login, new_page, shot
from onewindow.regions import demo as regions_demo
from onewindow.workdays import demo as workdays_demo

ITEM = "SZ-SCJG-XK-0005"
APPLICANT = {"kind": "person", "name": "王五", "id_number": "110102199101010078", "phone": "13800000009"}


def _open(page, action):
    page.click(f"#action-{action} > summary")
    return page.locator(f"#action-{action} form")


def _submit(page, form):
    with page.expect_navigation():
        form.locator("button").last.click()


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for loader in (workdays_demo, regions_demo, catalog_demo, intermediaries_demo, accounts_demo):
        loader.load()
    return {u.username: u for u in User.objects.filter(username__in=["window1", "reviewer1", "approver1"])}


@pytest.mark.django_db(transaction=True)
def test_intake_modes_in_the_browser(world, live_server):
    window1, reviewer1, approver1 = world["window1"], world["reviewer1"], world["approver1"]
    deferred = services.file_case(item=ITEM, applicant=APPLICANT, channel="window", materials=["M01", "M02", "M03", "M05"],
                                  actor=window1)
    with chromium() as browser:
        window = new_page(browser, live_server.url)
        staff = new_page(browser, live_server.url)
        login(window, "window1", next_url="/window/")

        # 1. 容缺受理 at the window.
        window.goto(f"/cases/{deferred.number}/")
        form = _open(window, "accept")
        boxes = form.locator("input[name=deferred]").evaluate_all("els => els.map(e => e.value)")
        assert boxes == ["M04"], boxes  # M05 was handed in; M03 is not deferrable
        form.locator("input[name=deferred][value=M04]").check()
        form.locator("textarea[name=commitment]").fill("本人承诺5个工作日内补交食品安全规章制度。")
        shot(window, "intake-01-accept-deferred")
        _submit(window, form)
        assert window.locator("#case-state").inner_text() == "已受理"
        d = Deferral.objects.get(case=deferred)
        assert d.materials == ["M04"] and window.locator("#makeup-due").inner_text() == d.makeup_due.isoformat()
        pdf = window.context.request.get(window.locator("a", has_text="承诺书（PDF）").get_attribute("href"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
        form = _open(window, "makeup")
        assert form.locator("input[name=materials][value=M04]").is_checked()
        _submit(window, form)
        assert f"已于 {timezone.localdate().isoformat()} 补齐" in window.locator("#intake-modes").inner_text()
        d.refresh_from_db()
        assert d.cleared_on is not None

        # 2. 告知承诺: filed and decided, then verified false by reviewer1 in the browser.
        committed = services.file_case(item=ITEM, applicant=APPLICANT, channel="window", materials=["M01", "M02", "M05"],
                                       actor=window1, commitment=True)
        services.perform(committed.number, "accept", window1, {})
        services.perform(committed.number, "review", reviewer1, {"opinion": "同意"})
        services.perform(committed.number, "decide", approver1, {"result": "approve"})
        licence = Licence.objects.get(case_number=committed.number)
        login(staff, "reviewer1", next_url=f"/cases/{committed.number}/")
        assert staff.locator("#verification-state").inner_text() == "待核查"
        form = _open(staff, "verify")
        form.locator("input[name=result][value=false]").check()
        form.locator("textarea[name=note]").fill("现场核查：经营布局与承诺不符")
        shot(staff, "intake-02-verify")
        _submit(staff, form)
        assert staff.locator("#case-state").inner_text() == "已撤销（承诺不实）"
        licence.refresh_from_db()
        assert licence.status == "revoked"
        assert BrokenCommitment.objects.filter(case_number=committed.number).exists()

        # 3. 寄递送达 of the first case's result, tracked publicly.
        services.perform(deferred.number, "review", reviewer1, {"opinion": "同意"})
        services.perform(deferred.number, "decide", approver1, {"result": "approve"})
        window.goto(f"/cases/{deferred.number}/")
        form = _open(window, "deliver")
        form.locator("select[name=method]").select_option("post")
        form.locator("input[name=address]").fill("宿州市埇桥区汴河路1号")
        form.locator("input[name=courier]").fill("中国邮政EMS")
        form.locator("input[name=waybill]").fill("1190000000001")
        _submit(window, form)
        assert window.locator("#case-state").inner_text() == "已送达"
        assert "已寄出" in window.locator("#postal-status").inner_text()
        public = new_page(browser, live_server.url)
        code = Case.objects.get(pk=deferred.pk).query_code
        public.goto(f"/track/?number={deferred.number}&code={code}")
        assert "已寄出" in public.locator("#postal-track").inner_text()
        assert "1190000000001" in public.locator("#postal-track").inner_text()
        _submit(window, _open(window, "delivery"))
        assert "已签收" in window.locator("#postal-status").inner_text()
        public.reload()
        assert "已签收" in public.locator("#postal-track").inner_text()
        shot(public, "intake-03-track-post")
        assert Postal.objects.get(case=deferred).state == "received"

        # 4. The public 中介服务清单.
        public.goto("/lists/")
        with public.expect_navigation():
            public.click("a:text-is('中介服务清单')")
        assert "环境影响报告书（表）编制" in public.locator("#intermediary-list").inner_text()
        assert public.locator("a", has_text="下载中介服务清单 Excel").count() == 1
