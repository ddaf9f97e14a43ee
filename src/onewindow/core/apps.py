from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: errors, pagination, the task worker and the project-wide commands."""

    name = "onewindow.core"
    label = "core"
    verbose_name = "核心"
