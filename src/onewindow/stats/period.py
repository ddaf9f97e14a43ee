"""The statistics period: from/to as ISO dates, checked (a bad value names its field)."""

import datetime

from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError


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
