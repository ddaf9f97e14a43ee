"""One service item version as a plain dict, and back: the exchange shape of the catalogue.

`item_to_dict(version)` gives the dict that the demo data files (catalog/data/*.json), the
Excel exporter/importer and `services.upsert_item_from_dict` all use. `normalize_item_dict`
turns loosely typed input (from Excel: "是"/"否", "city,county", "受理→审核") into that
exact shape, so two dicts can be compared for equality.

Codes
-----
Departments: ``SZ-<PINYIN INITIALS>``, e.g. ``SZ-SCJG`` 市市场监督管理局, ``SZ-GAJ`` 市公安局.

Service items: ``<department code>-<type code>-<4-digit sequence>``, e.g. ``SZ-SCJG-XK-0001``
(食品经营许可), where the type code is::

    XK 行政许可   CF 行政处罚   QZ 行政强制   ZS 行政征收   JF 行政给付   JC 行政检查
    QR 行政确认   JL 行政奖励   CJ 行政裁决   QT 其他行政权力   GG 公共服务

The sequence is unique within department and type and never reused. Synthetic items added
by ``catalog.generate`` use the prefix ``GEN-`` (``GEN-SZ-SCJG-GG-0001``) so they can never
be mistaken for real catalogue entries.

Materials: ``M01``, ``M02``… in the order of the guide, unique within one item version; a
material keeps its code across versions of the same item.

Licence types: short upper-case codes (``YYZZ`` 营业执照, ``JMSFZ`` 居民身份证, ``BDCQZS``
不动产权证书 …), listed in catalog/data/licence_types.json.

Bundles (一件事): ``YJS-<name>``, e.g. ``YJS-KBQY`` 开办企业一件事.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError

from .models import ItemType, ItemVersion, MaterialForm, MaterialSource, OnlineDepth, Subject

TYPE_CODES = {
    ItemType.LICENSING: "XK",
    ItemType.PENALTY: "CF",
    ItemType.COERCION: "QZ",
    ItemType.LEVY: "ZS",
    ItemType.PAYMENT: "JF",
    ItemType.INSPECTION: "JC",
    ItemType.CONFIRMATION: "QR",
    ItemType.REWARD: "JL",
    ItemType.ADJUDICATION: "CJ",
    ItemType.OTHER_POWER: "QT",
    ItemType.PUBLIC_SERVICE: "GG",
}

LEVELS = ["province", "city", "county", "town", "village"]

# Fields stored on ItemVersion, in the order of the exchange dict (department is on the item).
VERSION_FIELDS = [
    "name",
    "type",
    "subject",
    "levels",
    "legal_basis",
    "conditions",
    "statutory_days",
    "committed_days",
    "extension_days",
    "process_steps",
    "online_depth",
    "max_visits",
    "result_name",
    "licence_type",
    "stationed",
    "window_accepts",
    "window_reviews",
    "window_decides",
    "intermediary_services",
    "responsibilities",
    "accountability",
    "where_to_go",
    "consult_phone",
    "makeup_days",
    "commitment_allowed",
    "commitment_text",
    "verification_days",
]
TEXT_FIELDS = [
    "name",
    "legal_basis",
    "conditions",
    "result_name",
    "intermediary_services",
    "responsibilities",
    "accountability",
    "where_to_go",
    "consult_phone",
    "commitment_text",
]
INT_FIELDS = ["statutory_days", "committed_days", "extension_days", "max_visits", "makeup_days", "verification_days"]
BOOL_FIELDS = ["stationed", "window_accepts", "window_reviews", "window_decides", "commitment_allowed"]
DICT_KEYS = ["code", "department", *VERSION_FIELDS, "materials", "fees"]
MATERIAL_KEYS = ["code", "name", "required", "form", "copies", "source", "licence_type", "note", "deferrable",
                 "by_commitment"]
FEE_KEYS = ["name", "standard", "basis", "enterprise_related"]

DEFAULTS = {
    "subject": Subject.BOTH.value,
    "levels": [],
    "legal_basis": "",
    "conditions": "",
    "extension_days": 0,
    "process_steps": [],
    "online_depth": OnlineDepth.WINDOW.value,
    "max_visits": 1,
    "result_name": "",
    "licence_type": "",
    "stationed": True,
    "window_accepts": True,
    "window_reviews": False,
    "window_decides": False,
    "intermediary_services": "",
    "responsibilities": "",
    "accountability": "",
    "where_to_go": "",
    "consult_phone": "",
    "makeup_days": 5,
    "commitment_allowed": False,
    "commitment_text": "",
    "verification_days": 20,
}
MATERIAL_DEFAULTS = {
    "required": True,
    "form": MaterialForm.ORIGINAL.value,
    "copies": 1,
    "source": MaterialSource.APPLICANT.value,
    "licence_type": "",
    "note": "",
    "deferrable": False,
    "by_commitment": False,
}
FEE_DEFAULTS = {"basis": "", "enterprise_related": False}

# Labels accepted besides the stored values (Excel sheets carry the Chinese labels).
_TRUE = {"1", "true", "yes", "y", "是", "√", "有", "必要", "必须", "必需"}
_FALSE = {"0", "false", "no", "n", "否", "×", "无", "非必要", "可选", "容缺", ""}


def _choice_lookup(choices) -> dict:
    table = {}
    for value, label in choices.choices:
        table[str(value).lower()] = value
        table[str(label)] = value
    return table


_TYPES = _choice_lookup(ItemType)
_SUBJECTS = _choice_lookup(Subject)
_DEPTHS = _choice_lookup(OnlineDepth)
_FORMS = _choice_lookup(MaterialForm)
_SOURCES = _choice_lookup(MaterialSource)
_LEVEL_LABELS = {"省": "province", "省级": "province", "市": "city", "市级": "city", "县": "county",
                 "县级": "county", "县区": "county", "县区级": "county", "乡": "town", "乡镇": "town",
                 "乡镇级": "town", "乡镇街道": "town", "村": "village", "村级": "village", "村社区": "village"}


def item_to_dict(version: ItemVersion) -> dict:
    """The exchange dict of one item version (keys as listed in DICT_KEYS)."""
    item = version.item
    data = {"code": item.code, "department": item.department.code}
    for field in VERSION_FIELDS:
        if field == "licence_type":
            data[field] = version.licence_type.code if version.licence_type_id else ""
        else:
            value = getattr(version, field)
            data[field] = list(value) if isinstance(value, list) else value
    data["materials"] = [
        {
            "code": m.code,
            "name": m.name,
            "required": m.required,
            "form": m.form,
            "copies": m.copies,
            "source": m.source,
            "licence_type": m.licence_type.code if m.licence_type_id else "",
            "note": m.note,
            "deferrable": m.deferrable,
            "by_commitment": m.by_commitment,
        }
        for m in version.materials.all()  # Meta ordering (order, code); prefetch-friendly
    ]
    data["fees"] = [
        {"name": f.name, "standard": f.standard, "basis": f.basis, "enterprise_related": f.enterprise_related}
        for f in version.fees.all()  # Meta ordering (order, id)
    ]
    return data


# --- normalising loosely typed input -------------------------------------------------------


def _bool(value, field: str, errors: dict) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    errors[field] = _("无法识别的是/否取值：%(value)s") % {"value": value}
    return False


SMALLINT_MAX = 32767  # the days, copies and order columns are PositiveSmallIntegerField


def _int(value, field: str, errors: dict) -> int:
    if isinstance(value, bool):
        errors[field] = _("应为整数")
        return 0
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    else:
        text = str(value).strip()
        if text in {"即办", "即办件"}:
            return 0
        try:
            result = int(text)
        except ValueError:
            errors[field] = _("应为整数：%(value)s") % {"value": value}
            return 0
    if result < 0:
        errors[field] = _("不能为负数")
    elif result > SMALLINT_MAX:
        errors[field] = _("不能大于 %(max)s") % {"max": SMALLINT_MAX}
    return result


def _choice(value, table: dict, field: str, errors: dict) -> str:
    found = table.get(str(value).strip().lower()) or table.get(str(value).strip())
    if found is None:
        errors[field] = _("无效取值：%(value)s") % {"value": value}
        return str(value)
    return str(found)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _list(value, splitter: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in re.split(splitter, str(value)) if p.strip()]


def normalize_material(raw: dict, index: int, errors: dict) -> dict:
    prefix = f"materials[{index}]"
    m = {**MATERIAL_DEFAULTS, **{k: v for k, v in raw.items() if v is not None}}
    out: dict[str, Any] = {"code": _text(m.get("code")), "name": _text(m.get("name"))}
    if not out["code"]:
        errors[f"{prefix}.code"] = _("材料编码不能为空")
    if not out["name"]:
        errors[f"{prefix}.name"] = _("材料名称不能为空")
    out["required"] = _bool(m["required"], f"{prefix}.required", errors)
    out["form"] = _choice(m["form"], _FORMS, f"{prefix}.form", errors)
    out["copies"] = _int(m["copies"], f"{prefix}.copies", errors)
    out["source"] = _choice(m["source"], _SOURCES, f"{prefix}.source", errors)
    out["licence_type"] = _text(m["licence_type"])
    out["note"] = _text(m["note"])
    out["deferrable"] = _bool(m["deferrable"], f"{prefix}.deferrable", errors)
    out["by_commitment"] = _bool(m["by_commitment"], f"{prefix}.by_commitment", errors)
    if out["deferrable"] and not out["required"]:
        errors[f"{prefix}.deferrable"] = _("只有必要材料才需标记可容缺")
    return out


def normalize_fee(raw: dict, index: int, errors: dict) -> dict:
    prefix = f"fees[{index}]"
    f = {**FEE_DEFAULTS, **{k: v for k, v in raw.items() if v is not None}}
    out = {"name": _text(f.get("name")), "standard": _text(f.get("standard")), "basis": _text(f["basis"])}
    if not out["name"]:
        errors[f"{prefix}.name"] = _("收费项目名称不能为空")
    if not out["standard"]:
        errors[f"{prefix}.standard"] = _("收费标准不能为空")
    out["enterprise_related"] = _bool(f["enterprise_related"], f"{prefix}.enterprise_related", errors)
    return out


def normalize_item_dict(data: dict, base: dict | None = None) -> dict:
    """Return `data` in the exact exchange shape; keys missing from `data` come from `base`
    (the current version's dict) or the defaults. Raises ServiceError listing every bad field.
    """
    errors: dict = {}
    unknown = set(data) - set(DICT_KEYS)
    for key in sorted(unknown):
        errors[key] = _("未知字段")
    merged = {**DEFAULTS, **(base or {}), **{k: v for k, v in data.items() if k in DICT_KEYS and v is not None}}
    out: dict = {}
    for key in ("code", "department"):
        out[key] = _text(merged.get(key))
        if not out[key]:
            errors[key] = _("不能为空")
    for key in TEXT_FIELDS:
        out[key] = _text(merged.get(key))
    if not out["name"]:
        errors["name"] = _("事项名称不能为空")
    out["type"] = _choice(merged.get("type", ""), _TYPES, "type", errors)
    out["subject"] = _choice(merged["subject"], _SUBJECTS, "subject", errors)
    out["online_depth"] = _choice(merged["online_depth"], _DEPTHS, "online_depth", errors)
    for key in INT_FIELDS:
        if merged.get(key) is None or merged.get(key) == "":
            errors[key] = _("不能为空")
            out[key] = 0
        else:
            out[key] = _int(merged[key], key, errors)
    for key in BOOL_FIELDS:
        out[key] = _bool(merged[key], key, errors)
    levels = []
    for level in _list(merged["levels"], r"[,，、;；\s]+"):
        value = _LEVEL_LABELS.get(level, level)
        if value not in LEVELS:
            errors["levels"] = _("无效层级：%(level)s") % {"level": level}
        elif value not in levels:
            levels.append(value)
    out["levels"] = levels
    out["process_steps"] = _list(merged["process_steps"], r"\s*(?:→|->|—>|\n|；|;)\s*")
    out["licence_type"] = _text(merged["licence_type"])
    out["materials"] = [normalize_material(m, i, errors) for i, m in enumerate(merged.get("materials") or [])]
    out["fees"] = [normalize_fee(f, i, errors) for i, f in enumerate(merged.get("fees") or [])]
    if errors:
        raise ServiceError(_("事项数据有误：%(errors)s") % {"errors": _("；").join(f"{k} {v}" for k, v in errors.items())}, fields=errors)
    return {key: out[key] for key in DICT_KEYS}
