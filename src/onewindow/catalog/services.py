"""Writes to the service catalogue. Every function is one business action in one transaction
and appends to the audit chain.

Versioning: a published item is never edited. `update_item` on a published current version
inserts version N+1 (all fields, materials and fees copied, changes applied) and flips the old
one to is_current=False; the old version keeps status "published" so cases bound to it still
read it unchanged. A draft current version is edited in place.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.core.errors import Conflict, NotFound, ServiceError
from onewindow.regions.models import Region, RegionLevel

from .models import (
    Bundle,
    BundleItem,
    Department,
    Fee,
    ItemVersion,
    LicenceType,
    Material,
    ServiceItem,
    VersionStatus,
)
from .serialize import DICT_KEYS, VERSION_FIELDS, item_to_dict, normalize_item_dict

CITY_REGION = "341300"

__all__ = [
    "create_item",
    "update_item",
    "publish_item",
    "retire_item",
    "upsert_item_from_dict",
    "create_department",
    "upsert_department",
    "upsert_licence_type",
    "upsert_bundle",
    "item_to_dict",
]


# --- helpers ---------------------------------------------------------------------------------


def city_region() -> Region:
    region = Region.objects.filter(code=CITY_REGION).first()
    if region is None:
        region = Region.objects.create(code=CITY_REGION, name="宿州市", level=RegionLevel.CITY)
    return region


def _department(value) -> Department:
    if isinstance(value, Department):
        return value
    dept = Department.objects.filter(code=str(value or "").strip()).first()
    if dept is None:
        raise ServiceError(_("部门不存在：%(value)s") % {"value": value}, fields={"department": _("部门不存在")})
    return dept


def _licence_types(codes: set[str]) -> dict[str, LicenceType]:
    codes = {c for c in codes if c}
    found = {lt.code: lt for lt in LicenceType.objects.filter(code__in=codes)}
    return found


def _validate(data: dict) -> dict[str, LicenceType]:
    """Business rules on a normalised exchange dict; returns the licence types it names."""
    errors: dict = {}
    if data["committed_days"] > data["statutory_days"]:
        errors["committed_days"] = _("承诺办结时限不能超过法定办结时限")
    if not 0 <= data["max_visits"] <= 2:
        errors["max_visits"] = _("最多跑动次数应在 0 至 2 次之间")
    seen: set[str] = set()
    for i, m in enumerate(data["materials"]):
        if m["code"] in seen:
            errors[f"materials[{i}].code"] = _("材料编码重复：%(code)s") % {"code": m['code']}
        seen.add(m["code"])
        if m["copies"] > 99:
            errors[f"materials[{i}].copies"] = _("份数过大")
    wanted = {data["licence_type"], *(m["licence_type"] for m in data["materials"])}
    types = _licence_types(wanted)
    if data["licence_type"] and data["licence_type"] not in types:
        errors["licence_type"] = _("证照类型不存在：%(licence_type)s") % {"licence_type": data['licence_type']}
    for i, m in enumerate(data["materials"]):
        if m["licence_type"] and m["licence_type"] not in types:
            errors[f"materials[{i}].licence_type"] = _("证照类型不存在：%(licence_type)s") % {"licence_type": m['licence_type']}
    if errors:
        raise ServiceError(_("事项信息不符合要求：%(errors)s") % {"errors": _("；").join(errors.values())}, fields=errors)
    return types


def _version_values(data: dict, types: dict[str, LicenceType]) -> dict:
    values = {f: data[f] for f in VERSION_FIELDS if f != "licence_type"}
    values["licence_type"] = types.get(data["licence_type"]) if data["licence_type"] else None
    return values


def _write_children(version: ItemVersion, data: dict, types: dict[str, LicenceType]) -> None:
    Material.objects.bulk_create(
        Material(
            version=version,
            order=i,
            code=m["code"],
            name=m["name"],
            required=m["required"],
            form=m["form"],
            copies=m["copies"],
            source=m["source"],
            licence_type=types.get(m["licence_type"]) if m["licence_type"] else None,
            note=m["note"],
            deferrable=m.get("deferrable", False),
            by_commitment=m.get("by_commitment", False),
        )
        for i, m in enumerate(data["materials"])
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            order=i,
            name=f["name"],
            standard=f["standard"],
            basis=f["basis"],
            enterprise_related=f["enterprise_related"],
        )
        for i, f in enumerate(data["fees"])
    )


def _input_dict(code: str, department, materials, fees, fields: dict) -> dict:
    dept = department.code if isinstance(department, Department) else department
    data = {"code": code, "department": dept, **fields}
    if "licence_type" in data and isinstance(data["licence_type"], LicenceType):
        data["licence_type"] = data["licence_type"].code
    if materials is not None:
        data["materials"] = [
            {**m, "licence_type": m["licence_type"].code}
            if isinstance(m.get("licence_type"), LicenceType)
            else m
            for m in materials
        ]
    if fees is not None:
        data["fees"] = list(fees)
    return data


def _current(item: ServiceItem) -> ItemVersion:
    version = (
        ItemVersion.objects.select_related("item__department", "licence_type")
        .prefetch_related("materials__licence_type", "fees")  # item_to_dict reads them all
        .filter(item=item, is_current=True)
        .first()
    )
    if version is None:
        raise NotFound(_("事项 %(code)s 没有当前版本") % {"code": item.code})
    return version


# --- items -----------------------------------------------------------------------------------


@transaction.atomic
def create_item(
    *,
    code: str,
    department,
    actor: User | None = None,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    status: str = VersionStatus.PUBLISHED,
    **version_fields,
) -> ItemVersion:
    """Create a service item with its version 1 (published by default, or "draft")."""
    unknown = set(version_fields) - set(VERSION_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(fields)s") % {"fields": _("、").join(sorted(unknown))}, fields={k: _("未知字段") for k in unknown})
    if status not in (VersionStatus.PUBLISHED, VersionStatus.DRAFT):
        raise ServiceError(_("新建事项的状态只能是草稿或已发布"), fields={"status": _("无效状态")})
    data = normalize_item_dict(_input_dict(code, department, materials or [], fees or [], version_fields))
    dept = _department(data["department"])
    types = _validate(data)
    if ServiceItem.objects.filter(code=data["code"]).exists():
        raise Conflict(_("事项编码已存在：%(code)s") % {"code": data['code']}, fields={"code": _("事项编码已存在")})
    item = ServiceItem.objects.create(code=data["code"], department=dept)
    version = ItemVersion.objects.create(
        item=item,
        version=1,
        is_current=True,
        status=status,
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
        **_version_values(data, types),
    )
    _write_children(version, data, types)
    record(actor=actor, action="catalog.item.create", obj_type="catalog.ServiceItem", obj_id=item.code,
           after={"version": 1, "status": status, **data})
    return version


@transaction.atomic
def update_item(
    item: ServiceItem,
    *,
    actor: User | None = None,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    **changes,
) -> ItemVersion:
    """Apply changes. A published current version gets a successor (version+1, published);
    a draft current version is edited in place. `materials`/`fees`, when given, replace the lists.
    `department` (code or Department) moves the item to another department.
    """
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    unknown = set(changes) - set(VERSION_FIELDS) - {"department"}
    if unknown:
        raise ServiceError(_("未知字段：%(fields)s") % {"fields": _("、").join(sorted(unknown))}, fields={k: _("未知字段") for k in unknown})
    old = _current(item)
    if old.status == VersionStatus.RETIRED:
        raise Conflict(_("事项 %(code)s 已停用，不能修改") % {"code": item.code}, fields={"status": _("已停用")})
    before = item_to_dict(old)
    department = changes.pop("department", before["department"])
    data = normalize_item_dict(_input_dict(item.code, department, materials, fees, changes), base=before)
    dept = _department(data["department"])
    types = _validate(data)
    if dept.pk != item.department_id:
        item.department = dept
        item.save(update_fields=["department"])
    values = _version_values(data, types)
    if old.status == VersionStatus.DRAFT:
        for field, value in values.items():
            setattr(old, field, value)
        old.save()
        if materials is not None:
            old.materials.all().delete()
        if fees is not None:
            old.fees.all().delete()
        if materials is not None or fees is not None:
            partial = {"materials": data["materials"] if materials is not None else [],
                       "fees": data["fees"] if fees is not None else []}
            _write_children(old, partial, types)
        version = old
        action = "catalog.item.edit_draft"
    else:
        # Flip the old one first: at most one current version per item (partial unique index).
        ItemVersion.objects.filter(pk=old.pk).update(is_current=False)
        version = ItemVersion.objects.create(
            item=item,
            version=old.version + 1,
            is_current=True,
            status=VersionStatus.PUBLISHED,
            published_at=timezone.now(),
            **values,
        )
        _write_children(version, data, types)
        action = "catalog.item.new_version"
    record(actor=actor, action=action, obj_type="catalog.ServiceItem", obj_id=item.code,
           before={"version": old.version, **before}, after={"version": version.version, **data})
    return version


@transaction.atomic
def publish_item(item: ServiceItem, actor: User | None = None) -> ItemVersion:
    """Publish a draft current version."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    version = _current(item)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("只有草稿可以发布"), fields={"status": version.status})
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    record(actor=actor, action="catalog.item.publish", obj_type="catalog.ServiceItem", obj_id=item.code,
           before={"version": version.version, "status": "draft"},
           after={"version": version.version, "status": "published"})
    return version


