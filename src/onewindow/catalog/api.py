"""Public catalogue API, mounted at /api/v1/items. No authentication."""

from ninja import Router, Schema

from onewindow.api.schemas import ErrorOut

from . import search as finder
from . import selectors
from .models import ItemVersion

router = Router()


class ItemSummary(Schema):
    code: str
    name: str
    department: str
    department_code: str
    type: str
    type_label: str
    statutory_days: int
    committed_days: int
    online: bool
    online_depth: str


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[ItemSummary]


class MaterialOut(Schema):
    code: str
    name: str
    required: bool
    form: str
    copies: int
    source: str
    licence_type: str | None
    note: str
    deferrable: bool = False
    by_commitment: bool = False


class IntermediaryRef(Schema):
    code: str
    name: str
    free_choice: bool
    time_limit: str


class FeeOut(Schema):
    name: str
    standard: str
    basis: str
    enterprise_related: bool


class ItemDetail(ItemSummary):
    version: int
    subject: str
    levels: list
    legal_basis: str
    conditions: str
    extension_days: int
    process_steps: list
    max_visits: int
    result: str
    licence_type: str | None
    licence_type_name: str | None
    where_to_go: str
    consult_phone: str
    responsibilities: str
    accountability: str
    instant: bool
    materials: list[MaterialOut]
    fees: list[FeeOut]
    commitment_allowed: bool = False
    commitment_text: str = ""
    makeup_days: int = 5
    verification_days: int = 20
    intermediaries: list[IntermediaryRef] = []


def summary(v: ItemVersion) -> dict:
    dept = v.item.department
    return {
        "code": v.item.code,
        "name": v.name,
        "department": dept.name,
        "department_code": dept.code,
        "type": v.type,
        "type_label": str(v.get_type_display()),
        "statutory_days": v.statutory_days,
        "committed_days": v.committed_days,
        "online": v.online_depth in selectors.ONLINE_CAPABLE,
        "online_depth": v.online_depth,
    }


def detail(v: ItemVersion) -> dict:
    out = summary(v)
    out.update(
        version=v.version,
        subject=v.subject,
        levels=list(v.levels or []),
        legal_basis=v.legal_basis,
        conditions=v.conditions,
        extension_days=v.extension_days,
        process_steps=list(v.process_steps or []),
        max_visits=v.max_visits,
        result=v.result_name,
        licence_type=v.licence_type.code if v.licence_type else None,
        licence_type_name=v.licence_type.name if v.licence_type else None,
        where_to_go=v.where_to_go,
        consult_phone=v.consult_phone,
        responsibilities=v.responsibilities,
        accountability=v.accountability,
        instant=v.is_instant,
        materials=[
            {
                "code": m.code,
                "name": m.name,
                "required": m.required,
                "form": m.form,
                "copies": m.copies,
                "source": m.source,
                "licence_type": m.licence_type.code if m.licence_type else None,
                "note": m.note,
                "deferrable": m.deferrable,
                "by_commitment": m.by_commitment,
            }
            for m in v.materials.all()
        ],
        fees=[
            {"name": f.name, "standard": f.standard, "basis": f.basis, "enterprise_related": f.enterprise_related}
            for f in v.fees.all()
        ],
        commitment_allowed=v.commitment_allowed,
        commitment_text=v.commitment_text,
        makeup_days=v.makeup_days,
        verification_days=v.verification_days,
        intermediaries=_intermediaries_of(v),
    )
    return out


def _intermediaries_of(v: ItemVersion) -> list[dict]:
    from onewindow.intermediaries.selectors import services_for_item

    return [{"code": s.code, "name": s.name, "free_choice": s.free_choice, "time_limit": s.time_limit}
            for s in services_for_item(v.item_id)]


@router.get("", response={200: ItemPage, 400: ErrorOut}, summary="Search the service catalogue (事项检索)")
def list_items(
    request,
    search: str = "",
    department: str = "",
    type: str = "",
    level: str = "",
    online: str = "",
    subject: str = "",
    theme: str = "",
    page: int = 1,
    page_size: int = 20,
):
    """Current versions matching the filters, 20 a page by default (at most 100); with `search`, best
    match first: item names, results and licences (营业执照), common names (社保, 开公司), life events and
    themes (生育, 开办) and the 一件事 they belong to.
    `department` is a department code, `type` an item type value (licensing, penalty, …, public_service),
    `level` city/county/town/village, `online` full/prereview/window or `yes` for online-capable,
    `subject` person (个人办事) or org (法人办事), `theme` a theme code from `GET /items/themes`."""
    result = selectors.search_items(
        search=search, department=department, type=type, level=level, online=online, subject=subject,
        theme=theme, page=page, page_size=page_size,
    )
    return {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "items": [summary(v) for v in result.rows],
    }


class ThemeOut(Schema):
    code: str
    name: str
    audience: str


@router.get("/themes", response=list[ThemeOut], summary="Life events and business themes (办事主题)")
def list_themes(request, audience: str = ""):
    """The themes shown as chips on the search pages; `audience` person (个人办事) or org (法人办事)."""
    return [{"code": t.code, "name": t.name, "audience": t.audience} for t in finder.themes(audience)]


@router.get("/{code}", response={200: ItemDetail, 404: ErrorOut}, summary="One service guide (办事指南)")
def get_item(request, code: str):
    """The current version of the item: basics, materials, fees, time limits, online depth."""
    return detail(selectors.item_guide(code))
