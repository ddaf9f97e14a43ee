"""Cases (办件), their materials, notices and the append-only event log.

A Case binds to the ItemVersion it was filed under. Its state changes only through
`cases.services` (the transition table in `cases.transitions`); each change appends a
CaseEvent, which is never edited or deleted.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    PENDING_MATERIALS = "pending_materials", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REVIEWED = "reviewed", _("已审核")
    SUSPENDED = "suspended", _("已挂起")
    CONCLUDED = "concluded", _("已办结")
    DELIVERED = "delivered", _("已送达")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止（容缺逾期未补正）")
    REVOKED = "revoked", _("已撤销（承诺不实）")


OPEN_STATES = (State.SUBMITTED, State.PENDING_MATERIALS, State.ACCEPTED, State.REVIEWED, State.SUSPENDED)
CLOCK_STATES = (State.ACCEPTED, State.REVIEWED, State.SUSPENDED)
DONE_STATES = (State.CONCLUDED, State.DELIVERED)  # 办结: decided, whether or not delivered yet
# What a window clerk still acts on: new filings, filings awaiting materials, results to hand over.
WINDOW_STATES = (State.SUBMITTED, State.PENDING_MATERIALS, State.CONCLUDED)
# The window's order of work: to accept or pre-review, then waiting for materials, then results to deliver.
WINDOW_ORDER = {State.SUBMITTED: 0, State.PENDING_MATERIALS: 1, State.CONCLUDED: 2}


def window_step() -> models.Case:
    """The step of WINDOW_ORDER as an SQL expression: the same in the index and in the query's ORDER BY,
    so that PostgreSQL reads the first page from the index instead of sorting the site's cases."""
    return models.Case(*[models.When(state=s, then=models.Value(n)) for s, n in WINDOW_ORDER.items()],
                       default=models.Value(9), output_field=models.IntegerField())


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    AGENCY = "agency", _("代办")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORG = "org", _("法人")


class Result(models.TextChoices):
    APPROVE = "approve", _("准予")
    DENY = "deny", _("不予")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    MAIL = "mail", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    POST = "post", _("寄递送达")


class SuspendKind(models.TextChoices):
    EXPERT_REVIEW = "expert_review", _("专家评审")
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("现场勘验")
    PUBLIC_NOTICE = "public_notice", _("公示")
    OTHER = "other", _("其他特别程序")


def mask_name(kind: str, name: str) -> str:
    """An applicant's name as the public may see it: an organisation's in full, a person's
    surname only (张三 → 张*)."""
    name = name or ""
    if kind == ApplicantKind.ORG:
        return name
    return (name[0] + "*" * (len(name) - 1)) if len(name) > 1 else "*"


class NumberSequence(models.Model):
    """Daily sequence per 6-digit region code; the row is locked while a number is drawn."""

    scope = models.CharField(max_length=12)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="number_sequence_scope_day")]


class BundleFiling(models.Model):
    """One application for a 一件事 bundle: one child case per item, handled in parallel."""

    number = models.CharField(_("一件事编号"), max_length=20, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    bundle = models.ForeignKey("catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT)
    applicant_kind = models.CharField(_("申请人类型"), max_length=8, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    applicant_id = models.CharField(_("证件号码"), max_length=18, db_index=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    site = models.ForeignKey("regions.Site", verbose_name=_("受理场所"), on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(_("申报信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")

    def __str__(self):
        return f"{self.number} {self.bundle.name}"


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=20, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(
        "catalog.ItemVersion", verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="cases"
    )
    bundle_filing = models.ForeignKey(
        BundleFiling, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )

    applicant_kind = models.CharField(_("申请人类型"), max_length=8, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    applicant_id = models.CharField(_("证件号码"), max_length=18, db_index=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    site = models.ForeignKey("regions.Site", verbose_name=_("受理场所"), on_delete=models.PROTECT, related_name="cases")
    region_code = models.CharField(_("受理地区划"), max_length=12, db_index=True)
    window = models.ForeignKey(
        "regions.Window", verbose_name=_("受理窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorisation = models.TextField(_("代办授权说明"), blank=True)
    green_channel = models.BooleanField(_("绿色通道"), default=False, db_index=True)

    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True)
    state_before_suspension = models.CharField(max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, db_index=True)
    committed_days = models.PositiveSmallIntegerField(_("承诺时限"))
    statutory_days = models.PositiveSmallIntegerField(_("法定时限"))
    due_date = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    suspended_on = models.DateField(_("挂起日期"), null=True, blank=True)
    suspended_workdays = models.PositiveSmallIntegerField(_("累计挂起工作日"), default=0)
    extended_days = models.PositiveSmallIntegerField(_("累计延期工作日"), default=0)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True, db_index=True)
    actual_workdays = models.SmallIntegerField(_("实际用时（工作日）"), null=True, blank=True)
    result = models.CharField(_("办理结果"), max_length=8, choices=Result.choices, blank=True)
    result_reason = models.TextField(_("结果说明"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True)
    data = models.JSONField(_("申报信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "state", "due_date"]),
            models.Index(fields=["site", "state", "due_date"]),
            models.Index(fields=["state", "due_date"]),
            models.Index(fields=["region_code", "submitted_at"]),
            # A site's window queue and a clerk's desk, in their display orders, so that the first
            # page is read from the index even when a site holds 100,000 results awaiting delivery.
            models.Index(models.F("site"), models.F("green_channel").desc(), window_step(), models.F("submitted_at"),
                         models.F("id"), condition=models.Q(state__in=WINDOW_STATES), name="case_window_queue"),
            # (due_date ascending puts NULLs last on PostgreSQL, as the desk orders; SQLite cannot
            # declare NULLS LAST in an index.)
            models.Index(models.F("site"), models.F("green_channel").desc(), models.F("due_date"),
                         models.F("submitted_at"), condition=models.Q(state__in=WINDOW_STATES), name="case_clerk_desk"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def masked_name(self) -> str:
        return mask_name(self.applicant_kind, self.applicant_name)


class MaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    LICENCE = "licence", _("免提交（电子证照）")
    MISSING = "missing", _("缺少")
    FAULTY = "faulty", _("需补正")
    # A licence that another part of the same bundle (一件事) issues: never asked from the applicant,
    # filled in (status licence) when that part concludes.
    AWAITING = "awaiting", _("待同一件事签发")


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=20)
    name = models.CharField(_("材料名称"), max_length=150)
    required = models.BooleanField(_("必要"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=MaterialStatus.choices)
    licence_number = models.CharField(_("电子证照编号"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The clerk's verdict on what was handed in: accepted (合格) at the pre-review or at acceptance.
    checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核验人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="case_material_unique")]


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("一次性告知书")
    REJECTION = "rejection", _("不予受理通知书")


class Notice(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类型"), max_length=10, choices=NoticeKind.choices)
    seq = models.PositiveSmallIntegerField(_("次序"))
    items = models.JSONField(_("告知事项"), default=list)
    note = models.TextField(_("说明"), blank=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("告知书")
        verbose_name_plural = _("告知书")
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "seq"], name="notice_seq_unique")]


class AppendOnly(Exception):
    pass


class CaseEvent(models.Model):
    """One step in a case's life. Append-only: saving an existing row or deleting raises."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=30, db_index=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("case events are append-only")
