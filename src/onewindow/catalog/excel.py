"""The catalogue as an Excel workbook, in the shape the centre's staff keep, and back.

Workbook layout (first row of each sheet holds the Chinese headers):

* 事项 — one row per item (ITEM_COLUMNS);
* 材料 — one row per material (MATERIAL_COLUMNS), linked by 事项编码, in guide order;
* 收费 — one row per fee (FEE_COLUMNS), linked by 事项编码.

Choice fields carry their Chinese labels (行政许可, 全程网办, 原件 …), yes/no fields 是/否,
levels and process steps are joined with "；" (steps fall back to JSON text when a step itself
contains a separator). The dict exchanged with the services is `serialize.item_to_dict`.

`import_catalogue` validates every row before writing anything; any error and nothing is
imported. Otherwise all rows are applied in one transaction through
`services.upsert_item_from_dict`, so an unchanged row makes no new version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.core.errors import ServiceError

from . import selectors
from .models import (
    Department,
    ItemType,
    LicenceType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    ServiceItem,
    Subject,
)
from .serialize import SMALLINT_MAX, item_to_dict, normalize_item_dict

ITEM_SHEET, MATERIAL_SHEET, FEE_SHEET = "事项", "材料", "收费"

# (header, dict key, kind). Kinds: text, int, bool, type, subject, depth, levels, steps, info (export only).
ITEM_COLUMNS = [
    ("事项编码", "code", "text"),
    ("事项名称", "name", "text"),
    ("实施部门编码", "department", "text"),
    ("实施部门", "department_name", "info"),
    ("版本号", "version", "info"),
    ("事项类型", "type", "type"),
    ("服务对象", "subject", "subject"),
    ("行使层级", "levels", "levels"),
    ("设定依据", "legal_basis", "text"),
    ("受理条件", "conditions", "text"),
    ("法定办结时限", "statutory_days", "int"),
    ("承诺办结时限", "committed_days", "int"),
    ("可延长时限", "extension_days", "int"),
    ("办理流程", "process_steps", "steps"),
    ("网办深度", "online_depth", "depth"),
    ("最多跑动次数", "max_visits", "int"),
    ("办理结果", "result_name", "text"),
    ("出具证照", "licence_type", "text"),
    ("进驻大厅办理", "stationed", "bool"),
    ("窗口受理授权", "window_accepts", "bool"),
    ("窗口审核授权", "window_reviews", "bool"),
    ("窗口决定授权", "window_decides", "bool"),
    ("中介服务", "intermediary_services", "text"),
    ("责任事项", "responsibilities", "text"),
    ("追责情形", "accountability", "text"),
    ("办理地点", "where_to_go", "text"),
    ("咨询电话", "consult_phone", "text"),
    ("容缺补正时限", "makeup_days", "int"),
    ("实行告知承诺制", "commitment_allowed", "bool"),
    ("告知承诺书文本", "commitment_text", "text"),
    ("承诺核查时限", "verification_days", "int"),
]
ITEM_REQUIRED = ["事项编码", "事项名称", "实施部门编码", "事项类型", "法定办结时限", "承诺办结时限"]

MATERIAL_COLUMNS = [
    ("事项编码", "item", "text"),
    ("材料编码", "code", "text"),
    ("材料名称", "name", "text"),
    ("必要", "required", "bool"),
    ("形式", "form", "form"),
    ("份数", "copies", "int"),
    ("来源", "source", "source"),
    ("可替代证照", "licence_type", "text"),
    ("说明", "note", "text"),
    ("可容缺", "deferrable", "bool"),
    ("可承诺替代", "by_commitment", "bool"),
]
MATERIAL_REQUIRED = ["事项编码", "材料编码", "材料名称"]

FEE_COLUMNS = [
    ("事项编码", "item", "text"),
    ("收费项目", "name", "text"),
    ("收费标准", "standard", "text"),
    ("收费依据", "basis", "text"),
    ("涉企收费", "enterprise_related", "bool"),
]
FEE_REQUIRED = ["事项编码", "收费项目", "收费标准"]

LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县区级", "town": "乡镇街道级", "village": "村社区级"}
_LEVEL_INPUT = {
    **{v: k for k, v in LEVEL_LABELS.items()},
    **{k: k for k in LEVEL_LABELS},
    "省": "province", "市": "city", "县": "county", "县区": "county", "县级": "county", "乡镇": "town",
    "乡镇街道": "town", "乡镇级": "town", "村": "village", "村社区": "village", "村级": "village",
}
_SPLIT = re.compile(r"[；;，,、\n]+")
_STEP_SPLIT = re.compile(r"\s*(?:→|->|—>|\n|；|;)\s*")
_TRUE = {"是", "true", "1", "yes", "y", "√", "必要", "有"}
_FALSE = {"否", "false", "0", "no", "n", "×", "非必要", "可选", "无"}


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        where = self.sheet or "文件"
        if self.row:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f"（{self.column}）"
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _labels(choices) -> tuple[dict, dict]:
    """(value -> Chinese label, input text -> value) for a TextChoices class."""
    with translation.override("zh-hans"):
        out = {value: str(label) for value, label in choices.choices}
    back = {label: value for value, label in out.items()}
    back.update({value: value for value in out})
    return out, back


# --- export -----------------------------------------------------------------------------------

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
    if any(_STEP_SPLIT.search(s) or not s.strip() or s != s.strip() for s in steps):
        return json.dumps(steps, ensure_ascii=False)
    return "；".join(steps)


def export_catalogue(versions) -> Workbook:
    """A workbook with sheets 事项, 材料, 收费 for the given item versions (normally the current ones)."""
    if isinstance(versions, QuerySet):
        versions = versions.prefetch_related("materials__licence_type", "fees")
    types, _ = _labels(ItemType)
    subjects, _ = _labels(Subject)
    depths, _ = _labels(OnlineDepth)
    forms, _ = _labels(MaterialForm)
    sources, _ = _labels(MaterialSource)
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
    types, _ = _labels(ItemType)
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


# --- import -----------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Rows:
    """Reads one sheet: header positions, then (row number, {header: value}) for non-empty rows."""

    def __init__(self, ws, columns, required, errors: list[RowError]):
        self.title = ws.title
        header_cells = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        self.index = {}
        for i, value in enumerate(header_cells):
            name = _cell_text(value)
            if name and name not in self.index:
                self.index[name] = i
        self.present = {h for h, _k, _t in columns if h in self.index}
        self.ok = True
        for header in required:
            if header not in self.index:
                errors.append(RowError(self.title, 1, header, f"缺少必需的列“{header}”"))
                self.ok = False
        self.ws = ws

    def __iter__(self):
        for number, values in enumerate(self.ws.iter_rows(min_row=2, values_only=True), start=2):
            if not any(_cell_text(v) for v in values):
                continue
            row = {h: (values[i] if i < len(values) else None) for h, i in self.index.items()}
            yield number, row


class _RowCheck:
    """Converters that record a RowError for one cell and return a safe value."""

    def __init__(self, errors: list[RowError], sheet: str, row: int):
        self.errors, self.sheet, self.row = errors, sheet, row

    def fail(self, column: str, message: str):
        self.errors.append(RowError(self.sheet, self.row, column, message))

    def text(self, value, column, required=False) -> str:
        text = _cell_text(value)
        if required and not text:
            self.fail(column, "不能为空")
        return text

    def integer(self, value, column, minimum=0) -> int:
        if isinstance(value, bool):
            self.fail(column, f"应为整数，而不是“{value}”")
            return 0
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = _cell_text(value)
            if not text:
                self.fail(column, "不能为空，应为整数")
                return 0
            if not re.fullmatch(r"[+-]?\d+", text):
                self.fail(column, f"应为整数，而不是“{text}”")
                return 0
            number = int(text)
        if number < minimum:
            self.fail(column, f"不能小于 {minimum}")
        elif number > SMALLINT_MAX:
            self.fail(column, f"不能大于 {SMALLINT_MAX}")
        return number

    def boolean(self, value, column, default: bool) -> bool:
        if isinstance(value, bool):
            return value
        text = _cell_text(value).lower()
        if not text:
            return default
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.fail(column, f"应填“是”或“否”，而不是“{_cell_text(value)}”")
        return default

    def choice(self, value, column, table: dict, what: str, default: str | None = None) -> str:
        text = _cell_text(value)
        if not text and default is not None:
            return default
        if text in table:
            return table[text]
        if text.lower() in table:
            return table[text.lower()]
        self.fail(column, f"无法识别的{what}“{text}”，应为：{'、'.join(sorted({k for k in table if not k.isascii()}))}")
        return text


def _parse_steps(value) -> list[str]:
    text = _cell_text(value)
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(s, str) for s in parsed):
            return parsed
    return [s.strip() for s in _STEP_SPLIT.split(text) if s.strip()]


def _open(file):
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ServiceError(gettext("无法读取 Excel 文件：%(name)s") % {"name": exc.__class__.__name__}) from None


def parse_catalogue(file) -> tuple[list[dict], dict[str, int], list[RowError]]:
    """Read and validate a workbook. Returns (item dicts in the exchange shape, code -> row number,
    errors). Never writes."""
    errors: list[RowError] = []
    try:
        wb = _open(file)
    except ServiceError as exc:
        return [], {}, [RowError("", 0, "", exc.message)]
    if ITEM_SHEET not in wb.sheetnames:
        return [], {}, [RowError(ITEM_SHEET, 0, "", f"缺少工作表“{ITEM_SHEET}”")]
    _types_out, types = _labels(ItemType)
    _s, subjects = _labels(Subject)
    _d, depths = _labels(OnlineDepth)
    _f, forms = _labels(MaterialForm)
    _so, sources = _labels(MaterialSource)
    departments = set(Department.objects.values_list("code", flat=True))
    licence_types = set(LicenceType.objects.values_list("code", flat=True))

    items: dict[str, dict] = {}
    rows_of: dict[str, int] = {}
    item_rows = _Rows(wb[ITEM_SHEET], ITEM_COLUMNS, ITEM_REQUIRED, errors)
    if item_rows.ok:
        for number, row in item_rows:
            check = _RowCheck(errors, ITEM_SHEET, number)
            before = len(errors)
            data: dict = {}
            for header, key, kind in ITEM_COLUMNS:
                if header not in item_rows.present or kind == "info":
                    continue
                value = row.get(header)
                if kind in ("int", "bool", "subject", "depth") and header not in ITEM_REQUIRED and not _cell_text(value):
                    continue  # an empty optional cell keeps the current value (the default for a new item)
                if kind == "text":
                    data[key] = check.text(value, header, required=header in ITEM_REQUIRED)
                elif kind == "int":
                    data[key] = check.integer(value, header)
                elif kind == "bool":
                    data[key] = check.boolean(value, header, default=key in ("stationed", "window_accepts"))
                elif kind == "type":
                    data[key] = check.choice(value, header, types, "事项类型")
                elif kind == "subject":
                    data[key] = check.choice(value, header, subjects, "服务对象", default=Subject.BOTH.value)
                elif kind == "depth":
                    data[key] = check.choice(value, header, depths, "网办深度", default=OnlineDepth.WINDOW.value)
                elif kind == "levels":
                    levels = []
                    for part in (p.strip() for p in _SPLIT.split(_cell_text(value))):
                        if not part:
                            continue
                        if part not in _LEVEL_INPUT:
                            check.fail(header, f"无法识别的行使层级“{part}”")
                        elif _LEVEL_INPUT[part] not in levels:
                            levels.append(_LEVEL_INPUT[part])
                    data[key] = levels
                elif kind == "steps":
                    data[key] = _parse_steps(value)
            code = data.get("code", "")
            if code and code in rows_of:
                check.fail("事项编码", f"事项编码“{code}”重复，已在第 {rows_of[code]} 行出现")
                continue
            if data.get("department") and data["department"] not in departments:
                check.fail("实施部门编码", f"部门编码“{data['department']}”不存在")
            if len(errors) == before:
                if data["committed_days"] > data["statutory_days"]:
                    check.fail("承诺办结时限",
                               f"承诺办结时限（{data['committed_days']}）不能超过法定办结时限（{data['statutory_days']}）")
                if "max_visits" in data and data["max_visits"] > 2:
                    check.fail("最多跑动次数", "最多跑动次数不能超过 2 次")
                if data.get("licence_type") and data["licence_type"] not in licence_types:
                    check.fail("出具证照", f"证照类型编码“{data['licence_type']}”不存在")
            if code:
                rows_of[code] = number
                items[code] = data

    def children(sheet, columns, required, key, build):
        if sheet not in wb.sheetnames:
            return
        rows = _Rows(wb[sheet], columns, required, errors)
        if not rows.ok:
            return
        for data in items.values():
            data[key] = []
        for number, row in rows:
            check = _RowCheck(errors, sheet, number)
            code = check.text(row.get("事项编码"), "事项编码", required=True)
            child = build(check, row, rows.present)
            if not code:
                continue
            if code not in items:
                if code in rows_of or not item_rows.ok:
                    continue  # the item row itself is in error / the item sheet is unusable
                check.fail("事项编码", f"事项编码“{code}”不在“{ITEM_SHEET}”工作表中")
                continue
            if child is not None:
                items[code][key].append((number, child))

    def build_material(check, row, present):
        m = {
            "code": check.text(row.get("材料编码"), "材料编码", required=True),
            "name": check.text(row.get("材料名称"), "材料名称", required=True),
            "required": check.boolean(row.get("必要"), "必要", default=True),
            "form": check.choice(row.get("形式"), "形式", forms, "材料形式", default=MaterialForm.ORIGINAL.value),
            "copies": check.integer(row.get("份数"), "份数", minimum=1) if _cell_text(row.get("份数")) else 1,
            "source": check.choice(row.get("来源"), "来源", sources, "来源渠道", default=MaterialSource.APPLICANT.value),
            "licence_type": check.text(row.get("可替代证照"), "可替代证照"),
            "note": check.text(row.get("说明"), "说明"),
            "deferrable": check.boolean(row.get("可容缺"), "可容缺", default=False),
            "by_commitment": check.boolean(row.get("可承诺替代"), "可承诺替代", default=False),
        }
        if m["licence_type"] and m["licence_type"] not in licence_types:
            check.fail("可替代证照", f"证照类型编码“{m['licence_type']}”不存在")
        return m

    def build_fee(check, row, present):
        return {
            "name": check.text(row.get("收费项目"), "收费项目", required=True),
            "standard": check.text(row.get("收费标准"), "收费标准", required=True),
            "basis": check.text(row.get("收费依据"), "收费依据"),
            "enterprise_related": check.boolean(row.get("涉企收费"), "涉企收费", default=False),
        }

    children(MATERIAL_SHEET, MATERIAL_COLUMNS, MATERIAL_REQUIRED, "materials", build_material)
    children(FEE_SHEET, FEE_COLUMNS, FEE_REQUIRED, "fees", build_fee)

    # Material codes are unique within an item.
    for data in items.values():
        seen: dict[str, int] = {}
        for number, m in data.get("materials", []):
            if m["code"] in seen:
                errors.append(RowError(MATERIAL_SHEET, number, "材料编码",
                                       f"材料编码“{m['code']}”在该事项中重复，已在第 {seen[m['code']]} 行出现"))
            seen.setdefault(m["code"], number)
    wb.close()

    # Final shape check through the shared normaliser (only rows with no error so far).
    headers = {key: header for header, key, _k in ITEM_COLUMNS}
    bad_rows = {(e.sheet, e.row) for e in errors}
    out = []
    for code, data in items.items():
        plain = dict(data)
        for key in ("materials", "fees"):
            if key in plain:
                plain[key] = [child for _n, child in plain[key]]
        if (ITEM_SHEET, rows_of[code]) in bad_rows:
            continue
        try:
            normalize_item_dict(plain)
        except ServiceError as exc:
            for key, message in exc.fields.items():
                errors.append(RowError(ITEM_SHEET, rows_of[code], headers.get(key, key), str(message)))
        else:
            # Only the columns the sheet carried: absent columns keep the current values.
            out.append(plain)
    errors.sort(key=lambda e: ([ITEM_SHEET, MATERIAL_SHEET, FEE_SHEET, ""].index(e.sheet)
                               if e.sheet in (ITEM_SHEET, MATERIAL_SHEET, FEE_SHEET) else 9, e.row, e.column))
    return out, rows_of, errors


def import_catalogue(file, actor=None) -> ImportResult:
    """Validate the whole workbook; on any error import nothing and return the errors.
    Otherwise upsert every item in one transaction and count created / updated / unchanged."""
    dicts, rows_of, errors = parse_catalogue(file)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    existing = set(ServiceItem.objects.filter(code__in=[d["code"] for d in dicts]).values_list("code", flat=True))
    from .services import upsert_item_from_dict

    current = None
    try:
        with transaction.atomic():
            for data in dicts:
                current = data["code"]
                _version, changed = upsert_item_from_dict(data, actor=actor)
                if current not in existing:
                    result.created += 1
                elif changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
    except ServiceError as exc:
        fields = "；".join(f"{k}：{v}" for k, v in exc.fields.items()) if exc.fields else ""
        return ImportResult(errors=[RowError(ITEM_SHEET, rows_of.get(current, 0), "", exc.message + (f"（{fields}）" if fields and fields not in exc.message else ""))])
    return result
