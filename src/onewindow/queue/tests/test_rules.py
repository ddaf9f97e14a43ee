"""Hall supervision rules on a hand-built morning (2026-03-02, Monday; site hours 9:00-12:00, 13:30-17:30)."""

import pytest
from django.utils import timezone

from onewindow.queue import rules, services
from onewindow.queue.models import HallAlert
from onewindow.queue.tests.factories import at, make_hall

pytestmark = pytest.mark.django_db


def open_subjects(rule):
    return sorted(HallAlert.objects.filter(rule=rule, closed_at__isnull=True).values_list("subject", flat=True))


def test_hall_rules_open_and_close():
    w = make_hall()
    with at(2026, 3, 2, 9, 0):
        services.change_window(w.clerk, "open")  # window 01 open from 9:00
    with at(2026, 3, 2, 9, 20):
        a1 = services.issue(site="SZ-CENTRE", queue="general")
    with at(2026, 3, 2, 9, 45):
        services.issue(site="SZ-CENTRE", queue="general")
    with at(2026, 3, 2, 9, 58):
        services.change_window(w.clerk3, "open")  # window 03 open, queue B empty
    with at(2026, 3, 2, 10, 0):
        rules.sweep(timezone.now())
    assert open_subjects("hall.long_wait") == [f"ticket:{a1.pk}"]  # 40 min > 30; A002 waited 15
    assert open_subjects("hall.idle_while_waiting") == [f"window:{w.window.pk}"]  # idle 60 min, A waits
    # 02 never opened; other site's window is in hours too (same default hours)
    assert open_subjects("hall.unstaffed") == sorted([f"window:{w.window2.pk}", f"window:{w.other_window.pk}"])
    with at(2026, 3, 2, 10, 1):
        services.call_next(w.window.pk, w.clerk)  # A001 called
        services.change_window(w.clerk2, "open")
    with at(2026, 3, 2, 10, 2):
        rules.sweep(timezone.now())
    assert open_subjects("hall.long_wait") == []
    assert open_subjects("hall.idle_while_waiting") == []  # 01 now serving
    assert open_subjects("hall.unstaffed") == [f"window:{w.other_window.pk}"]
    assert HallAlert.objects.filter(closed_at__isnull=False).count() == 3


def test_no_unstaffed_alert_at_lunch_or_on_a_sunday():
    make_hall()
    with at(2026, 3, 2, 12, 30):
        rules.sweep(timezone.now())
    with at(2026, 3, 1, 10, 0):  # Sunday
        rules.sweep(timezone.now())
    assert HallAlert.objects.count() == 0
