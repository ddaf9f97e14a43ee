"""Opening sessions of a queue applied to issuing, calling and transfer (answers written by hand).

The evening queue E (延时服务) has a working-day session 17:30–19:00 and a rest-day session
09:00–12:00 (weekend service). 2026-03-02 is a Monday (working day), 2026-03-07 a Saturday, and
2026-09-20 a Sunday that is a make-up working day of the 2026 National Day schedule.
"""

import datetime

import pytest
from django.test import Client

from onewindow.core.errors import Conflict
from onewindow.queue import services
from onewindow.queue.models import Queue, QueueSession, WindowQueue
from onewindow.queue.tests.factories import at, make_hall

pytestmark = pytest.mark.django_db


def evening_hall():
    w = make_hall()
    w.evening = Queue.objects.create(site=w.centre, hall=w.window.hall, code="evening", prefix="E", name="延时服务")
    QueueSession.objects.create(queue=w.evening, days="workday", start=datetime.time(17, 30), end=datetime.time(19))
    QueueSession.objects.create(queue=w.evening, days="restday", start=datetime.time(9), end=datetime.time(12))
    WindowQueue.objects.create(window=w.window, queue=w.evening, priority=2)
    return w


def take(queue="evening"):
    return services.issue(site="SZ-CENTRE", queue=queue)


def closed(when, queue="evening"):
    with at(*when), pytest.raises(Conflict) as exc:
        take(queue)
    assert exc.value.code == "queue_closed" and list(exc.value.fields) == ["queue"]
    return exc.value.message


@pytest.mark.parametrize("when, is_open", [
    ((2026, 3, 2, 17, 29), False), ((2026, 3, 2, 17, 30), True), ((2026, 3, 2, 18, 59), True),
    ((2026, 3, 2, 19, 0), False), ((2026, 3, 2, 10, 0), False),  # Monday: only the evening session
    ((2026, 3, 7, 9, 0), True), ((2026, 3, 7, 11, 59), True), ((2026, 3, 7, 12, 0), False),  # Saturday
    ((2026, 3, 7, 18, 0), False),  # the working-day session does not apply on a Saturday
    ((2026, 9, 20, 10, 0), False), ((2026, 9, 20, 18, 0), True),  # Sunday, make-up working day
])
def test_issuing_only_within_the_sessions_of_the_day(when, is_open):
    evening_hall()
    if is_open:
        with at(*when):
            assert take().number == "E001"
    else:
        closed(when)


def test_closed_message_names_the_days_sessions_and_other_queues_unaffected():
    evening_hall()
    assert closed((2026, 3, 2, 10, 0)) == "延时服务 现在不在服务时段，今日（工作日）服务时段：17:30–19:00"
    assert closed((2026, 3, 7, 13, 0)) == "延时服务 现在不在服务时段，今日（休息日）服务时段：09:00–12:00"
    with at(2026, 3, 7, 13, 0):  # a queue without sessions of its own is not restricted here
        assert take("general").number == "A001"


def test_kiosk_shows_the_reason_with_409():
    evening_hall()
    with at(2026, 3, 2, 10, 0):
        resp = Client().post("/queue/kiosk/SZ-CENTRE/", {"queue": "evening"})
    assert resp.status_code == 409
    assert "现在不在服务时段" in resp.content.decode()
    with at(2026, 3, 2, 10, 0):
        api = Client().post("/api/v1/queue/tickets", {"site": "SZ-CENTRE", "queue": "evening"},
                            content_type="application/json")
    assert api.status_code == 409 and api.json()["error"]["code"] == "queue_closed"


def test_calling_follows_the_sessions_with_a_grace_after_the_end():
    w = evening_hall()
    with at(2026, 3, 2, 18, 50):
        e1, e2 = take(), take()
    with at(2026, 3, 2, 19, 20):  # 20 minutes after the end: those who took a number are served
        assert services.call_next(w.window.pk, w.clerk).pk == e1.pk
        services.perform(e1.pk, "start", w.clerk)
        services.perform(e1.pk, "finish", w.clerk)
    with at(2026, 3, 2, 19, 31):  # more than 30 minutes after the end: the queue is not called
        assert services.call_next(w.window.pk, w.clerk) is None
    e2.refresh_from_db()
    assert e2.state == "waiting"


def test_calling_pauses_between_sessions_and_resumes():
    w = make_hall()
    QueueSession.objects.create(queue=w.queue_a, days="workday", start=datetime.time(9), end=datetime.time(12))
    QueueSession.objects.create(queue=w.queue_a, days="workday", start=datetime.time(14), end=datetime.time(17))
    with at(2026, 3, 2, 11, 55):
        a1 = take("general")
    with at(2026, 3, 2, 13, 0):
        assert services.call_next(w.window.pk, w.clerk) is None
    with at(2026, 3, 2, 14, 0):
        assert services.call_next(w.window.pk, w.clerk).pk == a1.pk


def test_transfer_into_a_closed_queue_refused():
    w = evening_hall()
    with at(2026, 3, 2, 10, 0):
        a1 = take("general")
        services.call_next(w.window.pk, w.clerk)
        with pytest.raises(Conflict) as exc:
            services.perform(a1.pk, "transfer", w.clerk, {"queue": "evening"})
        assert exc.value.code == "queue_closed"
    a1.refresh_from_db()
    assert a1.state == "called"
