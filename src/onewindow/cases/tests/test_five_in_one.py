"""开办企业 as it really works: one application, one slip, parts in parallel, the 营业执照 that the bundle
itself issues never asked from the applicant, and one 营业执照 held by the enterprise."""

import io

import pytest
from pypdf import PdfReader
from stdnum.cn import uscc as stdnum_uscc

from onewindow.accounts.models import Role, User
from onewindow.cases import services
from onewindow.cases.models import BundleFiling, Case, CaseEvent, CaseMaterial
from onewindow.cases.tests.factories import at, make_item, make_world, person
from onewindow.catalog.models import Bundle, BundleItem, LicenceType
from onewindow.core.errors import Conflict, ServiceError
from onewindow.licences.models import EnterpriseRegistration, Licence

ENTERPRISE = {"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "王五",
              "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"}


def _kbqy(w):
    w.yyzz = LicenceType.objects.create(code="YYZZ", name="营业执照", department=w.dept)
    w.reg = make_item("SCJG-XK-0101", w.dept, name="企业设立登记", committed=1, licence_type=w.yyzz,
                      materials=[("M01", "公司登记申请书", True, None), ("M02", "股东身份证明", True, w.id_card)])
    w.seal = make_item("GA-QR-0109", w.dept2, name="印章刻制备案", committed=1,
                       materials=[("M01", "印章刻制备案信息表", True, None), ("M02", "营业执照", True, w.yyzz)])
    b = Bundle.objects.create(code="KBQY", name="开办企业一件事", lead_department=w.dept, issues_uscc=True)
    BundleItem.objects.create(bundle=b, item=w.reg.item, order=1)
    BundleItem.objects.create(bundle=b, item=w.seal.item, order=2)
    w.police_approver = User.objects.create_user("papprover", role=Role.APPROVER, department=w.dept2)
    return b


def _file(w, materials=None):
    b = Bundle.objects.get(code="KBQY")
    shared = services.bundle_materials(b)
    if materials is None:
        materials = [e["key"] for e in shared if not e["issued_in_bundle"]]
    return services.file_bundle(bundle="KBQY", applicant=person(), channel="window", materials=materials,
                                actor=w.clerk, data=ENTERPRISE)


@pytest.mark.django_db
def test_business_licence_is_not_asked_and_reaches_the_seal_part():
    w = make_world()
    b = _kbqy(w)
    entry = {e["key"]: e for e in services.bundle_materials(b)}["L:YYZZ"]
    assert entry["issued_in_bundle"] is True and entry["required"] is False
    with at(2026, 3, 2, 9):
        filing = _file(w)
    reg_case, seal = Case.objects.filter(bundle_filing=filing).order_by("pk")
    assert CaseMaterial.objects.get(case=seal, code="M02").status == "awaiting"
    with at(2026, 3, 2, 10):
        services.accept_bundle(filing.number, w.clerk)  # one acceptance for both parts
    reg_case.refresh_from_db()
    seal.refresh_from_db()
    assert (reg_case.state, seal.state) == ("accepted", "accepted")
    with at(2026, 3, 2, 11):
        services.perform(seal.number, "review", w.police_reviewer, {"opinion": "同意"})
        with pytest.raises(Conflict) as exc:  # waits for the licence, does not fake it
            services.perform(seal.number, "decide", w.police_approver, {"result": "approve"})
        assert exc.value.code == "awaiting_licence"
        services.perform(reg_case.number, "review", w.reviewer, {"opinion": "同意"})
        services.perform(reg_case.number, "decide", w.approver, {"result": "approve"})
    filing.refresh_from_db()
    reg = EnterpriseRegistration.objects.get()
    assert filing.uscc == reg.uscc and reg.name == "宿州市一窗科技有限公司" and reg.legal_representative == "王五"
    assert stdnum_uscc.is_valid(reg.uscc)  # GB 32100 check digit, checked by an independent library
    business = Licence.objects.get(licence_type__code="YYZZ")
    assert (business.holder_kind, business.holder_id, business.holder_name) == ("org", reg.uscc, reg.name)
    assert not Licence.objects.filter(holder_id=person()["id_number"], licence_type__code="YYZZ").exists()
    m = CaseMaterial.objects.get(case=seal, code="M02")
    assert (m.status, m.licence_number) == ("licence", business.number)
    received = CaseEvent.objects.get(case=seal, action="licence_received")
    assert received.data["licence"] == business.number
    with at(2026, 3, 2, 14):
        services.perform(seal.number, "decide", w.police_approver, {"result": "approve"})
    assert Licence.objects.filter(licence_type__code="YYZZ").count() == 1
    assert EnterpriseRegistration.objects.count() == 1


