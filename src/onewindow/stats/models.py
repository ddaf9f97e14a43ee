"""The daily rollup behind stats.selectors.summary (see stats/rollup.py)."""

from django.db import models


class DailyStat(models.Model):
    """Per local day, kind of day, region, department and item: counts and sums of cases.

    kind "received": cases submitted that day (n, instant, online);
    kind "accepted": cases accepted that day (n, committed_sum, statutory_sum, done = concluded or
    delivered by now, whatever the day);
    kind "concluded": cases concluded that day in state concluded/delivered (n, on_time, actual_sum,
    actual_n, rated, good).
    """

    day = models.DateField()
    kind = models.CharField(max_length=10)
    region_code = models.CharField(max_length=12)
    department = models.ForeignKey("catalog.Department", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField(default=0)
    instant = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    committed_sum = models.BigIntegerField(default=0)
    statutory_sum = models.BigIntegerField(default=0)
    done = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    actual_sum = models.BigIntegerField(default=0)
    actual_n = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    good = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "day"], name="stats_daily_kind_day"),
                   models.Index(fields=["day"], name="stats_daily_day")]


class RollupMark(models.Model):
    """How far DailyStat and PerfStat are up to date: the highest CaseEvent, Rating and Alert ids and
    the latest rectification closing time they have seen."""

    name = models.CharField(max_length=20, unique=True)
    event_id = models.BigIntegerField(default=0)
    rating_id = models.BigIntegerField(default=0)
    alert_id = models.BigIntegerField(default=0)
    rect_closed_at = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(auto_now=True)


class PerfStat(models.Model):
    """The rankings' rollup (selectors.performance): per local day, kind of day, region, department,
    window and clerk. Rows are rebuilt with DailyStat (stats.rollup), for the same days.

    kind "received": cases submitted that day (n only: a group with cases in the period is listed);
    kind "accepted": cases accepted that day (n = 办件量; alerted = those with at least one alert,
    alerts = their alerts, open or closed);
    kind "concluded": cases concluded that day in state concluded/delivered (n, on_time, actual_sum,
    actual_n, committed_sum, committed_n, rated, good, rect_closed = their rectifications no longer
    open, rect_rectified = those rectified; open rectifications depend on the reading day and are
    counted live).
    """

    day = models.DateField()
    kind = models.CharField(max_length=10)
    region_code = models.CharField(max_length=12)
    department = models.ForeignKey("catalog.Department", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey("regions.Window", null=True, on_delete=models.CASCADE, related_name="+")
    clerk = models.ForeignKey("accounts.User", null=True, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    actual_sum = models.BigIntegerField(default=0)
    actual_n = models.IntegerField(default=0)
    committed_sum = models.BigIntegerField(default=0)
    committed_n = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    good = models.IntegerField(default=0)
    alerted = models.IntegerField(default=0)
    alerts = models.IntegerField(default=0)
    rect_closed = models.IntegerField(default=0)
    rect_rectified = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="stats_perf_day_kind")]
