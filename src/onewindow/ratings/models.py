"""好差评: one rating per concluded case, and the rectification a 差评 opens.

Dimensions follow GB/T 39734-2020 (政务服务评价工作指南): online ratings score the platform,
window ratings the service at the window; each dimension is scored 1..5.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("非常不满意")
    DISSATISFIED = 2, _("不满意")
    FAIR = 3, _("基本满意")
    SATISFIED = 4, _("满意")
    VERY_SATISFIED = 5, _("非常满意")


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("网上评价")
    WINDOW = "window", _("窗口评价器")


ONLINE_DIMENSIONS = {
    "overall": _("整体满意度"),
    "efficiency": _("办事效率"),
    "guide_accuracy": _("办事指南精确度"),
    "convenience": _("办事便捷度"),
    "usability": _("平台操作性"),
}
WINDOW_DIMENSIONS = {
    "overall": _("整体满意度"),
    "efficiency": _("服务效率"),
    "service_level": _("服务水平"),
    "attitude": _("服务态度"),
}
DIMENSIONS = {RatingChannel.ONLINE: ONLINE_DIMENSIONS, RatingChannel.WINDOW: WINDOW_DIMENSIONS}

BAD_LEVELS = (Level.VERY_DISSATISFIED, Level.DISSATISFIED)


class Rating(models.Model):
    case = models.OneToOneField("cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices, db_index=True)
    channel = models.CharField(_("评价渠道"), max_length=8, choices=RatingChannel.choices)
    dimensions = models.JSONField(_("分项评分"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("catalog.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT,
                                    related_name="ratings")
    region_code = models.CharField(_("受理地区划"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at"]
        constraints = [models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_5")]

    def __str__(self):
        return f"{self.case_id}: {self.get_level_display()}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    NOT_RECTIFIED = "not_rectified", _("未整改")


class Rectification(models.Model):
    """差评整改: opened by a rating of 1 or 2, due a configured number of working days later."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("catalog.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT,
                                   related_name="rectifications")
    opened_on = models.DateField(_("开始日期"))
    due_date = models.DateField(_("整改期限"), db_index=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    result = models.TextField(_("整改结果"), blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["status", "due_date", "id"]


class RectificationNote(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("跟进记录"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("整改跟进")
        verbose_name_plural = _("整改跟进")
        ordering = ["at", "id"]
