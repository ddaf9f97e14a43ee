"""The catalogue and the three lists written as Excel workbooks (sheets and columns in excel.layout)."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import selectors
from ..models import ItemType, MaterialForm, MaterialSource, OnlineDepth, Subject
from ..serialize import item_to_dict
from .layout import (
    FEE_COLUMNS,
    FEE_SHEET,
    ITEM_COLUMNS,
    ITEM_SHEET,
    LEVEL_LABELS,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    STEP_SPLIT,
    choice_labels,
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def _put_row(ws, values: list) -> None:
    # Control characters cannot be stored in the XML of a workbook; drop them rather than fail.
    values = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    ws.append(values)
    for cell in ws[ws.max_row]:
        # A string that starts with "=" must stay text, never become a formula.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _sheet(wb: Workbook, title: str, headers: list[str], widths: dict | None = None, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headers)
    for i, cell in enumerate(ws[1], start=1):
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(cell.value, max(10, 2 * len(cell.value) + 2))
    ws.freeze_panes = "A2"
    return ws


def _steps_cell(steps: list) -> str:
    if any(STEP_SPLIT.search(s) or not s.strip() or s != s.strip() for s in steps):
        return json.dumps(steps, ensure_ascii=False)
    return "；".join(steps)


def export_catalogue(versions) -> Workbook:
    """A workbook with sheets 事项, 材料, 收费 for the given item versions (normally the current ones)."""
    if isinstance(versions, QuerySet):
        versions = versions.prefetch_related("materials__licence_type", "fees")
    types, _ = choice_labels(ItemType)
    subjects, _ = choice_labels(Subject)
    depths, _ = choice_labels(OnlineDepth)
    forms, _ = choice_labels(MaterialForm)
    sources, _ = choice_labels(MaterialSource)
    wb = Workbook()
    wide = {"事项名称": 36, "设定依据": 40, "受理条件": 40, "办理流程": 30, "责任事项": 30, "追责情形": 30, "材料名称": 36}
    items_ws = _sheet(wb, ITEM_SHEET, [h for h, _k, _t in ITEM_COLUMNS], wide, first=True)
    mat_ws = _sheet(wb, MATERIAL_SHEET, [h for h, _k, _t in MATERIAL_COLUMNS], wide)
    fee_ws = _sheet(wb, FEE_SHEET, [h for h, _k, _t in FEE_COLUMNS], {"收费依据": 40, "收费标准": 30})
    yes_no = {True: "是", False: "否"}
    for version in versions:
        data = item_to_dict(version)
        extra = {"department_name": version.item.department.name, "version": version.version}
        row = []
        for _h, key, kind in ITEM_COLUMNS:
            value = extra[key] if kind == "info" else data[key]
            if kind == "type":
                value = types.get(value, value)
            elif kind == "subject":
                value = subjects.get(value, value)
            elif kind == "depth":
                value = depths.get(value, value)
            elif kind == "bool":
                value = yes_no[bool(value)]
            elif kind == "levels":
                value = "；".join(LEVEL_LABELS.get(v, v) for v in value)
            elif kind == "steps":
                value = _steps_cell(value)
            row.append(value)
        _put_row(items_ws, row)
        for m in data["materials"]:
            _put_row(
                mat_ws,
                [data["code"], m["code"], m["name"], yes_no[m["required"]], forms.get(m["form"], m["form"]),
                 m["copies"], sources.get(m["source"], m["source"]), m["licence_type"], m["note"],
                 yes_no[m["deferrable"]], yes_no[m["by_commitment"]]],
            )
        for f in data["fees"]:
            _put_row(fee_ws, [data["code"], f["name"], f["standard"], f["basis"], yes_no[f["enterprise_related"]]])
    return wb


def export_list(kind: str) -> Workbook:
    """One of the three lists (power, responsibility, fees) as a workbook with Chinese headers."""
    types, _ = choice_labels(ItemType)
    wb = Workbook()
    if kind == "power":
        ws = _sheet(wb, "权力清单", ["序号", "实施部门", "事项编码", "事项名称", "权力类型", "行使层级", "设定依据",
                                     "法定办结时限", "承诺办结时限"], {"事项名称": 36, "设定依据": 50}, first=True)
        for i, v in enumerate(selectors.power_list().iterator(), start=1):
            _put_row(ws, [i, v.item.department.name, v.item.code, v.name, types.get(v.type, v.type),
                          "；".join(LEVEL_LABELS.get(x, x) for x in v.levels or []), v.legal_basis,
                          v.statutory_days, v.committed_days])
    elif kind == "responsibility":
        ws = _sheet(wb, "责任清单", ["序号", "实施部门", "事项编码", "事项名称", "事项类型", "责任事项", "追责情形",
                                     "设定依据"], {"事项名称": 36, "责任事项": 50, "追责情形": 50, "设定依据": 40},
                    first=True)
        for i, v in enumerate(selectors.responsibility_list().iterator(), start=1):
            _put_row(ws, [i, v.item.department.name, v.item.code, v.name, types.get(v.type, v.type),
                          v.responsibilities, v.accountability, v.legal_basis])
    elif kind == "fees":
        ws = _sheet(wb, "涉企收费清单", ["序号", "实施部门", "事项编码", "事项名称", "收费项目", "收费标准", "收费依据"],
                    {"事项名称": 36, "收费标准": 30, "收费依据": 50}, first=True)
        for i, f in enumerate(selectors.fee_list().iterator(), start=1):
            v = f.version
            _put_row(ws, [i, v.item.department.name, v.item.code, v.name, f.name, f.standard, f.basis])
    else:
        raise ValueError(f"unknown list: {kind}")
    return wb

