"""Printable documents: the acceptance slip (受理通知书) and the one-time / rejection notices.

HTML templates rendered to PDF by WeasyPrint with the Noto CJK fonts (installed by
scripts/system-deps.sh). The slip's QR code (qrcode, SVG) points to the public tracking page.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core import links
from onewindow.core.errors import Conflict
from onewindow.licences.selectors import licences_of_case

from .models import NoticeKind


def public_url() -> str:
    """Where the platform is (core.links: ONEWINDOW_PUBLIC_URL, else the request or task)."""
    return links.public_url()


def tracking_url(case) -> str:
    return links.tracking_url(case.number, case.query_code)


def qr_data_uri(text: str) -> str:
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "printed_at": timezone.localtime()})
    return HTML(string=html).write_pdf()


def slip_pdf(case) -> bytes:
    if case.accepted_on is None:
        raise Conflict(_("办件尚未受理，没有受理通知书"), code="no_slip", fields={"state": case.state})
    url = tracking_url(case)
    return render_pdf("cases/pdf/slip.html", {
        "case": case,
        "materials": case.materials.all(),
        "qr": qr_data_uri(url),
        "tracking_url": url,
    })


def notice_pdf(case) -> bytes:
    notice = case.notices.order_by("-issued_at", "-id").first()
    if notice is None:
        raise Conflict(_("该办件没有告知书"), code="no_notice", fields={"state": case.state})
    template = "cases/pdf/rejection.html" if notice.kind == NoticeKind.REJECTION else "cases/pdf/notice.html"
    return render_pdf(template, {"case": case, "notice": notice, "tracking_url": tracking_url(case)})


def result_pdf(case) -> bytes:
    """The decision (准予 / 不予 决定书) of a concluded case, with the e-licence it issued."""
    if not case.result:
        raise Conflict(_("办件尚未作出决定"), code="no_result", fields={"state": case.state})
    return render_pdf("cases/pdf/result.html", {
        "case": case,
        "licences": list(licences_of_case(case.number).select_related("licence_type")),
        "tracking_url": tracking_url(case),
    })


INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def inline_file(upload):
    """The uploaded file byte for byte, to be shown in the browser: inline for the types checked at
    upload (PDF, PNG, JPEG), as a download otherwise; never sniffed into something else."""
    from django.http import FileResponse

    ctype = upload.content_type if upload.content_type in INLINE_TYPES else "application/octet-stream"
    resp = FileResponse(upload.file.open("rb"), as_attachment=ctype not in INLINE_TYPES,
                        filename=upload.original_name, content_type=ctype)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


def bundle_slip_pdf(filing) -> bytes:
    """One slip for a 一件事: the bundle's own number, query code and QR, and every part's department
    and due date (the parts are handled in parallel)."""
    parts = list(filing.cases.select_related("item_version", "department", "clerk", "window").order_by("pk"))
    accepted = [c for c in parts if c.accepted_on]
    if not accepted:
        raise Conflict(_("一件事尚未受理，没有受理通知书"), code="no_slip")
    url = tracking_url(filing)
    return render_pdf("cases/pdf/bundle_slip.html", {
        "filing": filing, "parts": parts, "accepted_on": min(c.accepted_on for c in accepted),
        "due_date": max((c.due_date for c in accepted if c.due_date), default=None),
        "clerk": accepted[0].clerk, "window": accepted[0].window,
        "qr": qr_data_uri(url), "tracking_url": url,
    })
