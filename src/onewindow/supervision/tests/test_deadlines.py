"""Deadline warnings on the 2026 calendar, counted by hand.

2026 National Day: 10/1–10/7 off; 9/20 (Sun) and 10/10 (Sat) are make-up working days.
"""

import pytest

from onewindow.cases import services as cases
from onewindow.cases.tests.factories import at, make_world
from onewindow.supervision.models import Alert
from onewindow.supervision.services import sweep

from .helpers import D, accepted, set_due


def open_rules(case):
    return sorted(Alert.objects.filter(case=case, closed_at__isnull=True).values_list("rule", flat=True))


@pytest.fixture
def w(db):
    return make_world()


def test_due_today_is_yellow(w):
    case = accepted(w, 2026, 9, 29)  # 5 working days: 9/30, 10/8, 10/9, 10/10, 10/12
    assert case.due_date == D(2026, 10, 12)
    sweep(D(2026, 10, 12))
    assert open_rules(case) == ["deadline.yellow"]
    a = Alert.objects.get(case=case)
    assert a.level == "yellow" and a.department_id == w.dept.pk and a.site_id == w.centre.pk
    assert a.detail == {"due_date": "2026-10-12"}


def test_due_yesterday_across_holiday_is_red(w):
    case = accepted(w, 2026, 9, 28)
    set_due(case, D(2026, 9, 30))
    sweep(D(2026, 10, 8))  # ordinal(9/30) - ordinal(10/8) = -1
    assert open_rules(case) == ["deadline.red"]
    assert Alert.objects.get(case=case).level == "red"


def test_overdue_seen_on_a_holiday_is_red(w):
    case = accepted(w, 2026, 9, 28)
    set_due(case, D(2026, 9, 30))
    sweep(D(2026, 10, 3))  # ordinals equal (holiday) but the due date has passed
    assert open_rules(case) == ["deadline.red"]


def test_due_on_makeup_saturday_from_friday_is_yellow(w):
    case = accepted(w, 2026, 9, 28)
    set_due(case, D(2026, 10, 10))  # make-up Saturday: 1 working day after Fri 10/9
    sweep(D(2026, 10, 9))
    assert open_rules(case) == ["deadline.yellow"]


def test_due_monday_after_makeup_saturday_is_normal(w):
    case = accepted(w, 2026, 9, 29)  # due Mon 10/12: 10/10 and 10/12 left from Fri 10/9 → 2
    assert case.due_date == D(2026, 10, 12)
    result = sweep(D(2026, 10, 9))
    assert open_rules(case) == []
    assert result["opened"] == 0


def test_threshold_is_configurable(w):
    case = accepted(w, 2026, 9, 29)
    sweep(D(2026, 10, 9), yellow_days=2)
    assert open_rules(case) == ["deadline.yellow"]


def test_suspended_case_is_not_warned_and_its_alert_closes(w):
    case = accepted(w, 2026, 9, 29)
    sweep(D(2026, 10, 13))
    assert open_rules(case) == ["deadline.red"]
    with at(2026, 10, 13, 10):
        cases.perform(case.number, "suspend", w.reviewer, {"reason": "专家评审", "kind": "expert_review"})
    result = sweep(D(2026, 10, 14))
    assert open_rules(case) == []
    assert result["closed"] == 1
    assert Alert.objects.get(case=case).closed_at is not None


def test_sweep_twice_creates_nothing_new(w):
    a = accepted(w, 2026, 9, 29)  # due 10/12
    b = accepted(w, 2026, 9, 29)
    set_due(b, D(2026, 10, 13))
    first = sweep(D(2026, 10, 13))  # a red, b yellow (due today)
    assert first["opened"] == 2 and first["closed"] == 0
    second = sweep(D(2026, 10, 13))
    assert second["opened"] == 0 and second["closed"] == 0
    assert Alert.objects.count() == 2
    assert open_rules(a) == ["deadline.red"] and open_rules(b) == ["deadline.yellow"]


def test_yellow_turns_red_next_day(w):
    case = accepted(w, 2026, 9, 29)
    sweep(D(2026, 10, 12))
    res = sweep(D(2026, 10, 13))
    assert res == {"opened": 1, "closed": 1, "rules": res["rules"]}
    assert open_rules(case) == ["deadline.red"]
    assert Alert.objects.filter(case=case).count() == 2


def test_concluding_the_case_closes_the_alert(w, django_capture_on_commit_callbacks):
    case = accepted(w, 2026, 9, 29)
    sweep(D(2026, 10, 13))
    assert open_rules(case) == ["deadline.red"]
    with at(2026, 10, 14, 10), django_capture_on_commit_callbacks(execute=True):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        assert open_rules(case) == ["deadline.red"]  # still overdue after review
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert open_rules(case) == []  # closed by the case_changed signal, no sweep needed
    assert sweep(D(2026, 10, 14))["opened"] == 0


def test_withdrawn_case_alert_closed_by_sweep(w):
    case = accepted(w, 2026, 9, 29)
    sweep(D(2026, 10, 13))
    from onewindow.cases.models import Case

    Case.objects.filter(pk=case.pk).update(state="withdrawn")
    assert sweep(D(2026, 10, 13))["closed"] == 1
    assert open_rules(case) == []


def test_extending_the_deadline_closes_the_red_alert(w, django_capture_on_commit_callbacks):
    case = accepted(w, 2026, 9, 29)  # due 10/12
    sweep(D(2026, 10, 13))
    assert open_rules(case) == ["deadline.red"]
    with at(2026, 10, 13, 10), django_capture_on_commit_callbacks(execute=True):
        case = cases.perform(case.number, "extend", w.approver, {"days": 5, "reason": "需现场核查"})
    assert case.due_date == D(2026, 10, 19)  # 10/12 + 5 working days: 13, 14, 15, 16, 19
    assert open_rules(case) == []  # ordinal(10/19) - ordinal(10/13) = 4 > 1 → normal


def test_signal_opens_yellow_on_accept_of_instant_due_today(w, django_capture_on_commit_callbacks):
    # committed 0 days: due the day of acceptance → yellow at once
    from .helpers import filed

    case = filed(w, 2026, 10, 12, item=w.instant)
    with at(2026, 10, 12, 10), django_capture_on_commit_callbacks(execute=True):
        case = cases.perform(case.number, "accept", w.clerk)
    assert case.due_date == D(2026, 10, 12)
    assert open_rules(case) == ["deadline.yellow"]
