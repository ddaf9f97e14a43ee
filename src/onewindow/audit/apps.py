from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    verbose_name = "操作审计"
    worker_rounds = {"audit checkpoint": "onewindow.audit.tasks.checkpoint_task"}  # run by `onewindow worker`
