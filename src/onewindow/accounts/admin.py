from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
    search_fields = ("username", "display_name", "phone", "id_number", "uscc", "email")
    list_select_related = ("department", "site", "region")
    autocomplete_fields = ("site", "region", "window")
    raw_id_fields = ("department",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("角色与范围"), {"fields": ("role", "department", "site", "window", "region")}),
        (_("申请人身份"), {"fields": ("applicant_kind", "id_number", "uscc", "legal_representative")}),
        (
            _("权限"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("角色与范围"), {"fields": ("role", "display_name", "department", "site", "region")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued with `onewindow token`; deleting one revokes it."""

    list_display = ("user", "label", "created_at", "last_used_at")
    search_fields = ("user__username", "label")
    list_select_related = ("user",)
    readonly_fields = ("user", "digest", "label", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
