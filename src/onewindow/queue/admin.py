"""Centre administrators maintain queues, their sessions, the windows serving them and each site's hall rules.
Tickets, their events and appointments are read-only here: they change only through the services."""

from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin, ScopedTabularInline
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import Appointment, HallSettings, Queue, QueueSession, Ticket, TicketEvent, WindowQueue


class SessionInline(ScopedTabularInline):
    model = QueueSession
    extra = 0


class WindowQueueInline(ScopedTabularInline):
    model = WindowQueue
    extra = 0
    autocomplete_fields = ["window"]


@admin.register(Queue)
class QueueAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["site", "prefix", "code", "name", "daily_cap", "slot_capacity", "active"]
    list_filter = ["active", "site__level"]
    search_fields = ["code", "name", "site__name"]
    autocomplete_fields = ["site", "items", "departments"]
    inlines = [SessionInline, WindowQueueInline]


@admin.register(HallSettings)
class HallSettingsAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["site", "wait_limit_minutes", "booking_horizon_days", "booking_min_hours", "slot_minutes"]
    autocomplete_fields = ["site"]


class ReadOnly(ScopedModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ScopedTabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "at", "actor", "window", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ["day", "number", "queue", "state", "priority", "window", "issued_at", "called_at"]
    list_filter = ["state", "priority", "day"]
    search_fields = ["number"]
    date_hierarchy = "day"
    inlines = [EventInline]
    list_select_related = ["queue", "window"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnly):
    list_display = ["code", "site", "queue", "date", "start", "name", "state"]
    list_filter = ["state", "date"]
    search_fields = ["code", "name"]
    list_select_related = ["site", "queue"]
