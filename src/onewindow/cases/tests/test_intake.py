"""Filing, the one-time notice rule, acceptance guards, e-licences replacing materials."""

import pytest
from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, Notice
from onewindow.cases.tests.factories import VALID_ID, at, make_world, person
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.licences.models import Licence


@pytest.mark.django_db
def test_file_case_number_and_materials():
    w = make_world()
    with at(2026, 3, 2, 9):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M03"], actor=w.clerk)
    assert case.number == "34130020260302000001"
    assert len(case.query_code) == 6
    assert case.item_version_id == w.item.pk and case.department == w.dept
    status = dict(CaseMaterial.objects.filter(case=case).values_list("code", "status"))
    assert status == {"M01": "provided", "M02": "missing", "M03": "provided", "M04": "missing"}
    assert list(case.events.values_list("action", flat=True)) == ["file"]


@pytest.mark.django_db
def test_number_uses_station_region_and_restarts_daily():
    w = make_world()
    with at(2026, 3, 2, 9):
        a = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.station_clerk)
        b = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="agency", actor=w.agent,
                               authorisation="申请人张三书面委托")
    with at(2026, 3, 3, 9):
        c = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.station_clerk)
    assert [a.number, b.number, c.number] == [
        "34130220260302000001", "34130220260302000002", "34130220260303000001"]


@pytest.mark.django_db
def test_e_licence_ticks_material_as_not_required_to_submit():
    w = make_world()
    Licence.objects.create(licence_type=w.id_card, number="SFZ-1", holder_kind="person", holder_name="张三",
                           holder_id=VALID_ID, issued_on="2020-01-01", status="valid")
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M03"], actor=w.clerk)
        m = case.materials.get(code="M02")
        assert (m.status, m.licence_number) == ("licence", "SFZ-1")
        assert services.perform(case.number, "accept", w.clerk).state == "accepted"


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs,exc_type,field", [
    ({"item": "NOPE"}, NotFound, "item"),
    ({"materials": ["M99"]}, ServiceError, "materials"),
    ({"applicant": person(id_number="110102199101010079")}, ServiceError, "applicant.id_number"),
    ({"applicant": {"kind": "org", "name": "某公司", "uscc": "91350203M0001QAY9B"}}, ServiceError, "applicant.uscc"),
    ({"applicant": {"kind": "alien", "name": "x"}}, ServiceError, "applicant.kind"),
    ({"applicant": {**person(), "phone": "12345"}}, ServiceError, "applicant.phone"),
    ({"channel": "online"}, ServiceError, "channel"),
])
def test_bad_filing_saves_nothing(kwargs, exc_type, field):
    w = make_world()
    args = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01"]}
    args.update(kwargs)
    with pytest.raises(exc_type) as exc:
        services.file_case(actor=w.clerk, **args)
    assert field in exc.value.fields
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


@pytest.mark.django_db
def test_agency_filing_requires_authorisation():
    w = make_world()
    with pytest.raises(ServiceError) as exc:
        services.file_case(item="SCJG-XK-0001", applicant=person(), channel="agency", actor=w.agent)
    assert "authorisation" in exc.value.fields


@pytest.mark.django_db
def test_one_time_notice_rule():
    w = make_world()
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01"], actor=w.clerk)
        with pytest.raises(Conflict) as exc:
            services.perform(case.number, "accept", w.clerk)
        assert exc.value.code == "materials_incomplete"
        assert set(exc.value.fields["materials"]) == {"M02", "M03"}
        services.perform(case.number, "notice", w.clerk,
                         {"missing": ["M02", "M03"], "reasons": {"M03": "平面图未标注面积"}, "note": "请一次补齐"})
        services.perform(case.number, "supplement", w.clerk, {"materials": ["M02"]})
        # A second notice may repeat what the first listed …
        services.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
        services.perform(case.number, "supplement", w.clerk, {"materials": ["M03"]})
        # … but never ask for something new: refused, and the attempt is on record.
        with pytest.raises(Conflict) as exc:
            services.perform(case.number, "notice", w.clerk, {"missing": ["M01"]})
    assert exc.value.code == "notice_rule" and exc.value.fields["missing"] == ["M01"]
    case.refresh_from_db()
    assert case.state == "submitted"
    assert Notice.objects.filter(case=case).count() == 2
    refused = CaseEvent.objects.get(case=case, action="notice_refused")
    assert refused.data["new"] == ["M01"]
    first = Notice.objects.get(case=case, seq=1)
    assert [i["code"] for i in first.items] == ["M02", "M03"]
    assert first.items[1]["reason"] == "平面图未标注面积"
    with at(2026, 3, 2, 11):
        assert services.perform(case.number, "accept", w.clerk).state == "accepted"


