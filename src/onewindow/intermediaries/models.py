"""The 中介服务清单: intermediary services that approval items require, the qualified providers an
administrator maintains, and what a case records of the one the applicant engaged (and its rating)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IntermediaryService(models.Model):
    code = models.CharField(_("中介服务编码"), max_length=30, unique=True)
    name = models.CharField(_("中介服务名称"), max_length=100)
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name=_("需要该服务的审批事项"),
                                   related_name="intermediary_services", blank=True)
    legal_basis = models.TextField(_("设定依据"))
    free_choice = models.BooleanField(_("申请人可自主选择机构"), default=True)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    time_limit = models.CharField(_("服务时限"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("中介服务")
        verbose_name_plural = _("中介服务")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Provider(models.Model):
    """A firm qualified to provide one or more intermediary services."""

    name = models.CharField(_("机构名称"), max_length=150)
    services = models.ManyToManyField(IntermediaryService, verbose_name=_("提供的中介服务"), related_name="providers")
    qualification = models.CharField(_("资质"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(_("联系方式"), max_length=100)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("中介机构")
        verbose_name_plural = _("中介机构")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="intermediary_provider_name_unique")]

    def __str__(self):
        return self.name


class Engagement(models.Model):
    """The provider an applicant chose for one service of a case, the report's date and the rating."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="intermediaries")
    service = models.ForeignKey(IntermediaryService, verbose_name=_("中介服务"), on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name=_("中介机构"), on_delete=models.PROTECT, related_name="engagements")
    report_date = models.DateField(_("报告出具日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    rating = models.PositiveSmallIntegerField(_("评价等级"), null=True, blank=True)
    rating_comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("中介服务记录")
        verbose_name_plural = _("中介服务记录")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "service"], name="engagement_case_service_unique")]
