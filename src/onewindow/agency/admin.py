from django.contrib import admin

from .models import Project, ProjectCase


class ProjectCaseInline(admin.TabularInline):
    model = ProjectCase
    extra = 0
    readonly_fields = ("case", "linked_at", "linked_by")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "investor", "investment", "level", "region", "agent", "created_at")
    list_filter = ("level",)
    search_fields = ("code", "name", "investor")
    raw_id_fields = ("region", "agent")
    inlines = [ProjectCaseInline]
