"""Admin for the catalogue. Every save goes through catalog.services (audit chain, versioning).

Editing an item: open its current version. Saving a *published* current version never
changes it: `services.update_item` stores the edit as a new version (vN+1) and the admin
continues on that new version's page. A draft is edited in place. Old versions and retired
items are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.access import ScopedModelAdmin, ScopedTabularInline
from onewindow.audit.admin_mixin import AuditTrailAdminMixin
from onewindow.core.errors import ServiceError

from . import services
from .admin_widgets import LevelsField, StepsField
from .models import (
    Bundle,
    BundleItem,
    Department,
    Fee,
    ItemVersion,
    LicenceType,
    Material,
    ServiceItem,
    VersionStatus,
)
from .serialize import VERSION_FIELDS

MATERIAL_FIELDS = ["code", "name", "required", "form", "copies", "source", "licence_type", "note", "deferrable",
                   "by_commitment"]
FEE_FIELDS = ["name", "standard", "basis", "enterprise_related"]


def _editable(version) -> bool:
    return version is None or (version.is_current and version.status != VersionStatus.RETIRED)


# --- departments and licence types ------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["code", "name", "short_name", "region", "stationed", "order"]
    list_filter = ["stationed", "region"]
    search_fields = ["code", "name", "short_name"]
    list_editable = []
    ordering = ["order", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "region"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("name", "short_name", "stationed", "order")}
        if change:
            dept, _ = services.upsert_department({"code": obj.code, **data}, actor=request.user)
        else:
            dept = services.create_department(code=form.cleaned_data["code"], region=form.cleaned_data["region"],
                                              actor=request.user, **data)
        obj.pk = dept.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["code", "name", "department", "validity_years"]
    list_filter = ["department"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["department"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        lt, _ = services.upsert_licence_type(
            code=obj.code, name=form.cleaned_data["name"], department=form.cleaned_data["department"],
            validity_years=form.cleaned_data["validity_years"], actor=request.user,
        )
        obj.pk = lt.pk

    def has_delete_permission(self, request, obj=None):
        return False


# --- service items -------------------------------------------------------------------------------


class VersionInline(ScopedTabularInline):
    model = ItemVersion
    fields = ["version", "name", "status", "is_current", "published_at", "committed_days", "statutory_days"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("版本")
    verbose_name_plural = _("版本历史")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["code", "current_name", "department", "current_version", "current_status"]
    list_filter = ["department", "versions__type"]
    search_fields = ["code", "versions__name"]
    readonly_fields = ["code", "department", "created_at"]
    inlines = [VersionInline]
    actions = ["retire"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department").distinct()

    def _cur(self, obj):
        if not hasattr(obj, "_cur"):
            obj._cur = obj.current
        return obj._cur

    @admin.display(description=_("当前名称"))
    def current_name(self, obj):
        cur = self._cur(obj)
        return cur.name if cur else "—"

    @admin.display(description=_("当前版本"))
    def current_version(self, obj):
        cur = self._cur(obj)
        return f"v{cur.version}" if cur else "—"

    @admin.display(description=_("状态"))
    def current_status(self, obj):
        cur = self._cur(obj)
        return cur.get_status_display() if cur else "—"

    def has_add_permission(self, request):
        return False  # new items are added as a version: 事项版本 → 新增

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("停用所选事项"))
    def retire(self, request, queryset):
        done = 0
        for item in queryset:
            try:
                services.retire_item(item, actor=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{item.code}：{exc.message}", messages.WARNING)
        self.message_user(request, _("已停用 %(n)s 个事项") % {"n": done})


class MaterialInline(ScopedTabularInline):
    model = Material
    fields = MATERIAL_FIELDS
    extra = 0
    autocomplete_fields = ["licence_type"]

    def get_readonly_fields(self, request, obj=None):
        return [] if _editable(obj) else MATERIAL_FIELDS

    def has_add_permission(self, request, obj=None):
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj) and super().has_delete_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)


class FeeInline(MaterialInline):
    model = Fee
    fields = FEE_FIELDS
    autocomplete_fields = []

    def get_readonly_fields(self, request, obj=None):
        return [] if _editable(obj) else FEE_FIELDS


class ItemVersionForm(forms.ModelForm):
    new_code = forms.CharField(label=_("事项编码"), max_length=40, required=False,
                               help_text=_("如 SZ-SCJG-XK-0001：部门编码-类型编码-4位序号"))
    new_department = forms.ModelChoiceField(
        label=_("实施部门"), queryset=Department.objects.all(), required=False,
        widget=AutocompleteSelect(ServiceItem._meta.get_field("department"), admin.site))
    levels = LevelsField(label=_("行使层级"))
    process_steps = StepsField(label=_("办理流程"))

    class Meta:
        model = ItemVersion
        fields = VERSION_FIELDS

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            if not data.get("new_code"):
                self.add_error("new_code", _("新增事项须填写事项编码"))
            elif ServiceItem.objects.filter(code=data["new_code"].strip()).exists():
                self.add_error("new_code", _("事项编码已存在"))
            if not data.get("new_department"):
                self.add_error("new_department", _("新增事项须选择实施部门"))
        if data.get("max_visits") is not None and data["max_visits"] > 2:
            self.add_error("max_visits", _("最多跑动次数应在 0 至 2 次之间"))
        return data


def _rows(formset, fields) -> tuple[list[dict], bool]:
    """The formset's rows as dicts (deleted and empty extra rows left out), and whether it changed."""
    rows = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        rows.append({f: form.cleaned_data.get(f) for f in fields})
    for row in rows:
        if "licence_type" in row:
            row["licence_type"] = row["licence_type"].code if row["licence_type"] else ""
        for key in ("note", "basis"):
            if key in row and row[key] is None:
                row[key] = ""
    return rows, formset.has_changed()


