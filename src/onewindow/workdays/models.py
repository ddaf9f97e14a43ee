"""The holiday calendar: one row per calendar day with a running working-day ordinal.

`ordinal` counts working days from the first stored day up to and including this one,
so the working days in (a, b] are `ordinal(b) - ordinal(a)`, in Python or in SQL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP = "makeup", _("调休上班")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    confirmed = models.BooleanField(_("已按国务院办公厅通知确认"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.choices)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("节日"), max_length=30, blank=True)
    ordinal = models.IntegerField(_("工作日序号"), db_index=True)
    provisional = models.BooleanField(_("暂定"), default=False)

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]
        indexes = [models.Index(fields=["ordinal", "is_workday"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["workday", "makeup"], is_workday=True)
                    | models.Q(kind__in=["weekend", "holiday"], is_workday=False)
                ),
                name="workdays_day_kind_matches_is_workday",
            )
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"
