"""Who may read statistics, and over which region. Shared by the page, the export and the API."""

import datetime

from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.core.errors import Forbidden, ServiceError
from onewindow.regions.selectors import region_prefix

STATS_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def check_reader(user) -> None:
    if not (user.is_superuser or getattr(user, "role", None) in STATS_ROLES):
        raise Forbidden(_("仅电子监察员和中心管理员可查看统计"))


def resolve_region(user, region: str | None) -> str | None:
    """The region to filter by: a supervisor defaults to, and may not leave, their own region."""
    region = (region or "").strip() or None
    if region is not None and not (region.isdigit() and len(region) in (6, 9, 12)):
        raise ServiceError(_("区划代码无效"), fields={"region": _("应为 6、9 或 12 位数字区划代码")})
    if user.is_superuser or user.role == Role.ADMIN:
        return region
    own = user.region_id
    if not own:
        raise Forbidden(_("未配置监管区域"))
    if region is None:
        return own
    if not region.startswith(region_prefix(own)):
        raise Forbidden(_("所查区划超出监管范围"), fields={"region": _("仅限 %(own)s 辖区") % {"own": own}})
    return region


def parse_period(raw_from: str | None, raw_to: str | None, *, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """from/to as ISO dates; defaults: first of the current month to today. Bad input names the field."""
    fields = {}
    values = {}
    for name, raw, default in (("from", raw_from, today.replace(day=1)), ("to", raw_to, today)):
        if raw in (None, ""):
            values[name] = default
            continue
        try:
            values[name] = datetime.date.fromisoformat(raw)
        except (TypeError, ValueError):
            fields[name] = _("应为日期 YYYY-MM-DD")
    if fields:
        raise ServiceError(_("日期格式无效"), fields=fields)
    for name in ("from", "to"):
        check_year(values[name].year, name)
    if values["from"] > values["to"]:
        raise ServiceError(_("起始日期晚于截止日期"), fields={"from": _("不能晚于 to")})
    if (values["to"] - values["from"]).days > 3660:
        raise ServiceError(_("统计期间过长"), fields={"to": _("期间不超过 10 年")})
    return values["from"], values["to"]


FIRST_YEAR, LAST_YEAR = 2000, 2099  # statistics are read within these years (no date arithmetic overflow)


def check_year(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("日期应在 %(first)s 至 %(last)s 年之间") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        raise ServiceError(message, fields={field: message})
