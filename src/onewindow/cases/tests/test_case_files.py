"""网上预审: the staff case page lists every uploaded file under its material and opens it inline; the
clerk marks each material 合格 or asks for it again in the one-time notice."""

import hashlib

import pytest

from onewindow.accounts.models import Role, User
from onewindow.cases.models import Case, CaseEvent, CaseMaterial
from onewindow.cases.tests.factories import at
from onewindow.portal.models import Upload
from onewindow.portal.tests.conftest import _media, pdf_bytes, png_bytes  # noqa: F401 (fixture)
from onewindow.portal.tests.helpers import online_world, upload


def _online_case(client, w):
    pdf, png = pdf_bytes(), png_bytes()
    client.force_login(w.citizen)
    with at(2026, 3, 2, 9):
        r = client.post("/hall/apply/SCJG-XK-0001/", {
            "phone": "13800000001", "m_M01": upload("申请书.pdf", pdf), "m_M02": upload("身份证.png", png),
            "m_M03": upload("平面图.png", png)})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Case.objects.get(), pdf, png


@pytest.mark.django_db
def test_clerk_sees_each_file_under_its_material_and_opens_it_inline(client):
    w = online_world()
    case, pdf, png = _online_case(client, w)
    up = Upload.objects.get(case=case, material_code="M01")
    client.force_login(w.clerk)
    html = client.get(f"/cases/{case.number}/").content.decode()
    block = html[html.index('id="material-M01"'):html.index('id="material-M02"')]
    href = f"/cases/{case.number}/files/{up.pk}/"
    assert href in block and "申请书.pdf" in block
    assert hashlib.sha256(pdf).hexdigest() in block  # the checksum, computed here from the bytes sent
    assert "张三" in block and "2026-03-02 09:00" in block  # uploader and time
    assert f"{len(pdf)}" in block or "字节" in block or "bytes" in block  # size (filesizeformat)
    r = client.get(href)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == pdf
    img = Upload.objects.get(case=case, material_code="M03")
    r = client.get(f"/cases/{case.number}/files/{img.pk}/")
    assert r["Content-Type"] == "image/png" and r["Content-Disposition"].startswith("inline")
    # the applicant's own link opens inline as well
    client.force_login(w.citizen)
    r = client.get(f"/hall/files/{up.pk}/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("inline")


@pytest.mark.django_db
def test_file_refused_out_of_scope_as_not_found(client):
    w = online_world()
    case, _, _ = _online_case(client, w)
    up = Upload.objects.get(case=case, material_code="M01")
    other_dept = User.objects.create_user("ga", role=Role.REVIEWER, department=w.dept2)
    for user in (w.station_clerk, w.citizen2, other_dept, w.agent):
        client.force_login(user)
        assert client.get(f"/cases/{case.number}/files/{up.pk}/").status_code == 404, user.username
        assert client.get(f"/hall/files/{up.pk}/").status_code == 404, user.username
    # a file of another case under this case's number: 404 as well
    client.force_login(w.clerk)
    assert client.get(f"/cases/{case.number}/files/{up.pk + 999}/").status_code == 404
    client.logout()
    assert client.get(f"/cases/{case.number}/files/{up.pk}/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_clerk_marks_materials_accepted_and_asks_one_again(client):
    w = online_world()
    case, _, _ = _online_case(client, w)
    client.force_login(w.clerk)
    with at(2026, 3, 2, 10):
        r = client.post(f"/cases/{case.number}/act/notice/", {
            "accepted": ["M01", "M02"], "missing": ["M03"], "reason_M03": "平面图不清晰，请重新上传", "note": ""})
    assert r.status_code == 302
    m = {x.code: x for x in CaseMaterial.objects.filter(case=case)}
    assert (m["M01"].checked_by, m["M02"].checked_by, m["M03"].checked_by) == (w.clerk, w.clerk, None)
    assert m["M03"].status == "faulty" and m["M03"].note == "平面图不清晰，请重新上传"
    event = CaseEvent.objects.filter(case=case, action="notice").get()
    assert event.data["accepted"] == ["M01", "M02"] and event.data["missing"] == ["M03"]
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert html[html.index('id="material-M01"'):html.index('id="material-M02"')].count("已核验合格") == 1
    assert "已核验合格" not in html[html.index('id="material-M03"'):html.index('id="material-M04"')]
    # both at once for the same material is refused, nothing written
    with at(2026, 3, 2, 11):
        r = client.post(f"/cases/{case.number}/act/notice/", {"accepted": ["M03"], "missing": ["M03"]})
    assert CaseEvent.objects.filter(case=case, action="notice").count() == 1
