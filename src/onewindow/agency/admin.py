"""Projects in the admin: adding and re-assigning the agent go through the services (audited)."""

from django import forms
from django.contrib import admin, messages

from onewindow.accounts.access import ScopedModelAdmin, ScopedTabularInline
from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.core.errors import ServiceError

from . import services
from .models import Project, ProjectCase


class ProjectCaseInline(ScopedTabularInline):
    model = ProjectCase
    extra = 0
    readonly_fields = ("case", "linked_at", "linked_by")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "name", "investor", "investment", "level", "region", "agent"]

    def clean(self):
        """The service's own checks, as field errors, before anything is saved."""
        data = super().clean()
        checks = [lambda: services.check_agent(data.get("agent"))]
        if self.instance.pk is None:
            checks.append(lambda: services.clean_project(
                code=data.get("code"), name=data.get("name"), investor=data.get("investor"),
                investment=data.get("investment"), level=data.get("level"),
                region=data["region"].code if data.get("region") else None))
        for check in checks:
            try:
                check()
            except ServiceError as exc:
                for name, message in exc.fields.items():
                    self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(Project)
class ProjectAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("code", "name", "investor", "investment", "level", "region", "agent", "created_at")
    list_filter = ("level",)
    search_fields = ("code", "name", "investor")
    raw_id_fields = ("region", "agent")
    inlines = [ProjectCaseInline]
    form = ProjectForm

    def get_readonly_fields(self, request, obj=None):
        # once created, only the agent changes (through assign_agent)
        return ("code", "name", "investor", "investment", "level", "region") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return services.can_register_projects(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return services.can_register_projects(request.user) and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.assign_agent(obj.code, obj.agent, request.user)
            else:
                created = services.create_project(
                    code=obj.code, name=obj.name, investor=obj.investor, investment=obj.investment,
                    level=obj.level, region=obj.region_id, agent=obj.agent, actor=request.user)
                obj.pk, obj.created_at = created.pk, created.created_at
                obj._state.adding = False
        except ServiceError as exc:
            messages.error(request, exc.message)
            raise

