"""Supervision writes: the sweep that opens and closes alerts, and cards (亮牌)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts import access
from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.cases.models import OPEN_STATES, Case, CaseEvent
from onewindow.catalog.models import Department
from onewindow.core.errors import NotFound, ServiceError
from onewindow.regions.models import Window

from .models import Alert, Card, CardColour, CardTarget, SweepMark
from .rules import DEADLINE_RULES, RULES, SH, Context, Rule

logger = logging.getLogger(__name__)


FULL_SWEEP_HOURS_DEFAULT = 24
# Event ids are drawn before their transaction commits, so a later sweep re-reads this many ids
# below the last mark to catch events that committed out of order.
EVENT_OVERLAP = 1000
# An incremental pass names its cases in the SQL; above this many changed cases it does a full pass.
SCOPE_LIMIT = 10_000


# Also written outside the sweep, by evaluate_case after a case event (no sweep lock held): their
# inserts keep ON CONFLICT DO NOTHING. The other rules are written only by the sweep, one at a time.
PER_CASE_RULES = frozenset(r.code for r in DEADLINE_RULES)
SWEEP_LOCK = "onewindow.supervision.sweep"


def _insert_alerts(rule: Rule, ctx: Context, wanted: QuerySet, *, none_open: bool) -> int:
    """INSERT … SELECT an alert for every wanted case without an open one for this rule; the count.

    One statement read straight from the rule's own query (its case id, department, site and due
    date), so the cases are not looked up a second time by id. The rows go in by case id: every
    index of the table then receives them in its own order (the primary key and the board's index
    at the end of their range, the open-alert index at the end of this rule's, the case index in
    one pass) instead of at random pages. A case the query yields twice is inserted once: on
    PostgreSQL by DISTINCT ON over that order; for the deadline rules, which evaluate_case also
    writes concurrently, and on SQLite by the open-alert unique index (ON CONFLICT DO NOTHING /
    INSERT OR IGNORE). Elsewhere the speculative insertion of ON CONFLICT, a lock taken and a WAL
    record written per row, nearly doubled the cost of a first sweep's 180,000 inserts: the sweeps
    are serialised by a transaction-scoped advisory lock instead, and the anti-join leaves out the
    cases with an open alert (ADR 0215)."""
    alert_t = Alert._meta.db_table
    try:
        w_sql, w_params = wanted.order_by().values(
            w_id=F("pk"), w_department=F("department_id"), w_site=F("site_id"), w_due=F("due_date")
        ).query.sql_with_params()
    except EmptyResultSet:  # e.g. Case.objects.none()
        return 0
    if connection.vendor == "postgresql":
        detail = ("CASE WHEN w.w_due IS NULL THEN '{}'::jsonb "
                  "ELSE jsonb_build_object('due_date', to_char(w.w_due, 'YYYY-MM-DD')) END")
        head, select = "INSERT INTO", "SELECT DISTINCT ON (w.w_id)"
        tail = " ON CONFLICT DO NOTHING" if rule.code in PER_CASE_RULES else ""
    else:
        detail = "CASE WHEN w.w_due IS NULL THEN '{}' ELSE json_object('due_date', w.w_due) END"
        head, select, tail = "INSERT OR IGNORE INTO", "SELECT", ""
    # With no open alert of this rule (its first sweep) the anti-join is left out: it has nothing to
    # find, and on a freshly vacuumed table PostgreSQL planned it as a sequential scan per inserted
    # row of the rows the statement itself was inserting (quadratic: minutes at 165,000 rows).
    anti, anti_params = ("", []) if none_open else (
        f"WHERE NOT EXISTS (SELECT 1 FROM {alert_t} a WHERE a.rule = %s AND a.case_id = w.w_id "
        "AND a.closed_at IS NULL) ", [rule.code])
    sql = (
        f"{head} {alert_t} (case_id, level, rule, since, closed_at, detail, department_id, site_id) "
        f"{select} w.w_id, %s, %s, %s, NULL, {detail}, w.w_department, w.w_site FROM ({w_sql}) w {anti}"
        f"ORDER BY w.w_id{tail}"
    )
    since = connection.ops.adapt_datetimefield_value(ctx.now)
    with connection.cursor() as cur:
        cur.execute(sql, [rule.level, rule.code, since, *w_params, *anti_params])
        return max(cur.rowcount, 0)


def _sync_rule(rule: Rule, ctx: Context, *, only_case_id: int | None = None) -> tuple[int, int]:
    """Open alerts for the cases `rule` yields that have none open; close the others. Set-based:
    one INSERT … SELECT and one UPDATE … WHERE NOT EXISTS, whatever the number of cases.
    With `ctx.scope` set (incremental pass) only the cases in scope are opened or closed.
    A rule with no open alert at all (its first sweep) has nothing to close and needs no anti-join."""
    if isinstance(ctx.scope, list) and not ctx.scope:
        return 0, 0  # incremental pass and no case changed
    wanted = rule.cases(ctx)
    open_alerts = Alert.objects.filter(rule=rule.code, closed_at__isnull=True)
    none_open = not open_alerts.exists()
    if only_case_id is not None:
        wanted = wanted.filter(pk=only_case_id)
        open_alerts = open_alerts.filter(case_id=only_case_id)
    if ctx.scope is not None:
        open_alerts = open_alerts.filter(case_id__in=ctx.scope)
    closed = 0 if none_open else _close_alerts(ctx, open_alerts, wanted)  # first: the statistics still hold
    opened = _insert_alerts(rule, ctx, wanted, none_open=none_open)
    if opened > 5000 and connection.vendor == "postgresql":
        with connection.cursor() as cur:  # fresh row counts for the next rules' plans
            # a 3,000-row sample (the default target 100 samples 30,000): the planner needs the row
            # count, the rules' and levels' shares and the null fraction of closed_at (ADR 0215).
            # SET LOCAL ends with the sweep's transaction, which runs no other ANALYZE.
            cur.execute("SET LOCAL default_statistics_target = 10")
            cur.execute(f"ANALYZE {Alert._meta.db_table}")
    return opened, closed


def _close_alerts(ctx: Context, open_alerts: QuerySet, wanted: QuerySet) -> int:
    """Close the open alerts whose case is not wanted any more. The ids come from one anti-join (the
    wanted set computed once; a correlated NOT EXISTS would re-run the rule per alert), then one
    UPDATE by primary key per 5,000."""
    try:
        wanted_sql, wanted_params = wanted.order_by().values(w_id=F("pk")).query.sql_with_params()
    except EmptyResultSet:
        return open_alerts.update(closed_at=ctx.now)
    try:
        open_sql, open_params = open_alerts.order_by().values(a_id=F("id"), a_case=F("case_id")).query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT a.a_id FROM ({open_sql}) a LEFT JOIN ({wanted_sql}) w ON w.w_id = a.a_case "
                    "WHERE w.w_id IS NULL", [*open_params, *wanted_params])
        ids = [r[0] for r in cur.fetchall()]
    closed = 0
    for i in range(0, len(ids), 5000):
        closed += Alert.objects.filter(pk__in=ids[i:i + 5000], closed_at__isnull=True).update(closed_at=ctx.now)
    return closed


def _full_sweep_due(mark: SweepMark | None, ctx: Context) -> bool:
    hours = int(getattr(settings, "SUPERVISION_FULL_SWEEP_HOURS", FULL_SWEEP_HOURS_DEFAULT))
    return (
        mark is None
        or mark.params != ctx.params()
        or ctx.now - mark.full_at >= datetime.timedelta(hours=hours)
        or mark.full_at > ctx.now
    )


def _changed_cases(after_event_id: int, cache: dict) -> list[int] | None:
    """Ids of the cases with events after `after_event_id`, or None when more than SCOPE_LIMIT."""
    if after_event_id not in cache:
        ids = list(
            CaseEvent.objects.filter(id__gt=after_event_id).order_by().values_list("case_id", flat=True)
            .distinct()[: SCOPE_LIMIT + 1]
        )
        cache[after_event_id] = None if len(ids) > SCOPE_LIMIT else ids
    return cache[after_event_id]


def _unbounded_pass_due(mark: SweepMark | None, ctx: Context) -> bool:
    """Every case, not only the recent ones: the rule's first sweep, other thresholds, no window."""
    return mark is None or mark.params != ctx.params() or ctx.history_days <= 0


