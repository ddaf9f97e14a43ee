"""Electronic supervision (电子监察): alerts raised by the sweep and cards (亮牌) issued by supervisors.

An Alert is open while `closed_at` is null; at most one alert per (case, rule) is open at a time.
`department` and `site` are copied from the case so that the board counts need no join.

Alerts are derived rows: the sweep computes them from cases and their events and writes them with one
INSERT … SELECT from cases_case, so every id it writes exists when written, and cases are never
deleted. Their foreign keys are therefore not checked by the database (`db_constraint=False`): the
row-by-row checks cost more than the insert itself when a first sweep opens 180,000 alerts (ADR
0195). Django still cascades a case's deletion to its alerts and protects departments and sites.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")
    ANOMALY = "anomaly", _("异常")


class Alert(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="alerts",
                             db_constraint=False)
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    rule = models.CharField(_("规则"), max_length=40)
    since = models.DateTimeField(_("发现时间"))
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    # read only through the open alerts' grouped pass and joins (no index of their own)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+",
        db_constraint=False, db_index=False,
    )
    site = models.ForeignKey("regions.Site", verbose_name=_("受理场所"), on_delete=models.PROTECT, related_name="+",
                             db_constraint=False, db_index=False)

    class Meta:
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")
        ordering = ["-since", "-id"]
        # Four indexes, each one read: the primary key, case (a case's alerts, open or closed), the
        # open alerts by rule and case (one open per pair; the sweep's close step reads a rule's
        # range), and the board's lists. Every index costs each of a first sweep's 180,000 inserts.
        indexes = [
            # the board's lists: newest open alerts of a level, read backwards in index order. Ascending,
            # so that a sweep's new alerts (one `since`, rising ids) go in at the end of their level's
            # range rather than at its start, where each one split a page (ADR 0215)
            models.Index(fields=["level", "since", "id"], condition=models.Q(closed_at__isnull=True),
                         name="sup_alert_open_level_since"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "case"],
                condition=models.Q(closed_at__isnull=True),
                name="sup_alert_one_open_per_case_rule",
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.rule} {self.level}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CardTarget(models.TextChoices):
    WINDOW = "window", _("窗口")
    DEPARTMENT = "department", _("部门")


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Card(models.Model):
    """A yellow or red card (亮牌) shown to a window or a department."""

    target_kind = models.CharField(_("对象类型"), max_length=12, choices=CardTarget.choices)
    window = models.ForeignKey(
        "regions.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    colour = models.CharField(_("颜色"), max_length=8, choices=CardColour.choices)
    reason = models.TextField(_("理由"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("亮牌人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("亮牌时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("撤销理由"), blank=True, default="")
    region_code = models.CharField(_("所属区划"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("亮牌")
        verbose_name_plural = _("亮牌")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target_kind="window", window__isnull=False, department__isnull=True)
                    | models.Q(target_kind="department", department__isnull=False, window__isnull=True)
                ),
                name="sup_card_target_matches_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_colour_display()} {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.target_kind == CardTarget.WINDOW and self.window_id:
            return str(self.window)
        return str(self.department) if self.department_id else ""


class SweepMark(models.Model):
    """How far the sweep has looked, per event-driven rule (rules.Rule.incremental).

    `event_id` is the highest CaseEvent id seen by the last sweep; the next sweep re-evaluates only
    the cases with later events (minus a small overlap for transactions that committed out of id
    order). `full_at` is the last full evaluation (no mark, other thresholds, or older than
    SUPERVISION_FULL_SWEEP_HOURS); `params` the thresholds it used.
    """

    rule = models.CharField(max_length=40, unique=True)
    event_id = models.BigIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    full_at = models.DateTimeField()

    class Meta:
        verbose_name = _("监察扫描进度")
        verbose_name_plural = _("监察扫描进度")

    def __str__(self):
        return f"{self.rule} @ {self.event_id}"
