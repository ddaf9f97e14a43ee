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


# ---- the daily full pass looks at recent cases only (SUPERVISION_HISTORY_DAYS, default 7) -------

def _conclude(w, case, y, m, d):
    with at(y, m, d, 15, 0):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})


def _hours(w, **kw):
    type(w.centre).objects.filter(pk=w.centre.pk).update(**kw)


def test_full_pass_leaves_alerts_of_old_cases_alone(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)  # old events are not re-read
    # 2026-10-12 and 2026-10-26 are Mondays; 12:30 is in the centre's lunch break (12:00–13:30)
    old = accepted(w, 2026, 10, 12, 12, 30)
    _conclude(w, old, 2026, 10, 12)  # concluded 14 days before the sweep: outside the 7-day window
    recent = accepted(w, 2026, 10, 26, 12, 30)  # open
    sweep(D(2026, 10, 26))
    assert _open("accept.off_hours") == {old.number, recent.number}
    _hours(w, morning_close=datetime.time(13, 0))  # 12:30 is now within opening hours (no event)
    res = sweep(D(2026, 10, 26), full=True)
    assert res["rules"]["accept.off_hours"] == [0, 1]  # only the recent case is re-judged
    assert _open("accept.off_hours") == {old.number}
    res = sweep(D(2026, 10, 26), everything=True)
    assert res["rules"]["accept.off_hours"] == [0, 1]
    assert _open("accept.off_hours") == set()


def test_full_pass_opens_alerts_for_recent_cases_only(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)  # old events are not re-read
    old = accepted(w, 2026, 10, 12, 9, 15)
    _conclude(w, old, 2026, 10, 12)
    recent_done = accepted(w, 2026, 10, 19, 9, 15)  # concluded 2026-10-19 = today - 7 days: inside
    _conclude(w, recent_done, 2026, 10, 19)
    sweep(D(2026, 10, 26))
    assert _open("accept.off_hours") == set()
    _hours(w, morning_open=datetime.time(9, 30))  # 09:15 is now before opening
    assert sweep(D(2026, 10, 26), full=True)["rules"]["accept.off_hours"] == [1, 0]
    assert _open("accept.off_hours") == {recent_done.number}
    assert sweep(D(2026, 10, 26), full=True)["rules"]["accept.off_hours"] == [0, 0]  # idempotent
    assert sweep(D(2026, 10, 26), everything=True)["rules"]["accept.off_hours"] == [1, 0]
    assert _open("accept.off_hours") == {old.number, recent_done.number}


def test_full_pass_rejudges_old_cases_with_new_events(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)
    old = accepted(w, 2026, 10, 12, 12, 30)
    _conclude(w, old, 2026, 10, 12)
    sweep(D(2026, 10, 26))
    assert _open("accept.off_hours") == {old.number}
    _hours(w, morning_close=datetime.time(13, 0))
    with at(2026, 10, 26, 10):
        cases.perform(old.number, "deliver", w.clerk, {"method": "window"})  # a late event
    monkeypatch.setattr(services, "SCOPE_LIMIT", 0)  # too many changed cases: the full pass instead
    assert sweep(D(2026, 10, 26))["rules"]["accept.off_hours"] == [0, 1]
    assert _open("accept.off_hours") == set()


def test_first_sweep_and_new_thresholds_judge_every_case(w, monkeypatch):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)  # old events are not re-read
    old = accepted(w, 2026, 10, 12, 12, 30)
    _conclude(w, old, 2026, 10, 12)
    assert sweep(D(2026, 12, 31))["rules"]["accept.off_hours"] == [1, 0]  # no mark yet: all history
    _hours(w, morning_close=datetime.time(13, 0))
    assert sweep(D(2026, 12, 31), full=True)["rules"]["accept.off_hours"] == [0, 0]
    assert sweep(D(2026, 12, 31), instant_seconds=30)["rules"]["accept.off_hours"] == [0, 1]


def test_history_days_zero_makes_every_full_pass_unbounded(w, monkeypatch, settings):
    monkeypatch.setattr(services, "EVENT_OVERLAP", 0)  # old events are not re-read
    old = accepted(w, 2026, 10, 12, 12, 30)
    _conclude(w, old, 2026, 10, 12)
    sweep(D(2026, 12, 31))
    _hours(w, morning_close=datetime.time(13, 0))
    settings.SUPERVISION_HISTORY_DAYS = 0
    assert sweep(D(2026, 12, 31), full=True)["rules"]["accept.off_hours"] == [0, 1]
