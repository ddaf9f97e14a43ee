"""Public 中介服务清单 API, mounted at /api/v1/intermediaries. No authentication."""

from ninja import Router, Schema

from . import selectors

router = Router()


class ItemRef(Schema):
    code: str
    department: str


class ProviderOut(Schema):
    id: int
    name: str
    qualification: str
    region: str
    region_name: str
    contact: str


class IntermediaryOut(Schema):
    code: str
    name: str
    legal_basis: str
    free_choice: bool
    fee_basis: str
    time_limit: str
    items: list[ItemRef]
    providers: list[ProviderOut]


class IntermediaryPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    intermediaries: list[IntermediaryOut]


def service_dict(s) -> dict:
    return {
        "code": s.code, "name": s.name, "legal_basis": s.legal_basis, "free_choice": s.free_choice,
        "fee_basis": s.fee_basis, "time_limit": s.time_limit,
        "items": [{"code": i.code, "department": i.department.name} for i in s.items.all()],
        "providers": [{"id": p.id, "name": p.name, "qualification": p.qualification, "region": p.region_id,
                       "region_name": p.region.name, "contact": p.contact} for p in s.providers.all()],
    }


@router.get("", response=IntermediaryPage, summary="The 中介服务清单 (intermediary services), paginated")
def list_intermediaries(request, search: str = "", item: str = "", page: str = "1", page_size: str = "20"):
    """Services by name or code (`search`), or those an item needs (`item`, an item code); 20 a page
    (at most 100). Each with the items that require it and its listed providers."""
    result = selectors.search(search=search.strip(), item=item.strip(), page=page, page_size=page_size)
    return {"count": result.count, "page": result.page, "page_size": result.page_size, "pages": result.pages,
            "intermediaries": [service_dict(s) for s in result.rows]}
