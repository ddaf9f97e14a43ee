"""Supervision rules. Each rule names the cases it fires for as one set-based queryset.

To add a rule: write a function `(ctx: Context) -> QuerySet[Case]` and append a `Rule` to
`RULES`. The sweep opens an alert for each case the rule yields that has none open for that
rule, and closes the open alerts of cases it no longer yields.

Thresholds come from settings (all optional):
SUPERVISION_YELLOW_DAYS (1), SUPERVISION_PREREVIEW_DAYS (1), SUPERVISION_SUSPENSION_DAYS (20),
SUPERVISION_INSTANT_SECONDS (60), SUPERVISION_HISTORY_DAYS (7).

Event-driven rules (`Rule.incremental`: notice.repeated, offsystem.loop, extension.overrun,
accept.off_hours) read a case's history. The sweep evaluates them over every case only on its
first run, when the thresholds change and with `sweep(everything=True)`; an ordinary sweep looks at
the cases with new events, and the daily full pass (`sweep(full=True)`, every
SUPERVISION_FULL_SWEEP_HOURS) at the *recent* cases only: open cases and cases
submitted or concluded within SUPERVISION_HISTORY_DAYS days before the sweep's day. The alerts of
older cases are left as they are — neither reopened nor closed — so an edit of opening hours, the
calendar or an item allowance re-judges only recent cases unless `everything=True` is asked for
(see services.sweep).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TimeField,
)
from django.db.models.functions import Cast, TruncDate, TruncTime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import (
    CLOCK_STATES,
    DONE_STATES,
    Case,
    CaseEvent,
    Channel,
    Notice,
    NoticeKind,
    State,
)
from onewindow.ratings.models import RectificationStatus
from onewindow.regions.models import Site
from onewindow.workdays.models import CalendarDay
from onewindow.workdays.selectors import ordinal_at

from .models import Level

SH = ZoneInfo("Asia/Shanghai")
DEADLINE_STATES = (State.ACCEPTED, State.REVIEWED)  # suspended cases are paused: never warned
CONCLUDED_STATES = DONE_STATES


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class Context:
    """What every rule may use: the day, the moment and the thresholds, fixed for one sweep."""

    today: datetime.date
    now: datetime.datetime
    yellow_days: int = field(default_factory=lambda: _setting("SUPERVISION_YELLOW_DAYS", 1))
    prereview_days: int = field(default_factory=lambda: _setting("SUPERVISION_PREREVIEW_DAYS", 1))
    suspension_days: int = field(default_factory=lambda: _setting("SUPERVISION_SUSPENSION_DAYS", 20))
    instant_seconds: int = field(default_factory=lambda: _setting("SUPERVISION_INSTANT_SECONDS", 60))
    _today_ordinal: int | None = None
    history_days: int = field(default_factory=lambda: _setting("SUPERVISION_HISTORY_DAYS", 7))
    # The sweep's incremental pass sets this to the ids of the cases with new events, its daily full
    # pass to a queryset of the recent cases' ids (services._recent_scope); event-driven rules then look at those cases
    # only (see `limit`). None = every case.
    scope: "list[int] | QuerySet | None" = None

    @classmethod
    def make(cls, today: datetime.date | None = None, now: datetime.datetime | None = None, **kw) -> "Context":
        now = now or timezone.now()
        today = today or timezone.localtime(now, SH).date()
        return cls(today=today, now=now, **{k: v for k, v in kw.items() if v is not None})

    @property
    def today_ordinal(self) -> int | None:
        """Working-day ordinal of today (that of the last working day when today is off); one query."""
        if self._today_ordinal is None:
            self._today_ordinal = (
                CalendarDay.objects.filter(date__lte=self.today).order_by("-date").values_list("ordinal", flat=True).first()
            )
        return self._today_ordinal

    def params(self) -> dict:
        return {"yellow_days": self.yellow_days, "prereview_days": self.prereview_days,
                "suspension_days": self.suspension_days, "instant_seconds": self.instant_seconds}

    def limit(self, qs: QuerySet, field: str = "pk") -> QuerySet:
        """`qs` restricted to the cases in scope (by `field`, a case id), or unchanged without a scope."""
        return qs if self.scope is None else qs.filter(**{f"{field}__in": self.scope})

    def cutoff(self, workdays: int) -> datetime.date | None:
        """The last date D with more than `workdays` working days in (D, today]; None if none stored.

        ordinal is non-decreasing over dates, so `ordinal(D) < ordinal(today) - workdays` holds exactly
        for the dates up to this one.
        """
        if self.today_ordinal is None:
            return None
        return (
            CalendarDay.objects.filter(ordinal__lt=self.today_ordinal - workdays, date__lte=self.today)
            .order_by("-date").values_list("date", flat=True).first()
        )


def _day_start(d: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(d, datetime.time.min, tzinfo=SH)


def _with_due_ordinal(qs: QuerySet) -> QuerySet:
    return qs.annotate(due_ordinal=ordinal_at("due_date"))


# ---- deadline warnings ----------------------------------------------------------------------

def deadline_red(ctx: Context) -> QuerySet:
    """Overdue: the due date has passed (days_left = ordinal(due) - ordinal(today) < 0, or today is a
    day off after the due date)."""
    return Case.objects.filter(state__in=DEADLINE_STATES, due_date__lt=ctx.today)


def deadline_yellow(ctx: Context) -> QuerySet:
    """Due within `yellow_days` working days: 0 <= ordinal(due) - ordinal(today) <= threshold."""
    if ctx.today_ordinal is None:
        return Case.objects.none()
    return _with_due_ordinal(Case.objects.filter(state__in=DEADLINE_STATES, due_date__gte=ctx.today)).filter(
        due_ordinal__lte=ctx.today_ordinal + ctx.yellow_days
    )


# ---- anomalies ------------------------------------------------------------------------------

def online_not_prereviewed(ctx: Context) -> QuerySet:
    """(a) Online submissions still waiting for pre-review more than N working days after submission."""
    cutoff = ctx.cutoff(ctx.prereview_days)
    if cutoff is None:
        return Case.objects.none()
    return Case.objects.filter(
        state=State.SUBMITTED, channel=Channel.ONLINE, submitted_at__lt=_day_start(cutoff + datetime.timedelta(days=1))
    )


def repeated_notice(ctx: Context) -> QuerySet:
    """(b) A refused attempt to add requirements to the one-time notice, or more than one notice."""
    refused = ctx.limit(CaseEvent.objects.filter(action="notice_refused"), "case_id").order_by().values("case_id")
    several = (
        ctx.limit(Notice.objects.filter(kind=NoticeKind.NOTICE), "case_id").order_by().values("case_id")
        .annotate(n=Count("id")).filter(n__gt=1).values("case_id")
    )
    # one IN over a UNION of the two small sets, not two IN tests on every case
    return ctx.limit(Case.objects.filter(pk__in=refused.union(several)))


def suspension_overlong(ctx: Context) -> QuerySet:
    """(c) Suspended for more than N working days (default 20)."""
    cutoff = ctx.cutoff(ctx.suspension_days)
    if cutoff is None:
        return Case.objects.none()
    return Case.objects.filter(state=State.SUSPENDED, suspended_on__lte=cutoff)


def off_system_loop(ctx: Context) -> QuerySet:
    """(d) 体外循环: concluded without any review or decide event, or accepted and concluded within
    a few seconds for an item with a non-zero committed time limit.

    Two sets joined by UNION, each one a plain scan: with the two conditions ORed, PostgreSQL probed
    the events once per concluded case (850,000 probes at a million cases); alone, "without an event"
    is one anti-join over two indexes read in case order (the concluded cases' partial index
    sup_case_concluded and sup_event_handled)."""
    concluded = ctx.limit(Case.objects.filter(state__in=CONCLUDED_STATES))
    handled = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=["review", "decide"])
    unhandled = concluded.filter(~Exists(handled)).order_by().values("pk")
    too_fast = concluded.filter(
        committed_days__gt=0,
        accepted_at__isnull=False,
        concluded_at__isnull=False,
        concluded_at__lt=F("accepted_at") + datetime.timedelta(seconds=ctx.instant_seconds),
    ).order_by().values("pk")
    return Case.objects.filter(pk__in=unhandled.union(too_fast))


def extension_overrun(ctx: Context) -> QuerySet:
    """(e) Extended by more working days than the item allows."""
    return ctx.limit(Case.objects.filter(extended_days__gt=0).filter(extended_days__gt=F("item_version__extension_days")))


def rectification_overdue(ctx: Context) -> QuerySet:
    """(f) A 差评 rectification still open after its due date (due_date < today)."""
    return Case.objects.filter(
        rating__rectification__status=RectificationStatus.OPEN, rating__rectification__due_date__lt=ctx.today
    )


class _ChinaStandardTime(Func):
    """A timestamp as wall-clock time in China (UTC+8), PostgreSQL only: `AT TIME ZONE INTERVAL
    '+08:00'` is a plain addition, where `AT TIME ZONE 'Asia/Shanghai'` looks the zone up for every
    row (five times per accept event in this rule: ~1 s of a first sweep's 960,000 events). Same
    answer for every moment since 1991-09, when Asia/Shanghai last changed its offset (IANA tzdata);
    the platform holds no earlier events. ADR 0195."""

    template = "(%(expressions)s AT TIME ZONE INTERVAL '+08:00')"
    output_field = DateTimeField()


def _local_time_and_date(field: str) -> dict:
    if connection.vendor == "postgresql":
        wall = _ChinaStandardTime(field)
        return {"t": Cast(wall, TimeField()), "d": Cast(wall, DateField())}
    return {"t": TruncTime(field, tzinfo=SH), "d": TruncDate(field, tzinfo=SH)}


def _hours_of_every_site() -> Q:
    """The times inside the opening hours of every site: [latest morning opening, earliest morning
    closing) and the same for the afternoon (empty when the sites' hours do not overlap). Read in
    the statement itself (four one-row subqueries), so it is the same snapshot as the rule."""
    def edge(field: str, latest: bool):
        return Subquery(Site.objects.order_by(f"-{field}" if latest else field).values(field)[:1])
    return Q(t__gte=edge("morning_open", True), t__lt=edge("morning_close", False)) | Q(
        t__gte=edge("afternoon_open", True), t__lt=edge("afternoon_close", False))


def accepted_off_hours(ctx: Context) -> QuerySet:
    """(g) A window case accepted outside its site's opening hours or on a day off.

    The window cases with such an accept event (EXISTS on the partial index sup_event_accept), the
    case row read once with its site's hours. An event inside every site's hours on a working day is
    in its own site's hours too, so the events are first narrowed, on the index alone, to those
    outside the hours common to all sites or on a day off (a fifth of them); only those are joined
    with their case and site. The result is the same set."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), action="accept").annotate(**_local_time_and_date("at"))
    open_hours = Q(t__gte=OuterRef("site__morning_open"), t__lt=OuterRef("site__morning_close")) | Q(
        t__gte=OuterRef("site__afternoon_open"), t__lt=OuterRef("site__afternoon_close")
    )
    # an uncorrelated IN: PostgreSQL hashes the few days off once instead of probing per event
    day_off = Q(d__in=CalendarDay.objects.filter(is_workday=False).values("date"))
    candidates = events.filter(~_hours_of_every_site() | day_off)
    bad = candidates.filter(~open_hours | day_off)
    return ctx.limit(Case.objects.filter(channel=Channel.WINDOW).filter(Exists(bad)))


def makeup_overdue(ctx: Context) -> QuerySet:
    """(h) 容缺受理: a deferred material not handed in by its make-up deadline (makeup_due < today)."""
    return Case.objects.filter(state__in=CLOCK_STATES, deferral__cleared_on__isnull=True,
                               deferral__makeup_due__lt=ctx.today)


def verification_overdue(ctx: Context) -> QuerySet:
    """(i) 告知承诺: a verification (核查) still pending after its deadline."""
    return Case.objects.filter(commitment__verification_state="pending", commitment__verification_due__lt=ctx.today)


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    label: object  # lazy translated string
    cases: Callable[[Context], QuerySet]
    # True when whether the rule fires for a case changes only with the case's own events (and
    # rarely edited reference data): the sweep then re-evaluates only cases with new events.
    incremental: bool = False


DEADLINE_RULES = [
    Rule("deadline.red", Level.RED, _("超期未办结"), deadline_red),
    Rule("deadline.yellow", Level.YELLOW, _("临近办结期限"), deadline_yellow),
]

ANOMALY_RULES = [
    Rule("online.not_prereviewed", Level.ANOMALY, _("网上申请超期未预审"), online_not_prereviewed),
    Rule("notice.repeated", Level.ANOMALY, _("多次告知或违规补充告知"), repeated_notice, incremental=True),
    Rule("suspension.overlong", Level.ANOMALY, _("挂起超期"), suspension_overlong),
    Rule("offsystem.loop", Level.ANOMALY, _("疑似体外循环"), off_system_loop, incremental=True),
    Rule("extension.overrun", Level.ANOMALY, _("超出可延长时限"), extension_overrun, incremental=True),
    Rule("rectification.overdue", Level.ANOMALY, _("评价整改超期"), rectification_overdue),
    Rule("accept.off_hours", Level.ANOMALY, _("非工作时间受理"), accepted_off_hours, incremental=True),
    Rule("makeup.overdue", Level.ANOMALY, _("容缺材料逾期未补正"), makeup_overdue),
    Rule("verification.overdue", Level.ANOMALY, _("告知承诺核查超期"), verification_overdue),
]

RULES: list[Rule] = DEADLINE_RULES + ANOMALY_RULES
RULES_BY_CODE = {r.code: r for r in RULES}


def rule_label(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.label if rule else code
