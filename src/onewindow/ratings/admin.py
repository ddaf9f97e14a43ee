from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin, ScopedTabularInline
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import Rating, Rectification, RectificationNote


@admin.register(Rating)
class RatingAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("case", "level", "channel", "department", "region_code", "rated_at")
    list_filter = ("level", "channel")
    search_fields = ("case__number",)
    readonly_fields = [f.name for f in Rating._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoteInline(ScopedTabularInline):
    model = RectificationNote
    extra = 0
    readonly_fields = ("author", "text", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rectification)
class RectificationAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("id", "rating", "department", "opened_on", "due_date", "status")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Rectification._meta.fields]
    inlines = [NoteInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
