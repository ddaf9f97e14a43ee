"""The statistics workbook (/stats/export.xlsx): a summary sheet and three rankings, formatted for
people: rates as percentages, counts and days as numbers, readable column widths, a frozen header,
and staff by their names (display names), not their usernames."""

import io

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

PERCENT = "0.0%"
DAYS = "0.00"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def is_rate(key: str) -> bool:
    return key.endswith(("_rate", "_share"))


def with_person_names(rows: list[dict]) -> list[dict]:
    """Clerk ranking rows named by the clerk's display name (one query), the username only when
    there is none."""
    ids = [r["id"] for r in rows if r.get("id")]
    names = {pk: (display or username) for pk, display, username in
             get_user_model().objects.filter(pk__in=ids).values_list("pk", "display_name", "username")}
    return [{**r, "name": names.get(r["id"], r["name"])} for r in rows]


def _header(ws, labels, widths):
    ws.append(labels)
    for i, cell in enumerate(ws[ws.max_row], start=1):
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1] if i - 1 < len(widths) else 12
    ws.freeze_panes = f"A{ws.max_row + 1}"  # a string: touching ws.cell() would create a row


def _format(cell, key):
    if cell.value is None:
        return
    if is_rate(key):
        cell.number_format = PERCENT
    elif key.startswith("avg_") or key == "speed_score":
        cell.number_format = DAYS


def build(d_from, d_to, region, figures: dict, summary_rows, rank_columns, rankings: dict, hall=None) -> bytes:
    """The workbook as bytes. `rankings`: {title: rows} in sheet order; `*_rows`/`*_columns`:
    (key, label) pairs; `hall`: the hall's figures (onewindow.queue.stats.summary), a sheet of their own."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("统计汇总")
    _header(ws, [_("指标"), _("数值")], [28, 18])
    ws.append([_("统计期间"), f"{d_from.isoformat()} — {d_to.isoformat()}"])
    ws.append([_("区划"), region or _("全部")])
    for key, label in summary_rows:
        ws.append([str(label), figures.get(key)])
        _format(ws.cell(row=ws.max_row, column=2), key)
    for title, rows in rankings.items():
        sheet = wb.create_sheet(title)
        widths = [6 if key == "rank" else 30 if key == "name" else 8 if key == "last" else max(10, 2 * len(str(label)) + 2)
                  for key, label in rank_columns]
        _header(sheet, [str(label) for _k, label in rank_columns], widths)
        for row in rows:
            values = [(_("末位") if row.get(key) else "") if key == "last" else row.get(key) for key, _l in rank_columns]
            sheet.append(values)
            for col, (key, _label) in enumerate(rank_columns, start=1):
                _format(sheet.cell(row=sheet.max_row, column=col), key)
    if hall is not None:
        hall_sheet(wb.create_sheet(_("大厅排队")), hall)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MINUTES = "0.00"


def hall_rows():
    return [("tickets", _("取号量")), ("tickets_served", _("办结号数")), ("avg_wait_minutes", _("平均等候（分钟）")),
            ("p90_wait_minutes", _("90% 等候不超过（分钟）")), ("avg_service_minutes", _("平均办理（分钟）")),
            ("appointment_share", _("预约占比")), ("no_show_rate", _("过号率"))]


def _table(ws, columns, rows):
    """A sub-table under the sheet's last row: bold labels, then one row per item."""
    ws.append([])
    ws.append([str(label) for _k, label in columns])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in rows:
        ws.append([row.get(key) for key, _l in columns])
        for col, (key, _label) in enumerate(columns, start=1):
            cell = ws.cell(row=ws.max_row, column=col)
            if cell.value is not None and is_rate(key):
                cell.number_format = PERCENT
            elif cell.value is not None and key.endswith("_minutes"):
                cell.number_format = MINUTES


def hall_sheet(ws, hall: dict):
    """The hall's figures for the period, then per day, per window and per clerk."""
    _header(ws, [_("指标"), _("数值"), "", "", "", ""], [26, 14, 14, 16, 16, 12])
    for key, label in hall_rows():
        ws.append([str(label), hall.get(key)])
        cell = ws.cell(row=ws.max_row, column=2)
        if cell.value is not None:
            cell.number_format = PERCENT if is_rate(key) else MINUTES if key.endswith("_minutes") else "0"
    _table(ws, [("day", _("日期")), ("tickets", _("取号量")), ("tickets_served", _("办结号数")),
                ("avg_wait_minutes", _("平均等候（分钟）")), ("avg_service_minutes", _("平均办理（分钟）")),
                ("no_show_rate", _("过号率"))],
           [{**d, "day": d["day"].isoformat()} for d in hall.get("days", [])])
    _table(ws, [("site", _("服务场所")), ("window", _("窗口")), ("served", _("办结号数"))], hall.get("per_window", []))
    _table(ws, [("clerk", _("工作人员")), ("served", _("办结号数"))], hall.get("per_clerk", []))
