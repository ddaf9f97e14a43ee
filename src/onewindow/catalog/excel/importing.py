"""A catalogue workbook read back: every row validated before anything is written, then all rows
applied in one transaction through `services.upsert_item_from_dict` (an unchanged row makes no new
version)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext
from openpyxl import load_workbook

from onewindow.accounts.models import User
from onewindow.core.errors import ServiceError

from ..models import (
    Department,
    ItemType,
    LicenceType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    ServiceItem,
    Subject,
)
from ..serialize import SMALLINT_MAX, normalize_item_dict
from ..services import upsert_item_from_dict
from .layout import (
    FALSE_WORDS,
    FEE_COLUMNS,
    FEE_REQUIRED,
    FEE_SHEET,
    ITEM_COLUMNS,
    ITEM_REQUIRED,
    ITEM_SHEET,
    LEVEL_INPUT,
    LIST_SPLIT,
    MATERIAL_COLUMNS,
    MATERIAL_REQUIRED,
    MATERIAL_SHEET,
    STEP_SPLIT,
    TRUE_WORDS,
    choice_labels,
)


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
        self.index: dict[str, int] = {}
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
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
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
    return [s.strip() for s in STEP_SPLIT.split(text) if s.strip()]


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
    _types_out, types = choice_labels(ItemType)
    _s, subjects = choice_labels(Subject)
    _d, depths = choice_labels(OnlineDepth)
    _f, forms = choice_labels(MaterialForm)
    _so, sources = choice_labels(MaterialSource)
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
                    for part in (p.strip() for p in LIST_SPLIT.split(_cell_text(value))):
                        if not part:
                            continue
                        if part not in LEVEL_INPUT:
                            check.fail(header, f"无法识别的行使层级“{part}”")
                        elif LEVEL_INPUT[part] not in levels:
                            levels.append(LEVEL_INPUT[part])
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


def import_catalogue(file, actor: User | None = None) -> ImportResult:
    """Validate the whole workbook; on any error import nothing and return the errors.
    Otherwise upsert every item in one transaction and count created / updated / unchanged."""
    dicts, rows_of, errors = parse_catalogue(file)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    existing = set(ServiceItem.objects.filter(code__in=[d["code"] for d in dicts]).values_list("code", flat=True))
    current = ""
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

