"""The printable e-licence: the 营业执照 of an enterprise registration (名称, 统一社会信用代码, 法定代表人 …)
and any other licence with its holder and validity. WeasyPrint, the same fonts as the slips."""

from onewindow.cases.documents import qr_data_uri, render_pdf

from .models import EnterpriseRegistration


def licence_pdf(licence) -> bytes:
    registration = EnterpriseRegistration.objects.filter(licence=licence).first()
    if registration is not None:
        text = f"{registration.uscc} {registration.name}"
        return render_pdf("licences/pdf/business_licence.html", {
            "licence": licence, "reg": registration, "qr": qr_data_uri(text)})
    return render_pdf("licences/pdf/licence.html", {"licence": licence, "qr": qr_data_uri(licence.number)})
