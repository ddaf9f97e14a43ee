"""The audit chain in the admin: read-only (entries are append-only and hash-chained), for the
administrator only (accounts.access: no other role has a scope on it)."""

from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedModelAdmin):
    list_display = ("seq", "chain_seq", "at", "actor_name", "role", "action", "object_type", "object_id")
    search_fields = ("=object_id", "action", "actor_name")
    show_full_result_count = False
    readonly_fields = ("seq", "at", "actor", "actor_name", "role", "site_code", "action", "object_type",
                       "object_id", "before", "after", "chain_seq", "prev_hash", "hash")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
