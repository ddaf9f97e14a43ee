"""Online applications checked as at the window (issue 10, item 8)."""

import hashlib
import re

import pytest

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at
from onewindow.portal.models import Upload
from onewindow.portal.tests.conftest import pdf_bytes, png_bytes, same_pixels
from onewindow.portal.tests.helpers import online_world, upload

URL = "/hall/apply/SCJG-XK-0001/"


def _world():
    w = online_world()
    # as in the demo catalogue: 经营场所平面图 is required
    w.item.materials.filter(code="M03").update(required=True)
    return w


@pytest.mark.django_db
def test_application_without_its_required_materials_is_refused(client):
    w = _world()
    client.force_login(w.citizen)
    r = client.post(URL, {"phone": "13800000001"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "食品经营许可申请书" in html and "经营场所平面图" in html and "请上传" in html
    assert not Case.objects.exists() and not Upload.objects.exists()


@pytest.mark.django_db
def test_material_covered_by_an_e_licence_is_exempt_and_not_asked(client):
    w = _world()
    client.force_login(w.citizen)
    html = client.get(URL).content.decode()
    block = html[html.index('id="field-M02"'):html.index('id="field-M03"')]
    assert "免提交" in block and "SFZ-" in block and 'type="file"' not in block
    # limits stated beside each upload field
    m01 = html[html.index('id="field-M01"'):html.index('id="field-M02"')]
    assert 'class="limit"' in m01 and "PDF" in m01 and "10 MB" in m01
    with at(2026, 3, 2, 9):
        r = client.post(URL, {"phone": "13800000001", "m_M01": upload("a.pdf", pdf_bytes()),
                              "m_M03": upload("b.png", png_bytes())})
    assert r.status_code == 302
    assert Case.objects.get().materials.get(code="M02").status == "licence"


@pytest.mark.django_db
def test_a_refused_file_returns_the_form_with_the_others_kept(client):
    w = _world()
    client.force_login(w.citizen)
    pdf, png = pdf_bytes(), png_bytes(3, 3)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("申请书.pdf", pdf),
                          "m_M03": upload("plan.gif", b"GIF89a not allowed"), "m_M04": upload("其他.png", png)})
    html = r.content.decode()
    assert r.status_code == 400 and not Case.objects.exists()
    tokens = re.findall(r'name="kept" value="([0-9a-f]+)"', html)
    assert len(tokens) == 2  # 申请书.pdf and 其他.png, not silently dropped
    assert "已保留：申请书.pdf" in html and "已保留：其他.png" in html
    m03 = html[html.index('id="field-M03"'):html.index('id="field-M04"')]
    assert "plan.gif" in m03 and "仅支持 PDF、JPG、PNG 文件" in m03
    # another session cannot use these tokens
    other = client.__class__()
    other.force_login(w.citizen2)
    other.post(URL, {"phone": "13800000002", "kept": tokens, "m_M03": upload("x.png", png)})
    assert not Case.objects.exists()
    with at(2026, 3, 2, 9):
        r = client.post(URL, {"phone": "13800000001", "kept": tokens, "m_M03": upload("plan.png", png)})
    assert r.status_code == 302
    case = Case.objects.get()
    ups = {u.material_code: u for u in Upload.objects.filter(case=case)}
    assert {c: u.original_name for c, u in ups.items()} == {"M01": "申请书.pdf", "M03": "plan.png", "M04": "其他.png"}
    assert ups["M01"].sha256 == hashlib.sha256(pdf).hexdigest()
    for c in ("M03", "M04"):  # images are stored re-encoded: the same pixels
        stored = ups[c].file.read()
        assert same_pixels(stored, png) and ups[c].sha256 == hashlib.sha256(stored).hexdigest()
