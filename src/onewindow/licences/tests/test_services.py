import datetime
from decimal import Decimal

import pytest
from stdnum.cn import uscc as stdnum_uscc

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify
from onewindow.catalog.models import Department, LicenceType
from onewindow.core.errors import Conflict, ServiceError
from onewindow.licences.models import EnterpriseRegistration, Licence, LicenceStatus, UsccSequence
from onewindow.licences.selectors import (
    find_licence,
    holder_has_licence,
    licence_types_held,
    licences_of_holder,
    registration_by_uscc,
)
from onewindow.licences.services import (
    expire_licences,
    issue_licence,
    register_enterprise,
    revoke_licence,
    share_registration,
)

from .test_identifiers import ref_gb11714_check, ref_gb32100_check, ref_uscc_ok

PERSON = "360426199101010071"
PERSON_X = "44011320141005001X"
ORG = "91340600MA2PBM9HXD"
D = datetime.date


def issue(licence_type, dept, holder=PERSON, **kw):
    kw.setdefault("issued_on", D(2024, 3, 15))
    kind = "org" if len(holder) == 18 and not holder[:17].isdigit() else kw.pop("holder_kind", "person")
    return issue_licence(licence_type=licence_type, holder_kind=kind, holder_name="张三", holder_id=holder,
                         department=dept, **kw)


# ---- issue_licence --------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_sequential_per_type_and_year(food_type, market_dept):
    other = LicenceType.objects.create(code="GTZZ", name="个体工商户营业执照", validity_years=0)
    numbers = [issue(food_type, market_dept).number for _ in range(3)]
    assert numbers == ["JYXK-2024-000001", "JYXK-2024-000002", "JYXK-2024-000003"]
    assert issue(other, market_dept).number == "GTZZ-2024-000001"
    assert issue(food_type, market_dept, issued_on=D(2025, 1, 2)).number == "JYXK-2025-000001"
    assert issue(food_type, market_dept).number == "JYXK-2024-000004"
    assert Licence.objects.count() == 6
    assert AuditEntry.objects.filter(action="licence.issue").count() == 6
    assert verify() is None


@pytest.mark.django_db
def test_validity_from_type(food_type, market_dept):
    lic = issue(food_type, market_dept)
    assert (lic.issued_on, lic.valid_until) == (D(2024, 3, 15), D(2029, 3, 14))
    leap = issue(food_type, market_dept, issued_on=D(2024, 2, 29))
    assert leap.valid_until == D(2029, 2, 28)
    long_term = LicenceType.objects.create(code="CQZ", name="不动产权证书", validity_years=0)
    lic = issue(long_term, market_dept)
    assert lic.valid_until is None and lic.long_term


@pytest.mark.django_db
def test_holder_normalized_and_validated(food_type, market_dept):
    lic = issue(food_type, market_dept, holder="44011320141005001x", case_number="34130020240315000001",
                data={"经营项目": "预包装食品销售"})
    assert lic.holder_id == PERSON_X
    assert lic.case_number == "34130020240315000001"
    assert Licence.objects.get(pk=lic.pk).data == {"经营项目": "预包装食品销售"}
    with pytest.raises(ServiceError) as exc:
        issue(food_type, market_dept, holder="360426199101010072")
    assert set(exc.value.fields) == {"holder_id"}
    assert "校验位错误" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        issue_licence(licence_type=food_type, holder_kind="org", holder_name="某公司", holder_id="91350203M0001QAY9B",
                      department=market_dept)
    assert set(exc.value.fields) == {"holder_id"}
    with pytest.raises(ServiceError) as exc:
        issue_licence(licence_type=food_type, holder_kind="alien", holder_name="x", holder_id=PERSON,
                      department=market_dept)
    assert set(exc.value.fields) == {"holder_kind"}
    with pytest.raises(ServiceError) as exc:
        issue_licence(licence_type=food_type, holder_kind="person", holder_name="  ", holder_id=PERSON,
                      department=market_dept)
    assert set(exc.value.fields) == {"holder_name"}
    with pytest.raises(ServiceError) as exc:
        issue_licence(licence_type="NOPE", holder_kind="person", holder_name="张三", holder_id=PERSON,
                      department=market_dept)
    assert set(exc.value.fields) == {"licence_type"}
    assert Licence.objects.count() == 1  # refused calls left nothing behind


@pytest.mark.django_db
def test_department_falls_back_to_licence_type(food_type, market_dept):
    lic = issue_licence(licence_type="JYXK", holder_kind="person", holder_name="张三", holder_id=PERSON,
                        department=None, issued_on=D(2024, 3, 15))
    assert lic.department == market_dept and lic.licence_type == food_type


