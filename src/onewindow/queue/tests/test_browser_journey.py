"""The hall in a real browser (Debian's Chromium via Playwright): a kiosk ticket → the board shows
and speaks the call within 2 s → the clerk files the case from the ticket → the window's evaluator rates it."""

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.portal.tests.browser import chromium, login, new_page, shot
from onewindow.queue.models import Ticket
from onewindow.queue.tests.factories import make_hall
from onewindow.ratings.models import Rating

APPLICANT_ID = "412723199010050012"


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return make_hall()


@pytest.mark.django_db(transaction=True)
def test_kiosk_board_window_rating_journey(world, live_server):
    w = world
    with chromium() as browser:
        kiosk = new_page(browser, live_server.url)
        kiosk.goto("/queue/kiosk/SZ-CENTRE/")
        kiosk.fill("input[name=id_number]", APPLICANT_ID)
        with kiosk.expect_navigation():
            kiosk.click("button[name=queue][value=general]")
        assert kiosk.locator(".ticket58 .number").inner_text() == "A001"
        assert "您前面还有 0 人" in kiosk.content()
        shot(kiosk, "hall-1-ticket")

        board = new_page(browser, live_server.url)
        board.goto("/queue/board/SZ-CENTRE/")
        assert board.locator(".call").count() == 0

        clerk = new_page(browser, live_server.url)
        login(clerk, "clerk", next_url="/window/terminal/")
        with clerk.expect_navigation():
            clerk.click("button[name=op][value=call]")
        assert "A001" in clerk.locator("#current").inner_text()

        # the board shows the call within 2 s, without reload, and announces it
        board.locator(".call b", has_text="A001").wait_for(timeout=2000)
        assert "请到 01 号窗口" in board.locator(".call").inner_text()
        board.wait_for_function("document.body.dataset.lastSpoken === '请 A001 号到 1 号窗口办理'", timeout=2000)
        shot(board, "hall-2-board")

        with clerk.expect_navigation():
            clerk.click("button[name=op][value=start]")
        with clerk.expect_navigation():
            clerk.click("text=为该号码受理办件")
        clerk.goto("/window/?item=SCJG-QR-0002")
        assert clerk.input_value("#id_ident") == APPLICANT_ID  # carried over from the ticket
        clerk.fill("#id_name", "李四")
        clerk.check("input[name=materials][value=M01]")
        with clerk.expect_navigation():
            clerk.click("text=登记申请")
        case = Case.objects.get()
        assert case.applicant_id == APPLICANT_ID
        # the department decides at once (即办)
        case_services.perform(case.number, "accept", w.clerk)
        case_services.perform(case.number, "decide", w.approver, {"result": "approve"})

        clerk.goto("/window/terminal/")
        assert clerk.input_value("input[name=case]") == case.number
        with clerk.expect_navigation():
            clerk.click("button[name=op][value=finish]")
        ticket = Ticket.objects.get(number="A001")
        assert ticket.state == "done" and ticket.case_id == case.pk

        screen = new_page(browser, live_server.url)  # the evaluator facing the applicant
        login(screen, "clerk", next_url="/window/rating/")
        assert case.number in screen.content()
        screen.check("input[name=level][value='5']")
        screen.check("input[name=attitude][value='5']")
        with screen.expect_navigation():
            screen.click("text=提交评价")
        assert "感谢您的评价" in screen.content()
        shot(screen, "hall-3-rating")
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.channel, rating.dimensions["attitude"]) == (5, "window", 5)
