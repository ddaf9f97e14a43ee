"""Writes on divisions and the service network.

All functions are bulk and idempotent: they compare what is asked for with what is stored,
create or update only the difference, and write one audit entry per call that changed
something (none when nothing changed, so re-running demo data leaves the chain alone).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.core.errors import ServiceError

from .models import Hall, Region, RegionLevel, Site, SiteKind, SiteLevel, Window, WindowKind

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "regions-341300.csv"
PROVINCE = ("340000", "安徽省")
_CODE_LENGTHS = {
    RegionLevel.PROVINCE: 6,
    RegionLevel.CITY: 6,
    RegionLevel.COUNTY: 6,
    RegionLevel.ZONE: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.VILLAGE: 12,
}
_DEPTH = {"province": 0, "city": 1, "county": 2, "zone": 2, "town": 3, "village": 4}


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# --------------------------------------------------------------------------- regions


def _read_region_rows(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"code", "name", "level", "parent"} - set(reader.fieldnames or [])
            if missing:
                raise ServiceError(
                    _("区划文件缺少列：%(columns)s") % {"columns": ', '.join(sorted(missing))},
                    code="bad_region_file",
                    fields={"path": str(path)},
                )
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except FileNotFoundError as exc:
        raise ServiceError(_("区划文件不存在：%(path)s") % {"path": path}, code="bad_region_file") from exc
    return rows


def _validate_region_rows(rows: list[dict]) -> None:
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        code, name, level, parent = row["code"], row["name"], row["level"], row["parent"]
        where = _("第 %(n)s 行") % {"n": n}
        if level not in _CODE_LENGTHS:
            raise ServiceError(_("%(where)s：未知层级 %(level)s") % {"where": where, "level": repr(level)}, code="bad_region_row", fields={"line": n})
        if not code.isdigit() or len(code) != _CODE_LENGTHS[level]:
            raise ServiceError(
                _("%(where)s：区划代码 %(code)s 与层级 %(level)s 不符") % {"where": where, "code": repr(code), "level": level}, code="bad_region_row", fields={"line": n}
            )
        if not name:
            raise ServiceError(_("%(where)s：名称为空") % {"where": where}, code="bad_region_row", fields={"line": n})
        if code in seen:
            raise ServiceError(_("%(where)s：区划代码 %(code)s 重复") % {"where": where, "code": code}, code="bad_region_row", fields={"line": n})
        if level != RegionLevel.PROVINCE and not parent:
            raise ServiceError(_("%(where)s：缺少上级代码") % {"where": where}, code="bad_region_row", fields={"line": n})
        seen.add(code)


@transaction.atomic
def load_regions(path: str | Path | None = None, *, actor: User | None = None, update: bool = True) -> SyncResult:
    """Load the division file (default: fixtures/regions-341300.csv) plus the province row.
    `update=False` only adds missing codes and leaves stored ones as they are.

    Idempotent and bulk: new codes are bulk-created (parents first), changed names, levels
    or parents bulk-updated. Raises ServiceError on a malformed file, writing nothing.
    """
    path = Path(path) if path else FIXTURE
    rows = _read_region_rows(path)
    if not any(r["code"] == PROVINCE[0] for r in rows):
        rows.insert(
            0, {"code": PROVINCE[0], "name": PROVINCE[1], "level": RegionLevel.PROVINCE, "parent": ""}
        )
    _validate_region_rows(rows)

    existing = {r.code: r for r in Region.objects.all()}
    known = set(existing) | {r["code"] for r in rows}
    for row in rows:
        if row["parent"] and row["parent"] not in known:
            raise ServiceError(
                _("区划 %(code)s 的上级 %(parent)s 不存在") % {"code": row['code'], "parent": row['parent']},
                code="bad_region_row",
                fields={"code": row["code"]},
            )

    result = SyncResult()
    to_create: list[Region] = []
    to_update: list[Region] = []
    for row in sorted(rows, key=lambda r: (_DEPTH[r["level"]], r["code"])):
        parent_id = row["parent"] or None
        current = existing.get(row["code"])
        if current is None:
            to_create.append(
                Region(code=row["code"], name=row["name"], level=row["level"], parent_id=parent_id)
            )
        elif update and (current.name, current.level, current.parent_id) != (row["name"], row["level"], parent_id):
            current.name, current.level, current.parent_id = row["name"], row["level"], parent_id
            to_update.append(current)
        else:
            result.unchanged += 1
    # Parents come first in to_create (sorted by depth); one INSERT per depth keeps FK order safe.
    for depth in sorted({_DEPTH[r.level] for r in to_create}):
        Region.objects.bulk_create([r for r in to_create if _DEPTH[r.level] == depth], batch_size=500)
    if to_update:
        Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    if result.changed:
        record(
            actor=actor,
            action="regions.load",
            obj_type="region",
            obj_id=path.name,
            after={**result.as_dict(), "created_codes": [r.code for r in to_create][:200]},
        )
    return result


# --------------------------------------------------------------------------- sites

SITE_FIELDS = [
    "name",
    "level",
    "kind",
    "region_id",
    "parent_id",
    "address",
    "phone",
    "morning_open",
    "morning_close",
    "afternoon_open",
    "afternoon_close",
    "is_demo",
]


def _normalise_site_spec(spec: dict) -> dict:
    code = (spec.get("code") or "").strip()
    if not code:
        raise ServiceError(_("场所编码不能为空"), code="bad_site", fields={"code": "required"})
    if spec.get("level") not in SiteLevel.values:
        raise ServiceError(
            _("场所 %(code)s：未知层级 %(level)s") % {"code": code, "level": repr(spec.get('level'))}, code="bad_site", fields={"level": code}
        )
    if spec.get("kind") not in SiteKind.values:
        raise ServiceError(
            _("场所 %(code)s：未知类型 %(kind)s") % {"code": code, "kind": repr(spec.get('kind'))}, code="bad_site", fields={"kind": code}
        )
    if not spec.get("name"):
        raise ServiceError(_("场所 %(code)s：名称为空") % {"code": code}, code="bad_site", fields={"name": code})
    out = {
        "code": code,
        "name": spec["name"],
        "level": spec["level"],
        "kind": spec["kind"],
        "region_id": spec.get("region") or spec.get("region_id"),
        "parent_code": spec.get("parent") or None,
        "address": spec.get("address", ""),
        "phone": spec.get("phone", ""),
        "is_demo": bool(spec.get("is_demo", False)),
    }
    defaults = {f.name: f.default for f in Site._meta.fields if f.name.endswith(("_open", "_close"))}
    for key, default in defaults.items():
        value = spec.get(key, default)
        if isinstance(value, str):
            value = datetime.time.fromisoformat(value)
        out[key] = value
    if not (out["morning_open"] < out["morning_close"] <= out["afternoon_open"] < out["afternoon_close"]):
        raise ServiceError(_("场所 %(code)s：办公时间不合理") % {"code": code}, code="bad_site", fields={"hours": code})
    return out


@transaction.atomic
def sync_sites(specs: Iterable[dict], *, actor: User | None = None) -> SyncResult:
    """Create or update sites by code.

    Each spec: code, name, level, kind, region (region code), parent (site code or None),
    address, phone, morning_open … afternoon_close (time or "HH:MM"), is_demo.
    A parent may be an existing site or another spec of the same call.
    """
    items = [_normalise_site_spec(s) for s in specs]
    codes = [s["code"] for s in items]
    if len(set(codes)) != len(codes):
        raise ServiceError(_("场所编码重复"), code="bad_site")
    region_ids = {s["region_id"] for s in items}
    found = set(Region.objects.filter(code__in=region_ids).values_list("code", flat=True))
    if region_ids - found:
        missing = sorted(str(c) for c in region_ids - found)
        raise ServiceError(
            _("区划不存在：%(codes)s") % {"codes": ', '.join(missing[:5])}, code="bad_site", fields={"region": missing}
        )
    parent_codes = {s["parent_code"] for s in items if s["parent_code"]}
    existing = {s.code: s for s in Site.objects.filter(code__in=set(codes) | parent_codes)}
    missing_parents = parent_codes - set(existing) - set(codes)
    if missing_parents:
        raise ServiceError(
            _("上级场所不存在：%(codes)s") % {"codes": ', '.join(sorted(missing_parents)[:5])},
            code="bad_site",
            fields={"parent": sorted(missing_parents)},
        )

    result = SyncResult()
    created: list[str] = []
    updated: list[str] = []
    # Parents before children: each round handles the specs whose parent is already stored.
    pending = items
    while pending:
        batch = [s for s in pending if not s["parent_code"] or s["parent_code"] in existing]
        if not batch:
            raise ServiceError(
                _("上级场所关系成环"), code="bad_site", fields={"parent": [s["code"] for s in pending][:5]}
            )
        done = {s["code"] for s in batch}
        pending = [s for s in pending if s["code"] not in done]
        new_rows, changed_rows = [], []
        for s in batch:
            values = {k: s[k] for k in SITE_FIELDS if k != "parent_id"}
            parent = existing[s["parent_code"]] if s["parent_code"] else None
            if parent is not None and parent.code == s["code"]:
                raise ServiceError(
                    _("场所 %(code)s 不能以自身为上级") % {"code": s['code']}, code="bad_site", fields={"parent": s["code"]}
                )
            values["parent_id"] = parent.pk if parent else None
            current = existing.get(s["code"])
            if current is None:
                new_rows.append(Site(code=s["code"], **values))
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                changed_rows.append(current)
            else:
                result.unchanged += 1
        if new_rows:
            Site.objects.bulk_create(new_rows, batch_size=500)
            # bulk_create does not return pks on every backend; re-read them.
            for site in Site.objects.filter(code__in=[r.code for r in new_rows]):
                existing[site.code] = site
            created += [r.code for r in new_rows]
        if changed_rows:
            Site.objects.bulk_update(changed_rows, SITE_FIELDS, batch_size=500)
            updated += [r.code for r in changed_rows]
    result.created, result.updated = len(created), len(updated)
    if result.changed:
        record(
            actor=actor,
            action="site.sync",
            obj_type="site",
            obj_id=(created + updated)[0] if len(created + updated) == 1 else "batch",
            after={**result.as_dict(), "created": created[:300], "updated": updated[:300]},
        )
    return result


# --------------------------------------------------------------------------- halls and windows


@transaction.atomic
def sync_halls(specs: Iterable[dict], *, actor: User | None = None) -> SyncResult:
    """Create or update halls. Each spec: site (site code), name, floor."""
    specs = list(specs)
    sites = {s.code: s for s in Site.objects.filter(code__in={sp["site"] for sp in specs})}
    missing = {sp["site"] for sp in specs} - set(sites)
    if missing:
        raise ServiceError(
            _("场所不存在：%(codes)s") % {"codes": ', '.join(sorted(missing)[:5])}, code="bad_hall", fields={"site": sorted(missing)}
        )
    existing = {
        (h.site.code, h.name): h for h in Hall.objects.filter(site__in=sites.values()).select_related("site")
    }
    result = SyncResult()
    new_rows, changed_rows = [], []
    for sp in specs:
        if not sp.get("name"):
            raise ServiceError(_("大厅名称不能为空"), code="bad_hall", fields={"name": "required"})
        floor = sp.get("floor", "")
        current = existing.get((sp["site"], sp["name"]))
        if current is None:
            hall = Hall(site=sites[sp["site"]], name=sp["name"], floor=floor)
            existing[(sp["site"], sp["name"])] = hall
            new_rows.append(hall)
        elif current.floor != floor:
            current.floor = floor
            changed_rows.append(current)
        else:
            result.unchanged += 1
    Hall.objects.bulk_create(new_rows, batch_size=500)
    Hall.objects.bulk_update(changed_rows, ["floor"], batch_size=500)
    result.created, result.updated = len(new_rows), len(changed_rows)
    if result.changed:
        record(
            actor=actor,
            action="hall.sync",
            obj_type="hall",
            obj_id="batch",
            after={**result.as_dict(), "created": [f"{h.site.code}/{h.name}" for h in new_rows][:300]},
        )
    return result


@transaction.atomic
def sync_windows(specs: Iterable[dict], *, actor: User | None = None) -> SyncResult:
    """Create or update windows by (site, hall, number).

    Each spec: site (site code), hall (hall name), number, name, kind, department (a
    Department, its id, or None; required for department windows).
    """
    specs = list(specs)
    halls = {
        (h.site.code, h.name): h
        for h in Hall.objects.filter(site__code__in={sp["site"] for sp in specs}).select_related("site")
    }
    existing = {(w.hall_id, w.number): w for w in Window.objects.filter(hall__in=halls.values())}
    result = SyncResult()
    new_rows, changed_rows, seen = [], [], set()
    for sp in specs:
        hall = halls.get((sp["site"], sp["hall"]))
        if hall is None:
            raise ServiceError(
                _("大厅不存在：%(site)s/%(hall)s") % {"site": sp['site'], "hall": sp['hall']}, code="bad_window", fields={"hall": sp["hall"]}
            )
        number = str(sp.get("number") or "").strip()
        if not number or len(number) > 10:
            raise ServiceError(_("窗口号不能为空且不超过10个字符"), code="bad_window", fields={"number": number})
        if (hall.pk, number) in seen:
            raise ServiceError(
                _("窗口号重复：%(hall)s %(number)s") % {"hall": sp['hall'], "number": number}, code="bad_window", fields={"number": number}
            )
        seen.add((hall.pk, number))
        kind = sp.get("kind")
        if kind not in WindowKind.values:
            raise ServiceError(_("未知窗口类型 %(kind)s") % {"kind": repr(kind)}, code="bad_window", fields={"kind": kind})
        department = sp.get("department")
        department_id = getattr(department, "pk", department)
        if kind == WindowKind.DEPARTMENT and not department_id:
            raise ServiceError(_("部门窗口必须指定部门"), code="bad_window", fields={"department": "required"})
        values = {
            "name": sp.get("name") or WindowKind(kind).label,
            "kind": kind,
            "department_id": department_id,
        }
        current = existing.get((hall.pk, number))
        if current is None:
            new_rows.append(Window(hall=hall, number=number, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed_rows.append(current)
        else:
            result.unchanged += 1
    Window.objects.bulk_create(new_rows, batch_size=500)
    Window.objects.bulk_update(changed_rows, ["name", "kind", "department"], batch_size=500)
    result.created, result.updated = len(new_rows), len(changed_rows)
    if result.changed:
        record(
            actor=actor,
            action="window.sync",
            obj_type="window",
            obj_id="batch",
            after={
                **result.as_dict(),
                "created": [f"{w.hall.site.code}/{w.hall.name}/{w.number}" for w in new_rows][:300],
            },
        )
    return result


@transaction.atomic
def ensure_department_windows(
    site_code: str, hall_name: str, departments, *, first_number: int = 21, actor: User | None = None
):
    """Give each department one department window in the hall (idempotent).

    A department that already has a window there keeps it (and its number); new ones get
    the next free numbers from `first_number` upwards, in the order given.
    """
    hall = Hall.objects.filter(site__code=site_code, name=hall_name).first()
    if hall is None:
        raise ServiceError(
            _("大厅不存在：%(site_code)s/%(hall_name)s") % {"site_code": site_code, "hall_name": hall_name}, code="bad_window", fields={"hall": hall_name}
        )
    windows = list(hall.windows.all())
    has = {w.department_id for w in windows if w.kind == WindowKind.DEPARTMENT}
    used = {w.number for w in windows}
    specs, n = [], first_number
    for dept in departments:
        if dept.pk in has:
            continue
        while str(n) in used:
            n += 1
        used.add(str(n))
        specs.append(
            {
                "site": site_code,
                "hall": hall_name,
                "number": str(n),
                "name": f"{dept.short_name or dept.name}窗口",
                "kind": WindowKind.DEPARTMENT,
                "department": dept,
            }
        )
    if not specs:
        return SyncResult(unchanged=len(has))
    return sync_windows(specs, actor=actor)
