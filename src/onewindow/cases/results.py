"""What an approving decision issues, and how a bundle's parts receive what another part issued.

- An item whose result is the 营业执照 (licence type YYZZ) registers the enterprise named in the
  filing's data (五证合一、一照一码: one unified social credit code, one business licence held by the
  enterprise, never by the person who applied).
- Any other licence-issuing item issues its licence to the applicant.
- In a bundle (一件事) a material that another part issues was filed as `awaiting`; when that part
  concludes, the licence is filled into the waiting parts (status licence, its number), with an
  event on each and an audit entry, so that they can be decided.
- A 五证合一 bundle without a YYZZ part registers the enterprise when its last part concludes.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task
from django_tasks_db import DatabaseBackend

from onewindow.audit.services import record
from onewindow.catalog.models import Material

from .models import Case, CaseMaterial, MaterialStatus, Result, State
from .recording import announce, append_event

BUSINESS_LICENCE = "YYZZ"


def produced_licence_types(versions) -> set[str]:
    """Licence type codes the given item versions issue on approval."""
    return {v.licence_type.code for v in versions if v.licence_type_id}


def _register(case, actor, info: dict, case_number: str):
    from onewindow.licences import services as licences
    from onewindow.licences.models import EnterpriseType

    region = (case.bundle_filing.site if case.bundle_filing_id else case.site).region_id
    return licences.register_enterprise(
        name=info.get("enterprise_name") or "",
        enterprise_type=info.get("enterprise_type") or EnterpriseType.LLC,
        legal_representative=info.get("legal_representative", ""),
        registered_capital=str(info.get("registered_capital", "") or "0"),
        address=info.get("address", ""),
        division_code=region[:6],
        case_number=case_number,
        department=case.department,
        actor=actor,
    )


def issue_results(case, actor) -> dict:
    """The licence (or enterprise registration) of an approving decision; returns event data."""
    from onewindow.licences import services as licences

    out = {}
    version = case.item_version
    filing = case.bundle_filing
    lic = None
    if version.licence_type_id and version.licence_type.code == BUSINESS_LICENCE:
        reg = _register(case, actor, (filing.data if filing else case.data) or {},
                        filing.number if filing else case.number)
        lic = reg.licence
        out.update(licence=lic.number, uscc=reg.uscc)
        if filing is not None:
            filing.uscc = reg.uscc
            filing.save(update_fields=["uscc"])
    elif version.licence_type_id:
        lic = licences.issue_licence(
            licence_type=version.licence_type, holder_kind=case.applicant_kind, holder_name=case.applicant_name,
            holder_id=case.applicant_id, department=case.department, case_number=case.number, actor=actor,
        )
        out["licence"] = lic.number
    if filing is None:
        return out
    if lic is not None:
        deliver_to_siblings(case, lic, actor)
    if filing.bundle.issues_uscc and not filing.uscc and _all_others_approved(case):
        reg = _register(case, actor, filing.data or {}, filing.number)
        filing.uscc = reg.uscc
        filing.save(update_fields=["uscc"])
        out["uscc"] = reg.uscc
        deliver_to_siblings(case, reg.licence, actor)
    return out


def _all_others_approved(case) -> bool:
    siblings = Case.objects.filter(bundle_filing_id=case.bundle_filing_id).exclude(pk=case.pk)
    return not siblings.exclude(state__in=[State.CONCLUDED, State.DELIVERED], result=Result.APPROVE).exists()


def deliver_to_siblings(case, licence, actor) -> None:
    """Fill `licence` into the sibling parts that await its type, in this decision's transaction.

    Siblings are locked with SKIP LOCKED: a sibling that another request holds at this moment (two
    parts of one bundle decided at once would otherwise each wait for the other's row) is left to
    the queued task `receive_licence`, which commits with this decision and waits its turn."""
    skipped = _fill(case, licence, actor, skip_locked=True)
    if not skipped:
        return
    actor_id = getattr(actor, "pk", None)
    if isinstance(receive_licence.get_backend(), DatabaseBackend):
        receive_licence.enqueue(case.pk, licence.pk, actor_id)
    else:
        transaction.on_commit(lambda: receive_licence.enqueue(case.pk, licence.pk, actor_id))


@task()
def receive_licence(from_case_id: int, licence_id: int, actor_id: int | None = None) -> None:
    """The queued half of `deliver_to_siblings`, for the siblings that were locked then. Idempotent."""
    from onewindow.accounts.models import User
    from onewindow.licences.models import Licence

    licence = Licence.objects.select_related("licence_type").filter(pk=licence_id).first()
    source = Case.objects.select_related("site").filter(pk=from_case_id).first()
    if licence is None or source is None or not source.bundle_filing_id:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with transaction.atomic():
        _fill(source, licence, actor, skip_locked=False)


def _fill(source, licence, actor, *, skip_locked: bool) -> bool:
    """Set-based: one query for the waiting rows of the siblings locked, one UPDATE; an event and an
    audit entry on each part that received the licence. Returns whether a sibling was skipped."""
    family = Case.objects.filter(bundle_filing_id=source.bundle_filing_id).exclude(pk=source.pk)
    ids = set(family.values_list("pk", flat=True))
    siblings = {c.pk: c for c in family.select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk")}
    skipped = bool(ids - set(siblings))
    waiting = list(CaseMaterial.objects.filter(case_id__in=siblings, status=MaterialStatus.AWAITING)
                   .values_list("pk", "case_id", "code"))
    if not waiting:
        return skipped
    version_of = {pk: c.item_version_id for pk, c in siblings.items()}
    of_type = set(Material.objects.filter(version_id__in=set(version_of.values()),
                                          licence_type__code=licence.licence_type.code)
                  .values_list("version_id", "code"))
    hit = [(pk, case_id, code) for pk, case_id, code in waiting if (version_of[case_id], code) in of_type]
    if not hit:
        return skipped
    CaseMaterial.objects.filter(pk__in=[h[0] for h in hit]).update(
        status=MaterialStatus.LICENCE, licence_number=licence.number)
    with override("zh-hans"):  # records stay Chinese
        note = _("已收到同一件事签发的%(name)s %(number)s") % {"name": licence.licence_type.name,
                                                       "number": licence.number}
    for case_id in sorted({h[1] for h in hit}):
        sibling = siblings[case_id]
        codes = sorted(h[2] for h in hit if h[1] == case_id)
        append_event(sibling, "licence_received", actor, from_state=sibling.state, to_state=sibling.state,
                     note=note, data={"licence": licence.number, "materials": codes, "from_case": source.number})
        record(actor=actor, action="case.licence_received", obj_type="case", obj_id=sibling.number,
               after={"licence": licence.number, "materials": codes}, site_code=source.site.code)
        announce(sibling, "licence_received", actor)
    return skipped
