"""Admin: cases, their events and notices are read-only here. Every change of a case goes
through `cases.services` (the transition table, the audit chain); events are append-only."""

from django.contrib import admin

from .models import BundleFiling, Case, CaseEvent, CaseMaterial, Notice


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaterialInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseMaterial
    fields = ("code", "name", "required", "status", "licence_number", "note")
    extra = 0


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = ("seq", "at", "action", "from_state", "to_state", "actor_name", "actor_role", "note")
    extra = 0
    ordering = ("seq",)


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "item_version", "department", "applicant_name", "channel", "state", "submitted_at",
                    "due_date")
    list_filter = ("state", "channel", "department")
    search_fields = ("number", "applicant_name")
    date_hierarchy = "submitted_at"
    list_select_related = ("item_version", "department")
    inlines = [MaterialInline, EventInline]
    actions = None


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("case", "seq", "at", "action", "from_state", "to_state", "actor_name", "actor_role")
    list_filter = ("action",)
    search_fields = ("case__number",)
    list_select_related = ("case",)
    actions = None


@admin.register(Notice)
class NoticeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("case", "kind", "seq", "issued_at", "issued_by")
    list_filter = ("kind",)
    search_fields = ("case__number",)
    list_select_related = ("case", "issued_by")
    actions = None


@admin.register(BundleFiling)
class BundleFilingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "bundle", "applicant_name", "channel", "created_at", "uscc")
    search_fields = ("number", "applicant_name", "uscc")
    actions = None
