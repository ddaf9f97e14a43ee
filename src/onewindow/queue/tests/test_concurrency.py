"""Numbers unique and gap-free, and no ticket called twice, under threads (SQLite and PostgreSQL)."""


import pytest
from django.db import connection

from onewindow.cases.tests.test_concurrency import _run_threads
from onewindow.queue import services
from onewindow.queue.models import Ticket, TicketEvent
from onewindow.queue.tests.factories import at, make_hall


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuance_numbers_unique_and_gap_free():
    make_hall()

    def take(i):
        return [services.issue(site="SZ-CENTRE", queue="general").number for _ in range(5)]

    with at(2026, 3, 2, 9):
        results, errors = _run_threads(8, take)
    assert errors == []
    assert sorted(n for batch in results for n in batch) == [f"A{i:03d}" for i in range(1, 41)]


@pytest.mark.django_db(transaction=True)
def test_same_id_number_at_once_gets_one_ticket():
    make_hall()

    def take(i):
        return services.issue(site="SZ-CENTRE", queue="general", id_number="110102199101010078").number

    with at(2026, 3, 2, 9):
        results, errors = _run_threads(4, take)
    assert results == ["A001"]
    assert len(errors) == 3 and all(getattr(e, "status", None) == 409 for e in errors)


@pytest.mark.django_db(transaction=True)
def test_windows_calling_at_once_never_share_a_ticket():
    w = make_hall()
    with at(2026, 3, 2, 9):
        for _ in range(24):
            services.issue(site="SZ-CENTRE", queue="general")
    windows = [(w.window.pk, w.clerk), (w.window2.pk, w.clerk2)]

    def serve(i):
        window_id, clerk = windows[i]
        got = []
        for _ in range(30):  # bounded
            t = services.call_next(window_id, clerk)
            if t is None:
                break
            got.append(t.number)
            services.perform(t.pk, "start", clerk)
            services.perform(t.pk, "finish", clerk)
        return got

    with at(2026, 3, 2, 9, 30):
        results, errors = _run_threads(2, serve)
    assert errors == []
    called = [n for batch in results for n in batch]
    assert sorted(called) == [f"A{i:03d}" for i in range(1, 25)]  # each once
    assert TicketEvent.objects.filter(action="call").count() == 24
    assert Ticket.objects.filter(state="done").count() == 24


@pytest.mark.django_db(transaction=True)
def test_kiosks_issuing_while_windows_call():
    """Two kiosks issue into both queues while three windows call (the hall's normal state):
    every ticket called once, per queue the numbers 1..n each once."""
    import threading
    import time

    w = make_hall()
    windows = [(w.window.pk, w.clerk), (w.window2.pk, w.clerk2), (w.window3.pk, w.clerk3)]
    kiosks_done = threading.Barrier(2)
    finished = threading.Event()

    def work(i):
        if i < 2:  # a kiosk: 10 tickets, A and B in turn
            got = [services.issue(site="SZ-CENTRE", queue=("general", "estate")[k % 2]).number for k in range(10)]
            kiosks_done.wait(timeout=60)
            finished.set()
            return ("issued", got)
        window_id, clerk = windows[i - 2]
        got = []
        for _ in range(200):  # bounded
            t = services.call_next(window_id, clerk)
            if t is None:
                if finished.is_set():
                    t = services.call_next(window_id, clerk)  # one look after the kiosks stopped
                    if t is None:
                        break
                else:
                    time.sleep(0.01)
                    continue
            got.append(t.number)
            services.perform(t.pk, "start", clerk)
            services.perform(t.pk, "finish", clerk)
        return ("called", got)

    with at(2026, 3, 2, 9, 30):
        results, errors = _run_threads(5, work)
    assert errors == []
    issued = sorted(n for kind, batch in results if kind == "issued" for n in batch)
    called = sorted(n for kind, batch in results if kind == "called" for n in batch)
    assert issued == [f"A{i:03d}" for i in range(1, 11)] + [f"B{i:03d}" for i in range(1, 11)]
    assert called == issued  # each ticket called exactly once
    assert TicketEvent.objects.filter(action="call").count() == 20


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_call_next_takes_the_first_free_ticket_when_every_candidate_is_held():
    """The pick looks at the first calling.CANDIDATES waiting tickets of each queue (ADR 0201). When another
    transaction holds all of them, the window still gets the next free one (the full pick), never a 204."""
    import threading

    from django.db import transaction

    from onewindow.queue import calling

    w = make_hall()
    with at(2026, 3, 2, 9):
        for _ in range(calling.CANDIDATES + 2):
            services.issue(site="SZ-CENTRE", queue="general")
    first = list(Ticket.objects.order_by("seq").values_list("pk", flat=True)[:calling.CANDIDATES])
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Ticket.objects.select_for_update().filter(pk__in=first))
                held.set()
                release.wait(30)
        finally:
            connection.close()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(30)
        with at(2026, 3, 2, 9, 30):
            called = services.call_next(w.window.pk, w.clerk)
    finally:
        release.set()
        t.join(30)
    assert called is not None and called.number == f"A{calling.CANDIDATES + 1:03d}"
