"""Projects in the admin: adding and re-assigning the agent go through the services (audited)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.api.errors import ServiceError

from . import services
from .models import Project, ProjectCase


class ProjectCaseInline(admin.TabularInline):
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

    def clean_agent(self):
        agent = self.cleaned_data.get("agent")
        if agent is not None and agent.role != Role.AGENT:
            raise forms.ValidationError(_("全程代办员须为代办员角色"))
        return agent


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
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

