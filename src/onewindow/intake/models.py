"""What the national intake modes add to a case (the case itself stays in cases.models):

* Deferral (容缺受理): the non-key materials accepted missing, the signed commitment and the make-up deadline;
* Commitment (告知承诺制): the item's commitment text the applicant signed, the proofs it replaced and
  the verification (核查) after the decision;
* BrokenCommitment: the list of applicants whose commitment proved false or whose make-up never came,
  barred from both modes until `until`; IntakePolicy holds how long (set by the administrator);
* Postal (寄递送达): the address chosen when applying, the courier, the waybill and 寄出 / 签收 times.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def scan_path(instance, filename):
    return f"commitments/{instance.case.number}/{filename}"


class Deferral(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="deferral")
    materials = models.JSONField(_("容缺材料"), default=list)  # [material code]
    commitment = models.TextField(_("承诺内容"))
    makeup_due = models.DateField(_("补正期限"), db_index=True)
    makeup_provisional = models.BooleanField(default=False)
    scan = models.FileField(_("签字承诺书扫描件"), upload_to=scan_path, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_on = models.DateField(_("补齐日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("容缺受理")
        verbose_name_plural = _("容缺受理")
        indexes = [models.Index(fields=["cleared_on", "makeup_due"])]


class VerificationState(models.TextChoices):
    NOT_DUE = "not_due", _("待决定后核查")
    PENDING = "pending", _("待核查")
    CONFIRMED = "confirmed", _("核查属实")
    FALSE = "false", _("承诺不实")


class Commitment(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="commitment")
    text = models.TextField(_("承诺书文本"))  # the item version's text, as signed
    materials = models.JSONField(_("以承诺替代的材料"), default=list)
    scan = models.FileField(_("签字承诺书扫描件"), upload_to=scan_path, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verification_due = models.DateField(_("核查期限"), null=True, blank=True, db_index=True)
    verification_state = models.CharField(_("核查状态"), max_length=10, choices=VerificationState.choices,
                                          default=VerificationState.NOT_DUE, db_index=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    verification_note = models.TextField(_("核查说明"), blank=True)

    class Meta:
        verbose_name = _("告知承诺")
        verbose_name_plural = _("告知承诺")


class BrokenCommitment(models.Model):
    applicant_id = models.CharField(_("证件号码"), max_length=18, db_index=True)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    case_number = models.CharField(_("办件编号"), max_length=20)
    reason = models.CharField(_("原因"), max_length=300)
    listed_on = models.DateField(_("列入日期"))
    until = models.DateField(_("限制至"), db_index=True)

    class Meta:
        verbose_name = _("失信承诺名单")
        verbose_name_plural = _("失信承诺名单")
        ordering = ["-listed_on", "-id"]


class IntakePolicy(models.Model):
    """One row: how long a broken commitment bars the applicant (calendar days)."""

    broken_list_days = models.PositiveIntegerField(_("失信承诺限制期（天）"), default=365)

    class Meta:
        verbose_name = _("承诺制度设置")
        verbose_name_plural = _("承诺制度设置")

    def __str__(self):
        return str(self._meta.verbose_name)


class PostalState(models.TextChoices):
    REQUESTED = "requested", _("待寄出")
    SENT = "sent", _("已寄出")
    RECEIVED = "received", _("已签收")


class Postal(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="postal")
    address = models.CharField(_("收件地址"), max_length=200)
    recipient = models.CharField(_("收件人"), max_length=60, blank=True)
    phone = models.CharField(_("收件电话"), max_length=20, blank=True)
    courier = models.CharField(_("寄递企业"), max_length=40, blank=True)
    waybill = models.CharField(_("运单号"), max_length=40, blank=True)
    state = models.CharField(_("寄递状态"), max_length=10, choices=PostalState.choices, default=PostalState.REQUESTED)
    sent_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("寄递送达")
        verbose_name_plural = _("寄递送达")
