from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = "电子监察"
    worker_rounds = {"sweep": "onewindow.supervision.tasks.sweep_task"}  # run by `onewindow worker`

    def ready(self):
        from onewindow.cases.signals import case_changed

        from .services import on_case_changed

        case_changed.connect(on_case_changed, dispatch_uid="supervision.on_case_changed")
