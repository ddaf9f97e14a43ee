"""Text rules shared by every entry point: what a string may contain, names, masks.

The input gate (core.gate) refuses control characters and lone surrogates wherever text
comes in; services call `clean_name` on names (invisible characters stripped, blank refused)
and `check_data` on free-form `data` objects; lists, logs and exports call the masks.
"""

import json
import math
import re
import unicodedata

from django.utils.translation import gettext as _

from .errors import ServiceError

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")

DATA_MAX_BYTES = 16 * 1024
DATA_MAX_DEPTH = 4
DATA_MAX_KEYS = 200


def text_problem(value: str) -> str | None:
    """Why `value` is not acceptable text, or None."""
    if _CONTROL.search(value):
        return _("含有不允许的控制字符")
    if _SURROGATE.search(value):
        return _("含有无效的 Unicode 字符")
    return None


def strip_invisible(value: str) -> str:
    """Drop format characters (zero-width space/joiner, BOM, bidi marks: category Cf) and
    collapse surrounding whitespace, including the ideographic space."""
    kept = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return kept.strip().replace("\u3000", " ").strip()


def clean_name(value, field: str = "name", label: str | None = None, max_len: int = 100) -> str:
    """A person's or organisation's name, stripped of invisible characters; blank, too long
    or containing control characters → ServiceError naming `field`."""
    name = strip_invisible(str(value or ""))
    label = label or _("名称")
    problem = text_problem(name)
    if problem:
        raise ServiceError(_("%(label)s%(problem)s") % {"label": label, "problem": problem}, fields={field: problem})
    if not name:
        raise ServiceError(_("%(label)s必填") % {"label": label}, fields={field: _("必填")})
    if len(name) > max_len:
        raise ServiceError(_("%(label)s过长") % {"label": label},
                           fields={field: _("不超过 %(max_len)s 字") % {"max_len": max_len}})
    return name


def _depth_and_problems(value, path: str, depth: int, out: dict) -> int:
    if isinstance(value, dict):
        if len(value) > DATA_MAX_KEYS:
            out[path] = _("项目过多")
        deepest = depth
        for k, v in value.items():
            sub = f"{path}.{k}"
            if not isinstance(k, str) or text_problem(k):
                out[path] = _("含有无效的键名")
            deepest = max(deepest, _depth_and_problems(v, sub, depth + 1, out))
        return deepest
    if isinstance(value, list):
        if len(value) > DATA_MAX_KEYS:
            out[path] = _("项目过多")
        deepest = depth
        for i, v in enumerate(value):
            deepest = max(deepest, _depth_and_problems(v, f"{path}.{i}", depth + 1, out))
        return deepest
    if isinstance(value, float) and not math.isfinite(value):
        out[path] = _("不是有限的数值")
    elif isinstance(value, str) and text_problem(value):
        out[path] = text_problem(value)
    return depth


def check_data(data, field: str = "data") -> dict:
    """A free-form `data` object: a JSON object of at most DATA_MAX_BYTES, nested at most
    DATA_MAX_DEPTH levels, with finite numbers and clean text; otherwise ServiceError."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise ServiceError(_("附加数据须为对象"), fields={field: _("须为 JSON 对象")})
    problems: dict = {}
    depth = _depth_and_problems(data, field, 1, problems)
    if problems:
        raise ServiceError(_("附加数据有误"), fields=problems)
    if depth > DATA_MAX_DEPTH:
        raise ServiceError(_("附加数据层级过深"), fields={field: _("最多 %(n)s 层") % {"n": DATA_MAX_DEPTH}})
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
    if size > DATA_MAX_BYTES:
        raise ServiceError(_("附加数据过大"), fields={field: _("不超过 %(n)s 字节") % {"n": DATA_MAX_BYTES}})
    return data


# ---------------------------------------------------------------- masks for lists, logs and exports

def mask_id_number(value: str) -> str:
    """110101199003071234 → 1101**********1234 (region prefix and last four kept)."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """13800138000 → 138****8000."""
    value = value or ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def payload_text(payload: dict, key: str, label: str, *, required: bool = True, max_len: int = 2000) -> str:
    """A text field of an action's payload, stripped: absent is blank; a non-text, a missing required
    value or an over-long one is a ServiceError naming the field."""
    value = payload.get(key)
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ServiceError(_("%(label)s格式有误") % {"label": label}, fields={key: _("应为文本")})
    value = value.strip()
    if required and not value:
        raise ServiceError(_("%(label)s必填") % {"label": label}, fields={key: _("必填")})
    if len(value) > max_len:
        raise ServiceError(_("%(label)s过长") % {"label": label}, fields={key: _("不超过 %(max_len)s 字") % {"max_len": max_len}})
    return value
