from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    label = "portal"
    verbose_name = "网上办事大厅"

    def ready(self):
        from onewindow.cases.signals import case_changed

        from .notifications import on_case_changed

        case_changed.connect(on_case_changed, dispatch_uid="portal.notifications")
