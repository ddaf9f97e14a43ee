"""The service network in the admin: each change leaves an audit entry with the old and new values
(audit.admin_mixin); who sees which site, hall and window: accounts.access."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.access import ScopedModelAdmin, ScopedTabularInline
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

from .models import Hall, Region, Site, Window


@admin.register(Region)
class RegionAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    ordering = ("code",)


class HallInline(ScopedTabularInline):
    model = Hall
    extra = 0
    fields = ("name", "floor")
    show_change_link = True


@admin.register(Site)
class SiteAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "kind",
        "region",
        "phone",
        "opening_hours",
        "hall_count",
        "is_demo",
    )
    list_filter = ("level", "kind", "is_demo")
    search_fields = ("code", "name", "region__name", "region__code")
    autocomplete_fields = ("region", "parent")
    list_select_related = ("region",)
    inlines = [HallInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "kind", "region", "parent", "is_demo")}),
        (_("联系方式"), {"fields": ("address", "phone")}),
        (
            _("办公时间"),
            {"fields": (("morning_open", "morning_close"), ("afternoon_open", "afternoon_close"))},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_hall_count=Count("halls"))

    @admin.display(description=_("大厅数"), ordering="_hall_count")
    def hall_count(self, obj):
        return obj._hall_count

    @admin.display(description=_("办公时间"))
    def opening_hours(self, obj):
        return obj.opening_hours


class WindowInline(ScopedTabularInline):
    model = Window
    extra = 0
    fields = ("number", "name", "kind", "department")
    autocomplete_fields = ("department",)


@admin.register(Hall)
class HallAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("name", "site", "floor", "window_count")
    search_fields = ("name", "site__name", "site__code")
    list_filter = ("site__level",)
    autocomplete_fields = ("site",)
    list_select_related = ("site",)
    inlines = [WindowInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_window_count=Count("windows"))

    @admin.display(description=_("窗口数"), ordering="_window_count")
    def window_count(self, obj):
        return obj._window_count


@admin.register(Window)
class WindowAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ("number", "name", "kind", "hall", "department")
    list_filter = ("kind", "hall__site__level")
    search_fields = ("number", "name", "hall__name", "hall__site__name", "department__name")
    autocomplete_fields = ("hall", "department")
    list_select_related = ("hall", "hall__site", "department")
