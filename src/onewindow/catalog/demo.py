"""Demo catalogue: the departments, licence types, service items and 一件事 of the 宿州市政务服务中心.

Data lives in catalog/data/*.json (UTF-8; item code scheme in catalog/serialize.py).
`load` is idempotent: everything goes through the upsert services, which write nothing
(and add no item version) when the stored data already matches the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from . import services

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
def load(stdout=None) -> dict:
    """Load or refresh the demo catalogue. Returns counts of what changed."""
    services.city_region()
    counts = {"departments": 0, "licence_types": 0, "items": 0, "bundles": 0}
    for row in read("departments.json"):
        _, changed = services.upsert_department(row)
        counts["departments"] += changed
    for row in read("licence_types.json"):
        _, changed = services.upsert_licence_type(**row)
        counts["licence_types"] += changed
    items = all_items()
    for row in items:
        _, changed = services.upsert_item_from_dict(row)
        counts["items"] += changed
    for row in read("bundles.json"):
        _, changed = services.upsert_bundle(**row)
        counts["bundles"] += changed
    if stdout is not None:
        stdout.write(
            f"  catalog: {len(items)} items ({counts['items']} created or changed), "
            f"{counts['departments']} departments, {counts['licence_types']} licence types, "
            f"{counts['bundles']} bundles changed\n"
        )
    return counts