@admin.register(ItemVersion)
class ItemVersionAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    form = ItemVersionForm

    class Media:
        css = {"all": ["onewindow/admin.css"]}  # the materials table fits the page
    list_display = ["item_code", "name", "version", "status", "is_current", "type", "department",
                    "committed_days", "statutory_days", "online_depth"]
    list_filter = ["is_current", "status", "type", "online_depth", "subject", "item__department"]
    search_fields = ["item__code", "name", "legal_basis"]
    list_select_related = ["item__department"]
    inlines = [MaterialInline, FeeInline]
    autocomplete_fields = ["licence_type"]
    actions = ["publish"]
    fieldsets = [
        (_("基本信息"), {"fields": ["name", "type", "subject", "levels", "result_name", "licence_type"]}),
        (_("设定依据与受理条件"), {"fields": ["legal_basis", "conditions"]}),
        (_("办理时限与方式"), {"fields": ["statutory_days", "committed_days", "extension_days", "process_steps",
                                   "online_depth", "max_visits"]}),
        (_("窗口授权与办理地点"), {"fields": ["stationed", "window_accepts", "window_reviews", "window_decides",
                                     "where_to_go", "consult_phone"]}),
        (_("容缺受理与告知承诺"), {"fields": ["makeup_days", "commitment_allowed", "commitment_text", "verification_days"]}),
        (_("中介服务、责任与追责"), {"fields": ["intermediary_services", "responsibilities", "accountability"],
                              "classes": ["collapse"]}),
    ]

    @admin.display(description=_("事项编码"), ordering="item__code")
    def item_code(self, obj):
        return obj.item.code

    @admin.display(description=_("实施部门"), ordering="item__department__order")
    def department(self, obj):
        return obj.item.department

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(_("新增事项"), {"fields": ["new_code", "new_department"]}), *self.fieldsets]
        head = (_("版本"), {"fields": ["item", "version", "status", "is_current", "published_at"]})
        return [head, *self.fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["item", "version", "status", "is_current", "published_at"]
        return fixed if _editable(obj) else fixed + VERSION_FIELDS

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None and obj.status == VersionStatus.PUBLISHED and obj.is_current:
                extra_context["subtitle"] = _("已发布版本：保存时不修改本版本，而是生成新版本")
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def construct_change_message(self, request, form, formsets, add=False):
        # The formsets were not saved (the service wrote the rows), so describe the form only.
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": [str(form.fields[f].label) for f in form.changed_data if f in form.fields]}}]

    def save_model(self, request, obj, form, change):
        """Nothing here: the write happens in save_related, where the materials and fees are known."""

    def save_related(self, request, form, formsets, change):
        materials, fees, materials_changed, fees_changed = [], [], False, False
        for formset in formsets:
            if formset.model is Material:
                materials, materials_changed = _rows(formset, MATERIAL_FIELDS)
            elif formset.model is Fee:
                fees, fees_changed = _rows(formset, FEE_FIELDS)
        obj = form.instance
        if not change:
            version = services.create_item(
                code=form.cleaned_data["new_code"].strip(), department=form.cleaned_data["new_department"],
                actor=request.user, materials=materials, fees=fees,
                **{f: form.cleaned_data[f] for f in VERSION_FIELDS},
            )
        else:
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in VERSION_FIELDS}
            if not changes and not materials_changed and not fees_changed:
                self.message_user(request, _("未作修改，未生成新版本"), messages.INFO)
                return
            old_version = obj.version
            version = services.update_item(
                obj.item, actor=request.user, materials=materials if materials_changed else None,
                fees=fees if fees_changed else None, **changes,
            )
            if version.version != old_version:
                self.message_user(request, _("已保存为新版本 v%(new)s；原 v%(old)s 保留不变") % {"new": version.version, "old": old_version},
                                  messages.SUCCESS)
        # Continue on the version that was written (the admin logs and redirects to obj).
        obj.pk = version.pk
        obj.version = version.version

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_save" in request.POST:
            url = reverse("admin:catalog_itemversion_change", args=[obj.pk])
            if "_save" in request.POST:
                url = reverse("admin:catalog_itemversion_changelist")
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)

    @admin.action(description=_("发布所选草稿"))
    def publish(self, request, queryset):
        done = 0
        for version in queryset.select_related("item"):
            try:
                if not version.is_current:
                    raise ServiceError(str(_("只能发布当前版本")))
                services.publish_item(version.item, actor=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{version.item.code}：{exc.message}", messages.WARNING)
        self.message_user(request, _("已发布 %(n)s 个草稿") % {"n": done})


# --- bundles -------------------------------------------------------------------------------------


class BundleItemInline(ScopedTabularInline):
    model = BundleItem
    fields = ["order", "item"]
    autocomplete_fields = ["item"]
    extra = 0


@admin.register(Bundle)
class BundleAdmin(AuditTrailAdminMixin, ScopedModelAdmin):
    list_display = ["code", "name", "lead_department", "committed_days", "issues_uscc"]
    list_filter = ["issues_uscc", "lead_department"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["lead_department"]
    inlines = [BundleItemInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"added": {}}] if add else [{"changed": {"fields": list(form.changed_data)}}]

    def save_model(self, request, obj, form, change):
        """Written in save_related with its items, through services.upsert_bundle."""

    def save_related(self, request, form, formsets, change):
        rows = []
        for formset in formsets:
            for f in formset.forms:
                data = getattr(f, "cleaned_data", None)
                if not data or data.get("DELETE") or not data.get("item"):
                    continue
                rows.append((data.get("order") or 0, data["item"].code))
        rows.sort(key=lambda r: r[0])
        obj = form.instance
        bundle, _ = services.upsert_bundle(
            code=obj.code, name=form.cleaned_data["name"], description=form.cleaned_data["description"],
            lead_department=form.cleaned_data["lead_department"], committed_days=form.cleaned_data["committed_days"],
            issues_uscc=form.cleaned_data["issues_uscc"], items=[code for _, code in rows], actor=request.user,
        )
        obj.pk = bundle.pk

    def has_delete_permission(self, request, obj=None):
        return False

from . import search_admin  # noqa: E402,F401  (synonyms and themes)