SCOPE_TABLE = "sup_sweep_scope"


def _drop_scope_table() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")


def _recent_scope(ctx: Context, after_event_id: int) -> RawSQL:
    """The daily full pass's cases: the recent ones — open, or submitted or concluded on or after
    today - history_days — and those with events after `after_event_id` (whatever their age: a late
    event must not be missed). Written once into a temporary table (primary key, analysed) that the
    rules read as `case_id IN (SELECT id FROM …)`: the planner then knows its size, and the set is
    not recomputed per rule and per statement."""
    since = ctx.today - datetime.timedelta(days=ctx.history_days)
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=SH)
    parts = [  # one indexed range each (an OR of them would read the whole table)
        Case.objects.filter(state__in=OPEN_STATES).order_by().values("pk"),
        Case.objects.filter(submitted_at__gte=start).order_by().values("pk"),
        Case.objects.filter(concluded_on__gte=since).order_by().values("pk"),
        CaseEvent.objects.filter(id__gt=after_event_id).order_by().values("case_id"),
    ]
    sqls, params = [], []
    for qs in parts:
        sql, p = qs.query.sql_with_params()
        sqls.append(sql)
        params.extend(p)
    _drop_scope_table()
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {SCOPE_TABLE} (id bigint PRIMARY KEY)")
        cur.execute(f"INSERT INTO {SCOPE_TABLE} (id) {' UNION '.join(sqls)}", params)
        cur.execute(f"ANALYZE {SCOPE_TABLE}")
    return RawSQL(f"SELECT id FROM {SCOPE_TABLE}", [])


