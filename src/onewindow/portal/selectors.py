"""Reads for the online service hall and public tracking."""

import hmac

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import BundleFiling, Case, CaseEvent, NoticeKind, State, mask_name
from onewindow.cases.presenters import event_label
from onewindow.cases.transitions import TRANSITIONS
from onewindow.catalog import search as catalog_search
from onewindow.catalog.models import ItemVersion, OnlineDepth
from onewindow.core.errors import NotFound

from .models import Upload

STEP_LABELS = {"file": "提交申请", **{a: t.label for a, t in TRANSITIONS.items()}}
NOT_FOUND_MESSAGE = gettext_lazy("未找到该办件，请核对办件编号和查询码")


def online_items(search: str = "", limit: int = 50) -> QuerySet:
    """Current published item versions that can be applied for online; with `search`, the best matches
    first (catalog.search)."""
    qs = (ItemVersion.objects.filter(is_current=True, status="published",
                                     online_depth__in=[OnlineDepth.FULL, OnlineDepth.PREREVIEW])
          .select_related("item__department", "licence_type").order_by("item__code"))
    search = (search or "").strip()
    if search:
        qs = catalog_search.rank(qs, search)
    return qs[:limit]


def online_item(code: str) -> ItemVersion:
    v = (ItemVersion.objects.filter(item__code=code, is_current=True, status="published",
                                    online_depth__in=[OnlineDepth.FULL, OnlineDepth.PREREVIEW])
         .select_related("item__department").first())
    if v is None:
        raise NotFound(_("事项不存在或不支持网上申请"))
    return v


def apply_materials(version, user) -> list:
    """The item's materials for the online form; `licence` is the number of the applicant's valid
    e-licence that covers a material (免提交: no upload asked), else None."""
    from onewindow.licences.selectors import licences_of_holder

    holder = user.uscc if user.applicant_kind == "org" else user.id_number
    held = {}
    if holder:
        for lic in licences_of_holder(holder).select_related("licence_type"):
            held.setdefault(lic.licence_type.code, lic.number)
    materials = list(version.materials.select_related("licence_type").order_by("order", "id"))
    for m in materials:
        m.licence = held.get(m.licence_type.code) if m.licence_type_id else None
    return materials


def my_cases(user) -> QuerySet:
    return (case_selectors.cases_visible_to(user).select_related("item_version", "department")
            .order_by("-submitted_at", "-id"))


def my_licences(user, holder: str) -> QuerySet:
    """The licences in force that the applicant holds, and those issued by the applicant's own cases to
    someone else (the 营业执照 of the business a person registered), newest first."""
    from onewindow.licences.selectors import licences_of_holder, valid_licences

    numbers = my_cases(user).order_by().values("number")
    issued = valid_licences().filter(case_number__in=numbers)
    held = licences_of_holder(holder) if holder else issued.none()
    return (held | issued).select_related("licence_type").distinct().order_by("-issued_on", "-pk")


def case_licences(case) -> list:
    """The licences this case issued (for a 一件事 part, the bundle's own 营业执照 too)."""
    from onewindow.cases import page_selectors

    if case.bundle_filing_id:
        return page_selectors.bundle_licences(case.bundle_filing, [case])
    return page_selectors.case_licences(case)


def uploads_of(case) -> QuerySet:
    return Upload.objects.filter(case=case).order_by("id")


def uploads_named(case, materials_by_code: dict) -> list[Upload]:
    """The case's uploads, each with `material_name`: the name of its material (or 授权委托书), never its code."""
    from onewindow.agency.services import AUTHORISATION_CODE

    uploads = list(uploads_of(case))
    for u in uploads:
        m = materials_by_code.get(u.material_code)
        u.material_name = (m.name if m is not None else
                           _("授权委托书") if u.material_code == AUTHORISATION_CODE else _("其他材料"))
    return uploads


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
