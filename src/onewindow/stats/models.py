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
        indexes = [models.Index(fields=["kind", "day"], name="stats_daily_kind_day")]


class RollupMark(models.Model):
    """How far DailyStat is up to date: the highest CaseEvent and Rating ids it has seen."""

    name = models.CharField(max_length=20, unique=True)
    event_id = models.BigIntegerField(default=0)
    rating_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)
