"""Reads of the catalogue: search, the service guide, the centre's figures and the three lists.

Everything here reads current versions (ItemVersion.is_current=True) unless said otherwise,
and never writes.
"""

from django.db.models import Avg, Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, ServiceError
from onewindow.core.pagination import Page, paginate
from onewindow.regions.models import Site, SiteLevel, Window

from . import search as finder
from .models import (
    POWER_TYPES,
    Audience,
    Department,
    Fee,
    ItemType,
    ItemVersion,
    Material,
    OnlineDepth,
    Subject,
    Theme,
    VersionStatus,
)

LEVELS = ["city", "county", "town", "village"]
ONLINE_CAPABLE = [OnlineDepth.FULL, OnlineDepth.PREREVIEW]


def current_versions(published_only: bool = True) -> QuerySet:
    """Current versions (with item, department, licence type). The public sees published ones only;
    `published_only=False` adds current drafts and retired items (for the administrator's export)."""
    qs = ItemVersion.objects.filter(is_current=True)
    if published_only:
        qs = qs.filter(status=VersionStatus.PUBLISHED)
    return qs.select_related("item", "item__department", "licence_type")


def search_items(
    search: str = "",
    department: str = "",
    type: str = "",
    level: str = "",
    online: str = "",
    page=1,
    page_size: int = 20,
    subject: str = "",
    theme: str = "",
) -> Page:
    """Search current versions, best match first (catalog.search). `department` is a department code;
    `type` an ItemType value; `level` one of city/county/town/village; `online` an OnlineDepth value
    or "yes" (online-capable); `subject` person (个人办事) or org (法人办事); `theme` a Theme code.
    Raises ServiceError naming the parameter for a bad page, type, level, online, subject or theme."""
    return paginate(
        filtered_items(search=search, department=department, type=type, level=level, online=online,
                       subject=subject, theme=theme),
        page,
        page_size,
    )


def filtered_items(search="", department="", type="", level="", online="", subject="", theme="") -> QuerySet:
    """The query set behind `search_items` (for callers that slice instead of paginating)."""
    qs = current_versions()
    subject = (subject or "").strip()
    if subject:
        if subject not in Audience.values:
            raise ServiceError(_("服务对象有误"), fields={"subject": _("只能是 person（个人）或 org（法人）：%s") % subject})
        qs = qs.filter(subject__in=[subject, Subject.BOTH])
    theme = (theme or "").strip()
    if theme:
        found = Theme.objects.filter(code=theme).first()
        if found is None:
            raise ServiceError(_("办事主题有误"), fields={"theme": _("未知的办事主题：%s") % theme})
        qs = qs.filter(finder.theme_filter(found))
    department = (department or "").strip()
    if department:
        qs = qs.filter(Q(item__department__code=department) | Q(item__department__name=department))
    type = (type or "").strip()
    if type:
        if type not in ItemType.values:
            raise ServiceError(_("事项类型有误"), fields={"type": _("未知的事项类型：%s") % type})
        qs = qs.filter(type=type)
    level = (level or "").strip()
    if level:
        if level not in LEVELS:
            raise ServiceError(_("行使层级有误"), fields={"level": _("未知的行使层级：%s") % level})
        # JSON list of level codes; the quoted token matches on SQLite (text) and PostgreSQL (jsonb::text).
        qs = qs.filter(levels__icontains=f'"{level}"')
    online = (online or "").strip()
    if online:
        if online == "yes":
            qs = qs.filter(online_depth__in=ONLINE_CAPABLE)
        elif online in OnlineDepth.values:
            qs = qs.filter(online_depth=online)
        else:
            raise ServiceError(_("网办深度有误"), fields={"online": _("未知的网办深度：%s") % online})
    if (search or "").strip():
        return finder.rank(qs, search)
    return qs.order_by("item__department__order", "item__department__code", "item__code")


def theme_groups() -> list[tuple[str, str, list[Theme]]]:
    """[(audience, its label, its themes)] for 个人办事 and 法人办事, in order (one query)."""
    themes = finder.themes()
    return [(value, label, [t for t in themes if t.audience == value]) for value, label in Audience.choices]


