"""The applicant's case page in the hall: upload fields follow the one-time notice; rate once concluded."""

import re

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.portal.tests.conftest import pdf_bytes
from onewindow.portal.tests.helpers import online_world, upload
from onewindow.ratings import services as ratings

pytestmark = pytest.mark.django_db


def _file_inputs(page: str) -> list[str]:
    return re.findall(r'<input type="file" name="([^"]+)"', page)


def _applied(client):
    w = online_world()
    client.force_login(w.citizen)
    client.post("/hall/apply/SCJG-XK-0001/", {"phone": "13800000001", "m_M01": upload("a.pdf", pdf_bytes())})
    return w, Case.objects.get()


def test_supplement_form_offers_only_the_noticed_materials(client, _media):
    w, case = _applied(client)
    case_services.perform(case.number, "notice", w.clerk, {"missing": ["M03"], "reasons": {"M03": "缺少平面图"}})
    missing = set(CaseMaterial.objects.filter(case=case, status="missing").values_list("code", flat=True))
    assert {"M03", "M04"} <= missing  # M04 is missing too, but the notice asks for M03 only
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert _file_inputs(page) == ["m_M03"]
    # a case without a notice has no supplement form at all
    case_services.perform(case.number, "withdraw", w.citizen, {"reason": "重新申请"})
    assert _file_inputs(client.get(f"/hall/cases/{case.number}/").content.decode()) == []


def test_rate_link_after_conclusion_then_the_level(client, _media):
    w, case = _applied(client)
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert "评价本次服务" not in page  # submitted: not yet
    Case.objects.filter(pk=case.pk).update(state="concluded", result="approve")
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert f'href="/ratings/{case.number}/"' in page and "评价本次服务" in page
    Case.objects.filter(pk=case.pk).update(state="delivered")
    assert "评价本次服务" in client.get(f"/hall/cases/{case.number}/").content.decode()
    ratings.rate_case(case.number, w.citizen, 3)
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert "评价本次服务" not in page
    assert re.search(r'<dd class="rating-level">基本满意</dd>', page)


def test_uploads_are_listed_by_material_name_never_by_code(client, _media):
    _, case = _applied(client)
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    uploads = page[page.index("已上传文件"):]
    uploads = uploads[:uploads.index("</ul>")]
    name = case.materials.get(code="M01").name
    assert "a.pdf" in uploads and name in uploads
    assert not re.search(r"\bM\d{2}\b", uploads)


def test_the_licence_a_case_issued_is_offered_to_its_applicant(client, _media):
    """A person who registered a business sees its 营业执照 (held by the business, not by the person) on
    the concluded case and in 我的证照, and can download it; another applicant cannot."""
    from onewindow.cases.tests.factories import VALID_USCC
    from onewindow.licences.services import issue_licence

    w, case = _applied(client)
    Case.objects.filter(pk=case.pk).update(state="concluded", result="approve")
    lic = issue_licence(licence_type=w.id_card, holder_kind="org", holder_name="宿州市某某小吃店",
                        holder_id=VALID_USCC, department=None, case_number=case.number)
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    href = f"/licences/{case.number}/{lic.pk}.pdf"
    assert href in page and "宿州市某某小吃店" in page
    pdf = client.get(href)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    hall = client.get("/hall/").content.decode()
    mine = hall[hall.index("我的证照"):]
    assert "宿州市某某小吃店" in mine and lic.number in mine and href in mine
    client.force_login(w.citizen2)
    assert client.get(href).status_code == 404
    assert lic.number not in client.get("/hall/").content.decode()