@transaction.atomic
def retire_item(item: ServiceItem, actor: User | None = None, reason: str = "") -> ItemVersion:
    """Stop offering an item: its current version becomes "retired" (kept for bound cases)."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    version = _current(item)
    if version.status == VersionStatus.RETIRED:
        raise Conflict(_("事项 %(code)s 已停用") % {"code": item.code}, fields={"status": _("已停用")})
    before = version.status
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status"])
    record(actor=actor, action="catalog.item.retire", obj_type="catalog.ServiceItem", obj_id=item.code,
           before={"version": version.version, "status": before},
           after={"version": version.version, "status": "retired", "reason": reason})
    return version


@transaction.atomic
def upsert_item_from_dict(data: dict, actor: User | None = None) -> tuple[ItemVersion, bool]:
    """Create the item if new; do nothing if `data` equals the current version (changed=False);
    otherwise update it (a new version when the current one is published).
    Keys as in `item_to_dict`; keys left out keep their current values.
    """
    code = str(data.get("code") or "").strip()
    if not code:
        raise ServiceError(_("事项编码不能为空"), fields={"code": _("不能为空")})
    item = ServiceItem.objects.select_for_update().filter(code=code).first()
    if item is None:
        fields = {k: v for k, v in data.items() if k in VERSION_FIELDS}
        unknown = set(data) - set(DICT_KEYS)
        if unknown:
            raise ServiceError(_("未知字段：%(fields)s") % {"fields": _("、").join(sorted(unknown))}, fields={k: _("未知字段") for k in unknown})
        version = create_item(code=code, department=data.get("department"), actor=actor,
                              materials=data.get("materials"), fees=data.get("fees"), **fields)
        return version, True
    current = _current(item)
    before = item_to_dict(current)
    wanted = normalize_item_dict(data, base=before)
    if wanted == before:
        return current, False
    changes = {k: wanted[k] for k in VERSION_FIELDS if wanted[k] != before[k]}
    if wanted["department"] != before["department"]:
        changes["department"] = wanted["department"]
    materials = wanted["materials"] if wanted["materials"] != before["materials"] else None
    fees = wanted["fees"] if wanted["fees"] != before["fees"] else None
    return update_item(item, actor=actor, materials=materials, fees=fees, **changes), True


# --- departments, licence types, bundles --------------------------------------------------------


@transaction.atomic
def create_department(
    *, code: str, name: str, short_name: str = "", region=None, stationed: bool = True, order: int = 0,
    actor: User | None = None,
) -> Department:
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = _("部门编码不能为空")
    if not name:
        errors["name"] = _("部门名称不能为空")
    if errors:
        raise ServiceError(_("部门信息不完整"), fields=errors)
    if Department.objects.filter(code=code).exists():
        raise Conflict(_("部门编码已存在：%(code)s") % {"code": code}, fields={"code": _("已存在")})
    if Department.objects.filter(name=name).exists():
        raise Conflict(_("部门名称已存在：%(name)s") % {"name": name}, fields={"name": _("已存在")})
    if region is None:
        region = city_region()
    elif not isinstance(region, Region):
        region = Region.objects.filter(code=region).first()
        if region is None:
            raise ServiceError(_("区划不存在"), fields={"region": _("区划不存在")})
    dept = Department.objects.create(code=code, name=name, short_name=short_name, region=region,
                                     stationed=stationed, order=order)
    record(actor=actor, action="catalog.department.create", obj_type="catalog.Department", obj_id=code,
           after={"code": code, "name": name, "short_name": short_name, "region": region.code,
                  "stationed": stationed, "order": order})
    return dept


@transaction.atomic
def upsert_department(data: dict, actor: User | None = None) -> tuple[Department, bool]:
    """Create or bring a department in line with `data` (code, name, short_name, stationed, order,
    region). Returns (department, changed)."""
    dept = Department.objects.select_for_update().filter(code=data["code"]).first()
    if dept is None:
        return create_department(actor=actor, **data), True
    wanted = {k: data[k] for k in ("name", "short_name", "stationed", "order") if k in data}
    before = {k: getattr(dept, k) for k in wanted}
    if before == wanted:
        return dept, False
    for k, v in wanted.items():
        setattr(dept, k, v)
    dept.save()
    record(actor=actor, action="catalog.department.update", obj_type="catalog.Department", obj_id=dept.code,
           before=before, after=wanted)
    return dept, True


@transaction.atomic
def upsert_licence_type(*, code: str, name: str, department=None, validity_years: int = 0,
                        actor: User | None = None) -> tuple[LicenceType, bool]:
    dept = _department(department) if department else None
    wanted = {"name": name, "department_id": dept.pk if dept else None, "validity_years": validity_years}
    lt = LicenceType.objects.select_for_update().filter(code=code).first()
    if lt is not None and all(getattr(lt, k) == v for k, v in wanted.items()):
        return lt, False
    created = lt is None
    before = None if created else {"name": lt.name, "department": lt.department_id, "validity_years": lt.validity_years}
    lt = lt or LicenceType(code=code)
    for k, v in wanted.items():
        setattr(lt, k, v)
    lt.save()
    record(actor=actor, action="catalog.licence_type." + ("create" if created else "update"),
           obj_type="catalog.LicenceType", obj_id=code, before=before,
           after={"name": name, "department": dept.code if dept else None, "validity_years": validity_years})
    return lt, True


@transaction.atomic
def upsert_bundle(*, code: str, name: str, lead_department, items: list[str], description: str = "",
                  committed_days: int = 0, issues_uscc: bool = False, actor: User | None = None) -> tuple[Bundle, bool]:
    """Create or update a 一件事 with its items (item codes, in handling order)."""
    lead = _department(lead_department)
    found = {i.code: i for i in ServiceItem.objects.filter(code__in=items)}
    missing = [c for c in items if c not in found]
    if missing:
        raise ServiceError(_("一件事包含的事项不存在：%(items)s") % {"items": _("、").join(missing)}, fields={"items": missing})
    if len(set(items)) != len(items):
        raise ServiceError(_("一件事包含重复事项"), fields={"items": _("重复")})
    wanted = {"name": name, "description": description, "lead_department_id": lead.pk,
              "committed_days": committed_days, "issues_uscc": issues_uscc}
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    current_items = list(bundle.bundle_items.order_by("order").values_list("item__code", flat=True)) if bundle else []
    if bundle is not None and current_items == list(items) and all(getattr(bundle, k) == v for k, v in wanted.items()):
        return bundle, False
    created = bundle is None
    bundle = bundle or Bundle(code=code)
    for k, v in wanted.items():
        setattr(bundle, k, v)
    bundle.save()
    bundle.bundle_items.all().delete()
    BundleItem.objects.bulk_create(BundleItem(bundle=bundle, item=found[c], order=i) for i, c in enumerate(items))
    record(actor=actor, action="catalog.bundle." + ("create" if created else "update"), obj_type="catalog.Bundle",
           obj_id=code, before=None if created else {"items": current_items},
           after={"name": name, "lead_department": lead.code, "items": list(items),
                  "committed_days": committed_days, "issues_uscc": issues_uscc})
    return bundle, True
