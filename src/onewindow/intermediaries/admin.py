"""Admin: the 中介服务清单 and its providers, maintained by the centre administrator."""

from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin, ScopedReadOnlyAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import Engagement, IntermediaryService, Provider


@admin.register(IntermediaryService)
class IntermediaryServiceAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["code", "name", "free_choice", "time_limit", "order"]
    search_fields = ["code", "name"]
    filter_horizontal = ["items"]


@admin.register(Provider)
class ProviderAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["name", "qualification", "region", "contact", "active"]
    list_filter = ["active", "services"]
    search_fields = ["name", "qualification"]
    filter_horizontal = ["services"]
    autocomplete_fields = ["region"]


@admin.register(Engagement)
class EngagementAdmin(ScopedReadOnlyAdmin):
    """Recorded and rated through the case (intermediaries.services): read-only here."""

    list_display = ["case", "service", "provider", "report_date", "rating"]
