from django.apps import AppConfig


class AgencyConfig(AppConfig):
    name = "onewindow.agency"
    label = "agency"
    verbose_name = "代办服务"
