"""Admin: the 中介服务清单 and its providers, maintained by the centre administrator."""

from django.contrib import admin

from .models import Engagement, IntermediaryService, Provider


@admin.register(IntermediaryService)
class IntermediaryServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "free_choice", "time_limit", "order"]
    search_fields = ["code", "name"]
    filter_horizontal = ["items"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "qualification", "region", "contact", "active"]
    list_filter = ["active", "services"]
    search_fields = ["name", "qualification"]
    filter_horizontal = ["services"]
    autocomplete_fields = ["region"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["case", "service", "provider", "report_date", "rating"]
    readonly_fields = ["case", "service", "provider", "report_date", "recorded_by", "rating", "rating_comment", "rated_at"]

    def has_add_permission(self, request):
        return False
