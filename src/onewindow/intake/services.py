"""Writes of the intake modes outside the state machine: the signed 承诺书 scan. (The mode's own
steps — defer at accept, make-up, terminate, verify, postal receipt — are case actions, in
cases.intake_modes.)"""

import contextlib
import hashlib

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.cases.recording import append_event
from onewindow.cases.selectors import get_case_for
from onewindow.core.errors import Conflict, Forbidden, ServiceError


def attach_scan(number: str, actor, upload) -> dict:
    """Store the signed, scanned 承诺书 (PDF, JPEG or PNG) on the case's deferral or commitment, checked
    like every upload (portal.uploads: size, PDF structure and decompression bound, images re-encoded,
    polyglots refused)."""
    from onewindow.portal.uploads import inspect_file

    if actor.role not in (Role.CLERK, Role.AGENT):
        raise Forbidden(_("只有窗口或代办人员可以上传签字承诺书"))
    if upload is None:
        raise ServiceError(_("请选择签字承诺书扫描件"), fields={"file": _("必填")})
    content, kind, ext = inspect_file(upload, "file")
    with transaction.atomic():
        case = get_case_for(actor, number, for_update=True)
        targets = []
        for relation in ("deferral", "commitment"):
            with contextlib.suppress(ObjectDoesNotExist):
                targets.append(getattr(case, relation))
        if not targets:
            raise Conflict(_("该办件没有承诺书"), code="no_commitment", fields={"file": _("该办件无需签字承诺书")})
        digest = hashlib.sha256(content).hexdigest()
        for t in targets:
            t.scan.save(f"signed-{digest[:12]}.{ext}", ContentFile(content), save=True)
        data = {"sha256": digest, "size": len(content), "content_type": kind}
        append_event(case, "commitment_scan", actor, from_state=case.state, to_state=case.state, data=data)
        record(actor=actor, action="case.commitment_scan", obj_type="case", obj_id=case.number, after=data,
               site_code=case.site.code)
    return data
