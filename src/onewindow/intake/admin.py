"""Admin: the list of broken commitments and how long it bars (IntakePolicy); the mode records read-only."""

from django.contrib import admin

from onewindow.accounts.access import ScopedModelAdmin, ScopedReadOnlyAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import BrokenCommitment, Commitment, Deferral, IntakePolicy, Postal


@admin.register(IntakePolicy)
class IntakePolicyAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["__str__", "broken_list_days"]

    def has_add_permission(self, request, *args):
        return not IntakePolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BrokenCommitment)
class BrokenCommitmentAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["applicant_name", "applicant_id", "case_number", "reason", "listed_on", "until"]
    search_fields = ["applicant_id", "applicant_name", "case_number"]
    readonly_fields = ["applicant_id", "applicant_name", "case_number", "reason", "listed_on"]

    def has_add_permission(self, request, *args):
        return False


@admin.register(Deferral)
class DeferralAdmin(ScopedReadOnlyAdmin):
    list_display = ["case", "materials", "makeup_due", "cleared_on"]
    search_fields = ["case__number"]


@admin.register(Commitment)
class CommitmentAdmin(ScopedReadOnlyAdmin):
    list_display = ["case", "verification_state", "verification_due", "verified_at"]
    list_filter = ["verification_state"]
    search_fields = ["case__number"]


@admin.register(Postal)
class PostalAdmin(ScopedReadOnlyAdmin):
    list_display = ["case", "courier", "waybill", "state", "sent_at", "received_at"]
    search_fields = ["case__number", "waybill"]
