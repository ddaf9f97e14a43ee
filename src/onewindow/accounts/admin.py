"""Users and tokens in the admin. Who may open what: accounts.access (the role decides; Django's
groups and per-user permissions are not used, so they are not offered). Every change, including a
role or scope change and a password reset, leaves an audit entry with the old and new values."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.audit.services import record

from .access import ScopedAdminMixin, ScopedModelAdmin
from .models import ApiToken, User

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditTrailAdminMixin, ScopedAdminMixin, BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "role",
        "department",
        "site",
        "region",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "applicant_kind", "is_active", "is_staff", "is_superuser")
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")  # kept by the system, not edited by hand
    search_fields = ("username", "display_name", "phone", "id_number", "uscc", "email")
    list_select_related = ("department", "site", "region")
    autocomplete_fields = ("site", "region", "window", "department")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("角色与范围"), {"fields": ("role", "department", "site", "window", "region")}),
        (_("申请人身份"), {"fields": ("applicant_kind", "id_number", "uscc", "legal_representative")}),
        (
            _("权限"),
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "classes": ("collapse",),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("角色与范围"), {"fields": ("role", "display_name", "department", "site", "region")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """The password form saves the user itself (no save_model): audited here, without the hash."""
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            after = User.objects.filter(pk=id).values_list("password", flat=True).first()
            if before is not None and after != before:
                record(actor=request.user, action="admin.password", obj_type="accounts.user", obj_id=id,
                       before={"password": "******"}, after={"password": "****** (changed)"})
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    """Read-only: tokens are issued with `onewindow token`; deleting one revokes it."""

    list_display = ("user", "label", "created_at", "last_used_at")
    search_fields = ("user__username", "label")
    list_select_related = ("user",)
    readonly_fields = ("user", "digest", "label", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The task queue's results (django-tasks-db): the package's read-only ModelAdmin, its permissions from
# accounts.access like every other (the administrator only).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ScopedAdminMixin, DBTaskResultAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Sign-in protection (django-axes) and second factors (django-otp): read-only here, for the administrator
# only, like every other admin (accounts.access). Unlock an account with `onewindow axes_reset_username
# USER`; a lost authenticator is re-enrolled by its owner after the administrator runs
# `onewindow shell` (docs/operations.md). Writes here would bypass the audit chain.
def _read_only(model, base):
    admin.site.unregister(model)

    class ReadOnly(ScopedAdminMixin, base):
        def has_add_permission(self, request, obj=None):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    ReadOnly.__name__ = f"{model.__name__}ReadOnlyAdmin"
    admin.site.register(model, ReadOnly)


def _protect_sign_in_admins():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice):
        if model in admin.site._registry:
            _read_only(model, type(admin.site._registry[model]))


_protect_sign_in_admins()
