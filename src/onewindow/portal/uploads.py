"""The one place uploaded material files are checked (online hall, supplements, agency filing).

Each file, by its content:
- PDF, PNG or JPEG by its first bytes, within ONEWINDOW_UPLOAD_MAX_BYTES;
- a PDF is parsed with pypdf (a `%PDF` header over anything else is refused) and every stream is
  inflated with a bound (ONEWINDOW_UPLOAD_PDF_MAX_INFLATED_BYTES in all), so a decompression bomb
  is refused without being inflated; scripts, launch actions and embedded files are refused;
- an image is decoded with Pillow (at most ONEWINDOW_UPLOAD_IMAGE_MAX_PIXELS) and re-encoded, which
  drops its metadata (EXIF, comments) and anything appended to it;
- a polyglot (a file that also carries HTML, script or a ZIP archive) is refused.

Each batch, before anything is stored: at most ONEWINDOW_UPLOAD_MAX_FILES_PER_MATERIAL files per
material, at most ONEWINDOW_UPLOAD_MAX_CASE_BYTES for one application (with what it holds already),
at most ONEWINDOW_UPLOAD_DAILY_BYTES uploaded by one account per calendar day.

Every refusal is a ServiceError naming the file and the limit.
"""

import datetime
import io
import re
import zipfile
import zlib

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError

MB = 1024 * 1024

# (magic prefix, content type, extension)
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]

# What another parser (a browser, an archiver, an interpreter) would act on inside a PDF or image.
# Only tags long enough not to turn up by chance in compressed data (about 1 in 10^5 per 10 MB).
PAYLOAD = re.compile(rb"<(?:html|script|iframe)[\s>/]|<!doctype\s+html|<\?php|javascript:", re.IGNORECASE)
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/XFA", "/RichMediaContent"}
PDF_ACTIVE_VALUES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/ImportData", "/RichMedia"}
MAX_PDF_OBJECTS = 100_000  # a 10 MB scan has a few thousand; millions of tiny objects would cost minutes
IMAGE_STREAM_FILTERS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}


