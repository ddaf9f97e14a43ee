"""Each anomaly rule firing and not firing; days counted by hand on the 2026 calendar."""

import datetime

import pytest

from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import SH, at, make_world
from onewindow.core.errors import Conflict
from onewindow.ratings import services as ratings
from onewindow.ratings.models import Rectification
from onewindow.supervision import rules
from onewindow.supervision.models import Alert
from onewindow.supervision.services import sweep

from .helpers import D, accepted, filed


@pytest.fixture
def w(db):
    return make_world()


def fired(rule_code, today, **kw):
    ctx = rules.Context.make(today, **kw)
    return set(rules.RULES_BY_CODE[rule_code].cases(ctx).values_list("number", flat=True))


# (a) online submissions not pre-reviewed ------------------------------------------------------

def test_online_not_prereviewed(w):
    case = filed(w, 2026, 10, 12, 10, channel="online")  # Mon
    assert case.state == "submitted"
    assert fired("online.not_prereviewed", D(2026, 10, 13)) == set()  # 1 working day: not more than 1
    assert fired("online.not_prereviewed", D(2026, 10, 14)) == {case.number}  # 2 working days
    res = sweep(D(2026, 10, 14))
    assert Alert.objects.filter(case=case, rule="online.not_prereviewed", level="anomaly", closed_at=None).count() == 1
    assert res["rules"]["online.not_prereviewed"] == [1, 0]
    with at(2026, 10, 14, 10):
        cases.perform(case.number, "accept", w.clerk)
    assert sweep(D(2026, 10, 14))["rules"]["online.not_prereviewed"] == [0, 1]


def test_online_submitted_before_holiday(w):
    case = filed(w, 2026, 9, 30, 16, channel="online")  # Wed before National Day
    assert fired("online.not_prereviewed", D(2026, 10, 8)) == set()  # (9/30, 10/8] = 1 working day
    assert fired("online.not_prereviewed", D(2026, 10, 9)) == {case.number}


def test_window_submission_not_counted_as_online(w):
    filed(w, 2026, 10, 12, 10)
    assert fired("online.not_prereviewed", D(2026, 10, 20)) == set()


# (b) repeated notices ------------------------------------------------------------------------

def test_single_notice_does_not_fire(w):
    case = filed(w, 2026, 10, 12, materials=["M01", "M02"])
    with at(2026, 10, 12, 10):
        cases.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
    assert fired("notice.repeated", D(2026, 10, 12)) == set()


def test_second_notice_fires(w):
    case = filed(w, 2026, 10, 12, materials=["M01", "M02"])
    with at(2026, 10, 12, 10):
        cases.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
        cases.perform(case.number, "supplement", w.clerk, {"materials": ["M03"]})
        cases.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
    assert fired("notice.repeated", D(2026, 10, 12)) == {case.number}


def test_refused_notice_fires(w):
    case = filed(w, 2026, 10, 12, materials=["M01", "M02"])
    with at(2026, 10, 12, 10):
        cases.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
        cases.perform(case.number, "supplement", w.clerk, {"materials": ["M03"]})
        with pytest.raises(Conflict):
            cases.perform(case.number, "notice", w.clerk, {"missing": ["M01"]})  # not in the first notice
    assert fired("notice.repeated", D(2026, 10, 12)) == {case.number}


# (c) suspension beyond its limit -------------------------------------------------------------

def test_suspension_limit_default_20_working_days(w):
    case = accepted(w, 2026, 10, 12)
    with at(2026, 10, 12, 11):
        cases.perform(case.number, "suspend", w.reviewer, {"reason": "听证", "kind": "hearing"})
    # working days after Mon 10/12: 10/13–16 (4), 10/19–23 (9), 10/26–30 (14), 11/2–6 (19), 11/9 (20)
    assert fired("suspension.overlong", D(2026, 11, 9)) == set()
    assert fired("suspension.overlong", D(2026, 11, 10)) == {case.number}
    assert fired("suspension.overlong", D(2026, 10, 15), suspension_days=2) == {case.number}  # 3 > 2


def test_resumed_case_is_not_overlong(w):
    case = accepted(w, 2026, 10, 12)
    with at(2026, 10, 12, 11):
        cases.perform(case.number, "suspend", w.reviewer, {"reason": "听证", "kind": "hearing"})
    with at(2026, 10, 13, 11):
        cases.perform(case.number, "resume", w.reviewer)
    assert fired("suspension.overlong", D(2026, 11, 20)) == set()


# (d) off-system loop -------------------------------------------------------------------------

def test_concluded_seconds_after_acceptance_fires(w):
    case = accepted(w, 2026, 10, 12, 9, 0)
    with at(2026, 10, 12, 9, 0):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert fired("offsystem.loop", D(2026, 10, 12)) == {case.number}


def test_normally_concluded_case_does_not_fire(w):
    case = accepted(w, 2026, 10, 12, 9, 0)
    with at(2026, 10, 13, 10):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
    with at(2026, 10, 14, 10):
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert fired("offsystem.loop", D(2026, 10, 14)) == set()


def test_instant_item_concluded_at_once_does_not_fire(w):
    case = accepted(w, 2026, 10, 12, 9, 0, item=w.instant)  # committed_days 0
    with at(2026, 10, 12, 9, 0):
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert fired("offsystem.loop", D(2026, 10, 12)) == set()


