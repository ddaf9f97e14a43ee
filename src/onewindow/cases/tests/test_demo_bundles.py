"""The three demo bundles (开办企业, 新生儿出生, 不动产转移登记) finish on the demo catalogue with demo
staff: filed and accepted once at window1's window, every part reviewed and decided by its own
department, no licence the bundle issues ever asked from the applicant."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from onewindow.accounts import demo as accounts_demo
from onewindow.accounts.models import Role, User
from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.tests.factories import at
from onewindow.catalog import demo as catalog_demo
from onewindow.core.errors import Conflict
from onewindow.licences.models import EnterpriseRegistration, Licence
from onewindow.regions import demo as regions_demo
from onewindow.workdays import demo as workdays_demo

PARENT = {"kind": "person", "name": "张三", "id_number": "110102199101010078", "phone": "13800000001"}
ENTERPRISE = {"enterprise_name": "宿州市演示科技有限公司", "legal_representative": "张三",
              "registered_capital": "100万元", "address": "宿州市埇桥区汴河中路1号"}


def _staff(role, department):
    """The department's demo reviewer/approver (issue 10 adds them to the demo); created here when the
    demo of this checkout has none yet."""
    user = User.objects.filter(role=role, department=department, is_active=True).order_by("pk").first()
    return user or User.objects.create_user(f"{role}_{department.code.lower()}", password="demo12345", role=role,
                                            department=department)


def _finish(filing, clerk):
    parts = list(Case.objects.filter(bundle_filing=filing).order_by("pk"))
    with at(2026, 9, 1, 10):
        services.accept_bundle(filing.number, clerk)
        for c in parts:
            services.perform(c.number, "review", _staff(Role.REVIEWER, c.department), {"opinion": "同意"})
        pending = [c.number for c in parts]
        for _round in range(len(parts)):  # a part waiting for a sibling's licence is decided after it
            for number in list(pending):
                c = Case.objects.get(number=number)
                try:
                    services.perform(number, "decide", _staff(Role.APPROVER, c.department), {"result": "approve"})
                except Conflict as exc:
                    assert exc.code == "awaiting_licence"
                    continue
                pending.remove(number)
        assert pending == []
    return parts


@pytest.fixture
def demo(db):
    workdays_demo.load()
    regions_demo.load()
    catalog_demo.load()
    accounts_demo.load()
    return User.objects.get(username="window1")


def _file(code, applicant, clerk, data=None):
    from onewindow.catalog.models import Bundle

    shared = services.bundle_materials(Bundle.objects.get(code=code))
    keys = [e["key"] for e in shared if not e["issued_in_bundle"]]
    with at(2026, 8, 31, 9):
        return services.file_bundle(bundle=code, applicant=applicant, channel="window", materials=keys,
                                    actor=clerk, data=data), shared


def test_kaiban_qiye_finishes_with_one_business_licence(demo):
    filing, shared = _file("YJS-KBQY", PARENT, demo, ENTERPRISE)
    assert {e["key"]: e["issued_in_bundle"] for e in shared}["L:YYZZ"] is True
    awaiting = CaseMaterial.objects.filter(case__bundle_filing=filing, status="awaiting")
    # 印章刻制, 养老保险参保 and 公积金缴存 each wait for the 营业执照
    assert sorted(awaiting.values_list("case__item__code", flat=True)) == [
        "SZ-GAJ-QR-0009", "SZ-GJJ-GG-0005", "SZ-RSJ-QR-0002"]
    parts = _finish(filing, demo)
    assert all(Case.objects.get(pk=c.pk).state == "concluded" for c in parts)
    filing.refresh_from_db()
    reg = EnterpriseRegistration.objects.get()
    assert filing.uscc == reg.uscc and stdnum_uscc.is_valid(reg.uscc) and reg.name == "宿州市演示科技有限公司"
    lic = Licence.objects.get(licence_type__code="YYZZ")
    assert lic.holder_id == reg.uscc
    assert set(CaseMaterial.objects.filter(case__bundle_filing=filing, code__in=["M01", "M02"],
                                           name="营业执照").values_list("licence_number", flat=True)) == {lic.number}


def test_xinshenger_chusheng_finishes(demo):
    filing, shared = _file("YJS-XSECS", PARENT, demo)
    assert {e["key"]: e["issued_in_bundle"] for e in shared}["L:CSYXZM"] is True
    parts = _finish(filing, demo)
    assert all(Case.objects.get(pk=c.pk).state == "concluded" for c in parts)
    birth = Licence.objects.get(licence_type__code="CSYXZM")
    got = CaseMaterial.objects.filter(case__bundle_filing=filing, name="出生医学证明")
    assert set(got.values_list("status", "licence_number")) == {("licence", birth.number)}


def test_budongchan_zhuanyi_finishes_and_asks_the_existing_certificate(demo):
    filing, shared = _file("YJS-BDCZY", PARENT, demo)
    # the existing 不动产权证书 is asked (the new one is issued to the buyer at the end)
    entry = {e["key"]: e for e in shared}["L:BDCQZS"]
    assert entry["issued_in_bundle"] is False and entry["required"] is True
    parts = _finish(filing, demo)
    assert all(Case.objects.get(pk=c.pk).state == "concluded" for c in parts)
    assert not CaseMaterial.objects.filter(case__bundle_filing=filing, status="awaiting").exists()
