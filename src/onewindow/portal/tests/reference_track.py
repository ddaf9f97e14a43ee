"""The tracking answer as the ORM computed it before portal.progress (ADR 0205): a reference that the
one-statement read is checked against, case by case, in test_tracking_answer.py."""

import hmac

from django.db.models import Prefetch
from django.utils import timezone

from onewindow.cases.models import BundleFiling, Case, CaseEvent, NoticeKind, State, mask_name
from onewindow.cases.presenters import event_label
from onewindow.cases.transitions import TRANSITIONS
from onewindow.core.errors import NotFound

STEP_LABELS = {"file": "提交申请", **{a: t.label for a, t in TRANSITIONS.items()}}
NOT_FOUND_MESSAGE = "未找到该办件，请核对办件编号和查询码"


def _date(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def public_steps(case) -> list[dict]:
    """The case's steps for the public: action, label (in the current language), time; no actor,
    no notes. Uses the case's prefetched events when there are (see `track`), else one query."""
    return [
        {"action": e.action, "label": event_label(e.action), "at": _date(e.at), "state": e.to_state}
        for e in case.events.all()  # Meta ordering: by seq
        if e.action in STEP_LABELS
    ]


def _outcome(case) -> dict:
    """The decision once there is one, and for a case waiting for materials what to supplement
    (the names and reasons of its latest one-time notice)."""
    missing = []
    if case.state == State.PENDING_MATERIALS:
        notice = case.notices.filter(kind=NoticeKind.NOTICE).order_by("-seq").first()
        missing = [{"name": i.get("name", ""), "reason": i.get("reason", "")} for i in (notice.items if notice else [])]
    return {"result": case.result or None,
            "result_label": str(case.get_result_display()) if case.result else "",
            "missing": missing}


def _code_matches(stored: str, given: str) -> bool:
    return hmac.compare_digest((stored or "").upper().encode(), (given or "").strip().upper().encode())


TRACK_FIELDS = ("number", "query_code", "applicant_kind", "applicant_name", "state", "submitted_at", "due_date",
                "due_provisional", "concluded_on", "result", "item_version__name", "department__name")
TRACK_EVENT_FIELDS = ("case_id", "seq", "action", "at", "to_state")


def public_delivery(case):
    from onewindow.cases.intake_presenters import public_delivery as postal

    return postal(case)


def track(number: str, code: str) -> dict:
    """Public progress of a case or a bundle filing. Unknown number or wrong code: the same NotFound."""
    number = (number or "").strip()
    # Only what the answer shows: the item version's row carries the whole guide, and a lookup that
    # built it in full spent most of its CPU there. The events come with the case (one more query).
    case = (Case.objects.select_related("item_version", "department").only(*TRACK_FIELDS)
            .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.only(*TRACK_EVENT_FIELDS).order_by("seq")))
            .filter(number=number).first()
            if number else None)
    if case is not None and _code_matches(case.query_code, code):
        return {
            "kind": "case",
            "number": case.number,
            "item_name": case.item_version.name,
            "department": case.department.name,
            "applicant": case.masked_name,
            "state": case.state,
            "state_label": str(case.get_state_display()),
            "submitted_at": _date(case.submitted_at),
            "due_date": _date(case.due_date),
            "due_provisional": case.due_provisional,
            "concluded_on": _date(case.concluded_on),
            "steps": public_steps(case),
            **_outcome(case),
            "cases": [],
            "delivery": public_delivery(case),
        }
    filing = (BundleFiling.objects.select_related("bundle").filter(number=number).first()
              if number and case is None else None)
    if filing is not None and _code_matches(filing.query_code, code):
        children = list(filing.cases.select_related("item_version", "department").order_by("id")
                        .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.order_by("seq"))))
        return {
            "kind": "bundle",
            "number": filing.number,
            "item_name": filing.bundle.name,
            "department": ", ".join(dict.fromkeys(c.department.name for c in children)),
            "applicant": mask_name(filing.applicant_kind, filing.applicant_name),
            "state": "",
            "state_label": "",
            "submitted_at": _date(filing.created_at),
            "due_date": _date(max((c.due_date for c in children if c.due_date), default=None)),
            "due_provisional": any(c.due_provisional for c in children),
            "concluded_on": None,
            "steps": [],
            "result": None,
            "result_label": "",
            "missing": [],
            "cases": [
                {"number": c.number, "item_name": c.item_version.name, "department": c.department.name,
                 "state": c.state, "state_label": str(c.get_state_display()), "due_date": _date(c.due_date),
                 "concluded_on": _date(c.concluded_on), "steps": public_steps(c), **_outcome(c)}
                for c in children
            ],
        }
    raise NotFound(str(NOT_FOUND_MESSAGE))
