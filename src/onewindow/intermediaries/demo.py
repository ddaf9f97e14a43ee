"""Demo 中介服务清单 (intermediaries/data/intermediaries.json): real intermediary services on the demo
items that need them, with providers. Idempotent and create-only: a service or provider already
stored (perhaps edited by the administrator) is left as it is."""

import json
from pathlib import Path

from django.db import transaction

from onewindow.catalog.models import ServiceItem
from onewindow.regions.models import Region

from .models import IntermediaryService, Provider

DATA = Path(__file__).resolve().parent / "data" / "intermediaries.json"


@transaction.atomic
def load(stdout=None) -> dict:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    made = {"services": 0, "providers": 0}
    by_code = {}
    for row in data["services"]:
        row = dict(row)
        items = row.pop("items")
        svc, created = IntermediaryService.objects.get_or_create(code=row["code"], defaults=row)
        if created:
            svc.items.set(ServiceItem.objects.filter(code__in=items))
            made["services"] += 1
        by_code[svc.code] = svc
    regions = set(Region.objects.filter(code__in={p["region"] for p in data["providers"]}).values_list("code", flat=True))
    for row in data["providers"]:
        row = dict(row)
        codes = row.pop("services")
        if row["region"] not in regions:
            continue
        row["region_id"] = row.pop("region")
        prov, created = Provider.objects.get_or_create(name=row["name"], defaults=row)
        if created:
            prov.services.set([by_code[c] for c in codes if c in by_code])
            made["providers"] += 1
    if stdout is not None:
        stdout.write(f"  intermediaries: {len(data['services'])} services ({made['services']} new), "
                     f"{len(data['providers'])} providers ({made['providers']} new)\n")
    return made
