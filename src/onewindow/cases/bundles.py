"""The one application of a 一件事: accepted once at the window for all its parts, one slip with the
bundle's own number, query code and QR; each department then handles its part in parallel."""

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.core.errors import Conflict, ServiceError

from .actions import perform
from .models import Case, MaterialStatus, State
from .rules import check
from .selectors import get_bundle_for


@transaction.atomic
def accept_bundle(number: str, actor):
    """Accept every part still waiting (submitted) in one transaction; all or none. Returns the filing."""
    filing = get_bundle_for(actor, number)
    parts = list(Case.objects.filter(bundle_filing=filing, state=State.SUBMITTED)
                 .select_related("item_version", "site").prefetch_related("materials").order_by("pk"))
    if not parts:
        raise Conflict(_("该一件事没有待受理的事项"), code="invalid_transition")
    lacking = {}
    for case in parts:
        try:
            check(case, "accept", actor)
        except ServiceError as exc:
            raise type(exc)(f"{case.item_version.name}：{exc.message}", fields=exc.fields, code=exc.code) from None
        names = [m.name for m in case.materials.all() if m.required
                 and m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)]
        if names:
            lacking[case.number] = f"{case.item_version.name}：{_('、').join(names)}"
    if lacking:
        raise Conflict(_("材料不齐全，请在各事项页面出具一次性告知书：%(parts)s") % {"parts": "；".join(lacking.values())},
                       code="materials_incomplete", fields={"cases": lacking})
    for case in parts:
        perform(case.number, "accept", actor)
    record(actor=actor, action="bundle.accept", obj_type="bundle_filing", obj_id=filing.number,
           after={"cases": [c.number for c in parts]}, site_code=filing.site.code)
    return filing
