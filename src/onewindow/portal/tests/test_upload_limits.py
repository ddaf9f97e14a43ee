"""Uploads with limits (issue 13, item 6): per material a file count, per application a total size,
per account a daily volume; PDFs parsed with a decompression bound; images re-encoded; polyglots
refused. Through the hall (apply and supplement) and the agency's form: one check for all."""

import io
import re
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, make_world
from onewindow.portal.models import Upload
from onewindow.portal.tests.conftest import pdf_bytes, png_bytes
from onewindow.portal.tests.helpers import online_world, upload

URL = "/hall/apply/SCJG-XK-0001/"
MB = 1024 * 1024


def raw_pdf(stream: bytes, *, flate: bool, extra: bytes = b"") -> bytes:
    """A one-page PDF written by hand whose page content is `stream` (already deflated when `flate`)."""
    filt = b" /Filter /FlateDecode" if flate else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Length %d%s >>\nstream\n" % (len(stream), filt) + stream + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n" + extra)
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def deflated_zeros(n: int) -> bytes:
    """n zero bytes deflated, built a megabyte at a time (200 MB deflate to about 200 kB)."""
    c, chunk, parts = zlib.compressobj(9), bytes(MB), []
    for _ in range(n // MB):
        parts.append(c.compress(chunk))
    return b"".join(parts) + c.flush()


def big_pdf(size: int) -> bytes:
    """A valid PDF of about `size` bytes (an uncompressed content stream of spaces)."""
    return raw_pdf(b" " * (size - 600), flate=False)


def _page(r) -> str:
    return r.content.decode()


def _nothing_saved(media):
    assert not Case.objects.exists() and not Upload.objects.exists()
    assert not [p for p in (media / "uploads").rglob("*") if p.is_file()] if (media / "uploads").exists() else True


@pytest.mark.django_db
def test_ten_9_mb_files_under_one_material_are_refused(client, _media):
    w = online_world()
    client.force_login(w.citizen)
    nine = big_pdf(9 * MB)
    files = [upload(f"扫描{i}.pdf", nine) for i in range(10)]
    r = client.post(URL, {"phone": "13800000001", "m_M01": files})
    assert r.status_code == 400
    assert "同一项材料的文件过多：扫描5.pdf" in _page(r) and "每项材料最多 5 个文件" in _page(r)
    _nothing_saved(_media)
    # the form keeps (stages) only the five that could be filed together, not all ten
    assert len(re.findall(r'name="kept" value="([0-9a-f]+)"', _page(r))) == 5
    assert len(list((_media / "staging").iterdir())) == 5
    # five of them (45 MB) are within the count and the application's 50 MB
    with at(2026, 3, 2, 9):
        r = client.post(URL, {"phone": "13800000001", "m_M01": [upload(f"扫描{i}.pdf", nine) for i in range(5)]})
    assert r.status_code == 302 and Upload.objects.count() == 5


@pytest.mark.django_db
def test_application_total_counts_what_the_case_holds_already(client, _media, settings):
    settings.ONEWINDOW_UPLOAD_MAX_CASE_BYTES = 3 * MB
    w = online_world()
    client.force_login(w.citizen)
    two = big_pdf(2 * MB)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("a.pdf", two), "m_M03": upload("b.pdf", two)})
    assert r.status_code == 400 and "本件申请的文件合计过大" in _page(r) and "不超过 3 MB" in _page(r)
    _nothing_saved(_media)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("a.pdf", two)})
    case = Case.objects.get()
    case_services.perform(case.number, "notice", w.clerk, {"missing": ["M03"], "reasons": {"M03": "缺少平面图"}})
    r = client.post(f"/hall/cases/{case.number}/supplement/", {"m_M03": upload("平面图.pdf", two)})
    assert r.status_code == 400 and "本件申请的文件合计过大：平面图.pdf" in _page(r)
    case.refresh_from_db()
    assert case.state == "pending_materials" and Upload.objects.count() == 1  # the supplement rolled back too
    r = client.post(f"/hall/cases/{case.number}/supplement/", {"m_M03": upload("平面图.pdf", pdf_bytes())})
    assert r.status_code == 302 and Upload.objects.count() == 2


