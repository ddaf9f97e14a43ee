from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    label = "portal"
    verbose_name = "网上办事大厅"

    def ready(self):
        from onewindow.cases.signals import case_changed, case_written

        from .notifications import on_case_changed
        from .tracking import forget_case

        case_changed.connect(on_case_changed, dispatch_uid="portal.notifications")
        case_written.connect(forget_case, dispatch_uid="portal.tracking")