def test_concluded_without_review_or_decide_event_fires(w):
    case = accepted(w, 2026, 10, 12)
    Case.objects.filter(pk=case.pk).update(
        state="concluded", concluded_at=datetime.datetime(2026, 10, 15, 10, tzinfo=SH), concluded_on=D(2026, 10, 15)
    )
    assert fired("offsystem.loop", D(2026, 10, 15)) == {case.number}


# (e) extension beyond the allowance ----------------------------------------------------------

def test_extension_within_allowance_does_not_fire(w):
    case = accepted(w, 2026, 10, 12)
    with at(2026, 10, 13, 10):
        cases.perform(case.number, "extend", w.approver, {"days": 5, "reason": "现场核查"})  # allowance 5
    assert fired("extension.overrun", D(2026, 10, 13)) == set()


def test_extension_beyond_allowance_fires(w):
    case = accepted(w, 2026, 10, 12)
    Case.objects.filter(pk=case.pk).update(extended_days=6)
    assert fired("extension.overrun", D(2026, 10, 13)) == {case.number}


# (f) rating rectification overdue ------------------------------------------------------------

def test_rectification_rule_is_quiet_without_rectifications(w):
    accepted(w, 2026, 10, 12)
    assert fired("rectification.overdue", D(2026, 12, 1)) == set()
    sweep(D(2026, 10, 12))
    assert not Alert.objects.filter(rule="rectification.overdue").exists()


def _rated(w, level):
    """A case accepted Mon 10/12, reviewed 10/13, approved and rated at the window Wed 10/14."""
    case = accepted(w, 2026, 10, 12)
    with at(2026, 10, 13, 10):
        cases.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
    with at(2026, 10, 14, 10):
        cases.perform(case.number, "decide", w.approver, {"result": "approve"})
    with at(2026, 10, 14, 11):
        ratings.rate_case(case.number, w.clerk, level)
    return case


def test_open_rectification_fires_only_after_its_due_date(w):
    case = _rated(w, 1)
    rect = Rectification.objects.get(rating__case=case)
    # 15 working days after Wed 10/14: 10/15–16 (2), 10/19–23 (7), 10/26–30 (12), 11/2–4 (15)
    assert (rect.status, rect.due_date) == ("open", D(2026, 11, 4))
    assert fired("rectification.overdue", D(2026, 10, 20)) == set()  # not yet due
    assert fired("rectification.overdue", D(2026, 11, 4)) == set()  # due today: still in time
    assert fired("rectification.overdue", D(2026, 11, 5)) == {case.number}
    assert sweep(D(2026, 11, 5))["rules"]["rectification.overdue"] == [1, 0]
    assert Alert.objects.filter(case=case, rule="rectification.overdue", level="anomaly", closed_at=None).count() == 1


def test_closed_rectification_does_not_fire(w):
    rectified = _rated(w, 2)
    not_rectified = _rated(w, 1)
    for case, result in ((rectified, "rectified"), (not_rectified, "not_rectified")):
        rect = Rectification.objects.get(rating__case=case)
        with at(2026, 11, 10, 10):  # closed late, after the due date 11/4
            ratings.close_rectification(rect.pk, w.reviewer, result, "已回访")
    assert fired("rectification.overdue", D(2026, 11, 20)) == set()


def test_rectification_alert_closes_when_rectified(w):
    case = _rated(w, 2)
    rect = Rectification.objects.get(rating__case=case)
    assert sweep(D(2026, 11, 5))["rules"]["rectification.overdue"] == [1, 0]
    with at(2026, 11, 5, 10):
        ratings.close_rectification(rect.pk, w.reviewer, "rectified", "已整改")
    assert sweep(D(2026, 11, 5))["rules"]["rectification.overdue"] == [0, 1]
    assert not Alert.objects.filter(case=case, rule="rectification.overdue", closed_at=None).exists()


def test_good_rating_opens_nothing_to_watch(w):
    _rated(w, 3)
    assert not Rectification.objects.exists()
    assert fired("rectification.overdue", D(2026, 12, 31)) == set()


# (g) window acceptance outside opening hours -------------------------------------------------

@pytest.mark.parametrize(
    ("day", "hour", "minute", "fires"),
    [
        ((2026, 10, 12), 9, 0, False),  # opens 09:00
        ((2026, 10, 12), 8, 59, True),
        ((2026, 10, 12), 12, 30, True),  # lunch break 12:00–13:30
        ((2026, 10, 12), 13, 30, False),
        ((2026, 10, 12), 17, 30, True),  # closes 17:30
        ((2026, 10, 11), 10, 0, True),  # Sunday
        ((2026, 10, 10), 10, 0, False),  # make-up Saturday is a working day
        ((2026, 10, 5), 10, 0, True),  # National Day holiday
    ],
)
def test_acceptance_outside_opening_hours(w, day, hour, minute, fires):
    case = accepted(w, *day, hour, minute)
    assert fired("accept.off_hours", D(*day)) == ({case.number} if fires else set())


def test_online_case_accepted_late_is_not_a_window_acceptance(w):
    case = filed(w, 2026, 10, 12, 10, channel="online")
    with at(2026, 10, 12, 20):
        cases.perform(case.number, "accept", w.clerk)
    assert fired("accept.off_hours", D(2026, 10, 12)) == set()


def test_rules_registry_has_unique_codes():
    codes = [r.code for r in rules.RULES]
    assert len(codes) == len(set(codes)) == 11  # + makeup.overdue, verification.overdue (intake modes)