# ---- revoke and expiry ----------------------------------------------------------------------


@pytest.mark.django_db
def test_revoke(food_type, market_dept):
    lic = issue(food_type, market_dept)
    with pytest.raises(ServiceError) as exc:
        revoke_licence(lic, "  ")
    assert set(exc.value.fields) == {"reason"}
    revoke_licence(lic, "申请人申请注销")
    lic.refresh_from_db()
    assert lic.status == LicenceStatus.REVOKED and lic.revoke_reason == "申请人申请注销" and lic.revoked_at
    with pytest.raises(Conflict):
        revoke_licence(lic, "再次注销")
    entry = AuditEntry.objects.get(action="licence.revoke")
    assert entry.before["status"] == "valid" and entry.after["status"] == "revoked"


@pytest.mark.django_db
def test_licences_of_holder_excludes_expired_and_revoked(food_type, market_dept):
    today = D(2030, 6, 1)
    long_term = LicenceType.objects.create(code="JSZ", name="机动车驾驶证", validity_years=0)
    six = LicenceType.objects.create(code="JKZ", name="健康证明", validity_years=10)
    keep_long = issue(long_term, market_dept, holder=PERSON_X, issued_on=D(2020, 1, 1))
    keep_dated = issue(six, market_dept, holder=PERSON_X, issued_on=D(2021, 6, 1))  # until 2031-05-31
    last_day = issue(food_type, market_dept, holder=PERSON_X, issued_on=D(2025, 6, 2))  # until 2030-06-01
    issue(food_type, market_dept, holder=PERSON_X, issued_on=D(2025, 5, 31))  # until 2030-05-30: past
    revoked = issue(six, market_dept, holder=PERSON_X, issued_on=D(2022, 1, 1))
    revoke_licence(revoked, "吊销")
    expired = issue(long_term, market_dept, holder=PERSON_X, issued_on=D(2019, 1, 1))
    Licence.objects.filter(pk=expired.pk).update(status=LicenceStatus.EXPIRED)
    issue(long_term, market_dept, holder=PERSON, issued_on=D(2020, 1, 1))  # someone else

    held = licences_of_holder("44011320141005001x", today=today)
    assert {lic.pk for lic in held} == {keep_long.pk, keep_dated.pk, last_day.pk}
    assert licence_types_held(PERSON_X, today=today) == {"JSZ", "JKZ", "JYXK"}
    assert licence_types_held(PERSON_X, today=D(2030, 6, 2)) == {"JSZ", "JKZ"}
    assert holder_has_licence(PERSON_X, "JYXK", today=today)
    assert not holder_has_licence(PERSON_X, "JYXK", today=D(2030, 6, 2))
    assert licence_types_held("110102199101010078") == set()


@pytest.mark.django_db
def test_expire_licences(food_type, market_dept):
    old = issue(food_type, market_dept, issued_on=D(2018, 1, 1))  # until 2022-12-31
    fresh = issue(food_type, market_dept, issued_on=D(2020, 1, 1))  # until 2024-12-31
    assert expire_licences(today=D(2023, 1, 1)) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("expired", "valid")
    assert expire_licences(today=D(2023, 1, 1)) == 0


@pytest.mark.django_db
def test_find_licence(food_type, market_dept):
    a = issue(food_type, market_dept)
    b = issue(food_type, market_dept, issued_on=D(2024, 5, 1))
    assert find_licence(number="JYXK-2024-000001") == a
    assert find_licence(number="JYXK-2024-000001", licence_type="JYXK") == a
    assert find_licence(holder_id=PERSON, licence_type=food_type) == b
    assert find_licence(number="JYXK-2024-000009") is None
    assert find_licence(licence_type="JYXK") is None


# ---- enterprise registration ----------------------------------------------------------------

DEFAULT_SHARED = ["税务", "人力资源社会保障（社保）", "统计", "住房公积金", "商务", "海关"]


def register(n=0, **kw):
    args = dict(name=f"宿州市示范商贸有限公司{n}", enterprise_type="有限责任公司", legal_representative="李四",
                registered_capital="100", address="宿州市埇桥区汴河路1号", division_code="341302",
                case_number=f"3413022024031500{n:04d}")
    args.update(kw)
    return register_enterprise(**args)