def _conf(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    return _conf("ONEWINDOW_UPLOAD_MAX_BYTES", 10 * MB)


def limits() -> dict:
    """The limits, as stated on the upload forms (MB and counts)."""
    return {"max_mb": max_upload_bytes() // MB or 1,
            "max_files": _conf("ONEWINDOW_UPLOAD_MAX_FILES_PER_MATERIAL", 5),
            "case_mb": _conf("ONEWINDOW_UPLOAD_MAX_CASE_BYTES", 50 * MB) // MB or 1,
            "daily_mb": _conf("ONEWINDOW_UPLOAD_DAILY_BYTES", 200 * MB) // MB or 1}


def _mb(n: int) -> str:
    return f"{n / MB:.0f}" if n >= MB else f"{n / MB:.2f}"


def _refuse(message: str, name: str, field: str, detail: str):
    raise ServiceError(message % {"name": name}, fields={field: detail})


# ---------------------------------------------------------------- one file


def inspect_file(f, field: str) -> tuple[bytes, str, str]:
    """Read an uploaded file and check it by content; (bytes to store, content type, extension).
    Images come back re-encoded. The answer is kept on the file object: the hall's form checks each
    file, then files them all (apply_online checks again), within one request."""
    done = getattr(f, "_onewindow_checked", None)
    if done is not None:
        return done
    done = _inspect(f, field)
    f._onewindow_checked = done
    return done


def _inspect(f, field: str) -> tuple[bytes, str, str]:
    name = getattr(f, "name", "") or "?"
    limit = max_upload_bytes()
    too_big = _("单个文件不超过 %(limit)s MB") % {"limit": _mb(limit)}
    size = getattr(f, "size", None)
    if size is not None and size > limit:
        _refuse(_("文件过大：%(name)s"), name, field, too_big)
    data = f.read(limit + 1)
    if len(data) > limit:
        _refuse(_("文件过大：%(name)s"), name, field, too_big)
    if not data:
        _refuse(_("文件为空：%(name)s"), name, field, _("文件为空"))
    for magic, ctype, ext in SIGNATURES:
        if data.startswith(magic):
            if ext == "pdf":
                _check_pdf(data, name, field)
                _refuse_polyglot(data, name, field)
                return data, ctype, ext
            clean = _reencode(data, ext, name, field)
            _refuse_polyglot(data, name, field)
            return clean, ctype, ext
    _refuse(_("文件类型不受支持：%(name)s"), name, field, _("仅支持 PDF、JPG、PNG 文件"))
    raise AssertionError  # unreachable: _refuse raises


def _refuse_polyglot(data: bytes, name: str, field: str) -> None:
    carries_zip = zipfile.is_zipfile(io.BytesIO(data))
    if carries_zip or PAYLOAD.search(data):
        _refuse(_("文件夹带了网页、脚本或压缩包等其他内容，已拒收：%(name)s"), name, field,
                _("请上传只含文档或图片内容的 PDF、JPG、PNG 文件"))


def _check_pdf(data: bytes, name: str, field: str) -> None:
    """Parse with pypdf; inflate every stream with a bound; refuse active content."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    not_pdf = _("文件不是有效的 PDF：%(name)s")
    bound = _conf("ONEWINDOW_UPLOAD_PDF_MAX_INFLATED_BYTES", 100 * MB)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse(_("PDF 设有打开密码，无法检查：%(name)s"), name, field, _("请上传未加密的 PDF"))
        if len(reader.pages) < 1:
            raise ValueError("no pages")
        total = 0
        ids = sorted({i for objects in reader.xref.values() for i in objects} | set(reader.xref_objStm))
        if len(ids) > MAX_PDF_OBJECTS:
            _refuse(_("PDF 结构过于复杂，无法检查：%(name)s"), name, field,
                    _("对象不超过 %(limit)s 个，请重新导出后上传") % {"limit": MAX_PDF_OBJECTS})
        for idnum in ids:
            obj = reader.get_object(idnum)
            if obj is None:
                continue
            if _active(obj):
                _refuse(_("PDF 含有脚本、附件或启动操作，已拒收：%(name)s"), name, field,
                        _("请上传不含脚本和附件的 PDF"))
            if isinstance(obj, StreamObject):
                total += _inflated_size(obj, bound - total)
                if total > bound:
                    _refuse(_("PDF 内容解压后过大：%(name)s"), name, field,
                            _("解压后不超过 %(limit)s MB") % {"limit": _mb(bound)})
    except ServiceError:
        raise
    except Exception:  # pypdf's many parse errors, recursion and decoding failures alike
        _refuse(not_pdf, name, field, _("文件内容不是 PDF 格式，请重新导出后上传"))


def _active(obj, depth: int = 0) -> bool:
    """Whether a PDF object, or a dictionary or array written directly inside it, is a script, a
    launch action or an embedded file (indirect references are visited on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 30:
        return True
    if isinstance(obj, DictionaryObject):
        if PDF_ACTIVE_KEYS & set(obj.keys()):
            return True
        if str(obj.get("/S", "")) in PDF_ACTIVE_VALUES or str(obj.get("/Type", "")) in PDF_ACTIVE_VALUES:
            return True
        values = [v for k, v in obj.items() if k != "/Parent"]
    elif isinstance(obj, ArrayObject):
        values = list(obj)
    else:
        return False
    return any(_active(v, depth + 1) for v in values if not isinstance(v, IndirectObject))


def _inflated_size(stream, room: int) -> int:
    """The decoded size of a PDF stream, stopping once it passes `room` (returns room + 1 then)."""
    raw = stream._data if hasattr(stream, "_data") else b""
    filters = stream.get("/Filter")
    chain = [str(x) for x in filters] if isinstance(filters, list) else ([str(filters)] if filters else [])
    if all(f in IMAGE_STREAM_FILTERS for f in chain):  # also no filter at all
        return len(raw)
    if chain[0] in ("/FlateDecode", "/Fl"):
        out = _bounded_inflate(raw, room)
        if out > room or all(f in IMAGE_STREAM_FILTERS for f in chain[1:]):
            return out
    decoded = stream.get_data()  # other filters: pypdf's own per-stream bounds apply
    return len(decoded)


def _bounded_inflate(raw: bytes, room: int) -> int:
    d = zlib.decompressobj()
    total, chunk = 0, 1 << 20
    data = raw
    while True:
        out = d.decompress(data, chunk)
        total += len(out)
        if total > room:
            return room + 1
        data = d.unconsumed_tail
        if not data:
            total += len(d.flush())
            return total


def _reencode(data: bytes, ext: str, name: str, field: str) -> bytes:
    """Decode with Pillow and encode again: only the pixels survive (no EXIF, comments, trailing data)."""
    from PIL import Image, ImageOps

    max_pixels = _conf("ONEWINDOW_UPLOAD_IMAGE_MAX_PIXELS", 50_000_000)
    expected = {"png": "PNG", "jpg": "JPEG"}[ext]
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format != expected:
                raise ValueError(opened.format)
            if opened.width * opened.height > max_pixels:
                _refuse(_("图片像素过多：%(name)s"), name, field,
                        _("不超过 %(limit)s 万像素") % {"limit": max_pixels // 10_000})
            opened.load()
            img = ImageOps.exif_transpose(opened)
            out = io.BytesIO()
            if ext == "jpg":
                if img.mode not in ("RGB", "L", "CMYK"):
                    img = img.convert("RGB")
                img.save(out, "JPEG", quality=90)
            else:
                img.save(out, "PNG", optimize=False)
            return out.getvalue()
    except ServiceError:
        raise
    except Exception:  # Pillow's decoding errors, truncated files, DecompressionBombError
        _refuse(_("图片无法识别或已损坏：%(name)s"), name, field, _("请重新拍摄或导出后上传"))
        raise AssertionError from None


# ---------------------------------------------------------------- a batch


def check_limits(user, checked, case=None) -> None:
    """Refuse the batch [(code, file, data, ctype, ext)] when it passes a per-material count, the
    application's total size (with what `case` holds already) or the uploader's daily volume (not
    checked without a user)."""
    from .models import Upload

    lim = limits()
    per_material: dict[str, int] = {}
    stored = Upload.objects.filter(case=case) if case is not None else Upload.objects.none()
    held = stored.aggregate(n=Sum("size"))["n"] or 0
    case_bytes = _conf("ONEWINDOW_UPLOAD_MAX_CASE_BYTES", 50 * MB)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = (Upload.objects.filter(uploaded_by=user, uploaded_at__gte=start, uploaded_at__lt=start + datetime.timedelta(days=1))
             .aggregate(n=Sum("size"))["n"] or 0) if user is not None else 0
    daily = _conf("ONEWINDOW_UPLOAD_DAILY_BYTES", 200 * MB) if user is not None else 1 << 62

    def refuse(message, name, field, detail):
        text = f"{message % {'name': name}}（{detail}）"
        raise ServiceError(text, fields={field: text})

    running = 0
    for code, f, data, _ctype, _ext in checked:
        name, field = getattr(f, "name", "") or code, f"m_{code}"
        per_material[code] = per_material.get(code, 0) + 1
        if per_material[code] > lim["max_files"]:
            refuse(_("同一项材料的文件过多：%(name)s"), name, field,
                    _("每项材料最多 %(limit)s 个文件") % {"limit": lim["max_files"]})
        running += len(data)
        if held + running > case_bytes:
            refuse(_("本件申请的文件合计过大：%(name)s"), name, field,
                    _("每件申请的文件合计不超过 %(limit)s MB") % {"limit": _mb(case_bytes)})
        if today + running > daily:
            refuse(_("今日上传量已达上限：%(name)s"), name, field,
                    _("每个账号每天上传不超过 %(limit)s MB，请明天再试") % {"limit": _mb(daily)})


def within_batch(checked) -> tuple[list, dict]:
    """Split checked files into those within the per-material count and the application's total
    (this batch alone) and {field: reason} for the rest, so that the hall's form does not keep
    (stage) files that could never be filed together."""
    good: list = []
    errors: dict[str, str] = {}
    for item in checked:
        try:
            check_limits(None, [*good, item])
        except ServiceError as exc:
            for field, text in exc.fields.items():
                errors.setdefault(field, text)  # the first file refused under each material
            continue
        good.append(item)
    return good, errors
