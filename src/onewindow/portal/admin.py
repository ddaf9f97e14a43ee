from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import Outbox, Upload


@admin.register(Outbox)
class OutboxAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("created_at", "channel", "to", "kind", "case_number", "sent_at")
    list_filter = ("channel", "kind")
    search_fields = ("to", "case_number", "body")
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("case", "material_code", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    search_fields = ("case__number", "original_name", "sha256")
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
