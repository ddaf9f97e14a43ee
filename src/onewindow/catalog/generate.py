"""Synthetic catalogue items for load and scale work: `fill_catalogue(total=1057)`.

The real demo catalogue has about 190 items; the 宿州市政务服务中心 offers 1,057. This fills
the gap with plausibly named variants of the real items (变更, 延续, 注销, 补办, 查询 …) in the
same departments. Every synthetic item's code starts with ``GEN-`` (``GEN-SZ-SCJG-XK-0001``),
so they are easy to tell apart and to delete. Deterministic and resumable: running it again
with the same total adds nothing.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict

from django.db import transaction
from tqdm import tqdm

from onewindow.accounts.models import User

from .models import ItemType, ItemVersion, ServiceItem, VersionStatus
from .serialize import TYPE_CODES, item_to_dict
from .services import create_item

PREFIX = "GEN-"


def _variant_change(data: dict, label: str) -> None:
    data["committed_days"] = min(data["committed_days"], max(0, data["statutory_days"] // 2))


def _variant_cancel(data: dict, label: str) -> None:
    data["committed_days"] = 0
    data["conditions"] = f"持有相关证照或已办理备案的申请人因停止经营、终止活动等原因申请{label}。"
    data["materials"] = data["materials"][:2]
    data["fees"] = []
    data["result_name"] = f"准予{label}决定"
    data["licence_type"] = ""


def _variant_reissue(data: dict, label: str) -> None:
    data["committed_days"] = min(data["committed_days"], 1)
    data["conditions"] = "原证照或结果文书遗失、损毁的，可申请补办；遗失的须作出遗失声明。"
    data["materials"] = data["materials"][:1] + [
        {"code": "M90", "name": "遗失声明或损毁证照原件", "required": True, "form": "original", "copies": 1,
         "source": "applicant", "licence_type": "", "note": ""}
    ]


def _variant_query(data: dict, label: str) -> None:
    data["type"] = ItemType.PUBLIC_SERVICE
    data["statutory_days"] = max(1, min(data["statutory_days"], 5))
    data["committed_days"] = 0
    data["conditions"] = "申请人查询本人（本单位）办理结果、证照信息或开具相关证明。"
    data["materials"] = data["materials"][:1]
    data["fees"] = []
    data["licence_type"] = ""
    data["result_name"] = "查询结果或证明"
    data["max_visits"] = 0
    data["online_depth"] = "full"


def _variant_local(data: dict, label: str) -> None:
    data["levels"] = ["county", "town"]
    data["stationed"] = True


def _variant_remote(data: dict, label: str) -> None:
    data["online_depth"] = "full"
    data["max_visits"] = 0


# (label appended to the name, which real items it applies to, how it changes the data)
VARIANTS = [
    ("变更", lambda d: d["type"] in ("licensing", "confirmation", "other_power"), _variant_change),
    ("延续", lambda d: d["type"] == "licensing", _variant_change),
    ("注销", lambda d: d["type"] in ("licensing", "confirmation"), _variant_cancel),
    ("补办", lambda d: bool(d["licence_type"]), _variant_reissue),
    ("办理进度及结果查询", lambda d: True, _variant_query),
    ("县区级实施", lambda d: "county" in d["levels"], _variant_local),
    ("跨省通办", lambda d: d["subject"] != "org", _variant_remote),
    ("乡镇（街道）便民服务中心代办", lambda d: d["subject"] != "org", _variant_local),
    ("告知承诺制", lambda d: d["type"] == "licensing", _variant_change),
    ("容缺受理", lambda d: d["type"] in ("licensing", "confirmation"), _variant_change),
]


def variant_name(name: str, label: str) -> str:
    """食品经营许可 + 变更 → 食品经营许可（变更）; 住房公积金提取（租房） + 跨省通办 → 住房公积金提取（租房·跨省通办）."""
    m = re.fullmatch(r"(.*)（([^（）]*)）", name)
    if m:
        return f"{m.group(1)}（{m.group(2)}·{label}）"
    return f"{name}（{label}）"


def current_count() -> int:
    return ItemVersion.objects.filter(is_current=True).exclude(status=VersionStatus.RETIRED).count()


def fill_catalogue(total: int = 1057, progress: bool = True, actor: User | None = None) -> int:
    """Add synthetic items until the catalogue has `total` current items. Returns how many it added."""
    need = total - current_count()
    if need <= 0:
        return 0
    templates = [
        item_to_dict(v)
        for v in ItemVersion.objects.filter(is_current=True, status=VersionStatus.PUBLISHED)
        .exclude(item__code__startswith=PREFIX)
        .select_related("item__department", "licence_type")
        .prefetch_related("materials__licence_type", "fees")
        .order_by("item__code")
    ]
    if not templates:
        from . import demo

        demo.load()
        return fill_catalogue(total=total, progress=progress, actor=actor)
    existing_names = set(
        ItemVersion.objects.filter(is_current=True, item__code__startswith=PREFIX).values_list("name", flat=True)
    )
    seq: dict[tuple[str, str], int] = defaultdict(int)
    for code in ServiceItem.objects.filter(code__startswith=PREFIX).values_list("code", flat=True):
        head, _, number = code.rpartition("-")
        if number.isdigit():
            seq[head] = max(seq[head], int(number))

    def candidates():
        round_no = 0
        while True:
            round_no += 1
            for label, applies, change in VARIANTS:
                for tpl in templates:
                    if not applies(tpl):
                        continue
                    name = variant_name(tpl["name"], label if round_no == 1 else f"{label}·第{round_no}批")
                    yield tpl, label, change, name

    added = 0
    bar = tqdm(total=need, desc="生成事项", unit="项", disable=not progress)
    stream = candidates()
    try:
        while added < need:
            with transaction.atomic():
                for _ in range(min(100, need - added)):
                    tpl, label, change, name = next(stream)
                    while name in existing_names:
                        tpl, label, change, name = next(stream)
                    data = copy.deepcopy(tpl)
                    change(data, label)
                    data["name"] = name
                    head = f"{PREFIX}{data['department']}-{TYPE_CODES[data['type']]}"
                    seq[head] += 1
                    code = f"{head}-{seq[head]:04d}"
                    data.pop("code")
                    department = data.pop("department")
                    materials, fees = data.pop("materials"), data.pop("fees")
                    create_item(code=code, department=department, actor=actor, materials=materials, fees=fees,
                                **data)
                    existing_names.add(name)
                    added += 1
                    bar.update(1)
    finally:
        bar.close()
    return added