@pytest.mark.django_db
def test_bundle_page_one_slip_and_the_licence_pdf(client):
    w = make_world()
    _kbqy(w)
    with at(2026, 3, 2, 9):
        filing = _file(w)
    client.force_login(w.clerk)
    html = client.get(f"/bundles/{filing.number}/").content.decode()
    assert 'id="bundle-accept"' in html and 'id="bundle-slip"' not in html
    with at(2026, 3, 2, 10):
        r = client.post(f"/bundles/{filing.number}/accept/")
    assert r.status_code == 302
    r = client.get(f"/bundles/{filing.number}/slip.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert filing.number in text and filing.query_code in text
    parts = list(Case.objects.filter(bundle_filing=filing))
    assert not any(c.number in text for c in parts)  # one slip: the bundle's number, not five
    for c in parts:
        services.perform(c.number, "review", w.reviewer if c.department == w.dept else w.police_reviewer,
                         {"opinion": "同意"})
    reg_case = next(c for c in parts if c.department == w.dept)
    services.perform(reg_case.number, "decide", w.approver, {"result": "approve"})
    filing.refresh_from_db()
    html = client.get(f"/bundles/{filing.number}/").content.decode()
    lic = Licence.objects.get(licence_type__code="YYZZ")
    href = f"/licences/{filing.number}/{lic.pk}.pdf"
    assert href in html and filing.uscc in html
    r = client.get(href)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    flat = text.replace(" ", "").replace("\n", "")
    assert filing.uscc in flat and "宿州市一窗科技有限公司" in flat and "王五" in flat
    assert stdnum_uscc.is_valid(filing.uscc)
    # someone outside the bundle's scope: 404
    other = User.objects.create_user("x", role=Role.CLERK, site=w.station)
    client.force_login(other)
    assert client.get(href).status_code == 404
    assert client.get(f"/bundles/{filing.number}/slip.pdf").status_code == 404


@pytest.mark.django_db
def test_single_enterprise_registration_issues_to_the_enterprise_never_a_person():
    w = make_world()
    _kbqy(w)
    with pytest.raises(ServiceError) as exc:  # no enterprise named: refused at filing
        services.file_case(item="SCJG-XK-0101", applicant=person(), channel="window", materials=["M01", "M02"],
                           actor=w.clerk)
    assert "data.enterprise_name" in exc.value.fields
    with at(2026, 3, 2, 9):
        case = services.file_case(item="SCJG-XK-0101", applicant=person(), channel="window",
                                  materials=["M01", "M02"], actor=w.clerk, data=ENTERPRISE)
        services.perform(case.number, "accept", w.clerk)
        services.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        services.perform(case.number, "decide", w.approver, {"result": "approve"})
    lic = Licence.objects.get()
    reg = EnterpriseRegistration.objects.get()
    assert (lic.holder_kind, lic.holder_name, lic.holder_id) == ("org", "宿州市一窗科技有限公司", reg.uscc)
    assert stdnum_uscc.is_valid(reg.uscc) and reg.case_number == case.number
    assert BundleFiling.objects.count() == 0


@pytest.mark.django_db
def test_bundle_accept_and_slip_through_the_api(client):
    w = make_world()
    _kbqy(w)
    with at(2026, 3, 2, 9):
        filing = _file(w, materials=[])  # nothing handed in: accepting is refused, nothing changes
    client.force_login(w.clerk)
    r = client.post(f"/api/v1/cases/bundles/{filing.number}/accept", content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "materials_incomplete"
    assert set(Case.objects.filter(bundle_filing=filing).values_list("state", flat=True)) == {"submitted"}
    assert client.get(f"/api/v1/cases/bundles/{filing.number}/slip.pdf").status_code == 409


@pytest.mark.django_db
def test_a_tick_for_the_licence_the_bundle_issues_is_not_taken_as_the_licence():
    """The old workaround: the clerk ticked 营业执照 as handed in. It stays awaited, never 'provided'."""
    w = make_world()
    b = _kbqy(w)
    everything = [e["key"] for e in services.bundle_materials(b)]
    assert "L:YYZZ" in everything
    with at(2026, 3, 2, 9):
        filing = _file(w, materials=everything)
    seal = Case.objects.get(bundle_filing=filing, item__code="GA-QR-0109")
    assert CaseMaterial.objects.get(case=seal, code="M02").status == "awaiting"
