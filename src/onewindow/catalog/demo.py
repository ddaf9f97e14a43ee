"""Demo catalogue: the departments, licence types, service items and 一件事 of the 宿州市政务服务中心.

Data lives in catalog/data/*.json (UTF-8; item code scheme in catalog/serialize.py).
`load` creates what is missing and never changes what exists, so an administrator's edit to a
department, item, bundle, synonym or theme survives; `load(reset=True)` (`onewindow demo --reset`)
brings them back to the file's values through the upsert services, which write nothing (and add no
item version) when the stored data already matches the file. The search vocabulary (synonyms and
themes, catalog/data/search.json) is seeded the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from . import services, vocabulary
from .models import Bundle, Department, LicenceType, ServiceItem

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def item_files() -> list[Path]:
    return sorted(DATA_DIR.glob("items-*.json"))


def all_items() -> list[dict]:
    items: list[dict] = []
    for path in item_files():
        items.extend(json.loads(path.read_text(encoding="utf-8")))
    return items


@transaction.atomic
def load(stdout=None, reset: bool = False) -> dict:
    """Create the missing demo catalogue (reset=True: also restore the demo values). Returns counts
    of what changed."""
    services.city_region()
    counts = {"departments": 0, "licence_types": 0, "items": 0, "bundles": 0, "vocabulary": 0}

    def missing(model, field, rows):
        have = set(model.objects.values_list(field, flat=True))
        return [r for r in rows if reset or r["code"] not in have]

    for row in missing(Department, "code", read("departments.json")):
        _, changed = services.upsert_department(row)
        counts["departments"] += changed
    for row in missing(LicenceType, "code", read("licence_types.json")):
        _, changed = services.upsert_licence_type(**row)
        counts["licence_types"] += changed
    items = all_items()
    for row in missing(ServiceItem, "code", items):
        _, changed = services.upsert_item_from_dict(row)
        counts["items"] += changed
    for row in missing(Bundle, "code", read("bundles.json")):
        _, changed = services.upsert_bundle(**row)
        counts["bundles"] += changed
    counts["vocabulary"] = vocabulary.load(read("search.json"), reset=reset)
    if stdout is not None:
        stdout.write(
            f"  catalog: {len(items)} items ({counts['items']} created or changed), "
            f"{counts['departments']} departments, {counts['licence_types']} licence types, "
            f"{counts['bundles']} bundles, {counts['vocabulary']} search words changed\n"
        )
    return counts
