"""Public catalogue pages: search, the service guide, the three lists and their Excel files;
the admin-only Excel import/export page."""

from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from onewindow.accounts.access import is_admin, require_role
from onewindow.accounts.models import Role
from onewindow.core.errors import NotFound, ServiceError
from onewindow.core.pagination import Page, paginate

from . import excel, selectors
from . import search as finder
from .models import Audience, ItemType, OnlineDepth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_TITLES = {"power": _l("权力清单"), "responsibility": _l("责任清单"), "fees": _l("涉企收费清单")}
LEVEL_CHOICES = [("city", _l("市级")), ("county", _l("县区级")), ("town", _l("乡镇街道级")), ("village", _l("村社区级"))]


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    buf = BytesIO()
    workbook.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def item_search(request):
    params = {k: request.GET.get(k, "").strip()
              for k in ("q", "department", "type", "level", "online", "subject", "theme")}
    error = None
    try:
        result = selectors.search_items(
            search=params["q"],
            department=params["department"],
            type=params["type"],
            level=params["level"],
            online=params["online"],
            subject=params["subject"],
            theme=params["theme"],
            page=request.GET.get("page") or 1,
        )
    except ServiceError as exc:
        error = exc.message
        result = Page(count=0, page=1, page_size=20)
    query = urlencode({k: v for k, v in params.items() if v})
    context = {
        "is_admin": is_admin(request.user),
        "result": result,
        "params": params,
        "error": error,
        "query": query,
        "departments": selectors.departments(),
        "types": ItemType.choices,
        "levels": LEVEL_CHOICES,
        "depths": OnlineDepth.choices,
        "audiences": Audience.choices,
        "themes": finder.themes(params["subject"] if params["subject"] in Audience.values else ""),
        "switch_query": urlencode({k: v for k, v in params.items() if v and k not in ("subject", "theme", "page")}),
    }
    return render(request, "catalog/item_search.html", context, status=400 if error else 200)


def item_guide(request, code: str):
    try:
        version = selectors.item_guide(code)
    except NotFound:
        return render(request, "catalog/item_not_found.html", {"code": code}, status=404)
    context = {
        "v": version,
        "item": version.item,
        "department": version.item.department,
        "materials": list(version.materials.all()),
        "fees": list(version.fees.all()),
        "windows": selectors.department_windows(version.item.department_id),
        "online_capable": version.online_depth in selectors.ONLINE_CAPABLE,
        "intermediaries": _intermediaries(version.item_id),
    }
    return render(request, "catalog/item_guide.html", context)


def _intermediaries(item_id):
    from onewindow.intermediaries.selectors import services_for_item

    return services_for_item(item_id)


def lists(request):
    tab = request.GET.get("tab") or "power"
    if tab not in selectors.LISTS:
        tab = "power"
    try:
        page = paginate(selectors.LISTS[tab](), request.GET.get("page") or 1, 50)
    except ServiceError:
        page = paginate(selectors.LISTS[tab](), 1, 50)
    counts = {kind: fn().count() for kind, fn in selectors.LISTS.items()}
    tabs = [(kind, LIST_TITLES[kind], counts[kind]) for kind in selectors.LISTS]
    return render(request, "catalog/lists.html", {"tab": tab, "page": page, "tabs": tabs, "title": LIST_TITLES[tab]})


def list_xlsx(request, kind: str):
    if kind not in selectors.LISTS:
        return render(request, "catalog/item_not_found.html", {"code": kind}, status=404)
    wb = excel.export_list(kind)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx_response(wb, f"{kind}-{stamp}.xlsx")


@require_role(Role.ADMIN, template="catalog/forbidden.html")
def catalogue_excel(request):
    """Admin only: download the whole catalogue as a workbook, or upload one to import."""
    if request.method == "GET" and request.GET.get("download"):
        wb = excel.export_catalogue(selectors.current_versions(published_only=False).order_by("item__code"))
        stamp = timezone.localdate().strftime("%Y%m%d")
        return _xlsx_response(wb, f"catalogue-{stamp}.xlsx")
    result = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            result = excel.ImportResult(errors=[excel.RowError("", 0, "file", _("请选择要导入的 Excel 文件"))])
        else:
            result = excel.import_catalogue(upload, actor=request.user)
        if result.errors:
            status = 400
    return render(
        request,
        "catalog/excel.html",
        {"result": result, "item_count": selectors.current_versions(published_only=False).count()},
        status=status,
    )
