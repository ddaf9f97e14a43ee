"""Plain-dict views of cases for the API and templates."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.workdays.selectors import workdays_between

from .models import Case
from .selectors import cases_visible_to
from .transitions import TRANSITIONS

EVENT_LABELS = {"file": _("提交申请"), "notice_refused": _("告知被拒（一次性告知规则）"),
                "licence_received": _("收到同一件事签发的证照"), "due_moved": _("工作日历调整，办结期限随之调整")}


def event_label(action: str) -> str:
    """The display label of a case event: the transition's label, or one of the non-transition events."""
    t = TRANSITIONS.get(action)
    return gettext(t.label) if t else str(EVENT_LABELS.get(action, action))


def _iso(v):
    return v.isoformat() if v else None


def _events(case: Case):
    """The case's events in order: those prefetched (selectors.case_for_action, in seq order), else a query."""
    if "events" in getattr(case, "_prefetched_objects_cache", {}):
        return case.events.all()
    return case.events.order_by("seq")


def case_dict(case: Case, *, with_events: bool = False) -> dict:
    out = {
        "number": case.number,
        "query_code": case.query_code,
        "item": case.item.code,
        "item_name": case.item_version.name,
        "item_version": case.item_version.version,
        "department": case.department.name,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "channel": case.channel,
        "applicant": {
            "kind": case.applicant_kind,
            "name": case.applicant_name,
            "id": case.applicant_id,
            "phone": case.applicant_phone,
        },
        "site": case.site.name,
        "submitted_at": _iso(case.submitted_at),
        "accepted_on": _iso(case.accepted_on),
        "committed_days": case.committed_days,
        "due_date": _iso(case.due_date),
        "due_provisional": case.due_provisional,
        "suspended_workdays": case.suspended_workdays,
        "extended_days": case.extended_days,
        "concluded_on": _iso(case.concluded_on),
        "actual_workdays": case.actual_workdays,
        "result": case.result or None,
        "result_reason": case.result_reason,
        "delivery_method": case.delivery_method or None,
        "green_channel": case.green_channel,
        "bundle": case.bundle_filing.number if case.bundle_filing_id else None,
        "materials": [
            {"code": m.code, "name": m.name, "required": m.required, "status": m.status,
             "licence_number": m.licence_number or None, "note": m.note}
            for m in case.materials.all()
        ],
    }
    from .intake_presenters import case_extras

    out.update(case_extras(case))
    if with_events:
        out["events"] = [
            {"seq": e.seq, "at": _iso(e.at), "action": e.action, "from": e.from_state, "to": e.to_state,
             "actor": e.actor_name, "role": e.actor_role, "note": e.note, "data": e.data}
            for e in _events(case)
        ]
    return out


def bundle_dict(filing, user) -> dict:
    children = list(
        cases_visible_to(user, Case.objects.filter(bundle_filing=filing))
        .select_related("item_version", "department").order_by("id")
    )
    parts, slowest = [], None
    for c in children:
        days = None
        if c.accepted_on:
            end = c.concluded_on or timezone.localdate()
            days = max(0, workdays_between(c.accepted_on, end) - c.suspended_workdays)
        part = {"number": c.number, "item": c.item.code, "item_name": c.item_version.name,
                "department": c.department.name, "state": c.state, "state_label": str(c.get_state_display()),
                "due_date": _iso(c.due_date), "workdays_used": days}
        parts.append(part)
        key = (c.due_date is None, c.due_date, days or 0)
        if c.state not in ("concluded", "delivered") and (slowest is None or key > slowest[0]):
            slowest = (key, c.number)
    done = all(p["state"] in ("concluded", "delivered") for p in parts) and bool(parts)
    return {
        "number": filing.number,
        "query_code": filing.query_code,
        "bundle": filing.bundle.code,
        "name": filing.bundle.name,
        "done": done,
        "uscc": filing.uscc or None,
        "slowest": slowest[1] if slowest else None,
        "cases": parts,
    }
