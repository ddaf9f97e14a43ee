"""The working-day clock, with answers counted by hand on the 2026 State Council schedule.

2026 National Day: 10/1–10/7 off; 9/20 (Sun) and 10/10 (Sat) are make-up working days.
2026 Spring Festival: 2/15–2/23 off; 2/14 (Sat) and 2/28 (Sat) are make-up working days.
"""

import datetime

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core.errors import ServiceError

D = datetime.date


def _accepted(w, y, m, d, item=None):
    item = item or w.item
    with at(y, m, d, 9):
        case = services.file_case(item=item.item.code, applicant=person(), channel="window",
                                  materials=[x.code for x in item.materials.all()], actor=w.clerk)
        return services.perform(case.number, "accept", w.clerk)


@pytest.mark.django_db
def test_suspension_across_national_day_then_extension():
    w = make_world()
    # Accepted Tue 9/29, 5 working days: 9/30, 10/8, 10/9, 10/10 (make-up Sat), 10/12.
    case = _accepted(w, 2026, 9, 29)
    assert case.due_date == D(2026, 10, 12)
    with at(2026, 9, 30, 16):
        services.perform(case.number, "suspend", w.reviewer, {"reason": "专家评审", "kind": "expert_review"})
    # Resumed Fri 10/9: paused days in (9/30, 10/9] are 10/8 and 10/9 = 2; due moves 10/12 → 10/14.
    with at(2026, 10, 9, 9):
        case = services.perform(case.number, "resume", w.reviewer)
    assert case.state == "accepted"
    assert case.suspended_workdays == 2
    assert case.due_date == D(2026, 10, 14)
    # Extension by 3: 10/15, 10/16, 10/19 (10/17–18 weekend).
    with at(2026, 10, 9, 10):
        case = services.perform(case.number, "extend", w.approver, {"days": 3, "reason": "情况复杂"})
    assert case.due_date == D(2026, 10, 19)
    with at(2026, 10, 12):
        services.perform(case.number, "review", w.reviewer, {"opinion": "材料真实，同意"})
    # Decided Fri 10/16: working days in (9/29, 10/16] = 9/30, 10/8, 10/9, 10/10, 10/12–10/16 = 9; minus 2 paused.
    with at(2026, 10, 16):
        case = services.perform(case.number, "decide", w.approver, {"result": "approve", "reason": ""})
    assert case.state == "concluded"
    assert case.actual_workdays == 7


@pytest.mark.django_db
def test_spring_festival_make_up_saturday_counts():
    w = make_world()
    # Accepted Fri 2/13: 2/14 (make-up Sat), 2/24, 2/25, 2/26, 2/27.
    case = _accepted(w, 2026, 2, 13)
    assert case.due_date == D(2026, 2, 27)


@pytest.mark.django_db
def test_year_boundary_new_year_2026():
    w = make_world()
    # Accepted Wed 2025-12-31: 1/1–1/3 off, 1/4 (Sun) make-up: 1/4, 1/5, 1/6, 1/7, 1/8.
    case = _accepted(w, 2025, 12, 31)
    assert case.due_date == D(2026, 1, 8)


@pytest.mark.django_db
def test_instant_item_due_same_day_and_decided_at_once():
    w = make_world()
    case = _accepted(w, 2026, 3, 2, item=w.instant)
    assert case.due_date == D(2026, 3, 2)
    with at(2026, 3, 2, 11):
        case = services.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert case.state == "concluded" and case.actual_workdays == 0


@pytest.mark.django_db
def test_extension_beyond_allowance_refused_and_nothing_changes():
    w = make_world()
    case = _accepted(w, 2026, 3, 2)
    assert case.due_date == D(2026, 3, 9)
    with at(2026, 3, 3):
        services.perform(case.number, "extend", w.approver, {"days": 4, "reason": "复杂"})
        with pytest.raises(ServiceError) as exc:
            services.perform(case.number, "extend", w.approver, {"days": 2, "reason": "还要"})
    assert "days" in exc.value.fields
    # 3/9 + 4 working days = 3/13; the refused extension left it there.
    assert Case.objects.get(pk=case.pk).due_date == D(2026, 3, 13)
    assert Case.objects.get(pk=case.pk).extended_days == 4


@pytest.mark.django_db
@pytest.mark.parametrize("payload,field", [({"reason": "x"}, "days"), ({"days": 0, "reason": "x"}, "days"),
                                           ({"days": "3", "reason": "x"}, "days"), ({"days": 2}, "reason")])
def test_extension_bad_input(payload, field):
    w = make_world()
    case = _accepted(w, 2026, 3, 2)
    with at(2026, 3, 3), pytest.raises(ServiceError) as exc:
        services.perform(case.number, "extend", w.approver, payload)
    assert field in exc.value.fields
