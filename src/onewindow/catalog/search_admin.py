"""Admin for the search vocabulary: synonyms and themes, saved through catalog.vocabulary (audited)."""

from django.contrib import admin, messages

from onewindow.accounts.access import ScopedModelAdmin
from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.core.errors import ServiceError

from . import vocabulary
from .models import Synonym, Theme


class _VocabularyAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    def save_model(self, request, obj, form, change):
        try:
            saved, _ = self._save(request, obj, form)
        except ServiceError as exc:  # form validation normally catches these first
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        self._delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._delete(obj, actor=request.user)


@admin.register(Synonym)
class SynonymAdmin(_VocabularyAdmin):
    list_display = ["term", "expansions", "note"]
    search_fields = ["term", "expansions"]
    _delete = staticmethod(vocabulary.delete_synonym)

    def _save(self, request, obj, form):
        data = form.cleaned_data
        return vocabulary.save_synonym(term=data["term"], expansions=data["expansions"], note=data.get("note", ""),
                                       pk=obj.pk, actor=request.user)


@admin.register(Theme)
class ThemeAdmin(_VocabularyAdmin):
    list_display = ["name", "audience", "keywords", "order"]
    list_filter = ["audience"]
    search_fields = ["code", "name", "keywords"]

    _delete = staticmethod(vocabulary.delete_theme)

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def _save(self, request, obj, form):
        data = form.cleaned_data
        return vocabulary.save_theme(code=obj.code or data["code"], name=data["name"], audience=data["audience"],
                                     keywords=data["keywords"], order=data.get("order") or 0, actor=request.user)
