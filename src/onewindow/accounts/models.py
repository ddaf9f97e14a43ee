"""Users, roles and scopes.

A user has one role. Staff carry their scope: the department they work for, the site
they sit at and the region they oversee; applicants carry their identity.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("综合窗口受理员")
    REVIEWER = "reviewer", _("审核人员")
    APPROVER = "approver", _("审批人员")
    AGENT = "agent", _("代办员")
    SUPERVISOR = "supervisor", _("电子监察员")
    ADMIN = "admin", _("中心管理员")


STAFF_ROLES = {Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.AGENT, Role.SUPERVISOR, Role.ADMIN}


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORG = "org", _("法人")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.APPLICANT, db_index=True)
    display_name = models.CharField(_("姓名/名称"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    applicant_kind = models.CharField(_("申请人类型"), max_length=8, choices=ApplicantKind.choices, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    site = models.ForeignKey("regions.Site", verbose_name=_("所在服务场所"), null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("监管区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    window = models.ForeignKey(
        "regions.Window", verbose_name=_("所在窗口"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # One applicant account per phone, ID number and credit code (registration also checks
        # under per-key locks, with a clear message; these hold whatever writes the table).
        constraints = [
            models.UniqueConstraint(fields=[name], condition=models.Q(role="applicant") & ~models.Q(**{name: ""}),
                                    name=f"applicant_unique_{name}")
            for name in ("phone", "id_number", "uscc")
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return "ow_" + secrets.token_urlsafe(32)