@pytest.mark.django_db
def test_daily_volume_per_account(client, _media, settings):
    settings.ONEWINDOW_UPLOAD_DAILY_BYTES = 5 * MB
    w = online_world()
    client.force_login(w.citizen)
    two = big_pdf(2 * MB)
    with at(2026, 3, 2, 9):
        assert client.post(URL, {"phone": "13800000001", "m_M01": upload("1.pdf", two)}).status_code == 302
        assert client.post(URL, {"phone": "13800000001", "m_M01": upload("2.pdf", two)}).status_code == 302
        r = client.post(URL, {"phone": "13800000001", "m_M01": upload("3.pdf", two)})
    assert r.status_code == 400
    assert "今日上传量已达上限：3.pdf" in _page(r) and "每天上传不超过 5 MB" in _page(r)
    assert Case.objects.count() == 2 and Upload.objects.count() == 2
    # another applicant is not affected; the next day this one may upload again
    client.force_login(w.citizen2)
    with at(2026, 3, 2, 10):
        assert client.post(URL, {"phone": "13800000002", "m_M01": upload("x.pdf", two)}).status_code == 302
    client.force_login(w.citizen)
    with at(2026, 3, 3, 9):
        assert client.post(URL, {"phone": "13800000001", "m_M01": upload("3.pdf", two)}).status_code == 302
    assert Case.objects.count() == 4


@pytest.mark.django_db
def test_pdf_header_over_html_is_refused(client, _media):
    w = online_world()
    client.force_login(w.citizen)
    fake = b"%PDF-1.7\n<html><body><form action='https://evil.example/'>" + b"x" * 2000 + b"</form></body></html>"
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("申请书.pdf", fake, "application/pdf")})
    assert r.status_code == 400 and "文件不是有效的 PDF：申请书.pdf" in _page(r)
    _nothing_saved(_media)


@pytest.mark.django_db
def test_pdf_with_a_200_mb_compressed_stream_is_refused(client, _media):
    bomb = raw_pdf(deflated_zeros(200 * MB), flate=True)
    assert len(bomb) < MB  # small as uploaded
    w = online_world()
    client.force_login(w.citizen)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("炸弹.pdf", bomb)})
    assert r.status_code == 400
    assert "PDF 内容解压后过大：炸弹.pdf" in _page(r) and "解压后不超过 100 MB" in _page(r)
    _nothing_saved(_media)
    # the same structure with 1 MB inside is a PDF like any other
    with at(2026, 3, 2, 9):
        r = client.post(URL, {"phone": "13800000001", "m_M01": upload("正常.pdf", raw_pdf(deflated_zeros(MB), flate=True))})
    assert r.status_code == 302


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.html", "<script>alert(1)</script>")
    return buf.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name, data", [
    ("图.png", png_bytes(4, 4) + _zip()),                                         # a PNG that is also a ZIP
    ("图.png", png_bytes(4, 4) + b"<script>alert(document.cookie)</script>"),    # a PNG carrying a script
    ("表.pdf", raw_pdf(b"BT ET", flate=False, extra=b"%<html><script>alert(1)</script>\n")),  # PDF + HTML
    ("表.pdf", raw_pdf(b"BT ET", flate=False) + _zip()),                          # a PDF that is also a ZIP
])
def test_polyglot_is_refused(client, _media, name, data):
    Image.open(io.BytesIO(data)).load() if name.endswith(".png") else None  # a valid image all the same
    w = online_world()
    client.force_login(w.citizen)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload(name, data)})
    assert r.status_code == 400 and f"已拒收：{name}" in _page(r)
    _nothing_saved(_media)


@pytest.mark.django_db
def test_pdf_with_too_many_objects_is_refused(client, _media, monkeypatch):
    from onewindow.portal import uploads

    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 3)  # the hand-written PDF has 4
    w = online_world()
    client.force_login(w.citizen)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("多.pdf", raw_pdf(b"BT ET", flate=False))})
    assert r.status_code == 400 and "PDF 结构过于复杂，无法检查：多.pdf" in _page(r) and "对象不超过 3 个" in _page(r)
    _nothing_saved(_media)


