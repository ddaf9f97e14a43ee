"""一件事: one filing, one child case per item, parallel handling, 五证合一 on completion."""

import pytest

from onewindow.cases import services
from onewindow.cases.models import BundleFiling, Case
from onewindow.cases.presenters import bundle_dict
from onewindow.cases.tests.factories import at, make_bundle, make_world, person
from onewindow.core.errors import ServiceError
from onewindow.licences.models import EnterpriseRegistration, Licence

ENTERPRISE = {"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "张三",
              "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"}


def _conclude(w, number, reviewer, approver):
    services.perform(number, "accept", w.clerk)
    services.perform(number, "review", reviewer, {"opinion": "同意"})
    return services.perform(number, "decide", approver, {"result": "approve"})


@pytest.mark.django_db
def test_five_in_one_bundle_issues_one_uscc_and_one_business_licence():
    w = make_world()
    make_bundle(w)
    from onewindow.accounts.models import Role, User

    police_approver = User.objects.create_user("papprover", role=Role.APPROVER, department=w.dept2)
    shared = {e["name"]: e["key"] for e in services.bundle_materials(w.item.item.bundle_set.get())}
    with at(2026, 3, 2):
        filing = services.file_bundle(bundle="KBQY", applicant=person(), channel="window",
                                      materials=list(shared.values()), actor=w.clerk, data=ENTERPRISE)
    food, police = Case.objects.filter(bundle_filing=filing).order_by("id")
    # One number for the filing, then one per child, all from the region's daily sequence.
    assert [filing.number, food.number, police.number] == [
        "34130020260302000001", "34130020260302000002", "34130020260302000003"]
    assert (food.department, police.department) == (w.dept, w.dept2)
    with at(2026, 3, 3):
        _conclude(w, food.number, w.reviewer, w.approver)
        filing.refresh_from_db()
        assert filing.uscc == ""  # not until every department has concluded
        view = bundle_dict(filing, w.supervisor)
        assert view["done"] is False and view["slowest"] == police.number
        _conclude(w, police.number, w.police_reviewer, police_approver)
    filing.refresh_from_db()
    reg = EnterpriseRegistration.objects.get(case_number=filing.number)
    assert filing.uscc == reg.uscc and len(reg.uscc) == 18
    assert reg.uscc[:2] == "91" and reg.uscc[2:8] == "341300"  # 市场监管 + enterprise, registered in 宿州市
    from onewindow.licences.identifiers import validate_uscc

    assert validate_uscc(reg.uscc) == reg.uscc
    business = Licence.objects.filter(holder_id=reg.uscc)
    assert [lic.licence_type.code for lic in business] == ["YYZZ"]
    assert {"税务", "统计"} <= {s["department"][:2] for s in reg.shared_with}
    assert bundle_dict(filing, w.supervisor)["done"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["enterprise_name", "legal_representative", "address", "registered_capital"])
def test_five_in_one_needs_registration_data_at_filing(missing):
    w = make_world()
    make_bundle(w)
    data = {k: v for k, v in ENTERPRISE.items() if k != missing}
    with pytest.raises(ServiceError) as exc:
        services.file_bundle(bundle="KBQY", applicant=person(), channel="window", actor=w.clerk, data=data)
    assert f"data.{missing}" in exc.value.fields
    assert BundleFiling.objects.count() == 0 and Case.objects.count() == 0


@pytest.mark.django_db
def test_registration_data_as_a_clerk_types_it_can_be_concluded():
    """"100万元" and a type given by its Chinese name, filed from an English-language session: stored as
    100.00 and joint_stock, so the last department's approval registers the enterprise."""
    from decimal import Decimal

    from django.utils import translation

    from onewindow.accounts.models import Role, User

    w = make_world()
    make_bundle(w)
    police_approver = User.objects.create_user("papprover", role=Role.APPROVER, department=w.dept2)
    data = {**ENTERPRISE, "registered_capital": "100万元", "enterprise_type": "股份有限公司"}
    shared = [e["key"] for e in services.bundle_materials(w.item.item.bundle_set.get())]
    with at(2026, 3, 2), translation.override("en"):
        filing = services.file_bundle(bundle="KBQY", applicant=person(), channel="window", actor=w.clerk,
                                      materials=shared, data=data)
    assert (filing.data["registered_capital"], filing.data["enterprise_type"]) == ("100.00", "joint_stock")
    food, police = Case.objects.filter(bundle_filing=filing).order_by("id")
    for number, reviewer, approver in ((food.number, w.reviewer, w.approver),
                                       (police.number, w.police_reviewer, police_approver)):
        with at(2026, 3, 3):
            _conclude(w, number, reviewer, approver)
    reg = EnterpriseRegistration.objects.get(case_number=filing.number)
    assert (reg.registered_capital, reg.enterprise_type) == (Decimal("100.00"), "joint_stock")


@pytest.mark.django_db
@pytest.mark.parametrize("capital", ["-5", "nan", "1e20", "一百万"])
def test_registration_capital_that_could_not_be_registered_is_refused_at_filing(capital):
    w = make_world()
    make_bundle(w)
    with pytest.raises(ServiceError) as exc:
        services.file_bundle(bundle="KBQY", applicant=person(), channel="window", actor=w.clerk,
                             data={**ENTERPRISE, "registered_capital": capital})
    assert exc.value.fields == {"data.registered_capital": "注册资本应为非负金额（万元）"}
    assert BundleFiling.objects.count() == 0 and Case.objects.count() == 0


@pytest.mark.django_db
def test_shared_material_is_asked_once():
    w = make_world()
    b = make_bundle(w, issues_uscc=False)
    # Both items ask for an application form under different names; only the ID licence is shared…
    from onewindow.catalog.models import Material

    Material.objects.create(version=w.police_item, code="M02", name="申请人身份证明", licence_type=w.id_card)
    keys = [e["key"] for e in services.bundle_materials(b)]
    assert keys.count("L:SFZ") == 1
    entry = next(e for e in services.bundle_materials(b) if e["key"] == "L:SFZ")
    assert sorted(entry["items"]) == [("GA-QR-0001", "M02"), ("SCJG-XK-0001", "M02")]
    with at(2026, 3, 2):
        filing = services.file_bundle(bundle=b.code, applicant=person(), channel="window",
                                      materials=["L:SFZ"], actor=w.clerk)
    statuses = {(c.item.code, m.code): m.status for c in filing.cases.all() for m in c.materials.all()}
    assert statuses[("GA-QR-0001", "M02")] == statuses[("SCJG-XK-0001", "M02")] == "provided"
