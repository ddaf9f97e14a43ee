from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: errors, pagination, the task worker and the project-wide commands."""

    name = "onewindow.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .pagecache import on_model_change

        post_save.connect(on_model_change, dispatch_uid="core.pagecache.save")
        post_delete.connect(on_model_change, dispatch_uid="core.pagecache.delete")
