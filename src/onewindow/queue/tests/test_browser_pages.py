"""The hall's public pages through the shared harness, on the demo data, on a desktop and a 390×844 phone:
the kiosk (and the ticket it prints), the hall's display board and the applicant's appointments. Each
page must fit its viewport, show no raw code, and is saved under test-artifacts/browser/."""

import pytest

from onewindow.core.testing.browser import assert_page_ok, open_page, visit
from onewindow.queue.models import Appointment
from onewindow.workdays.selectors import add_workdays

SITE = "SZ-CENTRE"
APPLICANT_ID = "412723199010050012"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_kiosk_ticket_and_board(browser, demo_site, viewport):
    kiosk = open_page(browser, demo_site, viewport)
    visit(kiosk, f"/queue/kiosk/{SITE}/")
    assert "宿州市政务服务中心" in kiosk.inner_text("body")
    assert_page_ok(kiosk, "queue-kiosk")
    kiosk.fill("input[name=id_number]", APPLICANT_ID)
    with kiosk.expect_navigation():
        kiosk.locator("button[name=queue]").first.click()
    number = kiosk.locator(".ticket58 .number").inner_text()
    assert number and number[0].isalpha() and number[1:].isdigit(), number
    assert_page_ok(kiosk, "queue-ticket")

    board = open_page(browser, demo_site, viewport)
    visit(board, f"/queue/board/{SITE}/")
    assert_page_ok(board, "queue-board")
    board.context.close()  # stop its live polling before the test database is emptied
    kiosk.context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_appointments_page(browser, demo_site, viewport):
    from django.utils import timezone

    day, _ = add_workdays(timezone.localdate(), 1)
    page = open_page(browser, demo_site, viewport, user="citizen1")
    visit(page, "/hall/appointments/")
    assert_page_ok(page, "queue-appointments")
    # as a person does: the centre, the first business, the next working day, 查看时段
    page.select_option("select[name=site]", SITE)
    page.fill("input[name=date]", f"{day:%Y-%m-%d}")
    with page.expect_navigation():
        page.click("form.filters button")
    assert "可预约时段" in page.inner_text("main")
    with page.expect_navigation():
        page.locator("form.filters button", has_text="预约").first.click()
    mine = Appointment.objects.filter(user__username="citizen1", date=day).get()
    assert mine.code in page.inner_text("main")
    assert_page_ok(page, "queue-appointments-booked")
    page.context.close()
