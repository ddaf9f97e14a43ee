from django.apps import AppConfig


class IntermediariesConfig(AppConfig):
    name = "onewindow.intermediaries"
    label = "intermediaries"
    verbose_name = "中介服务清单"
