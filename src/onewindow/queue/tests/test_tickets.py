"""Issuing, ordering, the three-ahead SMS and every action from every state (answers written by hand)."""

import datetime

import pytest

from onewindow.cases.tests.factories import VALID_ID, VALID_ID_2
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.portal.models import Outbox
from onewindow.queue import services
from onewindow.queue.models import Ticket, TicketCounter, TicketEvent
from onewindow.queue.tests.factories import at, make_hall

pytestmark = pytest.mark.django_db

ELDER_ID = "110101195001010017"  # born 1950-01-01: 76 in 2026


def issue(w, queue="general", **kw):
    return services.issue(site="SZ-CENTRE", queue=queue, **kw)


def test_numbers_per_queue_and_day_restart_next_day():
    w = make_hall()
    with at(2026, 3, 2, 9):
        got = [issue(w).number, issue(w).number, issue(w, "estate").number, issue(w).number]
        other = services.issue(site="OTHER", queue="general").number
    assert got == ["A001", "A002", "B001", "A003"]
    assert other == "A001"  # per site
    with at(2026, 3, 3, 9):
        assert issue(w).number == "A001"
    assert TicketCounter.objects.get(queue=w.queue_a, day=datetime.date(2026, 3, 2)).value == 3


def test_waiting_before_and_priority_first():
    w = make_hall()
    with at(2026, 3, 2, 9):
        a1, a2 = issue(w), issue(w)
    with at(2026, 3, 2, 9, 5):
        elder = issue(w, id_number=ELDER_ID, priority="elderly")
        a4 = issue(w)
    assert (a1.waiting_before, a2.waiting_before, elder.waiting_before, a4.waiting_before) == (0, 1, 0, 3)
    with at(2026, 3, 2, 9, 10):
        order = [services.call_next(w.window.pk, w.clerk).number]
        services.perform(order[0] and Ticket.objects.get(number="A003").pk, "start", w.clerk)
        services.perform(Ticket.objects.get(number="A003").pk, "finish", w.clerk)
        order.append(services.call_next(w.window.pk, w.clerk).number)
    assert order == ["A003", "A001"]


def test_elderly_priority_needs_age():
    w = make_hall()
    with at(2026, 3, 2, 9), pytest.raises(ServiceError) as exc:
        issue(w, id_number=VALID_ID, priority="elderly")  # born 1991
    assert "priority" in exc.value.fields


def test_window_queue_priority_then_first_come():
    w = make_hall()
    with at(2026, 3, 2, 9):
        b1 = issue(w, "estate")
    with at(2026, 3, 2, 9, 1):
        a1 = issue(w)
    # window 02 serves A (priority 1) before B (priority 2), though B001 came first
    with at(2026, 3, 2, 9, 2):
        assert services.call_next(w.window2.pk, w.clerk2).pk == a1.pk
        # window 03 serves only B
        assert services.call_next(w.window3.pk, w.clerk3).pk == b1.pk
        assert services.call_next(w.window.pk, w.clerk) is None


def test_one_active_ticket_per_id_number_per_queue():
    w = make_hall()
    with at(2026, 3, 2, 9):
        t = issue(w, id_number=VALID_ID)
        with pytest.raises(Conflict) as exc:
            issue(w, id_number=VALID_ID)
        assert exc.value.fields == {"id_number": "已有排队号"}
        issue(w, "estate", id_number=VALID_ID)  # another queue is fine
        services.call_next(w.window.pk, w.clerk)
        services.perform(t.pk, "no_show", w.clerk)
        assert issue(w, id_number=VALID_ID).number == "A002"  # the refusal burnt no number


def test_daily_cap_429_without_burning_numbers():
    w = make_hall()
    w.queue_a.daily_cap = 2
    w.queue_a.save()
    with at(2026, 3, 2, 9):
        issue(w), issue(w)
        with pytest.raises(ServiceError) as exc:
            issue(w)
    assert exc.value.status == 429 and exc.value.code == "daily_cap_reached"
    assert TicketCounter.objects.get(queue=w.queue_a).value == 2


def test_unknown_site_queue_and_bad_input():
    w = make_hall()
    with pytest.raises(NotFound):
        services.issue(site="NOPE", queue="general")
    with pytest.raises(NotFound):
        services.issue(site="SZ-CENTRE", queue="nope")
    with pytest.raises(ServiceError) as exc:
        issue(w, phone="123")
    assert "phone" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        issue(w, id_number="110102199101010079")  # wrong check digit
    assert "id_number" in exc.value.fields
    assert Ticket.objects.count() == 0


def test_sms_when_three_ahead():
    w = make_hall()
    with at(2026, 3, 2, 9):
        for i in range(6):
            issue(w, phone=f"1380000000{i}")
    assert Outbox.objects.count() == 0  # A001..A004 had ≤3 ahead at issue; A005, A006 had 4 and 5
    with at(2026, 3, 2, 9, 10):
        services.call_next(w.window.pk, w.clerk)  # A001 called: A005 now has 3 ahead
    msgs = list(Outbox.objects.values_list("to", "body"))
    assert len(msgs) == 1 and msgs[0][0] == "13800000004" and "A005" in msgs[0][1] and "3" in msgs[0][1]


