"""Reads on divisions and the service network."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from .models import Region, Site, SiteKind, SiteLevel

LEVEL_ORDER = [SiteLevel.CITY, SiteLevel.COUNTY, SiteLevel.TOWN, SiteLevel.VILLAGE]
MAX_QUERY_LENGTH = 50
PER_LEVEL_LIMIT = 300


def city_code() -> str:
    return settings.ONEWINDOW.get("CITY_REGION", "341300")


def region_prefix(code: str) -> str:
    """The code prefix that covers a region and everything below it.

    340000 → "34", 341300 → "3413", 341302 → "341302", 341302009 → "341302009".
    """
    code = (code or "").strip()
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def get_region(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def get_site(code: str) -> Site | None:
    return Site.objects.select_related("region", "parent").filter(code=code).first()


def city_centre() -> Site | None:
    """The city 政务服务中心 (level city, kind centre)."""
    return (
        Site.objects.select_related("region")
        .filter(level=SiteLevel.CITY, kind=SiteKind.CENTRE, region_id=city_code())
        .order_by("code")
        .first()
    )


def county_centre(region_code: str) -> Site | None:
    """The county/zone 政务服务中心 of the county a region lies in."""
    return (
        Site.objects.filter(level=SiteLevel.COUNTY, kind=SiteKind.CENTRE, region_id=(region_code or "")[:6])
        .order_by("code")
        .first()
    )


def sites_under(region_code: str):
    """All sites located in a region or anywhere below it."""
    return Site.objects.filter(region__code__startswith=region_prefix(region_code))


def _annotated():
    return (
        Site.objects.select_related("region", "region__parent", "parent")
        .annotate(
            hall_count=Count("halls", distinct=True), window_count=Count("halls__windows", distinct=True)
        )
        .order_by("code")
    )


def search_sites(q: str = ""):
    """Sites whose name, region name or region code matches q (codes match as prefixes)."""
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    qs = _annotated()
    if q:
        cond = Q(name__icontains=q) | Q(region__name__icontains=q)
        if q.isdigit():
            cond |= Q(region__code__startswith=region_prefix(q))
        qs = qs.filter(cond)
    return qs


@dataclass
class LevelGroup:
    level: str
    label: str
    total: int
    network_total: int = 0
    sites: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # [(county Region or None, [sites])] for town/village levels

    @property
    def truncated(self) -> bool:
        return self.total > len(self.sites)


def level_counts() -> dict[str, int]:
    """Number of sites per level over the whole network."""
    rows = {r["level"]: r["n"] for r in Site.objects.order_by().values("level").annotate(n=Count("pk"))}
    return {level.value: rows.get(level.value, 0) for level in LEVEL_ORDER}


def network(q: str = "", per_level: int = PER_LEVEL_LIMIT) -> dict:
    """The service network, level by level, optionally filtered by q.

    Returns {"q", "counts" (whole network), "matched" (total matches), "levels": [LevelGroup]}.
    Each level lists at most `per_level` sites; town and village sites are grouped by county.
    """
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    qs = search_sites(q)
    levels = []
    matched = 0
    counts = level_counts()
    counties = {r.code: r for r in Region.objects.filter(level__in=["county", "zone"])}
    for level in LEVEL_ORDER:
        level_qs = qs.filter(level=level)
        total = level_qs.count()
        matched += total
        sites = list(level_qs[:per_level])
        group = LevelGroup(
            level=level.value, label=level.label, total=total, network_total=counts[level.value], sites=sites
        )
        if level in (SiteLevel.TOWN, SiteLevel.VILLAGE):
            by_county: dict[str, list] = {}
            for s in sites:
                by_county.setdefault(s.region_id[:6], []).append(s)
            group.groups = [(counties.get(code), items) for code, items in by_county.items()]
        levels.append(group)
    return {"q": q, "counts": counts, "matched": matched, "levels": levels}
