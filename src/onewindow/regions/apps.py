from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "onewindow.regions"
    label = "regions"
    verbose_name = "行政区划与服务网络"
