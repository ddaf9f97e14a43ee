"""Applicant notifications in the Outbox on notice, accept and conclusion."""

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at
from onewindow.portal.models import Outbox
from onewindow.portal.tests.conftest import png_bytes
from onewindow.portal.tests.helpers import online_world, upload


@pytest.mark.django_db
def test_accept_and_conclusion_write_sms_and_email(client, django_capture_on_commit_callbacks):
    w = online_world()
    client.force_login(w.citizen)
    with at(2026, 3, 2, 9), django_capture_on_commit_callbacks(execute=True):
        client.post("/hall/apply/SCJG-XK-0001/", {"phone": "13800000001", "m_M01": upload("a.png", png_bytes()),
                                                  "m_M03": upload("b.png", png_bytes())})
    case = Case.objects.get()
    assert not Outbox.objects.exists()  # filing itself sends nothing
    with at(2026, 3, 2, 10), django_capture_on_commit_callbacks(execute=True):
        case_services.perform(case.number, "notice", w.clerk, {"missing": ["M02"]})
    sms = Outbox.objects.get(channel="sms", kind="case.notice")
    assert sms.to == "13800000001" and "申请人身份证明" in sms.body
    with at(2026, 3, 2, 11), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hall/cases/{case.number}/supplement/", {"m_M02": upload("id.png", png_bytes())})
        case_services.perform(case.number, "accept", w.clerk, {})
    sms = Outbox.objects.get(channel="sms", kind="case.accept")
    assert sms.body == (f"【宿州市政务服务中心】您的办件{case.number}已受理，承诺办结期限2026年3月9日，"
                        f"查询码{case.query_code}，查询进度：http://127.0.0.1:8000/track/?number={case.number}"
                        f"&code={case.query_code}")  # filed from a test, not a request: the fallback
    assert sms.case_number == case.number and sms.sent_at is not None
    email = Outbox.objects.get(channel="email", kind="case.accept")
    assert email.to == "zhangsan@example.cn" and email.body == sms.body and case.number in email.subject
    with at(2026, 3, 4, 10), django_capture_on_commit_callbacks(execute=True):
        case_services.perform(case.number, "review", w.reviewer, {"opinion": "材料齐全"})
        case_services.perform(case.number, "decide", w.approver, {"result": "approve"})
    assert not Outbox.objects.filter(kind="case.review").exists()
    done = Outbox.objects.get(channel="sms", kind="case.decide")
    assert "已办结" in done.body and "准予" in done.body and "2026年3月9日" in done.body
    assert Outbox.objects.filter(kind="case.decide", channel="email").count() == 1


@pytest.mark.django_db
def test_no_email_without_address_and_reject_reason(django_capture_on_commit_callbacks):
    w = online_world()
    from onewindow.cases.tests.factories import person

    with at(2026, 3, 2, 9), django_capture_on_commit_callbacks(execute=True):
        case = case_services.file_case(item="SCJG-XK-0001", applicant=person(name="王五"), channel="window",
                                       actor=w.clerk)
        case_services.perform(case.number, "reject", w.clerk, {"reason": "不属于本机关职权范围"})
    assert list(Outbox.objects.values_list("channel", "to")) == [("sms", "13800000001")]
    assert "不属于本机关职权范围" in Outbox.objects.get().body


@pytest.mark.django_db
def test_sender_is_pluggable(settings, django_capture_on_commit_callbacks):
    sent = []

    class Recorder:
        def send(self, channel, to, subject, body, **kw):
            sent.append((channel, to))

    import sys
    import types

    mod = types.ModuleType("ow_test_sender")
    mod.Recorder = Recorder
    sys.modules["ow_test_sender"] = mod
    settings.ONEWINDOW_NOTIFICATION_SENDER = "ow_test_sender.Recorder"
    w = online_world()
    from onewindow.cases.tests.factories import person

    with at(2026, 3, 2, 9), django_capture_on_commit_callbacks(execute=True):
        case = case_services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                       materials=["M01", "M02", "M03"], actor=w.clerk)
        case_services.perform(case.number, "accept", w.clerk, {})
    assert sent == [("sms", "13800000001")] and not Outbox.objects.exists()
