from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Alert, Card
from .rules import RULES


class RuleFilter(admin.SimpleListFilter):
    """The rules from supervision.rules, not a DISTINCT over every alert (0.26 s at 180,000)."""

    title = _("规则")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(r.code, r.label) for r in RULES]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["case", "level", "rule", "since", "closed_at", "department", "site"]
    list_filter = ["level", RuleFilter]
    show_full_result_count = False
    search_fields = ["case__number"]
    raw_id_fields = ["case"]
    readonly_fields = ["case", "level", "rule", "since", "closed_at", "detail", "department", "site"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["target_kind", "window", "department", "colour", "issued_by", "issued_at", "revoked_at"]
    list_filter = ["colour", "target_kind"]
    readonly_fields = ["issued_by", "issued_at", "revoked_at", "revoked_by"]
