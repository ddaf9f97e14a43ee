"""The case page offers exactly the actions that perform() then carries out (cases.rules)."""

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.rules import can_perform, offered_actions
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.cases.transitions import TRANSITIONS
from onewindow.core.errors import ServiceError

# A payload each action accepts, so that only the rules decide.
PAYLOADS = {
    "notice": {"missing": ["M04"], "note": ""},
    "supplement": {"materials": ["M04"]},
    "reject": {"reason": "不符合受理条件"},
    "review": {"opinion": "同意"},
    "decide": {"result": "approve", "reason": ""},
    "suspend": {"kind": "inspection", "reason": "现场核查"},
    "extend": {"days": 1, "reason": "情况复杂"},
    "deliver": {"method": "window"},
    "withdraw": {"reason": ""},
}


def _case_in(w, state):
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                              materials=["M01", "M02", "M03"], actor=w.clerk)
    n = case.number
    if state == "pending_materials":
        services.perform(n, "notice", w.clerk, {"missing": ["M04"]})
    if state in ("accepted", "reviewed", "suspended", "concluded"):
        services.perform(n, "accept", w.clerk)
    if state == "suspended":
        services.perform(n, "suspend", w.reviewer, PAYLOADS["suspend"])
    if state in ("reviewed", "concluded"):
        services.perform(n, "review", w.reviewer, {"opinion": "同意"})
    if state == "concluded":
        services.perform(n, "decide", w.approver, PAYLOADS["decide"])
    return Case.objects.get(number=n)


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "pending_materials", "accepted", "reviewed", "suspended", "concluded"])
def test_offered_exactly_when_perform_succeeds(state):
    w = make_world()
    from onewindow.accounts.models import Role, User

    other_approver = User.objects.create_user("ga_approver", role=Role.APPROVER, department=w.dept2)
    users = [w.clerk, w.clerk2, w.station_clerk, w.reviewer, w.approver, w.police_reviewer, other_approver,
             w.agent, w.citizen, w.supervisor]
    with at(2026, 3, 2):
        base = _case_in(w, state)
    from onewindow.cases.selectors import cases_visible_to

    for user in users:
        visible = cases_visible_to(user).filter(pk=base.pk).exists()
        for action in TRANSITIONS:
            with at(2026, 3, 4):
                case = Case.objects.get(pk=base.pk)
                offered = visible and can_perform(case, action, user)
                try:
                    from django.db import transaction

                    with transaction.atomic():
                        services.perform(case.number, action, user, PAYLOADS.get(action, {}))
                        raise _Rollback
                except _Rollback:
                    done = True
                except ServiceError:
                    done = False
            assert offered == done, (state, user.username, action)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
def test_clerk_not_offered_review_or_decide_of_a_department_item(client):
    """The old page offered the clerk 审核 and 决定 on an accepted case; both then failed (403)."""
    w = make_world()
    with at(2026, 3, 2):
        case = _case_in(w, "accepted")
    assert offered_actions(case, w.clerk) == ["withdraw"]
    client.force_login(w.clerk)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="action-review"' not in html and 'id="action-decide"' not in html
    assert 'id="action-withdraw"' in html
    client.force_login(w.reviewer)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="action-review"' in html and 'id="action-decide"' not in html and 'id="action-suspend"' in html
    # the approver's 延期 only while allowance is left
    client.force_login(w.approver)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="action-extend"' in html and 'id="action-decide"' not in html  # review first