def sweep(today: datetime.date | None = None, *, now: datetime.datetime | None = None,
          rules: list[Rule] | None = None, full: bool = False, everything: bool = False,
          **thresholds) -> dict:
    """Run every rule once. Returns {"opened", "closed", "rules": {code: [opened, closed]}}.

    Idempotent: a second sweep with nothing changed opens and closes nothing.
    `thresholds` may override yellow_days, prereview_days, suspension_days, instant_seconds.

    Event-driven rules (Rule.incremental) read case histories. They are evaluated over every case on
    their first sweep, when the thresholds changed, with `everything=True` and when
    SUPERVISION_HISTORY_DAYS is 0. Once every SUPERVISION_FULL_SWEEP_HOURS (24), with `full=True`
    and when more than SCOPE_LIMIT cases have new events, a full pass re-judges the recent cases
    (open, or submitted or concluded within SUPERVISION_HISTORY_DAYS (7) days before `today`) and
    every case with new events — catching edits to opening hours, the calendar or item allowances
    and direct database edits for those cases; the alerts of older cases are neither opened nor
    closed by it. Otherwise only the cases with case events since the previous sweep (SweepMark)
    are looked at. The other rules look at every open case each time (their answer moves with the
    date).
    """
    ctx = Context.make(today, now, **thresholds)
    out = {"opened": 0, "closed": 0, "rules": {}}
    full_rules = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The rules probe indexes by case id for a few thousand cases; at the default page cost
            # the planner prefers reading all of cases_case instead. This transaction only.
            # A first sweep hashes ~200,000 accept events: at the default 4 MB the hash spilled to
            # disk in 8 batches. One sweep runs at a time (the marks are locked), so this is bounded.
            with connection.cursor() as cur:
                # one sweep at a time, its first one included (no marks to lock yet): its inserts
                # rely on it instead of ON CONFLICT (ADR 0215)
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [SWEEP_LOCK])
                cur.execute("SET LOCAL random_page_cost = 1.1")
                cur.execute("SET LOCAL work_mem = '64MB'")
                # JIT compiled each large rule statement for 35-75 ms of a first sweep (ADR 0215)
                cur.execute("SET LOCAL jit = off")
        top = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        marks = {m.rule: m for m in SweepMark.objects.select_for_update()}
        changed: dict = {}  # after event id -> case ids (or None: too many), read once per sweep
        recent = None  # the full pass's scope, built once (from the oldest mark: a superset for all)
        oldest = min((m.event_id for m in marks.values()), default=0) - EVENT_OVERLAP
        for rule in rules if rules is not None else RULES:
            ctx.scope = None
            mark = marks.get(rule.code)
            recorded_full = False
            if rule.incremental and not (everything or _unbounded_pass_due(mark, ctx)):
                after = mark.event_id - EVENT_OVERLAP
                if not (full or _full_sweep_due(mark, ctx)):
                    ctx.scope = _changed_cases(after, changed)
                if ctx.scope is None:
                    if recent is None:
                        recent = _recent_scope(ctx, min(oldest, after))
                    ctx.scope, recorded_full = recent, True
                    full_rules.append(f"{rule.code} (recent)")
            elif rule.incremental:
                recorded_full = True
                full_rules.append(rule.code)
            opened, closed = _sync_rule(rule, ctx)
            if rule.incremental:
                if mark is None:
                    mark = SweepMark(rule=rule.code, full_at=ctx.now)
                if recorded_full:
                    mark.full_at = ctx.now
                mark.event_id, mark.params = max(top, mark.event_id if ctx.scope is not None else 0), ctx.params()
                mark.save()
            ctx.scope = None
            out["rules"][rule.code] = [opened, closed]
            out["opened"] += opened
            out["closed"] += closed
        if recent is not None:
            _drop_scope_table()
        if out["opened"] or out["closed"]:
            record(actor=None, action="supervision.sweep", obj_type="sweep", obj_id=ctx.today.isoformat(),
                   after={"opened": out["opened"], "closed": out["closed"]})
    if full_rules:
        logger.info("supervision sweep: full evaluation of %s", ", ".join(full_rules))
    return out


