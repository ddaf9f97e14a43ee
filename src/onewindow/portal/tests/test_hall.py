"""The online service hall: apply with uploads, my cases, supplements, downloads, access rules."""

import hashlib

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.tests.factories import at
from onewindow.portal.models import Upload
from onewindow.portal.tests.conftest import pdf_bytes, png_bytes, same_pixels
from onewindow.portal.tests.helpers import online_world, upload


def _apply(client, files, code="SCJG-XK-0001"):
    return client.post(f"/hall/apply/{code}/", {"phone": "13800000001", **files})


@pytest.mark.django_db
def test_online_application_with_uploads(client, _media):
    w = online_world()
    png, pdf = png_bytes(), pdf_bytes()
    client.force_login(w.citizen)
    r = client.get("/hall/?q=食品")
    assert r.status_code == 200 and "食品经营许可" in r.content.decode()
    r = client.get("/hall/apply/SCJG-XK-0001/")
    assert r.status_code == 200 and "110102199101010078" in r.content.decode()  # prefilled from the profile
    with at(2026, 3, 2, 9):
        r = _apply(client, {"m_M01": upload("申请书.pdf", pdf), "m_M03": upload("plan.png", png)})
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/hall/cases/{case.number}/"
    assert (case.state, case.channel, case.applicant_user_id, case.applicant_name, case.applicant_id) == (
        "submitted", "online", w.citizen.pk, "张三", "110102199101010078")
    assert case.number.startswith("34130020260302")
    status = dict(CaseMaterial.objects.filter(case=case).values_list("code", "status"))
    assert status == {"M01": "provided", "M02": "licence", "M03": "provided", "M04": "missing"}
    ups = {u.material_code: u for u in Upload.objects.filter(case=case)}
    assert set(ups) == {"M01", "M03"}
    # the image is stored re-encoded (issue 13): the same pixels, its own hash and size
    stored = (_media / ups["M03"].file.name).read_bytes()
    assert same_pixels(stored, png)
    assert ups["M03"].sha256 == hashlib.sha256(stored).hexdigest() and ups["M03"].size == len(stored)
    assert ups["M03"].content_type == "image/png" and ups["M01"].content_type == "application/pdf"
    assert ups["M01"].original_name == "申请书.pdf"
    assert (_media / ups["M01"].file.name).read_bytes() == pdf
    r = client.get(f"/hall/files/{ups['M01'].pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == pdf
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert case.number in page and "已提交" in page and "申请书.pdf" in page
    assert case.number in client.get("/hall/").content.decode()
    # the clerk in scope may download; the window queue sees it as submitted
    client.force_login(w.clerk)
    r = client.get(f"/hall/files/{ups['M03'].pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == stored


@pytest.mark.django_db
def test_png_name_with_other_content_refused(client):
    w = online_world()
    client.force_login(w.citizen)
    r = _apply(client, {"m_M01": upload("photo.png", b"MZ\x90\x00 this is not an image", "image/png")})
    assert r.status_code == 400 and "仅支持 PDF、JPG、PNG 文件" in r.content.decode()
    assert not Case.objects.exists() and not Upload.objects.exists()


@pytest.mark.django_db
def test_oversize_refused(client, settings):
    w = online_world()
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 1024
    client.force_login(w.citizen)
    big = b"%PDF-1.4\n" + b"0" * 2000
    r = _apply(client, {"m_M01": upload("big.pdf", big)})
    assert r.status_code == 400 and "文件过大" in r.content.decode()
    assert not Case.objects.exists()
    small = pdf_bytes()  # a real PDF (since issue 13 a PDF is parsed, not only recognised by its header)
    assert len(small) < 1024
    r = _apply(client, {"m_M01": upload("small.pdf", small)})
    assert r.status_code == 302 and Case.objects.count() == 1


@pytest.mark.django_db
def test_other_citizen_cannot_see_case_or_file(client):
    w = online_world()
    client.force_login(w.citizen)
    _apply(client, {"m_M01": upload("a.png", png_bytes())})
    case, up = Case.objects.get(), Upload.objects.get()
    client.logout()
    client.force_login(w.citizen2)
    assert client.get(f"/hall/cases/{case.number}/").status_code == 404
    assert client.get(f"/hall/files/{up.pk}/").status_code == 404
    assert case.number not in client.get("/hall/").content.decode()
    # staff out of scope: the police department reviewer
    client.force_login(w.police_reviewer)
    assert client.get(f"/hall/files/{up.pk}/").status_code == 404


@pytest.mark.django_db
def test_staff_forbidden_anonymous_to_login(client):
    w = online_world()
    r = client.get("/hall/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    client.force_login(w.clerk)
    assert client.get("/hall/").status_code == 403
    assert client.get("/hall/apply/SCJG-XK-0001/").status_code == 403


@pytest.mark.django_db
def test_window_only_item_not_offered_online(client):
    w = online_world()
    client.force_login(w.citizen)
    assert client.get("/hall/apply/GA-QR-0001/").status_code == 404
    assert "居民身份证换领" not in client.get("/hall/").content.decode()


@pytest.mark.django_db
def test_online_supplement_after_notice(client, _media):
    w = online_world()
    client.force_login(w.citizen)
    _apply(client, {"m_M01": upload("a.pdf", pdf_bytes())})
    case = Case.objects.get()
    case_services.perform(case.number, "notice", w.clerk, {"missing": ["M03"], "reasons": {"M03": "缺少平面图"}})
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert "缺少平面图" in page and "在线补正" in page and "notice.pdf" in page
    # refused file leaves the case untouched
    r = client.post(f"/hall/cases/{case.number}/supplement/", {"m_M03": upload("x.png", b"GIF89a....")})
    assert r.status_code == 400
    case.refresh_from_db()
    assert case.state == "pending_materials"
    png = png_bytes(3, 3)
    r = client.post(f"/hall/cases/{case.number}/supplement/", {"m_M03": upload("plan.png", png)})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "submitted"
    assert CaseMaterial.objects.get(case=case, code="M03").status == "provided"
    up = Upload.objects.get(case=case, material_code="M03")
    stored = (_media / up.file.name).read_bytes()
    assert same_pixels(stored, png) and up.sha256 == hashlib.sha256(stored).hexdigest()
    assert list(case.events.values_list("action", flat=True)) == ["file", "notice", "supplement"]


@pytest.mark.django_db
def test_withdraw_online(client):
    w = online_world()
    client.force_login(w.citizen)
    _apply(client, {"m_M01": upload("a.png", png_bytes())})
    case = Case.objects.get()
    r = client.post(f"/hall/cases/{case.number}/withdraw/", {"reason": "不再需要"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "withdrawn"
    r = client.post(f"/hall/cases/{case.number}/withdraw/", {})
    assert r.status_code == 409


@pytest.mark.django_db
def test_admin_lists_outbox_and_uploads(client):
    from onewindow.accounts.models import User

    w = online_world()
    client.force_login(w.citizen)
    _apply(client, {"m_M01": upload("a.png", png_bytes())})
    admin = User.objects.create_superuser("root", password="x-pass-123", role="admin")
    client.force_login(admin)
    r = client.get("/admin/portal/upload/")
    assert r.status_code == 200 and "a.png" in r.content.decode()
    assert client.get("/admin/portal/outbox/").status_code == 200
