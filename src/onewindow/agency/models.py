"""Major investment projects (重大项目) with a green channel and a full-service agent (全程代办).

Agency filing itself (全程代理) needs no table of its own: an agency case is a Case with
channel "agency", received at the agent's station, carrying the resident's authorisation.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# 投资项目统一代码: year - 6-digit region - 2-digit industry - 2-digit type - 6-digit serial.
PROJECT_CODE_RE = r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"


class ProjectLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县区级")


class Project(models.Model):
    code = models.CharField(
        _("项目代码"), max_length=24, unique=True,
        validators=[RegexValidator(PROJECT_CODE_RE, _("项目代码格式应为 2026-341300-xx-xx-xxxxxx"))],
    )
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资主体"), max_length=200)
    investment = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2)
    level = models.CharField(_("项目层级"), max_length=8, choices=ProjectLevel.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("全程代办员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="agency_projects",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重大项目")
        verbose_name_plural = _("重大项目")
        ordering = ["-created_at", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ProjectCase(models.Model):
    """A case handled for a project (绿色通道). A case belongs to at most one project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="links")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="project_link")
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("项目办件")
        verbose_name_plural = _("项目办件")
        ordering = ["linked_at", "id"]