@pytest.mark.django_db
def test_pdf_with_a_script_is_refused(client, _media):
    js = raw_pdf(b"BT ET", flate=False).replace(
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")
    # the offsets of the hand-written xref moved: pypdf repairs it, as readers do
    w = online_world()
    client.force_login(w.citizen)
    r = client.post(URL, {"phone": "13800000001", "m_M01": upload("js.pdf", js)})
    assert r.status_code == 400 and "PDF 含有脚本、附件或启动操作，已拒收：js.pdf" in _page(r)


@pytest.mark.django_db
def test_image_is_re_encoded_without_its_metadata(client, _media):
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
    Image.new("RGB", (32, 16), (200, 30, 30)).save(buf, "JPEG", exif=exif, quality=95)
    jpg = buf.getvalue()
    assert b"SecretCamera" in jpg
    w = online_world()
    client.force_login(w.citizen)
    with at(2026, 3, 2, 9):
        r = client.post(URL, {"phone": "13800000001", "m_M01": upload("照片.jpg", jpg)})
    assert r.status_code == 302
    stored = (_media / Upload.objects.get().file.name).read_bytes()
    assert b"SecretCamera" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and img.size == (32, 16) and not img.getexif()
        r_, g_, b_ = img.convert("RGB").getpixel((16, 8))
        assert abs(r_ - 200) < 12 and g_ < 45 and b_ < 45


@pytest.mark.django_db
def test_limits_stated_on_the_forms_in_chinese_and_english(client):
    w = online_world()
    client.force_login(w.citizen)
    page = _page(client.get(URL))
    assert "每项材料最多 5 个文件" in page and "每件申请的文件合计不超过 50 MB" in page and "每天上传不超过 200 MB" in page
    page = _page(client.get(URL, headers={"accept-language": "en"}))
    assert "at most 5 files per material" in page and "50 MB" in page and "200 MB per day" in page
    client.force_login(w.agent)
    page = _page(client.get("/agency/file/?item=SCJG-XK-0001"))
    assert "每项材料最多 5 个文件" in page


@pytest.mark.django_db
def test_agency_authorisation_goes_through_the_same_checks(client, _media):
    w = make_world()
    client.force_login(w.agent)
    form = {"item": "SCJG-XK-0001", "kind": "person", "name": "张三", "id_number": "110102199101010078",
            "phone": "13800000001", "materials": ["M01", "M03"], "authorisation": "委托人张三于2026年9月1日委托代办",
            "authorisation_file": SimpleUploadedFile("委托书.pdf", b"%PDF-1.4\n<html>not a pdf</html>")}
    r = client.post("/agency/file/", form)
    assert r.status_code == 400 and "文件不是有效的 PDF：委托书.pdf" in _page(r)
    _nothing_saved(_media)


@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_cannot_both_pass_the_daily_volume(settings, _media):
    """Four applications of 2 MB at once under a 5 MB daily volume: two are filed, two refused
    (one account's batches take turns: an advisory lock on PostgreSQL, SQLite's one writer)."""
    import threading

    from django.db import close_old_connections, connection

    from onewindow.portal import services

    settings.ONEWINDOW_UPLOAD_DAILY_BYTES = 5 * MB
    w = online_world()
    two = big_pdf(2 * MB)
    barrier, outcomes = threading.Barrier(4), []

    def apply_once(i):
        try:
            barrier.wait()
            services.apply_online(user=w.citizen, item="SCJG-XK-0001", files={"M01": [upload(f"{i}.pdf", two)]},
                                  phone="13800000001")
            outcomes.append("filed")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(getattr(exc, "message", repr(exc)))
        finally:
            connection.close()

    with at(2026, 3, 2, 9):
        threads = [threading.Thread(target=apply_once, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    close_old_connections()
    assert outcomes.count("filed") == 2, outcomes
    assert all(o.startswith("今日上传量已达上限") for o in outcomes if o != "filed"), outcomes
    assert Case.objects.count() == 2 and Upload.objects.count() == 2
    assert sum(Upload.objects.values_list("size", flat=True)) == 2 * len(two)
