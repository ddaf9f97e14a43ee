"""容缺受理 end to end through the API. Dates counted by hand on the 2026 schedule: National Day
10/1–10/7 off, 10/10 (Sat) a make-up working day. Accepted Tue 9/29 with 5 make-up working days:
9/30, 10/8, 10/9, 10/10, 10/12 → makeup_due 2026-10-12."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import at, person
from onewindow.cases.tests.test_api import Api, _assert_error, _filing
from onewindow.intake.models import BrokenCommitment, Deferral
from onewindow.portal.tests.conftest import pdf_bytes
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Alert

from .helpers import intake_world

DEFER = {"deferred": ["M03"], "commitment": "本人承诺于期限内补交经营场所平面图。"}


def _accepted_with_deferral(w, clerk):
    with at(2026, 9, 29, 9):
        n = clerk.post("", _filing(materials=["M01", "M02"])).json()["number"]
        body = clerk.act(n, "accept", DEFER)
    assert body.status_code == 200, body.content
    return n, body.json()


@pytest.mark.django_db
def test_key_material_cannot_be_deferred_and_nothing_is_saved():
    w = intake_world()
    clerk = Api(w.clerk)
    with at(2026, 9, 29, 9):
        n = clerk.post("", _filing(materials=["M01"])).json()["number"]
        events = CaseEvent.objects.count()
        err = _assert_error(clerk.act(n, "accept", {"deferred": ["M02", "M03"], "commitment": "x"}), 400, "not_deferrable")
        assert "deferred" in err["fields"] and "M02" in err["fields"]["deferred"] and "M02" in err["message"]
        assert "M03" not in err["fields"]["deferred"]
        err = _assert_error(clerk.act(n, "accept", {"deferred": ["M03"]}), 400)
        assert set(err["fields"]) == {"commitment"}
        err = _assert_error(clerk.act(n, "accept", {"deferred": ["M99"], "commitment": "x"}), 400)
        assert "deferred" in err["fields"]
        # M02 is missing and not deferred: the ordinary refusal.
        _assert_error(clerk.act(n, "accept", DEFER), 409, "materials_incomplete")
    case = Case.objects.get(number=n)
    assert case.state == "submitted" and case.accepted_on is None
    assert not Deferral.objects.exists() and CaseEvent.objects.count() == events


@pytest.mark.django_db
def test_deferral_journey_makeup_then_decision(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    w = intake_world()
    clerk, reviewer, approver = Api(w.clerk), Api(w.reviewer), Api(w.approver)
    n, body = _accepted_with_deferral(w, clerk)
    assert body["state"] == "accepted"
    assert body["deferred"] == ["M03"]
    assert body["makeup_due"] == "2026-10-12"
    assert body["due_date"] == "2026-10-12"  # the 5 committed days counted the same way
    pdf = clerk.get(f"/{n}/commitment.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    # The signed paper, scanned: a PDF is accepted, a text file is not.
    c = Client()
    c.force_login(w.clerk)
    bad = c.post(f"/api/v1/cases/{n}/commitment-scan", {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    # ... checked like every upload (portal.uploads, issue 13): a PDF header over HTML is refused
    fake = c.post(f"/api/v1/cases/{n}/commitment-scan", {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.4\n<html>x</html>")})
    assert fake.status_code == 400 and fake.json()["error"]["message"] == "文件不是有效的 PDF：s.pdf"
    signed = pdf_bytes()
    ok = c.post(f"/api/v1/cases/{n}/commitment-scan", {"file": SimpleUploadedFile("s.pdf", signed)})
    assert ok.status_code == 200, ok.content
    scan = Deferral.objects.get(case__number=n).scan
    assert (tmp_path / scan.name).read_bytes() == signed
    with at(2026, 9, 30, 10):
        assert reviewer.act(n, "review", {"opinion": "同意"}).status_code == 200
        err = _assert_error(approver.act(n, "decide", {"result": "approve"}), 409, "deferred_missing")
        assert err["fields"]["deferred"] == ["M03"]
        # Only deferred materials can be made up.
        err = _assert_error(clerk.act(n, "makeup", {"materials": ["M01"]}), 400)
        assert "materials" in err["fields"]
    with at(2026, 10, 12, 16):  # the last day of the make-up period
        made = clerk.act(n, "makeup", {"materials": ["M03"]}).json()
    assert made["deferred"] == [] and made["deferral"]["cleared_on"] == "2026-10-12"
    assert made["events"][-1]["data"]["on_time"] is True
    with at(2026, 10, 13, 10):
        done = approver.act(n, "decide", {"result": "approve"})
    assert done.status_code == 200 and done.json()["state"] == "concluded"


@pytest.mark.django_db
def test_makeup_missed_alert_termination_and_the_broken_list():
    w = intake_world()
    clerk, reviewer = Api(w.clerk), Api(w.reviewer)
    n, _body = _accepted_with_deferral(w, clerk)
    with at(2026, 10, 12, 18):
        supervision.sweep()
        assert not Alert.objects.filter(case__number=n, rule="makeup.overdue").exists()
        _assert_error(reviewer.act(n, "terminate", {"reason": "逾期未补正"}), 409, "makeup_not_due")
    with at(2026, 10, 13, 9):
        supervision.sweep()
        assert Alert.objects.filter(case__number=n, rule="makeup.overdue", closed_at__isnull=True).exists()
        _assert_error(Api(w.police_reviewer).act(n, "terminate", {"reason": "x"}), 404)
        _assert_error(clerk.act(n, "terminate", {"reason": "x"}), 403)
        err = _assert_error(reviewer.act(n, "terminate", {}), 400)
        assert set(err["fields"]) == {"reason"}
        body = reviewer.act(n, "terminate", {"reason": "容缺材料逾期未补正，终止办理"}).json()
    assert body["state"] == "terminated"
    entry = BrokenCommitment.objects.get(case_number=n)
    assert entry.applicant_id == person()["id_number"]
    # Listed: the next 容缺 acceptance of the same applicant is refused, as is a 告知承诺 filing.
    with at(2026, 10, 14, 9):
        n2 = clerk.post("", _filing(materials=["M01", "M02"])).json()["number"]
        err = _assert_error(clerk.act(n2, "accept", DEFER), 409, "broken_commitment")
        assert "deferred" in err["fields"]
        err = _assert_error(clerk.post("", _filing(commitment=True)), 409, "broken_commitment")
        assert "commitment" in err["fields"]
    assert Case.objects.get(number=n2).state == "submitted"
    with at(2026, 10, 14, 9):
        supervision.sweep()
    assert not Alert.objects.filter(case__number=n, rule="makeup.overdue", closed_at__isnull=True).exists()
