"""Staff pages walked as the demo's staff, in a real browser, on a desktop and a 390×844 phone: each
fits its screen and shows names, never catalogue, state or action codes (the shared harness checks)."""

import pytest

from onewindow.cases.models import Case, State
from onewindow.core.testing.browser import assert_page_ok, open_page, visit, width


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_window_search_and_case_actions(browser, demo_site, viewport):
    page = open_page(browser, demo_site, viewport, user="window1")
    # the clerk looks an item up by what the applicant asks for: names, departments, no item codes
    visit(page, "/window/?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96")  # 公积金提取
    assert "住房公积金提取" in page.inner_text("#search-results")
    assert_page_ok(page, "staff-window-search")
    # a case waiting at the window, every action form opened: the forms fit a phone
    case = Case.objects.filter(state=State.SUBMITTED, site__code="SZ-CENTRE").order_by("pk").first()
    visit(page, f"/cases/{case.number}/")
    summaries = page.locator("details.action > summary")
    assert summaries.count() >= 2
    for i in range(summaries.count()):
        summaries.nth(i).click()
    assert_page_ok(page, "staff-case-actions")


@pytest.mark.django_db(transaction=True)
def test_supervisor_stats_and_admin_item_form(browser, demo_site):
    supervisor = open_page(browser, demo_site, user="supervisor1")
    visit(supervisor, "/stats/")
    assert "/accounts/2fa/" not in supervisor.url
    assert "大厅排队叫号" in supervisor.inner_text("main")  # the hall's numbers, windows by site name
    assert_page_ok(supervisor, "staff-stats")

    admin = open_page(browser, demo_site, user="admin")
    visit(admin, "/admin/catalog/itemversion/?q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF")
    with admin.expect_navigation():
        admin.locator("#result_list tbody tr").first.locator("th a, td a").first.click()
    assert admin.locator("input[name=committed_days]").count() == 1
    scroll, inner = width(admin)  # the materials table scrolls in its box, the page does not
    assert scroll <= inner, f"{admin.url}: {scroll} px wide in a {inner} px window"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_supervision_room_and_its_partials(browser, demo_site, viewport):
    """The room and the two fragments it polls, each opened on its own on a desktop and a 390 px phone:
    they come inside the site's layout (header, viewport), fit the screen and show no raw code."""
    page = open_page(browser, demo_site, viewport, user="supervisor1")
    for path, name in [("/supervision/", "supervision-room"), ("/supervision/board/", "supervision-board"),
                       ("/supervision/alerts/red/", "supervision-red")]:
        visit(page, path)
        assert "电子监察室" in page.inner_text("main")
        assert_page_ok(page, name)
    page.context.close()  # stop the room's polling before the test database is emptied
