"""The intake-mode keys of /stats/summary on a hand-built set of five cases, all accepted 2026-09-29:

A 容缺, made up 10/9 (due 10/12: on time)   B 容缺, made up 10/13 (late)
C 告知承诺, confirmed                       D 告知承诺, false → revoked      E ordinary
Expected (counted by hand): accepted 5, deferrals 2 (share 0.4), on time 1, late 1 (rate 0.5),
commitments 2, verified 2, verified_false 1, revoked 1, terminated 0. A sixth case received at the centre
for a 合肥市 department: received_for_elsewhere 1 for 341300, handled_from_elsewhere 1 for 340100."""

import pytest

from onewindow.cases.tests.factories import at, make_item
from onewindow.cases.tests.test_api import Api, _filing
from onewindow.catalog.models import Department
from onewindow.regions.models import Region

from .helpers import intake_world

DEFER = {"deferred": ["M03"], "commitment": "限期补交"}


@pytest.mark.django_db
def test_intake_statistics_on_a_hand_built_set():
    w = intake_world()
    province = Region.objects.create(code="340000", name="安徽省", level="province")
    hefei = Region.objects.create(code="340100", name="合肥市", level="city", parent=province)
    dept = Department.objects.create(code="HF-RS", name="合肥市人社局", region=hefei)
    make_item("HF-QR-0001", dept, name="养老保险关系转移接续", materials=[("M01", "申请表", True, None)])
    clerk, reviewer, approver = Api(w.clerk), Api(w.reviewer), Api(w.approver)
    n = {}
    with at(2026, 9, 29, 9):
        for key in "AB":
            n[key] = clerk.post("", _filing(materials=["M01", "M02"])).json()["number"]
            assert clerk.act(n[key], "accept", DEFER).status_code == 200
        for key in "CD":
            n[key] = clerk.post("", _filing(materials=["M01", "M02"], commitment=True)).json()["number"]
            assert clerk.act(n[key], "accept").status_code == 200
            assert reviewer.act(n[key], "review", {"opinion": "同意"}).status_code == 200
        n["E"] = clerk.post("", _filing()).json()["number"]
        assert clerk.act(n["E"], "accept").status_code == 200
        n["F"] = clerk.post("", _filing(item="HF-QR-0001", materials=["M01"])).json()["number"]
        assert clerk.act(n["F"], "accept").status_code == 200
    with at(2026, 9, 30, 10):
        for key in "CD":
            assert approver.act(n[key], "decide", {"result": "approve"}).status_code == 200
    with at(2026, 10, 9, 10):
        assert clerk.act(n["A"], "makeup", {"materials": ["M03"]}).status_code == 200
    with at(2026, 10, 13, 10):
        assert clerk.act(n["B"], "makeup", {"materials": ["M03"]}).status_code == 200
    with at(2026, 10, 20, 10):
        assert reviewer.act(n["C"], "verify", {"result": "confirmed"}).status_code == 200
        assert reviewer.act(n["D"], "verify", {"result": "false", "note": "不实"}).status_code == 200
    sup = Api(w.supervisor)
    with at(2026, 10, 30, 10):
        r = sup.client.get("/api/v1/stats/summary", {"from": "2026-09-01", "to": "2026-10-31", "region": "341300"},
                           headers=sup.headers)
    assert r.status_code == 200, r.content
    s = r.json()
    # F (the 合肥 case) counts as accepted at the centre too: 6 accepted, 2 deferred.
    assert (s["deferrals"], s["deferral_share"]) == (2, round(2 / 6, 4))
    assert (s["makeups_on_time"], s["makeups_late"], s["makeup_on_time_rate"]) == (1, 1, 0.5)
    assert (s["commitments"], s["verified"], s["verified_false"], s["revoked"], s["terminated"]) == (2, 2, 1, 1, 0)
    assert (s["received_for_elsewhere"], s["handled_from_elsewhere"]) == (1, 0)
    import datetime

    from onewindow.stats.intake_modes import intake_summary

    other = intake_summary(datetime.date(2026, 9, 1), datetime.date(2026, 10, 31), region="340100")
    assert (other["received_for_elsewhere"], other["handled_from_elsewhere"], other["deferrals"]) == (0, 1, 0)
