"""Demo service network: divisions, the city centre with halls and windows, sub-centres,
county centres, town 便民服务中心 and village 代办点 (demo placeholders, see fixtures/README.md).

Creates what is missing and never changes what exists (an administrator's edit to a site, hall or
window survives `onewindow demo`); `load(reset=True)` brings them back to the demo values. Every
write goes through the bulk services, which only touch differences. Department windows are created
later by accounts.demo (after the catalogue is loaded).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from . import services
from .models import Hall, Region, RegionLevel, Site, SiteKind, SiteLevel, Window, WindowKind

CITY = "341300"
CENTRE_CODE = "SZ-CENTRE"
CENTRE_NAME = "宿州市政务服务中心"
APPROVAL_HALL = "审批服务大厅"
PUBLIC_HALL = "公共服务大厅"
COUNTY_HALL = "政务服务大厅"
TOWN_HALL = "便民服务大厅"
COMPREHENSIVE_WINDOWS = 12
DELIVERY_NUMBER = "13"
SUB_CENTRES = [
    ("SZ-CENTRE-RS", "人社分中心"),
    ("SZ-CENTRE-FG", "房管分中心"),
    ("SZ-CENTRE-GJJ", "公积金分中心"),
    ("SZ-CENTRE-BDC", "不动产分中心"),
]
PHONE = "0557-12345"
HOURS = {
    "morning_open": datetime.time(8, 30),
    "morning_close": datetime.time(12, 0),
    "afternoon_open": datetime.time(14, 30),
    "afternoon_close": datetime.time(17, 30),
}


def county_centre_code(region_code: str) -> str:
    return f"ZW-{region_code}"


def town_centre_code(region_code: str) -> str:
    return f"BM-{region_code}"


def agency_point_code(town_code: str, n: int = 1) -> str:
    return f"DB-{town_code}-{n:02d}"


def _village_word(town_name: str) -> str:
    return "村" if town_name.endswith(("镇", "乡")) else "社区"


def site_specs() -> list[dict]:
    regions = {r.code: r for r in Region.objects.filter(code__startswith=CITY[:4])}
    city = regions[CITY]
    specs = [
        {
            "code": CENTRE_CODE,
            "name": CENTRE_NAME,
            "level": SiteLevel.CITY,
            "kind": SiteKind.CENTRE,
            "region": CITY,
            "parent": None,
            "address": f"{city.name}埇桥区（演示地址）",
            "phone": PHONE,
            **HOURS,
        }
    ]
    for code, name in SUB_CENTRES:
        specs.append(
            {
                "code": code,
                "name": f"{CENTRE_NAME}{name}",
                "level": SiteLevel.CITY,
                "kind": SiteKind.SUB_CENTRE,
                "region": CITY,
                "parent": CENTRE_CODE,
                "address": f"{city.name}埇桥区（演示地址）",
                "phone": PHONE,
                **HOURS,
            }
        )
    counties = sorted(
        (r for r in regions.values() if r.level in (RegionLevel.COUNTY, RegionLevel.ZONE)),
        key=lambda r: r.code,
    )
    for county in counties:
        specs.append(
            {
                "code": county_centre_code(county.code),
                "name": f"{county.name}政务服务中心",
                "level": SiteLevel.COUNTY,
                "kind": SiteKind.CENTRE,
                "region": county.code,
                "parent": CENTRE_CODE,
                "address": f"{city.name}{county.name}（演示地址）",
                "phone": PHONE,
                **HOURS,
            }
        )
    towns = sorted((r for r in regions.values() if r.level == RegionLevel.TOWN), key=lambda r: r.code)
    for town in towns:
        county = regions[town.parent_id]
        specs.append(
            {
                "code": town_centre_code(town.code),
                "name": f"{town.name}便民服务中心",
                "level": SiteLevel.TOWN,
                "kind": SiteKind.CONVENIENCE,
                "region": town.code,
                "parent": county_centre_code(county.code),
                "address": f"{county.name}{town.name}（演示地址）",
                "phone": PHONE,
                **HOURS,
            }
        )
    for town in towns:
        county = regions[town.parent_id]
        specs.append(
            {
                "code": agency_point_code(town.code),
                "name": f"{town.name}第一{_village_word(town.name)}代办点",
                "level": SiteLevel.VILLAGE,
                "kind": SiteKind.AGENCY_POINT,
                "region": town.code,
                "parent": town_centre_code(town.code),
                "address": f"{county.name}{town.name}（演示地址）",
                "phone": PHONE,
                "is_demo": True,
                **HOURS,
            }
        )
    return specs


def hall_and_window_specs(site_specs_: list[dict]) -> tuple[list[dict], list[dict]]:
    halls = [
        {"site": CENTRE_CODE, "name": APPROVAL_HALL, "floor": "1F"},
        {"site": CENTRE_CODE, "name": PUBLIC_HALL, "floor": "2F"},
    ]
    windows = [
        {
            "site": CENTRE_CODE,
            "hall": APPROVAL_HALL,
            "number": str(n),
            "name": f"综合受理窗口{n}",
            "kind": WindowKind.COMPREHENSIVE,
        }
        for n in range(1, COMPREHENSIVE_WINDOWS + 1)
    ]
    windows.append(
        {
            "site": CENTRE_CODE,
            "hall": APPROVAL_HALL,
            "number": DELIVERY_NUMBER,
            "name": "出件窗口",
            "kind": WindowKind.DELIVERY,
        }
    )
    windows += [
        {
            "site": CENTRE_CODE,
            "hall": PUBLIC_HALL,
            "number": str(n),
            "name": f"综合受理窗口{n}",
            "kind": WindowKind.COMPREHENSIVE,
        }
        for n in range(1, 5)
    ]
    windows.append(
        {
            "site": CENTRE_CODE,
            "hall": PUBLIC_HALL,
            "number": "5",
            "name": "出件窗口",
            "kind": WindowKind.DELIVERY,
        }
    )
    for code, name in SUB_CENTRES:
        halls.append({"site": code, "name": f"{name}服务大厅", "floor": ""})
        windows += [
            {
                "site": code,
                "hall": f"{name}服务大厅",
                "number": str(n),
                "name": f"综合受理窗口{n}",
                "kind": WindowKind.COMPREHENSIVE,
            }
            for n in range(1, 3)
        ]
    for spec in site_specs_:
        if spec["level"] == SiteLevel.COUNTY:
            halls.append({"site": spec["code"], "name": COUNTY_HALL, "floor": "1F"})
            windows += [
                {
                    "site": spec["code"],
                    "hall": COUNTY_HALL,
                    "number": str(n),
                    "name": f"综合受理窗口{n}",
                    "kind": WindowKind.COMPREHENSIVE,
                }
                for n in range(1, 5)
            ]
            windows.append(
                {
                    "site": spec["code"],
                    "hall": COUNTY_HALL,
                    "number": "5",
                    "name": "出件窗口",
                    "kind": WindowKind.DELIVERY,
                }
            )
        elif spec["level"] == SiteLevel.TOWN:
            halls.append({"site": spec["code"], "name": TOWN_HALL, "floor": ""})
            windows += [
                {
                    "site": spec["code"],
                    "hall": TOWN_HALL,
                    "number": str(n),
                    "name": f"综合受理窗口{n}",
                    "kind": WindowKind.COMPREHENSIVE,
                }
                for n in range(1, 3)
            ]
    return halls, windows


def _missing(specs: list[dict], have: set, key) -> list[dict]:
    return [s for s in specs if key(s) not in have]


@transaction.atomic
def load(stdout=None, reset: bool = False):
    result = services.load_regions(update=reset)
    specs = site_specs()
    halls, windows = hall_and_window_specs(specs)
    if not reset:
        specs = _missing(specs, set(Site.objects.values_list("code", flat=True)), lambda s: s["code"])
        halls = _missing(halls, set(Hall.objects.values_list("site__code", "name")), lambda h: (h["site"], h["name"]))
        windows = _missing(windows, set(Window.objects.values_list("hall__site__code", "hall__name", "number")),
                           lambda w: (w["site"], w["hall"], w["number"]))
    sites = services.sync_sites(specs)
    hall_result = services.sync_halls(halls)
    window_result = services.sync_windows(windows)
    if stdout is not None:
        stdout.write(
            f"  regions +{result.created}/~{result.updated}, sites +{sites.created}/~{sites.updated}, "
            f"halls +{hall_result.created}, windows +{window_result.created}"
        )
