"""The 承诺书 PDF of a 容缺 or 告知承诺 case, printed for the applicant's signature (WeasyPrint, as the slip).

The signed paper is scanned and uploaded (intake.services.attach_scan); a drawn pad signature is not
offered: the paper, signed and scanned, is the record."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from onewindow.cases.documents import render_pdf
from onewindow.core.errors import Conflict


def _one(case, relation):
    try:
        return getattr(case, relation)
    except ObjectDoesNotExist:
        return None


def commitment_pdf(case) -> bytes:
    deferral, commitment = _one(case, "deferral"), _one(case, "commitment")
    if deferral is None and commitment is None:
        raise Conflict(_("该办件没有承诺书（未容缺受理，也未适用告知承诺）"), code="no_commitment", fields={"state": case.state})
    materials = {m.code: m for m in case.materials.all()}
    return render_pdf("intake/pdf/commitment.html", {
        "case": case,
        "deferral": deferral,
        "commitment": commitment,
        "deferred": [materials[c] for c in (deferral.materials if deferral else []) if c in materials],
        "replaced": [materials[c] for c in (commitment.materials if commitment else []) if c in materials],
    })