@pytest.mark.django_db
def test_reject_requires_reason():
    w = make_world()
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk)
    with pytest.raises(ServiceError) as exc:
        services.perform(case.number, "reject", w.clerk, {"reason": "  "})
    assert "reason" in exc.value.fields
    case = services.perform(case.number, "reject", w.clerk, {"reason": "申请事项不属于本机关职权范围"})
    assert case.state == "rejected"
    assert Notice.objects.get(case=case).kind == "rejection"


@pytest.mark.django_db
def test_concluding_issues_licence_and_it_is_reused():
    w = make_world()
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
        services.perform(case.number, "accept", w.clerk)
        services.perform(case.number, "review", w.reviewer, {"opinion": "符合条件"})
        case = services.perform(case.number, "decide", w.approver, {"result": "approve"})
        lic = Licence.objects.get(case_number=case.number)
        assert lic.licence_type == w.food and lic.holder_id == VALID_ID
        services.perform(case.number, "deliver", w.clerk, {"method": "electronic"})


@pytest.mark.django_db
def test_deny_needs_reason_and_issues_nothing():
    w = make_world()
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
        services.perform(case.number, "accept", w.clerk)
        services.perform(case.number, "review", w.reviewer, {"opinion": "不符合"})
        with pytest.raises(ServiceError):
            services.perform(case.number, "decide", w.approver, {"result": "deny"})
        services.perform(case.number, "decide", w.approver, {"result": "deny", "reason": "场所不符合要求"})
    assert not Licence.objects.filter(case_number=case.number).exists()


@pytest.mark.django_db
def test_other_department_cannot_touch_case():
    w = make_world()
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
        services.perform(case.number, "accept", w.clerk)
    with pytest.raises(NotFound):
        services.perform(case.number, "review", w.police_reviewer, {"opinion": "x"})
    with pytest.raises(NotFound):
        services.perform(case.number, "withdraw", w.citizen2, {})


@pytest.mark.django_db
def test_case_change_listeners_run_in_the_worker(settings):
    """With the database queue, filing enqueues the announcement; the worker delivers it."""
    from django_tasks_db.models import DBTaskResult

    from onewindow.core.worker import run_ready_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    w = make_world()
    heard = []

    def listener(sender, case, action, actor, **kw):
        heard.append((case.number, action, actor.username))

    services.case_changed.connect(listener)
    try:
        with at(2026, 3, 2), TestCase.captureOnCommitCallbacks(execute=True):
            case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk)
        assert heard == [] and DBTaskResult.objects.count() == 1
        assert run_ready_tasks() == 1
    finally:
        services.case_changed.disconnect(listener)
    assert heard == [(case.number, "file", "clerk")]


@pytest.mark.django_db
def test_announcement_is_written_in_the_action_transaction(settings):
    """The task row is part of the filing's transaction: there before the commit, gone on rollback."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    w = make_world()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), at(2026, 3, 2), transaction.atomic():
        services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk)
        assert DBTaskResult.objects.count() == 1  # written with the case, not after the commit
        raise Undo
    assert Case.objects.count() == 0 and DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_applicant_files_online_only_in_own_name():
    w = make_world()
    with pytest.raises(Forbidden) as exc:
        services.file_case(item="SCJG-XK-0001", applicant=person(), channel="online", actor=w.citizen2)
    assert "applicant.id_number" in exc.value.fields
    assert Case.objects.count() == 0
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(id_number=w.citizen2.id_number, name="李四"),
                                  channel="online", actor=w.citizen2, materials=["M01", "M02", "M03"])
    assert case.applicant_user == w.citizen2


@pytest.mark.django_db
def test_online_filing_without_required_materials_is_refused():
    """Online as at the window: the old code accepted an online application with none of its materials."""
    w = make_world()
    with pytest.raises(ServiceError) as exc:
        services.file_case(item="SCJG-XK-0001", applicant=person(), channel="online", actor=w.citizen,
                           materials=["M01"])
    # M02, M03 required and neither given nor held as an e-licence; M04 is optional
    assert set(exc.value.fields) == {"m_M02", "m_M03"} and exc.value.code == "materials_incomplete"
    assert Case.objects.count() == 0
    from onewindow.licences.services import issue_licence

    lic = issue_licence(licence_type=w.id_card, holder_kind="person", holder_name="张三", holder_id=person()["id_number"],
                        department=None)
    with at(2026, 3, 2):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="online", actor=w.citizen,
                                  materials=["M01", "M03"])
    assert case.materials.get(code="M02").licence_number == lic.number  # 免提交
