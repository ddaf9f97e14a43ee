"""Administrative divisions and the service network: sites, halls, windows."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")
    ZONE = "zone", _("功能区")
    TOWN = "town", _("乡镇街道")
    VILLAGE = "village", _("村社区")


class Region(models.Model):
    """A division: 6-digit GB/T 2260 code, or 9/12-digit statistical code below county."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def county_code(self) -> str:
        """The 6-digit code of the county (or city) this region lies in."""
        return self.code[:6]


class SiteLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县区级")
    TOWN = "town", _("乡镇街道级")
    VILLAGE = "village", _("村社区级")


class SiteKind(models.TextChoices):
    CENTRE = "centre", _("政务服务中心")
    SUB_CENTRE = "sub_centre", _("分中心")
    CONVENIENCE = "convenience", _("便民服务中心")
    AGENCY_POINT = "agency_point", _("代办点")


class Site(models.Model):
    code = models.CharField(_("场所编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=SiteLevel.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="sites")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级场所"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    morning_open = models.TimeField(_("上午开始"), default=datetime.time(9, 0))
    morning_close = models.TimeField(_("上午结束"), default=datetime.time(12, 0))
    afternoon_open = models.TimeField(_("下午开始"), default=datetime.time(13, 30))
    afternoon_close = models.TimeField(_("下午结束"), default=datetime.time(17, 30))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("服务场所")
        verbose_name_plural = _("服务场所")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def opening_hours(self) -> str:
        return (
            f"工作日 {self.morning_open:%H:%M}-{self.morning_close:%H:%M}，"
            f"{self.afternoon_open:%H:%M}-{self.afternoon_close:%H:%M}"
        )

    def is_open_at(self, t: datetime.time) -> bool:
        return self.morning_open <= t < self.morning_close or self.afternoon_open <= t < self.afternoon_close


class Hall(models.Model):
    site = models.ForeignKey(Site, verbose_name=_("服务场所"), on_delete=models.CASCADE, related_name="halls")
    name = models.CharField(_("大厅名称"), max_length=60)
    floor = models.CharField(_("楼层"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("大厅")
        verbose_name_plural = _("大厅")
        unique_together = [("site", "name")]

    def __str__(self):
        return f"{self.site.name}·{self.name}"


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合受理窗口")
    DEPARTMENT = "department", _("部门窗口")
    DELIVERY = "delivery", _("出件窗口")


class Window(models.Model):
    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=10)
    name = models.CharField(_("窗口名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=WindowKind.choices)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        unique_together = [("hall", "number")]
        ordering = ["hall", "number"]

    def __str__(self):
        return f"{self.number}号 {self.name}"
