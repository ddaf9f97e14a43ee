"""Reads for the staff pages: catalogue search at the window, the applicant look-up,
the materials checklist, the window queue and the desk rows with working days left."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.catalog import search as catalog_search
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.selectors import current_versions
from onewindow.licences.selectors import licences_of_holder
from onewindow.workdays.selectors import ordinal_at, ordinal_of

from .models import WINDOW_STATES, Case, window_step
from .selectors import cases_visible_to, todo_list
from .services import bundle_materials


def search_catalogue(q: str, *, limit: int = 20) -> tuple[list, list]:
    """Current published items and bundles for what the clerk typed, best match first (catalog.search)."""
    q = (q or "").strip()
    if not q:
        return [], []
    return list(catalog_search.rank(current_versions(), q)[:limit]), catalog_search.find_bundles(q, limit)


def current_version(code: str) -> ItemVersion | None:
    return current_versions().filter(item__code=code).first() if code else None


def bundle_by_code(code: str) -> Bundle | None:
    return Bundle.objects.filter(code=code).first() if code else None


def applicant_lookup(ident: str) -> dict:
    """The applicant account holding this ID number / credit code (if any) and their licences in force."""
    ident = (ident or "").strip().upper()
    if not ident:
        return {"user": None, "licences": [], "types": set()}
    user = User.objects.filter(role=Role.APPLICANT).filter(Q(id_number=ident) | Q(uscc=ident)).first()
    licences = list(licences_of_holder(ident))
    return {"user": user, "licences": licences, "types": {lic.licence_type.code for lic in licences}}


def item_checklist(version: ItemVersion, held: dict) -> list[dict]:
    """The item's materials; `held` maps licence type code → licence number of this applicant."""
    rows = []
    for m in version.materials.select_related("licence_type").order_by("order", "id"):
        lic = held.get(m.licence_type.code) if m.licence_type_id else None
        rows.append({"key": m.code, "name": m.name, "required": m.required, "form": m.get_form_display(),
                     "copies": m.copies, "licence": lic})
    return rows


def bundle_checklist(bundle: Bundle, held: dict) -> list[dict]:
    rows = []
    for e in bundle_materials(bundle):
        lic = held.get(e["key"][2:]) if e["key"].startswith("L:") else None
        rows.append({"key": e["key"], "name": e["name"], "required": e["required"], "form": "",
                     "copies": None, "licence": lic, "items": len(e["items"]),
                     "issued_in_bundle": e["issued_in_bundle"] and not lic})
    return rows


def held_licences(licences) -> dict:
    held = {}
    for lic in licences:
        held.setdefault(lic.licence_type.code, lic.number)
    return held


def window_queue(user) -> QuerySet:
    """Cases at the clerk's site waiting for the window: submitted (incl. online), pending, to deliver.
    What the window must act on comes first (green channel, then to accept or pre-review, then waiting
    for materials, then results to deliver), oldest first within each: a centre with months of results
    waiting to be collected still shows this morning's online applications at the top."""
    return (
        cases_visible_to(user)
        .filter(state__in=WINDOW_STATES)
        .select_related("item_version")
        .annotate(window_step=window_step())
        .order_by("-green_channel", "window_step", "submitted_at", "id")
    )


def with_due_ordinal(qs: QuerySet) -> QuerySet:
    """Annotate `due_ordinal`: the working-day ordinal of the due date, in the same query."""
    return qs.annotate(due_ordinal=ordinal_at("due_date"))


def desk_list(user) -> QuerySet:
    return with_due_ordinal(todo_list(user))


def days_left(rows, today: datetime.date | None = None) -> list:
    """Set `days_left` on each row: working days in (today, due]; negative when overdue."""
    today = today or timezone.localdate()
    today_ordinal = ordinal_of(today)
    for c in rows:
        c.days_left = None if c.due_ordinal is None else c.due_ordinal - today_ordinal
    return rows


def case_for_page(case: Case) -> dict:
    """The case page's parts; each material carries `files`, the uploads handed in for it (newest
    last), so that the clerk judges what the applicant actually sent."""
    materials = list(case.materials.select_related("checked_by").all())
    files: dict[str, list] = {}
    for up in case.uploads.select_related("uploaded_by").order_by("id"):  # portal.Upload
        files.setdefault(up.material_code, []).append(up)
    for m in materials:
        m.files = files.get(m.code, [])
    return {
        "authorisation_files": files.get("AUTH", []),  # the agency's 授权委托书 (agency.services)
        "materials": materials,
        "notices": list(case.notices.select_related("issued_by").order_by("kind", "seq")),
        "events": list(case.events.order_by("seq")),
    }


def bundle_parts(filing) -> list[Case]:
    return list(Case.objects.filter(bundle_filing=filing).select_related("item_version", "site")
                .prefetch_related("materials").order_by("pk"))


def bundle_acceptable(parts, user) -> bool:
    """Whether the bundle page offers 受理: a part still submitted that this user may accept."""
    from .rules import can_perform

    return any(c.state == "submitted" and can_perform(c, "accept", user) for c in parts)


def bundle_licences(filing, parts) -> list:
    """Licences issued by the bundle and its parts (the 营业执照 carries the bundle's number)."""
    from onewindow.licences.models import Licence

    numbers = [filing.number, *(c.number for c in parts)]
    return list(Licence.objects.filter(case_number__in=numbers).select_related("licence_type").order_by("pk"))


def licence_of(licence_id: int, case_numbers: list[str]):
    from onewindow.licences.models import Licence

    return (Licence.objects.filter(pk=licence_id, case_number__in=case_numbers)
            .select_related("licence_type", "department").first())


def case_licences(case) -> list:
    from onewindow.licences.models import Licence

    return list(Licence.objects.filter(case_number=case.number).select_related("licence_type").order_by("pk"))
