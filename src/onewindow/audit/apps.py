from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    verbose_name = "操作审计"
    worker_rounds = {"audit checkpoint": "onewindow.audit.tasks.checkpoint_task"}  # run by `onewindow worker`
    worker_every = {"audit seal": ("onewindow.audit.services.seal", 2.0)}  # ADR 0200: entries chained within ~2 s