def item_guide(code: str) -> ItemVersion:
    """The current published version of item `code` with materials, fees, department and licence type.
    NotFound when there is no such item (or it is a draft, or retired)."""
    version = (
        current_versions()
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.select_related("licence_type")),
            Prefetch("fees", queryset=Fee.objects.all()),
        )
        .filter(item__code=code)
        .first()
    )
    if version is None:
        raise NotFound(_("未找到事项：%s") % code, fields={"code": code})
    return version


def department_windows(department_id) -> list:
    """The windows where a department receives applicants (for the guide's 办理窗口)."""
    return list(
        Window.objects.filter(department_id=department_id).select_related("hall", "hall__site").order_by(
            "hall__site__code", "number"
        )
    )


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def centre_figures() -> dict:
    """The centre's published figures, computed with SQL aggregates over the data.

    Keys: departments, stationed_departments, items, sites_by_level {city, county, town, village},
    sites, online_items, online_share (%), instant_items, instant_share (%),
    avg_committed_days, avg_statutory_days (None when there are no items), time_saved_share (%).
    """
    deps = Department.objects.aggregate(total=Count("id"), stationed=Count("id", filter=Q(stationed=True)))
    items = ItemVersion.objects.filter(is_current=True, status=VersionStatus.PUBLISHED).aggregate(
        total=Count("id"),
        online=Count("id", filter=Q(online_depth__in=ONLINE_CAPABLE)),
        instant=Count("id", filter=Q(committed_days=0)),
        avg_committed=Avg("committed_days"),
        avg_statutory=Avg("statutory_days"),
    )
    by_level = {level: 0 for level in SiteLevel.values}
    for row in Site.objects.values("level").annotate(n=Count("id")).order_by():
        by_level[row["level"]] = row["n"]
    avg_c, avg_s = items["avg_committed"], items["avg_statutory"]
    return {
        "departments": deps["total"],
        "stationed_departments": deps["stationed"],
        "items": items["total"],
        "sites_by_level": by_level,
        "sites": sum(by_level.values()),
        "online_items": items["online"],
        "online_share": _share(items["online"], items["total"]),
        "instant_items": items["instant"],
        "instant_share": _share(items["instant"], items["total"]),
        "avg_committed_days": round(float(avg_c), 1) if avg_c is not None else None,
        "avg_statutory_days": round(float(avg_s), 1) if avg_s is not None else None,
        "time_saved_share": round(100.0 * (1 - float(avg_c) / float(avg_s)), 1) if avg_s else 0.0,
    }


def departments() -> QuerySet:
    return Department.objects.all()


def power_list() -> QuerySet:
    """权力清单: current versions whose type is one of the ten administrative power types,
    ordered by department, then type (in the order of the national classification), then item code."""
    type_order = Case(
        *[When(type=t, then=Value(i)) for i, t in enumerate(ItemType.values)], output_field=IntegerField()
    )
    return (
        current_versions()
        .filter(type__in=POWER_TYPES)
        .annotate(type_order=type_order)
        .order_by("item__department__order", "item__department__code", "type_order", "item__code")
    )


def responsibility_list() -> QuerySet:
    """责任清单: current versions that carry responsibility items or accountability cases."""
    return (
        current_versions()
        .exclude(Q(responsibilities="") & Q(accountability=""))
        .order_by("item__department__order", "item__department__code", "item__code")
    )


def fee_list() -> QuerySet:
    """涉企收费清单: enterprise-related fees of current versions, with item, department and basis."""
    return (
        Fee.objects.filter(enterprise_related=True, version__is_current=True, version__status=VersionStatus.PUBLISHED)
        .select_related("version", "version__item", "version__item__department")
        .order_by("version__item__department__order", "version__item__department__code", "version__item__code", "order", "id")
    )


LISTS = {"power": power_list, "responsibility": responsibility_list, "fees": fee_list}
