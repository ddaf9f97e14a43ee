"""Alerts and cards in the admin, read-only: alerts belong to the sweep; a card (亮牌) is never edited
or deleted, only withdrawn with a reason (the `withdraw` action calls services.revoke_card, which
audits). Who sees which: accounts.access."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.access import ScopedModelAdmin, can_supervise
from onewindow.core.errors import ServiceError

from . import services
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


class ReadOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnly, ScopedModelAdmin):
    list_display = ["case", "level", "rule", "since", "closed_at", "department", "site"]
    list_filter = ["level", RuleFilter]
    show_full_result_count = False
    search_fields = ["case__number"]
    raw_id_fields = ["case"]
    readonly_fields = ["case", "level", "rule", "since", "closed_at", "detail", "department", "site"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写撤销理由")})


@admin.register(Card)
class CardAdmin(ReadOnly, ScopedModelAdmin):
    list_display = ["target_kind", "window", "department", "colour", "issued_by", "issued_at", "revoked_at"]
    list_filter = ["colour", "target_kind"]
    readonly_fields = ["target_kind", "window", "department", "colour", "reason", "issued_by", "issued_at",
                       "revoked_at", "revoked_by", "revoke_reason", "region_code"]
    list_select_related = ["window", "department", "issued_by"]
    actions = ["withdraw"]

    def has_withdraw_permission(self, request):
        return can_supervise(request.user) and self.has_view_permission(request)

    @admin.action(description=_("撤销所选亮牌（须填写理由）"), permissions=["withdraw"])
    def withdraw(self, request, queryset):
        """First the form asking why; then each card through services.revoke_card (audited)."""
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for card in queryset:
                try:
                    services.revoke_card(actor=request.user, card_id=card.pk, reason=form.cleaned_data["reason"])
                    done += 1
                except ServiceError as exc:
                    self.message_user(request, f"{card}：{exc.message}", messages.WARNING)
            self.message_user(request, _("已撤销 %(n)d 张亮牌") % {"n": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("撤销亮牌"),
            "opts": self.model._meta,
            "cards": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "supervision/admin/withdraw.html", context,
                                status=400 if form.is_bound else 200)
