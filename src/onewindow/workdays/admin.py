"""Administrator's view of the calendar. Edits go through the services so ordinals stay right."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.access import ScopedModelAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.core.errors import ServiceError

from . import services
from .models import CalendarDay, CalendarYear, DayKind

WEEKDAYS = "一二三四五六日"


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["kind", "name"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            try:
                services.check_day(self.instance.date, kind in services.WORKING_KINDS, kind)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "is_workday", "name", "ordinal", "provisional"]
    list_filter = ["kind", "provisional", "is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
    readonly_fields = ["date", "weekday", "is_workday", "ordinal", "provisional"]
    fields = ["date", "weekday", "kind", "name", "is_workday", "ordinal", "provisional"]
    list_per_page = 62

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.weekday()]}"

    def has_add_permission(self, request):
        return False  # days come from seeding; a gap would break the ordinals

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        kind = form.cleaned_data["kind"]
        saved = services.set_day(obj.date, kind in services.WORKING_KINDS, kind, form.cleaned_data.get("name", ""),
                                 actor=request.user)
        obj.is_workday, obj.ordinal = saved.is_workday, saved.ordinal


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["confirmed", "source"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "confirmed", "source", "holidays", "makeup_days"]
    list_filter = ["confirmed"]
    readonly_fields = ["year"]
    fields = ["year", "confirmed", "source"]

    @admin.display(description=_("法定节假日天数"))
    def holidays(self, obj):
        return CalendarDay.objects.filter(date__year=obj.year, kind=DayKind.HOLIDAY).count()

    @admin.display(description=_("调休上班天数"))
    def makeup_days(self, obj):
        return CalendarDay.objects.filter(date__year=obj.year, kind=DayKind.MAKEUP).count()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if obj.confirmed:
            services.confirm_year(obj.year, obj.source, actor=request.user)
        else:
            services.reopen_year(obj.year, actor=request.user, source=obj.source)
