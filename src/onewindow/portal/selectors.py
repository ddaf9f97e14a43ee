"""Reads for the online service hall and public tracking."""

import hmac

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import BundleFiling, Case, CaseEvent, mask_name
from onewindow.cases.transitions import TRANSITIONS
from onewindow.catalog.models import ItemVersion, OnlineDepth
from onewindow.core.errors import NotFound

from .models import Upload

STEP_LABELS = {"file": "提交申请", **{a: t.label for a, t in TRANSITIONS.items()}}
NOT_FOUND_MESSAGE = gettext_lazy("未找到该办件，请核对办件编号和查询码")


def online_items(search: str = "", limit: int = 50) -> QuerySet:
    """Current published item versions that can be applied for online."""
    qs = (ItemVersion.objects.filter(is_current=True, status="published",
                                     online_depth__in=[OnlineDepth.FULL, OnlineDepth.PREREVIEW])
          .select_related("item__department").order_by("item__code"))
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(item__code__icontains=search)
                       | Q(item__department__name__icontains=search))
    return qs[:limit]


def online_item(code: str) -> ItemVersion:
    v = (ItemVersion.objects.filter(item__code=code, is_current=True, status="published",
                                    online_depth__in=[OnlineDepth.FULL, OnlineDepth.PREREVIEW])
         .select_related("item__department").first())
    if v is None:
        raise NotFound(_("事项不存在或不支持网上申请"))
    return v


def my_cases(user) -> QuerySet:
    return (case_selectors.cases_visible_to(user).select_related("item_version", "department")
            .order_by("-submitted_at", "-id"))


def uploads_of(case) -> QuerySet:
    return Upload.objects.filter(case=case).order_by("id")


def visible_upload(user, upload_id: int) -> Upload:
    """An upload whose case the user may see (the owner or staff in scope), else NotFound."""
    up = Upload.objects.select_related("case").filter(pk=upload_id).first()
    if up is None or not case_selectors.cases_visible_to(user).filter(pk=up.case_id).exists():
        raise NotFound(_("文件不存在或无权查看"))
    return up


def _date(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def public_steps(case) -> list[dict]:
    """The case's steps for the public: action, label, time; no actor, no notes.
    Uses the case's prefetched events when there are (see `track`), else one query."""
    return [
        {"action": e.action, "label": STEP_LABELS[e.action], "at": _date(e.at), "state": e.to_state}
        for e in case.events.all()  # Meta ordering: by seq
        if e.action in STEP_LABELS
    ]


def _code_matches(stored: str, given: str) -> bool:
    return hmac.compare_digest((stored or "").upper().encode(), (given or "").strip().upper().encode())


def public_delivery(case):
    from onewindow.cases.intake_presenters import public_delivery as postal

    return postal(case)


def track(number: str, code: str) -> dict:
    """Public progress of a case or a bundle filing. Unknown number or wrong code: the same NotFound."""
    number = (number or "").strip()
    case = (Case.objects.select_related("item_version", "department").filter(number=number).first()
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
            "cases": [
                {"number": c.number, "item_name": c.item_version.name, "department": c.department.name,
                 "state": c.state, "state_label": str(c.get_state_display()), "due_date": _date(c.due_date),
                 "steps": public_steps(c)}
                for c in children
            ],
        }
    raise NotFound(str(NOT_FOUND_MESSAGE))
