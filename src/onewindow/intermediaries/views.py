"""Public 中介服务清单 page beside the three lists, and its Excel download."""

from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from onewindow.core.errors import ServiceError
from onewindow.core.pagination import Page

from . import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["序号", "中介服务编码", "中介服务名称", "涉及审批事项", "设定依据", "自主选择", "收费依据", "服务时限", "中介机构（资质、区划、联系方式）"]


def intermediary_list(request):
    q = (request.GET.get("q") or "").strip()
    try:
        page = selectors.search(search=q, page=request.GET.get("page") or 1, page_size=20)
        status = 200
    except ServiceError:
        page, status = Page(count=0, page=1, page_size=20), 400
    return render(request, "intermediaries/list.html", {"page": page, "q": q}, status=status)


def intermediary_xlsx(request):
    wb = Workbook()
    ws = wb.active
    ws.title = "中介服务清单"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", [6, 14, 30, 40, 50, 10, 24, 24, 60], strict=True):
        ws.column_dimensions[letter].width = width
    number, rows = 1, None
    while rows is None or rows.has_next:
        rows = selectors.search(page=number, page_size=100)
        for i, s in enumerate(rows.rows, start=(number - 1) * 100 + 1):
            ws.append([i, s.code, s.name, "；".join(f"{it.code}" for it in s.items.all()), s.legal_basis,
                       "是" if s.free_choice else "否", s.fee_basis, s.time_limit,
                       "；".join(f"{p.name}（{p.qualification}，{p.region.name}，{p.contact}）" for p in s.providers.all())])
        number += 1
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="intermediaries-{timezone.localdate():%Y%m%d}.xlsx"'
    return resp