def evaluate_case(case_id: int, today: datetime.date | None = None) -> tuple[int, int]:
    """Re-evaluate one case's deadline warnings (after a case event): a few indexed queries."""
    ctx = Context.make(today)
    opened = closed = 0
    with transaction.atomic():
        for rule in DEADLINE_RULES:
            o, c = _sync_rule(rule, ctx, only_case_id=case_id)
            opened += o
            closed += c
    return opened, closed


def on_case_changed(sender, case=None, **kwargs) -> None:
    """Receiver of cases.services.case_changed: never lets a supervision failure break case handling."""
    if case is None or not case.pk:
        return
    try:
        evaluate_case(case.pk)
    except Exception:  # the next sweep will catch up
        logger.exception("supervision: re-evaluating case %s failed", case.pk)


# ---- cards ----------------------------------------------------------------------------------

def _require_supervisor(actor: User) -> None:
    access.require_supervisor(actor, _("仅电子监察员可以亮牌"))


@transaction.atomic
def issue_card(*, actor: User, target_kind: str, target_id, colour: str, reason: str) -> Card:
    _require_supervisor(actor)
    fields = {}
    if target_kind not in CardTarget.values:
        fields["target_kind"] = _("应为 window 或 department")
    if colour not in CardColour.values:
        fields["colour"] = _("应为 yellow 或 red")
    reason = (reason or "").strip()
    if not reason:
        fields["reason"] = _("请填写亮牌理由")
    elif len(reason) > 1000:
        fields["reason"] = _("不超过 1000 字")
    try:
        target_pk = int(target_id)
    except (TypeError, ValueError):
        target_pk = None
        fields["target"] = _("请选择亮牌对象")
    if fields:
        raise ServiceError(_("亮牌信息有误"), fields=fields)
    window = department = None
    if target_kind == CardTarget.WINDOW:
        window = access.visible(actor, Window.objects.select_related("hall__site")).filter(pk=target_pk).first()
        region = window.hall.site.region_id if window else None
    else:
        department = access.visible(actor, Department.objects.all()).filter(pk=target_pk).first()
        region = department.region_id if department else None
    if region is None:
        raise NotFound(_("亮牌对象不存在或不在监管范围内"), fields={"target": _("不在监管范围内")})
    card = Card.objects.create(
        target_kind=target_kind, window=window, department=department, colour=colour, reason=reason,
        issued_by=actor, issued_at=timezone.now(), region_code=region,
    )
    record(actor=actor, action="supervision.card_issue", obj_type="card", obj_id=card.pk,
           after={"target_kind": target_kind, "target": card.target_name, "colour": colour, "reason": reason})
    return card


@transaction.atomic
def revoke_card(*, actor: User, card_id, reason: str = "") -> Card:
    """Withdraw a card (it stays on record, marked revoked, with who, when and why)."""
    _require_supervisor(actor)
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ServiceError(_("撤销理由有误"), fields={"reason": _("不超过 1000 字")})
    card = access.visible(actor, Card.objects.select_for_update()).filter(pk=card_id).first()
    if card is None:
        raise NotFound(_("亮牌记录不存在或不在监管范围内"))
    if card.revoked_at is not None:
        raise ServiceError(_("该亮牌已撤销"), code="already_revoked", status=409)
    card.revoked_at, card.revoked_by, card.revoke_reason = timezone.now(), actor, reason
    card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(actor=actor, action="supervision.card_revoke", obj_type="card", obj_id=card.pk,
           before={"revoked_at": None, "revoked_by": None, "revoke_reason": ""},
           after={"revoked_at": card.revoked_at.isoformat(), "revoked_by": actor.username, "revoke_reason": reason})
    return card