@pytest.mark.django_db
def test_twenty_registrations(market_dept):
    regs = [register(n, registered_on=D(2024, 3, 15)) for n in range(20)]
    codes = [r.uscc for r in regs]
    assert len(set(codes)) == 20
    for r in regs:
        assert ref_uscc_ok(r.uscc) and stdnum_uscc.is_valid(r.uscc)
        assert r.uscc.startswith("91341302")
    # the first registration in the division gets sequence 1: org code 00000001 + check 9
    assert codes[0][:17] == "91341302000000019"
    assert codes[0][17] == ref_gb32100_check("91341302000000019")
    assert codes[1][8:17] == "00000002" + ref_gb11714_check("00000002")
    assert UsccSequence.objects.get(division_code="341302").last == 20

    yyzz = LicenceType.objects.get(code="YYZZ")
    assert yyzz.name == "营业执照" and yyzz.validity_years == 0 and yyzz.department == market_dept
    licences = Licence.objects.filter(licence_type=yyzz).order_by("number")
    assert licences.count() == 20
    assert [lic.number for lic in licences] == [f"YYZZ-2024-{i:06d}" for i in range(1, 21)]
    for r in regs:
        assert r.licence.holder_id == r.uscc and r.licence.holder_kind == "org"
        assert r.licence.holder_name == r.name and r.licence.valid_until is None
        assert r.licence.department == market_dept and r.licence.case_number == r.case_number
        assert r.licence.data["uscc"] == r.uscc and r.licence.data["legal_representative"] == "李四"
        assert [e["department"] for e in r.shared_with] == DEFAULT_SHARED
        for e in r.shared_with:
            stamp = datetime.datetime.fromisoformat(e["shared_at"])
            assert stamp.utcoffset() == datetime.timedelta(hours=8)
        assert licence_types_held(r.uscc) == {"YYZZ"}
        assert registration_by_uscc(r.uscc.lower()) == r
    assert EnterpriseRegistration.objects.get(pk=regs[3].pk).registered_capital == Decimal("100.00")
    assert AuditEntry.objects.filter(action="enterprise.register").count() == 20
    assert verify() is None


@pytest.mark.django_db
def test_registration_types_and_sharing(market_dept):
    shop = register(1, enterprise_type="individual", share_with=["税务", "统计", "税务"])
    assert shop.uscc.startswith("92341302") and shop.enterprise_type == "individual"
    assert [e["department"] for e in shop.shared_with] == ["税务", "统计"]
    coop = register(2, enterprise_type="农民专业合作社", division_code="341322")
    assert coop.uscc.startswith("93341322")
    assert coop.uscc[8:17] == "000000019"  # its own division's counter starts at 1
    dept = Department.objects.create(code="GJJ", name="宿州市住房公积金管理中心", region=market_dept.region)
    share_registration(shop, [dept, "统计", "商务"])
    shop.refresh_from_db()
    assert [e["department"] for e in shop.shared_with] == ["税务", "统计", "宿州市住房公积金管理中心", "商务"]
    assert register(3, share_with=[]).shared_with == []


@pytest.mark.django_db
def test_existing_business_licence_type_is_reused(region):
    other = Department.objects.create(code="XSP", name="行政审批局", region=region)
    LicenceType.objects.create(code="YYZZ", name="营业执照", department=other)
    reg = register(1)
    assert LicenceType.objects.filter(code="YYZZ").count() == 1
    assert reg.licence.department == other


@pytest.mark.django_db
def test_sequence_skips_code_already_taken(market_dept):
    first = register(1)
    # Simulate an imported registration already holding the code of the next sequence.
    EnterpriseRegistration.objects.filter(pk=first.pk).update(uscc="91341302000000027" + ref_gb32100_check(
        "91341302000000027"))
    assert ref_gb11714_check("00000002") == "7"
    second = register(2)
    assert second.uscc[8:17] == "000000035"  # sequence 3: 3*2 = 6, 11 - 6 = 5
    assert UsccSequence.objects.get(division_code="341302").last == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "override, field",
    [({"name": " "}, "name"), ({"legal_representative": ""}, "legal_representative"), ({"address": ""}, "address"),
     ({"division_code": "3413"}, "division_code"), ({"division_code": "000000"}, "division_code"),
     ({"enterprise_type": "外星公司"}, "enterprise_type"), ({"registered_capital": "-1"}, "registered_capital"),
     ({"registered_capital": "很多"}, "registered_capital")],
)
def test_registration_bad_input(market_dept, override, field):
    with pytest.raises(ServiceError) as exc:
        register(1, **override)
    assert field in exc.value.fields
    assert EnterpriseRegistration.objects.count() == 0 and Licence.objects.count() == 0
    assert not UsccSequence.objects.filter(last__gt=0).exists()
