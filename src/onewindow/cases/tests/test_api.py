"""The cases API (/api/v1/cases) through the test client with Bearer tokens.

Expected dates are counted by hand on the 2026 State Council schedule:
National Day 10/1–10/7 off; 9/20 (Sun) and 10/10 (Sat) are make-up working days.
"""

import json

import pytest
from django.test import Client

from onewindow.accounts.services import issue_token
from onewindow.cases.models import BundleFiling, Case, CaseEvent, Notice
from onewindow.cases.tests.factories import VALID_ID, VALID_ID_2, at, make_bundle, make_world, person
from onewindow.licences.models import Licence

BASE = "/api/v1/cases"
ENTERPRISE = {"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "张三",
              "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"}


class Api:
    """A JSON client acting as one user through a Bearer token."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_token(user)}"} if user is not None else {}

    def post(self, path, body=None):
        return self.client.post(BASE + path, data=json.dumps(body if body is not None else {}),
                                content_type="application/json", headers=self.headers)

    def get(self, path):
        return self.client.get(BASE + path, headers=self.headers)

    def act(self, number, action, body=None):
        return self.post(f"/{number}/actions/{action}", body)


def _filing(**over):
    body = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01", "M02", "M03"]}
    body.update(over)
    return body


def _assert_error(resp, status, code=None):
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# ---------------------------------------------------------------- filing


@pytest.mark.django_db
def test_post_case_returns_201_with_unified_number():
    w = make_world()
    api = Api(w.clerk)
    with at(2026, 3, 2, 9):
        r1 = api.post("", _filing())
        r2 = api.post("", _filing(materials=["M01"]))
    assert r1.status_code == 201, r1.content
    body = r1.json()
    assert set(body) == {"number", "state", "query_code"}
    # 341300 (SZ-CENTRE's region) + 20260302 + 000001
    assert body["number"] == "34130020260302000001"
    assert len(body["number"]) == 20
    assert body["state"] == "submitted"
    assert len(body["query_code"]) == 6
    assert r2.json()["number"] == "34130020260302000002"
    case = Case.objects.get(number="34130020260302000001")
    assert (case.applicant_name, case.applicant_id, case.channel) == ("张三", VALID_ID, "window")
    assert case.query_code == body["query_code"]
    assert case.filed_by == w.clerk and case.site == w.centre


@pytest.mark.django_db
def test_online_filing_by_applicant_goes_to_the_department_centre():
    w = make_world()
    with at(2026, 3, 2, 9):
        r = Api(w.citizen).post("", _filing(channel="online"))
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()["number"])
    assert case.applicant_user == w.citizen
    assert case.site == w.centre and case.number.startswith("34130020260302")


@pytest.mark.django_db
@pytest.mark.parametrize("over,status,code,field", [
    ({"item": "NOPE-0000"}, 404, "not_found", "item"),
    ({"materials": ["M01", "M99"]}, 400, "invalid", "materials"),
    # GB 11643 check digit of 11010219910101007? is 8; 9 is wrong.
    ({"applicant": person(id_number="110102199101010079")}, 400, "invalid", "applicant.id_number"),
    ({"applicant": {"kind": "org", "name": "某某有限公司", "uscc": "91350203M0001QAY9B"}}, 400, "invalid",
     "applicant.uscc"),
    ({"applicant": {"kind": "person", "id_number": VALID_ID}}, 400, "invalid", "applicant.name"),
    ({"applicant": {**person(), "kind": "alien"}}, 400, "invalid", "applicant.kind"),
    ({"channel": "fax"}, 400, "invalid", "channel"),
    ({"channel": "online"}, 400, "invalid", "channel"),  # a clerk files at the window only
])
def test_bad_filing_is_refused_and_saves_nothing(over, status, code, field):
    w = make_world()
    api = Api(w.clerk)
    with at(2026, 3, 2, 9):
        assert api.post("", _filing()).status_code == 201
        before = (Case.objects.count(), CaseEvent.objects.count())
        r = api.post("", _filing(**over))
    err = _assert_error(r, status, code)
    assert field in err["fields"], err
    assert (Case.objects.count(), CaseEvent.objects.count()) == before == (1, 1)


@pytest.mark.django_db
def test_malformed_json_body_is_400_not_500():
    w = make_world()
    api = Api(w.clerk)
    r = api.client.post(BASE, data="{not json", content_type="application/json", headers=api.headers)
    assert 400 <= r.status_code < 500
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_no_token_or_bad_token_is_401():
    w = make_world()
    r = Client().post(BASE, data=json.dumps(_filing()), content_type="application/json")
    _assert_error(r, 401, "unauthorized")
    r = Client().post(BASE, data=json.dumps(_filing()), content_type="application/json",
                      headers={"Authorization": "Bearer not-a-token"})
    _assert_error(r, 401, "unauthorized")
    with at(2026, 3, 2):
        number = Api(w.clerk).post("", _filing()).json()["number"]
    _assert_error(Client().get(f"{BASE}/{number}"), 401)
    _assert_error(Client().post(f"{BASE}/{number}/actions/accept", data="{}", content_type="application/json"), 401)
    assert Case.objects.get(number=number).state == "submitted"


@pytest.mark.django_db
def test_inactive_user_token_is_401():
    w = make_world()
    api = Api(w.clerk)
    w.clerk.is_active = False
    w.clerk.save()
    _assert_error(api.post("", _filing()), 401)
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- reading


@pytest.mark.django_db
def test_get_case_scope():
    w = make_world()
    with at(2026, 3, 2, 9):
        r = Api(w.citizen).post("", _filing(channel="online"))
    number = r.json()["number"]

    own = Api(w.citizen).get(f"/{number}")
    assert own.status_code == 200, own.content
    body = own.json()
    assert body["number"] == number and body["state"] == "submitted" and body["channel"] == "online"
    assert body["applicant"]["name"] == "张三"
    assert [e["action"] for e in body["events"]] == ["file"]
    assert {m["code"]: m["status"] for m in body["materials"]} == {
        "M01": "provided", "M02": "provided", "M03": "provided", "M04": "missing"}

    _assert_error(Api(w.citizen2).get(f"/{number}"), 404, "not_found")
    _assert_error(Api(w.police_reviewer).get(f"/{number}"), 404, "not_found")
    assert Api(w.reviewer).get(f"/{number}").status_code == 200  # the case's own department
    sup = Api(w.supervisor).get(f"/{number}")
    assert sup.status_code == 200 and sup.json()["number"] == number
    _assert_error(Api(w.citizen).get("/34130020260302999999"), 404, "not_found")


@pytest.mark.django_db
def test_applicant_sees_case_filed_at_window_under_own_id_number_only():
    w = make_world()
    with at(2026, 3, 2, 9):
        number = Api(w.clerk).post("", _filing()).json()["number"]
        other = Api(w.clerk).post("", _filing(applicant=person(VALID_ID_2, "李四"))).json()["number"]
    assert Api(w.citizen).get(f"/{number}").status_code == 200
    _assert_error(Api(w.citizen).get(f"/{other}"), 404)
    assert Api(w.citizen2).get(f"/{other}").status_code == 200


# ---------------------------------------------------------------- actions


@pytest.mark.django_db
def test_accept_through_the_api_sets_hand_counted_due_date():
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 9, 29, 9):
        n = clerk.post("", _filing()).json()["number"]
        assert n == "34130020260929000001"
        # Accepted Tue 9/29 with 5 committed working days: 9/30, 10/8, 10/9, 10/10 (make-up Sat), 10/12.
        r = clerk.act(n, "accept")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["state"], body["accepted_on"], body["due_date"]) == ("accepted", "2026-09-29", "2026-10-12")
    assert body["due_provisional"] is False
    assert [e["action"] for e in body["events"]] == ["file", "accept"]
    assert body["events"][1]["data"] == {"due_date": "2026-10-12", "provisional": False}
    case = Case.objects.get(number=n)
    assert case.clerk == w.clerk and case.window == w.window
    # The same day with the instant item (0 committed days): due the day of acceptance.
    with at(2026, 9, 29, 10):
        n2 = clerk.post("", _filing(item="SCJG-QR-0002", materials=["M01"])).json()["number"]
        body = clerk.act(n2, "accept").json()
    assert (n2, body["due_date"]) == ("34130020260929000002", "2026-09-29")


@pytest.mark.django_db
@pytest.mark.parametrize("setup,action,body,allowed", [
    ([], "review", {"opinion": "x"}, ["notice", "accept", "reject", "withdraw"]),
    (["accept"], "accept", {}, ["review", "decide", "suspend", "extend", "withdraw", "makeup", "terminate"]),
    (["accept"], "deliver", {"method": "window"}, ["review", "decide", "suspend", "extend", "withdraw", "makeup", "terminate"]),
    (["withdraw"], "accept", {}, []),
])
def test_action_not_allowed_in_state_is_409_with_allowed_actions(setup, action, body, allowed):
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing()).json()["number"]
        for step in setup:
            assert clerk.act(n, step).status_code == 200
        state = Case.objects.get(number=n).state
        events = CaseEvent.objects.count()
        actor = Api(w.reviewer) if action == "review" else clerk
        err = _assert_error(actor.act(n, action, body), 409, "invalid_transition")
    assert err["fields"]["allowed_actions"] == allowed
    assert err["fields"]["state"] == state
    assert Case.objects.get(number=n).state == state
    assert CaseEvent.objects.count() == events


@pytest.mark.django_db
def test_unknown_action_is_404_and_reject_requires_reason():
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing()).json()["number"]
        _assert_error(clerk.act(n, "approve_everything"), 404, "not_found")
        err = _assert_error(clerk.act(n, "reject"), 400, "invalid")
        assert "reason" in err["fields"]
        err = _assert_error(clerk.act(n, "reject", {"reason": "   "}), 400)
        assert "reason" in err["fields"]
        assert Case.objects.get(number=n).state == "submitted"
    assert CaseEvent.objects.filter(case__number=n).count() == 1


@pytest.mark.django_db
def test_actions_outside_scope_or_role():
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing()).json()["number"]
        # another department cannot even see the case
        _assert_error(Api(w.police_reviewer).act(n, "review", {"opinion": "x"}), 404)
        # the applicant may see it but not accept it
        _assert_error(Api(w.citizen).act(n, "accept"), 403, "forbidden")
        # a clerk at another site cannot see it
        _assert_error(Api(w.station_clerk).act(n, "accept"), 404)
        # action on an unknown case
        _assert_error(clerk.act("34130020260302999999", "accept"), 404)
        # accept with required material missing
        n2 = clerk.post("", _filing(materials=["M01"])).json()["number"]
        err = _assert_error(clerk.act(n2, "accept"), 409, "materials_incomplete")
        assert err["fields"]["materials"] == ["M02", "M03"]
    assert Case.objects.get(number=n).state == "submitted"


# ---------------------------------------------------------------- bundles


@pytest.mark.django_db
def test_bundle_post_and_get():
    w = make_world()
    make_bundle(w)
    clerk = Api(w.clerk)
    body = {"bundle": "KBQY", "applicant": person(), "channel": "window",
            "materials": ["N:食品经营许可申请书", "L:SFZ", "N:经营场所平面图", "N:户口簿"], "data": ENTERPRISE}
    with at(2026, 3, 2, 9):
        r = clerk.post("/bundles", body)
    assert r.status_code == 201, r.content
    out = r.json()
    # The filing takes the day's first number; its two cases the next two.
    assert out["number"] == "34130020260302000001"
    assert out["bundle"] == "KBQY" and out["done"] is False and out["uscc"] is None
    assert [(c["number"], c["item"], c["state"]) for c in out["cases"]] == [
        ("34130020260302000002", "SCJG-XK-0001", "submitted"),
        ("34130020260302000003", "GA-QR-0001", "submitted"),
    ]
    assert BundleFiling.objects.count() == 1 and Case.objects.count() == 2

    got = clerk.get(f"/bundles/{out['number']}")
    assert got.status_code == 200
    assert [c["number"] for c in got.json()["cases"]] == ["34130020260302000002", "34130020260302000003"]
    # the police reviewer sees the bundle with its own department's case only
    police = Api(w.police_reviewer).get(f"/bundles/{out['number']}")
    assert police.status_code == 200
    assert [c["item"] for c in police.json()["cases"]] == ["GA-QR-0001"]
    _assert_error(Api(w.citizen2).get(f"/bundles/{out['number']}"), 404)
    _assert_error(clerk.get("/bundles/34130020260302999999"), 404)


@pytest.mark.django_db
@pytest.mark.parametrize("over,status,field", [
    ({"bundle": "NOPE"}, 404, "bundle"),
    ({"materials": ["N:不存在的材料"]}, 400, "materials"),
    ({"applicant": person(id_number="110102199101010079")}, 400, "applicant.id_number"),
    ({"applicant": {"kind": "person"}}, 400, "applicant.name"),
    ({"data": {"enterprise_name": "某公司"}}, 400, "data.address"),
])
def test_bad_bundle_saves_nothing(over, status, field):
    w = make_world()
    make_bundle(w)
    body = {"bundle": "KBQY", "applicant": person(), "channel": "window", "materials": ["L:SFZ"],
            "data": ENTERPRISE}
    body.update(over)
    err = _assert_error(Api(w.clerk).post("/bundles", body), status)
    assert field in err["fields"]
    assert BundleFiling.objects.count() == 0 and Case.objects.count() == 0


@pytest.mark.django_db
def test_full_flow_through_the_api_with_hand_counted_dates():
    w = make_world()
    clerk, reviewer, approver = Api(w.clerk), Api(w.reviewer), Api(w.approver)

    with at(2026, 9, 29, 9):
        r = clerk.post("", _filing(materials=["M01"]))
        assert r.status_code == 201
        n = r.json()["number"]
        assert n == "34130020260929000001"

        r = clerk.act(n, "notice", {"missing": ["M02", "M03"], "reasons": {"M03": "平面图未标注面积"}})
        assert r.status_code == 200, r.content
        assert r.json()["state"] == "pending_materials"
        notice = Notice.objects.get(case__number=n)
        assert [(i["code"], i["reason"]) for i in notice.items] == [("M02", "缺少该材料"), ("M03", "平面图未标注面积")]

        r = clerk.act(n, "supplement", {"materials": ["M02", "M03"]})
        assert r.status_code == 200, r.content
        assert r.json()["state"] == "submitted"

        # Accepted Tue 9/29 with 5 committed working days: 9/30, 10/8, 10/9, 10/10 (make-up Sat), 10/12.
        r = clerk.act(n, "accept")
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["state"], body["accepted_on"], body["due_date"]) == ("accepted", "2026-09-29", "2026-10-12")
        assert body["due_provisional"] is False

        r = reviewer.act(n, "review", {"opinion": "材料真实，符合条件"})
        assert r.status_code == 200, r.content
        assert r.json()["state"] == "reviewed"

    with at(2026, 9, 30, 16):
        r = reviewer.act(n, "suspend", {"reason": "现场核查", "kind": "expert_review"})
        assert r.status_code == 200, r.content
        assert r.json()["state"] == "suspended"

    # Resumed Fri 10/9: working days in (9/30, 10/9] are 10/8 and 10/9 = 2; due 10/12 → 10/14.
    with at(2026, 10, 9, 9):
        r = reviewer.act(n, "resume")
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["state"], body["suspended_workdays"], body["due_date"]) == ("reviewed", 2, "2026-10-14")

    # Decided Tue 10/13: working days in (9/29, 10/13] = 9/30, 10/8, 10/9, 10/10, 10/12, 10/13 = 6, less 2 paused = 4.
    with at(2026, 10, 13, 15):
        r = approver.act(n, "decide", {"result": "approve"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["state"], body["result"], body["concluded_on"], body["actual_workdays"]) == (
            "concluded", "approve", "2026-10-13", 4)
        assert Licence.objects.filter(holder_id=VALID_ID, licence_type=w.food).count() == 1

    with at(2026, 10, 14, 10):
        r = clerk.act(n, "deliver", {"method": "window"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert (body["state"], body["delivery_method"]) == ("delivered", "window")

    assert [e["action"] for e in body["events"]] == [
        "file", "notice", "supplement", "accept", "review", "suspend", "resume", "decide", "deliver"]
    assert [e["seq"] for e in body["events"]] == list(range(1, 10))
    # The applicant follows the same case.
    mine = Api(w.citizen).get(f"/{n}").json()
    assert (mine["state"], mine["due_date"]) == ("delivered", "2026-10-14")



@pytest.mark.django_db
def test_reject_with_reason_through_the_api():
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing()).json()["number"]
        r = clerk.act(n, "reject", {"reason": "不属于本机关职权范围"})
    assert r.status_code == 200, r.content
    assert (r.json()["state"], r.json()["result_reason"]) == ("rejected", "不属于本机关职权范围")


@pytest.mark.django_db
def test_one_time_notice_rule_refusal_is_409_and_recorded():
    w = make_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing(materials=["M01", "M02"])).json()["number"]
        assert clerk.act(n, "notice", {"missing": ["M03"]}).status_code == 200
        assert clerk.act(n, "supplement", {"materials": ["M03"]}).status_code == 200
        err = _assert_error(clerk.act(n, "notice", {"missing": ["M03", "M01"]}), 409, "notice_rule")
        assert err["fields"]["missing"] == ["M01"]
    assert Case.objects.get(number=n).state == "submitted"
    assert list(CaseEvent.objects.filter(case__number=n).order_by("seq").values_list("action", flat=True)) == [
        "file", "notice", "supplement", "notice_refused"]


