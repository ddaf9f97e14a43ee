"""The sweep's incremental pass: event-driven rules re-read only the cases with new events."""

import datetime

import pytest
from django.utils import timezone

from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import SH, at, make_world
from onewindow.supervision import services
from onewindow.supervision.models import Alert, SweepMark
from onewindow.supervision.services import sweep

from .helpers import D, accepted


@pytest.fixture
def w(db):
    return make_world()


def _open(rule):
    return set(Alert.objects.filter(rule=rule, closed_at=None).values_list("case__number", flat=True))


def _conclude_in_seconds(w, case):
    with at(2026, 10, 12, 9, 0):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})


def test_first_sweep_is_full_and_leaves_marks(w):
    sweep(D(2026, 10, 12))
    marks = {m.rule: m for m in SweepMark.objects.all()}
    assert set(marks) == {"notice.repeated", "offsystem.loop", "extension.overrun", "accept.off_hours"}
    assert all(m.params["instant_seconds"] == 60 for m in marks.values())


def test_new_events_are_seen_by_the_next_incremental_sweep(w):
    case = accepted(w, 2026, 10, 12, 9, 0)
    sweep(D(2026, 10, 12))  # full: nothing concluded yet
    assert _open("offsystem.loop") == set()
    _conclude_in_seconds(w, case)  # accepted and concluded within the same minute
    res = sweep(D(2026, 10, 12))
    assert res["rules"]["offsystem.loop"] == [1, 0]
    assert _open("offsystem.loop") == {case.number}
    assert sweep(D(2026, 10, 12))["rules"]["offsystem.loop"] == [0, 0]  # idempotent


def test_direct_edit_without_event_waits_for_the_full_pass(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)  # else the last 1,000 events are re-read too
    case = accepted(w, 2026, 10, 12)
    sweep(D(2026, 10, 15))
    # concluded behind the system's back: no event, so the incremental pass cannot know
    Case.objects.filter(pk=case.pk).update(
        state="concluded", concluded_at=datetime.datetime(2026, 10, 15, 10, tzinfo=SH), concluded_on=D(2026, 10, 15)
    )
    assert sweep(D(2026, 10, 15))["rules"]["offsystem.loop"] == [0, 0]
    assert sweep(D(2026, 10, 15), full=True)["rules"]["offsystem.loop"] == [1, 0]
    assert _open("offsystem.loop") == {case.number}


def test_full_pass_after_a_day_and_on_other_thresholds(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)
    case = accepted(w, 2026, 10, 12)
    now = timezone.now()
    sweep(D(2026, 10, 15), now=now)
    Case.objects.filter(pk=case.pk).update(
        state="concluded", concluded_at=datetime.datetime(2026, 10, 15, 10, tzinfo=SH), concluded_on=D(2026, 10, 15)
    )
    assert sweep(D(2026, 10, 15), now=now + datetime.timedelta(hours=23))["rules"]["offsystem.loop"] == [0, 0]
    # 24 hours after the last full pass: full again
    assert sweep(D(2026, 10, 15), now=now + datetime.timedelta(hours=24))["rules"]["offsystem.loop"] == [1, 0]
    # other thresholds: full as well (the alert stays, nothing new)
    Case.objects.filter(pk=case.pk).update(extended_days=9)  # allowance 5, no event
    res = sweep(D(2026, 10, 15), now=now + datetime.timedelta(hours=25), instant_seconds=30)
    assert res["rules"]["extension.overrun"] == [1, 0]
    assert res["rules"]["offsystem.loop"] == [0, 0]


def test_overlap_rereads_recent_events(w):
    case = accepted(w, 2026, 10, 12)
    sweep(D(2026, 10, 15))
    Case.objects.filter(pk=case.pk).update(extended_days=9)  # no event, but within the overlap
    assert sweep(D(2026, 10, 15))["rules"]["extension.overrun"] == [1, 0]


def test_incremental_pass_closes_only_cases_in_scope(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)
    first = accepted(w, 2026, 10, 12, 9, 0)
    second = accepted(w, 2026, 10, 12, 9, 30)
    _conclude_in_seconds(w, first)
    sweep(D(2026, 10, 12))
    assert _open("offsystem.loop") == {first.number}
    # an unrelated case moves: the alert of `first` is neither reopened nor closed
    with at(2026, 10, 13, 10):
        cases.perform(second.number, "review", w.reviewer, {"opinion": "同意"})
    assert sweep(D(2026, 10, 13))["rules"]["offsystem.loop"] == [0, 0]
    assert _open("offsystem.loop") == {first.number}
