from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "onewindow.stats"
    label = "stats"
    verbose_name = "统计分析"
