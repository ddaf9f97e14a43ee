"""What pages and the JSON show of the intake modes (cases.intake_modes holds the rules and writes):
the case's intake keys, the staff and applicant panels, the desk's 核查 / 容缺 tasks, the filing
forms' choices and the public postal status."""

from django.utils import timezone

from onewindow.accounts.models import Role
from onewindow.intake.models import Postal, VerificationState

from .intake_modes import LACKING, has_record, listed_until, outstanding, received_elsewhere


def case_extras(case) -> dict:
    """The intake-mode keys of a case's JSON (CONTRACT.md, Intake modes and delivery)."""
    deferral = case.deferral if has_record(case, "deferral") else None
    commitment = case.commitment if has_record(case, "commitment") else None
    postal = case.postal if has_record(case, "postal") else None
    remote = received_elsewhere(case)
    out = {
        "deferred": outstanding(case) if deferral else [],
        "makeup_due": deferral.makeup_due.isoformat() if deferral else None,
        "deferral": None if deferral is None else {
            "materials": deferral.materials, "commitment": deferral.commitment,
            "makeup_due": deferral.makeup_due.isoformat(),
            "cleared_on": deferral.cleared_on.isoformat() if deferral.cleared_on else None,
            "scan": bool(deferral.scan),
        },
        "commitment": commitment is not None,
        "commitment_materials": commitment.materials if commitment else [],
        "material_names": {m.code: m.name for m in case.materials.all()},
        "verification": None,
        "delivery": None,
        "receiving_site": {"code": case.site.code, "name": case.site.name, "region": case.site.region_id},
        "handling_department": {"code": case.department.code, "name": case.department.name,
                                "region": case.department.region_id},
        "received_elsewhere": remote,
    }
    if commitment is not None and commitment.verification_due:
        out["verification"] = {"due": commitment.verification_due.isoformat(), "state": commitment.verification_state}
    if postal is not None:
        out["delivery"] = {
            "method": "post", "address": postal.address, "courier": postal.courier, "waybill": postal.waybill,
            "status": postal.state,
            "sent_at": timezone.localtime(postal.sent_at).isoformat() if postal.sent_at else None,
            "received_at": timezone.localtime(postal.received_at).isoformat() if postal.received_at else None,
        }
    return out


def page_context(case) -> dict:
    """What the staff case page shows of the intake modes, and the materials the clerk may defer."""
    extras = case_extras(case)
    deferrable = []
    if case.state == "submitted":
        codes = set(case.item_version.materials.filter(deferrable=True).values_list("code", flat=True))
        deferrable = [m for m in case.materials.all() if m.code in codes and m.status in LACKING]
    label = VerificationState(extras["verification"]["state"]).label if extras["verification"] else ""
    names = extras["material_names"]
    extras["deferred_named"] = [(c, names.get(c, c)) for c in extras["deferred"]]
    extras["commitment_named"] = [names.get(c, c) for c in extras["commitment_materials"]]
    return {**extras, "deferrable": deferrable, "listed_until": listed_until(case.applicant_id), "verification_label": label}


def public_delivery(case) -> dict | None:
    """What /track/ shows of a postal delivery: courier, waybill, status and times (no address)."""
    postal = Postal.objects.filter(case=case).first()
    if postal is None:
        return None
    return {"courier": postal.courier, "waybill": postal.waybill, "status": postal.state,
            "status_label": str(postal.get_state_display()),
            "sent_at": timezone.localtime(postal.sent_at).isoformat() if postal.sent_at else None,
            "received_at": timezone.localtime(postal.received_at).isoformat() if postal.received_at else None}


def filing_choices(post) -> dict:
    """The intake choices of a filing form (window workbench, online hall): commitment and delivery."""
    method = (post.get("delivery_method") or "").strip()
    delivery = None
    if method:
        delivery = {"method": method, "address": (post.get("delivery_address") or "").strip()}
    return {"commitment": bool(post.get("commitment")), "delivery": delivery}


DESK_TASKS = 20  # the 核查 and 容缺 tasks shown above the desk's to-do list, earliest deadline first


def desk_tasks(user) -> dict:
    """A department's open intake-mode tasks (one query): verifications awaiting 核查 and deferrals
    awaiting make-up, earliest deadline first."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    from .models import CLOCK_STATES, Case
    from .selectors import cases_visible_to

    if getattr(user, "role", None) not in (Role.REVIEWER, Role.APPROVER):
        return {"verifications": [], "makeups": []}
    pending = Q(commitment__verification_state=VerificationState.PENDING)
    open_deferral = Q(state__in=CLOCK_STATES, deferral__cleared_on__isnull=True, deferral__isnull=False)
    rows = list(
        cases_visible_to(user, Case.objects.filter(department_id=user.department_id))
        .filter(pending | open_deferral).select_related("item_version", "commitment", "deferral")
        .order_by(Coalesce("commitment__verification_due", "deferral__makeup_due"), "id")[: DESK_TASKS * 2]
    )
    verifications = sorted((c for c in rows if has_record(c, "commitment") and c.commitment.verification_state == VerificationState.PENDING),
                           key=lambda c: c.commitment.verification_due)
    makeups = sorted((c for c in rows if c.state in CLOCK_STATES and has_record(c, "deferral") and not c.deferral.cleared_on),
                     key=lambda c: c.deferral.makeup_due)
    return {"verifications": verifications[:DESK_TASKS], "makeups": makeups[:DESK_TASKS]}
