"""The 代办回执: what the agent hands the resident after filing on their behalf — the case number,
query code and a QR code to the public tracking page, the materials taken in and the authorisation."""

from onewindow.cases.documents import qr_data_uri, render_pdf, tracking_url

from .services import AUTHORISATION_CODE


def receipt_pdf(case) -> bytes:
    url = tracking_url(case)
    return render_pdf("agency/pdf/receipt.html", {
        "case": case, "materials": list(case.materials.all()), "qr": qr_data_uri(url), "tracking_url": url,
        "authorisation_files": list(case.uploads.filter(material_code=AUTHORISATION_CODE)),
    })
