from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from onewindow.workdays.signals import day_changed

        from .calendar import move_due_dates

        day_changed.connect(move_due_dates, dispatch_uid="cases.move_due_dates")
