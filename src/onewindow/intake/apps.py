from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "onewindow.intake"
    label = "intake"
    verbose_name = "受理方式（容缺、告知承诺、寄递）"