def test_events_carry_exact_times():
    w = make_hall()
    with at(2026, 3, 2, 9, 0):
        t = issue(w)
    with at(2026, 3, 2, 9, 12):
        services.call_next(w.window.pk, w.clerk)
    with at(2026, 3, 2, 9, 13):
        services.perform(t.pk, "start", w.clerk)
    with at(2026, 3, 2, 9, 25):
        services.perform(t.pk, "finish", w.clerk)
    rows = [(e.action, e.from_state, e.to_state, e.at.astimezone(datetime.UTC).strftime("%H:%M"))
            for e in TicketEvent.objects.filter(ticket=t)]
    assert rows == [("issue", "", "waiting", "01:00"), ("call", "waiting", "called", "01:12"),
                    ("start", "called", "serving", "01:13"), ("finish", "serving", "done", "01:25")]


# expected outcome of every action from every state, written by hand
ALLOWED = {
    "waiting": {"cancel"},
    "called": {"recall", "start", "no_show", "transfer"},
    "serving": {"finish", "transfer"},
    "done": set(), "no_show": set(), "transferred": set(), "cancelled": set(),
}
TARGET = {"recall": "called", "start": "serving", "finish": "done", "no_show": "no_show",
          "transfer": "transferred", "cancel": "cancelled"}
PATH = {  # how to reach each state from a fresh waiting ticket
    "waiting": [], "called": ["call"], "serving": ["call", "start"], "done": ["call", "start", "finish"],
    "no_show": ["call", "no_show"], "transferred": ["call", "transfer"], "cancelled": ["cancel"],
}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("action", list(TARGET))
def test_every_action_from_every_state(state, action):
    w = make_hall()
    with at(2026, 3, 2, 9):
        t = issue(w)
        for step in PATH[state]:
            if step == "call":
                services.call_next(w.window.pk, w.clerk)
            else:
                services.perform(t.pk, step, w.clerk, {"queue": "estate"})
        t.refresh_from_db()
        assert t.state == state
        if action in ALLOWED[state]:
            out = services.perform(t.pk, action, w.clerk, {"queue": "estate"})
            assert out.state == TARGET[action]
            assert TicketEvent.objects.filter(ticket=t, action=action).count() == 1
        else:
            with pytest.raises(Conflict) as exc:
                services.perform(t.pk, action, w.clerk, {"queue": "estate"})
            assert set(exc.value.fields["allowed"]) == ALLOWED[state]
            t.refresh_from_db()
            assert t.state == state


def test_transfer_keeps_number_and_place():
    w = make_hall()
    with at(2026, 3, 2, 9):
        a1 = issue(w)
    with at(2026, 3, 2, 9, 5):
        b1 = issue(w, "estate")
    with at(2026, 3, 2, 9, 10):
        services.call_next(w.window.pk, w.clerk)
        out = services.perform(a1.pk, "transfer", w.clerk, {"queue": "estate"})
        nxt = services.call_next(w.window3.pk, w.clerk3)
    moved = out.transferred_to_ticket
    assert (moved.number, moved.queue_id, moved.state) == ("A001", w.queue_b.pk, "waiting")
    assert nxt.pk == moved.pk and nxt.pk != b1.pk  # queued 9:00, before B001 at 9:05


def test_scope_other_window_403_other_site_404():
    w = make_hall()
    with at(2026, 3, 2, 9):
        t = issue(w)
        with pytest.raises(Forbidden):
            services.call_next(w.window.pk, w.clerk2)  # clerk2 sits at window 02
        with pytest.raises(NotFound):
            services.call_next(99999, w.clerk)
        services.call_next(w.window.pk, w.clerk)
        with pytest.raises(Forbidden):
            services.perform(t.pk, "start", w.clerk2)
        with pytest.raises(NotFound):
            services.perform(t.pk, "start", w.other_clerk)
        with pytest.raises(Forbidden):
            services.perform(t.pk, "start", w.supervisor)
        with pytest.raises(NotFound):
            services.perform(424242, "start", w.clerk)


def test_call_next_refused_while_window_holds_a_ticket():
    w = make_hall()
    with at(2026, 3, 2, 9):
        issue(w), issue(w)
        services.call_next(w.window.pk, w.clerk)
        with pytest.raises(Conflict) as exc:
            services.call_next(w.window.pk, w.clerk)
    assert exc.value.fields == {"ticket": "A001"}


def test_finish_links_case_and_other_case_404():
    from onewindow.cases.services import file_case
    from onewindow.cases.tests.factories import person

    w = make_hall()
    with at(2026, 3, 2, 9):
        t = issue(w, id_number=VALID_ID_2)
        services.call_next(w.window.pk, w.clerk)
        services.perform(t.pk, "start", w.clerk)
        case = file_case(item="SCJG-QR-0002", applicant=person(VALID_ID_2, "李四"), channel="window",
                         materials=["M01"], actor=w.clerk)
        with pytest.raises(NotFound):
            services.perform(t.pk, "finish", w.clerk, {"case": "34130020260302999999"})
        out = services.perform(t.pk, "finish", w.clerk, {"case": case.number})
    assert out.case_id == case.pk and out.state == "done"


def test_absurd_ticket_id_is_404_not_500():
    w = make_hall()
    for bad in ("99999999999999999999999", "-1", "abc"):
        with pytest.raises(NotFound):
            services.perform(bad, "start", w.clerk)
