"""Reads for the online service hall and public tracking."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.cases import selectors as case_selectors
from onewindow.catalog import search as catalog_search
from onewindow.catalog.models import ItemVersion, OnlineDepth
from onewindow.core.errors import NotFound

from .models import Upload


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


def track(number: str, code: str) -> dict:
    """Public progress of a case or a bundle filing (portal.progress: one statement). Unknown number
    or wrong code: the same NotFound."""
    from . import progress

    return progress.track(number, code)
