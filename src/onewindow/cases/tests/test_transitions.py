"""Every action from every state: allowed ones succeed, the rest answer 409 naming the allowed actions."""

import datetime

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, State
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core.errors import Conflict, Forbidden

# Which states each action may start from, written out by hand from DESIGN.md's state machine.
EXPECTED = {
    "notice": {"submitted"},
    "supplement": {"pending_materials"},
    "accept": {"submitted"},
    "reject": {"submitted", "pending_materials"},
    "review": {"accepted"},
    "decide": {"accepted", "reviewed"},
    "suspend": {"accepted", "reviewed"},
    "resume": {"suspended"},
    "extend": {"accepted", "reviewed", "suspended"},
    "deliver": {"concluded"},
    "withdraw": {"submitted", "pending_materials", "accepted", "reviewed", "suspended"},
}
TARGET = {
    "notice": "pending_materials", "supplement": "submitted", "accept": "accepted", "reject": "rejected",
    "review": "reviewed", "decide": "concluded", "suspend": "suspended", "resume": "accepted",
    "extend": None, "deliver": "delivered", "withdraw": "withdrawn",
}
ALL_STATES = [s.value for s in State]


def _payload(action):
    return {
        "notice": {"missing": ["M01"], "note": "请补正"},
        "supplement": {"materials": ["M01"]},
        "reject": {"reason": "不属于本中心受理范围"},
        "review": {"opinion": "同意"},
        "decide": {"result": "approve", "reason": ""},
        "suspend": {"reason": "需现场核查", "kind": "inspection"},
        "extend": {"days": 1, "reason": "情况复杂"},
        "deliver": {"method": "window"},
        "withdraw": {"reason": "申请人撤回"},
    }.get(action, {})


def _actor(w, action):
    if action in ("review", "suspend", "resume"):
        return w.reviewer
    if action in ("decide", "extend"):
        return w.approver
    return w.clerk


def _case_in(w, state):
    with at(2026, 3, 2):
        case = services.file_case(item=w.instant.item.code, applicant=person(), channel="window",
                                  materials=["M01"], actor=w.clerk)
    fields = {"state": state}
    if state in ("accepted", "reviewed", "suspended", "concluded", "delivered"):
        fields.update(accepted_on=datetime.date(2026, 3, 2), due_date=datetime.date(2026, 3, 2))
    if state == "suspended":
        fields.update(state_before_suspension="accepted", suspended_on=datetime.date(2026, 3, 2))
    if state in ("concluded", "delivered"):
        fields.update(concluded_on=datetime.date(2026, 3, 2), result="approve")
    Case.objects.filter(pk=case.pk).update(**fields)
    return case.number


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(EXPECTED))
def test_transition_table(action):
    w = make_world()
    for state in ALL_STATES:
        number = _case_in(w, state)
        events_before = CaseEvent.objects.filter(case__number=number).count()
        with at(2026, 3, 2, 15):
            if state in EXPECTED[action]:
                case = services.perform(number, action, _actor(w, action), _payload(action))
                assert case.state == (TARGET[action] or state), (action, state)
                assert CaseEvent.objects.filter(case__number=number).count() == events_before + 1
            else:
                with pytest.raises(Conflict) as exc:
                    services.perform(number, action, _actor(w, action), _payload(action))
                assert exc.value.status == 409
                assert action not in exc.value.fields["allowed_actions"]
                assert Case.objects.get(number=number).state == state
                assert CaseEvent.objects.filter(case__number=number).count() == events_before


@pytest.mark.django_db
def test_roles_are_enforced():
    w = make_world()
    number = _case_in(w, "submitted")
    with pytest.raises(Forbidden):
        services.perform(number, "accept", w.approver, {})  # not the approver's job, though in scope
    number = _case_in(w, "accepted")
    with pytest.raises(Forbidden):
        services.perform(number, "extend", w.reviewer, {"days": 1, "reason": "x"})  # approver only
    with pytest.raises(Forbidden):
        services.perform(number, "decide", w.clerk, {"result": "approve"})  # not window-authorised


@pytest.mark.django_db
def test_decide_from_accepted_needs_authorisation_or_instant():
    w = make_world()
    with at(2026, 3, 2):
        case = services.file_case(item=w.item.item.code, applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
        services.perform(case.number, "accept", w.clerk)
        with pytest.raises(Conflict) as exc:
            services.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert exc.value.code == "review_required"
    assert Case.objects.get(pk=case.pk).state == "accepted"
