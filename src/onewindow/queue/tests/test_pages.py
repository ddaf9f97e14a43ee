"""The hall's pages: kiosk → ticket print, board, window terminal with filing and finish, rating, monitor scope."""

import pytest
from django.test import Client

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.queue.models import Ticket
from onewindow.queue.tests.factories import at, make_hall
from onewindow.ratings.models import Rating

pytestmark = pytest.mark.django_db


def logged(user):
    c = Client()
    c.force_login(user)
    return c


def test_kiosk_to_board_to_terminal_to_rating():
    w = make_hall()
    kiosk = Client()
    with at(2026, 3, 2, 9):
        page = kiosk.get("/queue/kiosk/SZ-CENTRE/")
        assert page.status_code == 200 and "综合受理" in page.content.decode()
        found = kiosk.get("/queue/kiosk/SZ-CENTRE/?q=食品经营").content.decode()
        assert "综合受理" in found
        r = kiosk.post("/queue/kiosk/SZ-CENTRE/", {"queue": "general", "id_number": "412723199010050012",
                                                   "phone": "13800000002"})
        assert r.status_code == 302
        slip = kiosk.get(r["Location"]).content.decode()
        assert "A001" in slip and "您前面还有 0 人" in slip and "data:image/svg+xml" in slip
        bad = kiosk.post("/queue/kiosk/SZ-CENTRE/", {"queue": "general", "phone": "12"})
        assert bad.status_code == 400 and "应为 11 位手机号" in bad.content.decode()
        assert kiosk.get("/queue/kiosk/NOPE/").status_code == 404
    clerk = logged(w.clerk)
    with at(2026, 3, 2, 9, 5):
        assert clerk.post("/window/terminal/act/", {"op": "call"}).status_code == 302
        live = Client().get("/queue/board/SZ-CENTRE/live/").content.decode()
        assert 'data-number="A001"' in live and 'data-window="01"' in live
        assert "queue/board.js" in Client().get("/queue/board/SZ-CENTRE/").content.decode()
        term = clerk.get("/window/terminal/").content.decode()
        assert "A001" in term and "ident=412723199010050012" in term
        ticket = Ticket.objects.get(number="A001")
        clerk.post("/window/terminal/act/", {"op": "start", "ticket": ticket.pk})
        # filing from the ticket: the applicant is carried over into the workbench
        clerk.get(f"/window/?ticket={ticket.pk}&ident=412723199010050012&phone=13800000002")
        bench = clerk.get("/window/?item=SCJG-QR-0002").content.decode()
        assert 'value="412723199010050012"' in bench
        r = clerk.post("/window/", {"item": "SCJG-QR-0002", "kind": "person", "ident": "412723199010050012",
                                    "name": "李四", "phone": "13800000002", "materials": ["M01"]})
        assert r.status_code == 302
        case = Case.objects.get()
        # accepted at the window, decided by the department at once
        case_services.perform(case.number, "accept", w.clerk)
        case_services.perform(case.number, "decide", w.approver, {"result": "approve"})
        case.refresh_from_db()
    with at(2026, 3, 2, 9, 20):
        clerk.post("/window/terminal/act/", {"op": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.state == "done" and ticket.case_id == case.pk
    assert case.state == "concluded"
    with at(2026, 3, 2, 9, 21):
        screen = clerk.get("/window/rating/").content.decode()
        assert case.number in screen
        clerk.post("/window/rating/", {"level": "5", "efficiency": "5", "service_level": "4", "attitude": "5"})
    r = Rating.objects.get(case=case)
    assert (r.level, r.channel, r.rated_by_id) == (5, "window", w.clerk.pk)


def test_terminal_errors_render_with_status():
    w = make_hall()
    with at(2026, 3, 2, 9):
        r = logged(w.clerk).post("/window/terminal/act/", {"op": "start", "ticket": "999"})
        assert r.status_code == 404
        assert logged(w.citizen).get("/window/terminal/").status_code == 403


def test_monitor_scope():
    w = make_hall()
    with at(2026, 3, 2, 9):
        assert logged(w.clerk).get("/supervision/windows/").status_code == 403
        assert logged(w.citizen).get("/supervision/windows/").status_code == 403
        page = logged(w.supervisor).get("/supervision/windows/").content.decode()
    assert "窗口监控" in page and "综合受理" in page


def test_appointments_page_books_and_cancels():
    w = make_hall()
    me = logged(w.citizen)
    with at(2026, 9, 29, 10):
        page = me.get("/hall/appointments/?site=SZ-CENTRE&queue=general&date=2026-10-10").content.decode()
        assert "09:00–09:30" in page
        holiday = me.get("/hall/appointments/?site=SZ-CENTRE&queue=general&date=2026-10-02").content.decode()
        assert "该日为休息日" in holiday
        r = me.post("/hall/appointments/?site=SZ-CENTRE", {"site": "SZ-CENTRE", "queue": "general",
                                                           "date": "2026-10-10", "start": "09:00"})
        assert r.status_code == 302
        assert w.citizen.appointments.get().state == "booked"
        me.post("/hall/appointments/", {"cancel": w.citizen.appointments.get().pk})
        assert w.citizen.appointments.get().state == "cancelled"
        assert Client().get("/hall/appointments/").status_code == 302


def test_hall_pages_in_english():
    make_hall()
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    with at(2026, 3, 2, 9):
        kiosk = c.get("/queue/kiosk/SZ-CENTRE/").content.decode()
        board = c.get("/queue/board/SZ-CENTRE/").content.decode()
    assert "Take a ticket" in kiosk and "Choose a service to take a ticket" in kiosk
    assert "Now calling" in board and "Average wait" in board
