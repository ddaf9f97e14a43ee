"""The e-licence library (电子证照库) and enterprise registration (五证合一、一照一码).

A Licence is one certificate issued to a person (by ID number) or an organisation (by unified
social credit code); cases reuse valid licences in place of paper materials. An
EnterpriseRegistration is the record of one 企业设立登记: it holds the allocated USCC, the single
business licence (营业执照) and the list of departments the registration data was shared with.

Counters (LicenceNumberSequence, UsccSequence) are rows locked with select_for_update, so that
numbering stays unique and gap-free across processes.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORG = "org", _("法人及其他组织")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class Licence(models.Model):
    licence_type = models.ForeignKey(
        "catalog.LicenceType", verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    number = models.CharField(_("证照编号"), max_length=64)
    holder_kind = models.CharField(_("持证主体类型"), max_length=8, choices=HolderKind.choices)
    holder_name = models.CharField(_("持证主体"), max_length=150)
    holder_id = models.CharField(
        _("持证主体代码"), max_length=18, db_index=True, help_text=_("公民身份号码或统一社会信用代码")
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("发证部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_licences",
    )
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空为长期有效"))
    status = models.CharField(
        _("状态"), max_length=8, choices=LicenceStatus.choices, default=LicenceStatus.VALID, db_index=True
    )
    case_number = models.CharField(_("来源办件编号"), max_length=32, blank=True, db_index=True)
    data = models.JSONField(_("证照数据"), default=dict, blank=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "number"], name="licence_number_unique_per_type"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="licence_valid_until_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["holder_id", "status"])]

    def __str__(self):
        return f"{self.licence_type.name} {self.number}"

    @property
    def long_term(self) -> bool:
        return self.valid_until is None


class LicenceNumberSequence(models.Model):
    """Last number issued for one licence type in one year."""

    licence_type = models.ForeignKey("catalog.LicenceType", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("证照编号计数器")
        verbose_name_plural = _("证照编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "year"], name="licence_sequence_unique"),
        ]

    def __str__(self):
        return f"{self.licence_type_id}/{self.year}: {self.last}"


class UsccSequence(models.Model):
    """Last organisation-code sequence allocated in one registering division."""

    division_code = models.CharField(_("区划代码"), max_length=6, unique=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统一社会信用代码计数器")
        verbose_name_plural = _("统一社会信用代码计数器")

    def __str__(self):
        return f"{self.division_code}: {self.last}"


class EnterpriseType(models.TextChoices):
    LLC = "llc", _("有限责任公司")
    JOINT_STOCK = "joint_stock", _("股份有限公司")
    SOLE_PROPRIETORSHIP = "sole_proprietorship", _("个人独资企业")
    PARTNERSHIP = "partnership", _("合伙企业")
    BRANCH = "branch", _("分公司")
    INDIVIDUAL = "individual", _("个体工商户")
    COOPERATIVE = "cooperative", _("农民专业合作社")


class EnterpriseRegistration(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=150, db_index=True)
    enterprise_type = models.CharField(_("类型"), max_length=24, choices=EnterpriseType.choices)
    legal_representative = models.CharField(_("法定代表人（负责人、经营者）"), max_length=60)
    registered_capital = models.DecimalField(_("注册资本（万元）"), max_digits=16, decimal_places=2, default=0)
    address = models.CharField(_("住所（经营场所）"), max_length=200)
    division_code = models.CharField(_("登记地区划代码"), max_length=6, db_index=True)
    registered_on = models.DateField(_("成立日期"))
    licence = models.OneToOneField(
        Licence, verbose_name=_("营业执照"), on_delete=models.PROTECT, related_name="registration"
    )
    case_number = models.CharField(_("来源办件编号"), max_length=32, blank=True, db_index=True)
    shared_with = models.JSONField(
        _("信息共享记录"),
        default=list,
        blank=True,
        help_text=_("登记信息推送的部门及时间：[{\"department\": 名称, \"shared_at\": 时间}]"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业登记（五证合一）")
        verbose_name_plural = _("企业登记（五证合一）")
        ordering = ["-registered_on", "-id"]

    def __str__(self):
        return f"{self.name}（{self.uscc}）"

    @property
    def shared_department_names(self) -> list[str]:
        return [entry["department"] for entry in self.shared_with]
