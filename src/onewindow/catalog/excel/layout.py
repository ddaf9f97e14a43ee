"""The catalogue workbook's layout, shared by the export and the import: sheets, columns and the
words a cell may hold (see the package docstring for the shape)."""

from __future__ import annotations

import re

from django.utils import translation

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
LEVEL_INPUT = {
    **{v: k for k, v in LEVEL_LABELS.items()},
    **{k: k for k in LEVEL_LABELS},
    "省": "province", "市": "city", "县": "county", "县区": "county", "县级": "county", "乡镇": "town",
    "乡镇街道": "town", "乡镇级": "town", "村": "village", "村社区": "village", "村级": "village",
}
LIST_SPLIT = re.compile(r"[；;，,、\n]+")
STEP_SPLIT = re.compile(r"\s*(?:→|->|—>|\n|；|;)\s*")
TRUE_WORDS = {"是", "true", "1", "yes", "y", "√", "必要", "有"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "×", "非必要", "可选", "无"}


def choice_labels(choices) -> tuple[dict, dict]:
    """(value -> Chinese label, input text -> value) for a TextChoices class."""
    with translation.override("zh-hans"):
        out = {value: str(label) for value, label in choices.choices}
    back = {label: value for value, label in out.items()}
    back.update({value: value for value in out})
    return out, back

