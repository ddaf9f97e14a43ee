"""Admin: the e-licence library and enterprise registrations are read-mostly (writes go
through services, so that numbering and the audit chain stay right)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.access import ScopedModelAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.core.errors import ServiceError

from .models import EnterpriseRegistration, Licence, LicenceStatus
from .services import revoke_licence


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyMixin, AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("number", "licence_type", "holder_name", "holder_id", "department", "issued_on",
                    "valid_until", "status", "case_number")
    list_filter = ("status", "licence_type", "department")
    search_fields = ("number", "holder_name", "holder_id", "case_number")
    date_hierarchy = "issued_on"
    list_select_related = ("licence_type", "department")
    actions = ["revoke_selected"]

    @admin.action(description=_("注销所选证照（管理员注销）"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        done = 0
        for licence in queryset.filter(status=LicenceStatus.VALID):
            try:
                revoke_licence(licence, str(_("管理员在后台注销")), actor=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{licence.number}: {exc.message}", messages.ERROR)
        self.message_user(request, _("已注销 %(n)d 张证照") % {"n": done}, messages.SUCCESS)


@admin.register(EnterpriseRegistration)
class EnterpriseRegistrationAdmin(ReadOnlyMixin, AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("uscc", "name", "enterprise_type", "legal_representative", "registered_capital",
                    "division_code", "registered_on", "case_number")
    list_filter = ("enterprise_type", "division_code")
    search_fields = ("uscc", "name", "legal_representative", "case_number")
    date_hierarchy = "registered_on"
    list_select_related = ("licence",)
