"""Supervision writes: the sweep that opens and closes alerts, and cards (亮牌)."""

import datetime
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from onewindow.accounts.models import Role
from onewindow.api.errors import Forbidden, NotFound, ServiceError
from onewindow.audit.services import record
from onewindow.cases.selectors import region_prefix
from onewindow.catalog.models import Department
from onewindow.regions.models import Window

from .models import Alert, Card, CardColour, CardTarget
from .rules import DEADLINE_RULES, RULES, Context, Rule

logger = logging.getLogger(__name__)


def _sync_rule(rule: Rule, ctx: Context, *, only_case_id: int | None = None) -> tuple[int, int]:
    """Open alerts for the cases `rule` yields that have none open; close the others. Set-based."""
    wanted = rule.cases(ctx)
    open_alerts = Alert.objects.filter(rule=rule.code, closed_at__isnull=True)
    if only_case_id is not None:
        wanted = wanted.filter(pk=only_case_id)
        open_alerts = open_alerts.filter(case_id=only_case_id)
    rows = list(
        wanted.exclude(pk__in=open_alerts.values("case_id")).values("pk", "department_id", "site_id", "due_date")
    )
    if rows:
        Alert.objects.bulk_create(
            [
                Alert(
                    case_id=r["pk"], level=rule.level, rule=rule.code, since=ctx.now,
                    department_id=r["department_id"], site_id=r["site_id"],
                    detail={"due_date": r["due_date"].isoformat()} if r["due_date"] else {},
                )
                for r in rows
            ],
            ignore_conflicts=True,
        )
    closed = open_alerts.exclude(case_id__in=wanted.values("pk")).update(closed_at=ctx.now)
    return len(rows), closed


def sweep(today: datetime.date | None = None, *, now: datetime.datetime | None = None,
          rules: list[Rule] | None = None, **thresholds) -> dict:
    """Run every rule once. Returns {"opened", "closed", "rules": {code: [opened, closed]}}.

    Idempotent: a second sweep with nothing changed opens and closes nothing.
    `thresholds` may override yellow_days, prereview_days, suspension_days, instant_seconds.
    """
    ctx = Context.make(today, now, **thresholds)
    out = {"opened": 0, "closed": 0, "rules": {}}
    with transaction.atomic():
        for rule in rules if rules is not None else RULES:
            opened, closed = _sync_rule(rule, ctx)
            out["rules"][rule.code] = [opened, closed]
            out["opened"] += opened
            out["closed"] += closed
        if out["opened"] or out["closed"]:
            record(actor=None, action="supervision.sweep", obj_type="sweep", obj_id=ctx.today.isoformat(),
                   after={"opened": out["opened"], "closed": out["closed"]})
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

def _require_supervisor(actor) -> str:
    """The region prefix the actor supervises ("" = everywhere for the administrator)."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden("需要电子监察员身份")
    if actor.is_superuser or actor.role == Role.ADMIN:
        return ""
    if actor.role != Role.SUPERVISOR or not actor.region_id:
        raise Forbidden("仅电子监察员可以亮牌")
    return region_prefix(actor.region_id)


@transaction.atomic
def issue_card(*, actor, target_kind: str, target_id, colour: str, reason: str) -> Card:
    prefix = _require_supervisor(actor)
    fields = {}
    if target_kind not in CardTarget.values:
        fields["target_kind"] = "应为 window 或 department"
    if colour not in CardColour.values:
        fields["colour"] = "应为 yellow 或 red"
    reason = (reason or "").strip()
    if not reason:
        fields["reason"] = "请填写亮牌理由"
    elif len(reason) > 1000:
        fields["reason"] = "不超过 1000 字"
    try:
        target_pk = int(target_id)
    except (TypeError, ValueError):
        target_pk = None
        fields["target"] = "请选择亮牌对象"
    if fields:
        raise ServiceError("亮牌信息有误", fields=fields)
    window = department = None
    if target_kind == CardTarget.WINDOW:
        window = Window.objects.select_related("hall__site").filter(pk=target_pk).first()
        region = window.hall.site.region_id if window else None
    else:
        department = Department.objects.filter(pk=target_pk).first()
        region = department.region_id if department else None
    if region is None or not region.startswith(prefix):
        raise NotFound("亮牌对象不存在或不在监管范围内", fields={"target": "不在监管范围内"})
    card = Card.objects.create(
        target_kind=target_kind, window=window, department=department, colour=colour, reason=reason,
        issued_by=actor, issued_at=timezone.now(), region_code=region,
    )
    record(actor=actor, action="supervision.card_issue", obj_type="card", obj_id=card.pk,
           after={"target_kind": target_kind, "target": card.target_name, "colour": colour, "reason": reason})
    return card


@transaction.atomic
def revoke_card(*, actor, card_id) -> Card:
    prefix = _require_supervisor(actor)
    card = cards_in_scope(prefix).select_for_update().filter(pk=card_id).first()
    if card is None:
        raise NotFound("亮牌记录不存在或不在监管范围内")
    if card.revoked_at is not None:
        raise ServiceError("该亮牌已撤销", code="already_revoked", status=409)
    card.revoked_at, card.revoked_by = timezone.now(), actor
    card.save(update_fields=["revoked_at", "revoked_by"])
    record(actor=actor, action="supervision.card_revoke", obj_type="card", obj_id=card.pk,
           after={"revoked_at": card.revoked_at.isoformat()})
    return card


def cards_in_scope(prefix: str) -> QuerySet:
    return Card.objects.filter(region_code__startswith=prefix)
