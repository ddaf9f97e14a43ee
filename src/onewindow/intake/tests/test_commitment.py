"""告知承诺制 end to end through the API: filing with a commitment (window, online, agent), the
verification after the decision and a false commitment reaching the licence library.

Decided Wed 2026-09-30, 20 verification working days counted by hand (National Day 10/1–10/7 off,
10/10 Sat worked): 10/8, 9, 10, 12–16 (8), 19–23 (13), 26–30 (18), 11/2, 11/3 → due 2026-11-03."""

import pytest

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import VALID_ID, at, person
from onewindow.cases.tests.test_api import Api, _assert_error, _filing
from onewindow.intake.models import BrokenCommitment, Commitment, IntakePolicy
from onewindow.licences.models import Licence
from onewindow.portal.models import Outbox
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Alert

from .helpers import intake_world


def _commitment_case(w, decided=(2026, 9, 30)):
    clerk, reviewer, approver = Api(w.clerk), Api(w.reviewer), Api(w.approver)
    with at(2026, 9, 29, 9):
        r = clerk.post("", _filing(materials=["M01", "M02"], commitment=True))
        assert r.status_code == 201, r.content
        n = r.json()["number"]
        accepted = clerk.act(n, "accept")
        assert accepted.status_code == 200, accepted.content  # M03 replaced by the commitment
        assert reviewer.act(n, "review", {"opinion": "同意"}).status_code == 200
    with at(*decided, 10):
        body = approver.act(n, "decide", {"result": "approve"}).json()
    return n, body


@pytest.mark.django_db
def test_commitment_refused_on_an_item_that_does_not_allow_it():
    w = intake_world()
    clerk = Api(w.clerk)
    with at(2026, 9, 29, 9):
        err = _assert_error(clerk.post("", _filing(item="GA-QR-0001", materials=["M01"], commitment=True)), 400,
                            "commitment_not_allowed")
    assert set(err["fields"]) == {"commitment"}
    assert not Case.objects.exists() and not Commitment.objects.exists() and not CaseEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["online", "agency"])
def test_commitment_filing_online_and_through_an_agent(who):
    w = intake_world()
    actor = Api(w.citizen) if who == "online" else Api(w.agent)
    extra = {"authorisation": "申请人书面委托"} if who == "agency" else {}
    with at(2026, 9, 29, 9):
        r = actor.post("", _filing(channel=who, materials=["M01", "M02"], commitment=True, **extra))
    assert r.status_code == 201, r.content
    body = actor.get(f"/{r.json()['number']}").json()
    assert body["commitment"] is True and body["commitment_materials"] == ["M03"] and body["verification"] is None


@pytest.mark.django_db
def test_verification_confirmed():
    w = intake_world()
    n, body = _commitment_case(w)
    assert body["state"] == "concluded"
    assert body["verification"] == {"due": "2026-11-03", "state": "pending"}
    with at(2026, 10, 20, 10):
        err = _assert_error(Api(w.reviewer).act(n, "verify", {"result": "maybe"}), 400)
        assert set(err["fields"]) == {"result"}
        out = Api(w.reviewer).act(n, "verify", {"result": "confirmed", "note": "现场核查属实"}).json()
    assert out["state"] == "concluded" and out["verification"] == {"due": "2026-11-03", "state": "confirmed"}
    assert Licence.objects.get(case_number=n).status == "valid"
    with at(2026, 10, 21, 10):
        _assert_error(Api(w.reviewer).act(n, "verify", {"result": "false", "note": "x"}), 409, "no_verification")


@pytest.mark.django_db
def test_verification_by_someone_outside_the_department_is_refused():
    w = intake_world()
    n, _ = _commitment_case(w)
    with at(2026, 10, 20, 10):
        _assert_error(Api(w.police_reviewer).act(n, "verify", {"result": "false", "note": "x"}), 404)
        _assert_error(Api(w.clerk).act(n, "verify", {"result": "false", "note": "x"}), 403)
        # A reviewer of another department stationed at the same centre: the case is out of their scope.
        from onewindow.accounts.models import Role, User

        other = User.objects.create_user("other", password="x", role=Role.REVIEWER, department=w.dept2, site=w.centre)
        _assert_error(Api(other).act(n, "verify", {"result": "false", "note": "x"}), 404)
    c = Commitment.objects.get(case__number=n)
    assert c.verification_state == "pending" and Case.objects.get(number=n).state == "concluded"


@pytest.mark.django_db
def test_false_commitment_revokes_decision_licence_and_lists_the_applicant(django_capture_on_commit_callbacks):
    w = intake_world()
    IntakePolicy.objects.create(broken_list_days=180)
    n, body = _commitment_case(w)
    licence = Licence.objects.get(case_number=n)
    assert licence.status == "valid"
    with at(2026, 10, 20, 10), django_capture_on_commit_callbacks(execute=True):
        err = _assert_error(Api(w.reviewer).act(n, "verify", {"result": "false"}), 400)
        assert set(err["fields"]) == {"note"}
        out = Api(w.reviewer).act(n, "verify", {"result": "false", "note": "经营场所与承诺不符"}).json()
    assert out["state"] == "revoked"
    assert out["verification"]["state"] == "false"
    licence.refresh_from_db()
    assert licence.status == "revoked" and licence.revoked_at is not None
    assert out["events"][-1]["data"]["revoked_licences"] == [licence.number]
    entry = BrokenCommitment.objects.get(case_number=n)
    # Listed on 2026-10-20 for 180 calendar days: until 2027-04-18 (Oct 11 + Nov 30 + Dec 31 + Jan 31
    # + Feb 28 + Mar 31 = 162 days to 3/31, 18 more → 4/18).
    assert entry.applicant_id == VALID_ID and str(entry.until) == "2027-04-18"
    sms = Outbox.objects.filter(case_number=n, kind="case.verify")
    assert sms.count() == 1 and "撤销" in sms.get().body
    assert Case.objects.get(number=n).state == "revoked"


@pytest.mark.django_db
def test_overdue_verification_is_supervised():
    w = intake_world()
    n, _ = _commitment_case(w)
    with at(2026, 11, 3, 18):
        supervision.sweep()
    assert not Alert.objects.filter(case__number=n, rule="verification.overdue").exists()
    with at(2026, 11, 4, 9):
        supervision.sweep()
    assert Alert.objects.filter(case__number=n, rule="verification.overdue", closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_denied_commitment_case_has_no_verification():
    w = intake_world()
    clerk = Api(w.clerk)
    with at(2026, 9, 29, 9):
        n = clerk.post("", _filing(materials=["M01", "M02"], commitment=True)).json()["number"]
        clerk.act(n, "accept")
        Api(w.reviewer).act(n, "review", {"opinion": "不符合"})
        body = Api(w.approver).act(n, "decide", {"result": "deny", "reason": "不符合条件"}).json()
    assert body["commitment"] is True and body["verification"] is None
    assert person()["id_number"] == VALID_ID
