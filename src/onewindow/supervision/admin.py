from django.contrib import admin

from .models import Alert, Card


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["case", "level", "rule", "since", "closed_at", "department", "site"]
    list_filter = ["level", "rule"]
    search_fields = ["case__number"]
    raw_id_fields = ["case"]
    readonly_fields = ["case", "level", "rule", "since", "closed_at", "detail", "department", "site"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["target_kind", "window", "department", "colour", "issued_by", "issued_at", "revoked_at"]
    list_filter = ["colour", "target_kind"]
    readonly_fields = ["issued_by", "issued_at", "revoked_at", "revoked_by"]
