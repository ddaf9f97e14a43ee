"""Admin changes leave an audit entry with the old and the new values (after Open Zaak's
AuditTrailAdminMixin, which records the object before and after each admin save and delete).

A ModelAdmin with `AuditTrailAdminMixin` records, inside the admin's own transaction:

- a change (change page or list_editable): `admin.change`, before = the changed fields' old values,
  after = their new values (nothing when nothing changed);
- an addition: `admin.add`, after = the new object's fields;
- a deletion (delete page or the bulk action): `admin.delete`, before = the object's fields;
- the same for the rows of its inlines (object type: the inline's model).

Where the ModelAdmin writes through a service that audits (catalog, workdays, agency), the service's
entry is the record: when entries this mixin did not write were recorded on this thread during the
save, it adds nothing. Password hashes are never written: a changed password shows as masked values.
"""

from django.db import router, transaction

from .services import record, recorded_count

SECRET_FIELDS = {"password", "digest"}  # a password hash, an API token's hash
MASK = "******"
MASK_CHANGED = "****** (changed)"


def snapshot(obj) -> dict:
    """The object's stored fields (foreign keys as their ids, many-to-many as sorted ids)."""
    data = {}
    for f in obj._meta.concrete_fields:
        data[f.name] = f.value_from_object(obj)
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(o.pk for o in f.value_from_object(obj))
    return data


def _masked(data: dict | None, *, changed=False) -> dict | None:
    if data is None:
        return None
    out = {}
    for key, value in data.items():
        out[key] = (MASK_CHANGED if changed else MASK) if key in SECRET_FIELDS and value else value
    return out


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """The fields that differ: (old values, new values)."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _stored(obj):
    """The object as the database holds it now (the form has already changed the instance)."""
    return type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None


class AuditTrailAdminMixin:
    """Put it first in a ModelAdmin's bases."""

    def _trail(self, request, action: str, model, obj_id, before: dict | None, after: dict | None) -> None:
        record(actor=request.user, action=action, obj_type=model._meta.label_lower, obj_id=obj_id,
               before=_masked(before), after=_masked(after, changed=action == "admin.change"))
        request._audit_own = getattr(request, "_audit_own", 0) + 1

    def _trail_save(self, request, obj, before: dict | None) -> None:
        after = snapshot(obj)
        if before is None:
            self._trail(request, "admin.add", type(obj), obj.pk, None, after)
            return
        old, new = diff(before, after)
        if new:
            self._trail(request, "admin.change", type(obj), obj.pk, old, new)

    # ---- the object itself

    def save_model(self, request, obj, form, change):
        stored = _stored(obj) if change else None
        pending = getattr(request, "_audit_pending", {})
        pending[id(obj)] = (recorded_count(), getattr(request, "_audit_own", 0), snapshot(stored) if stored else None)
        request._audit_pending = pending
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # many-to-many and inlines are saved here
        obj = form.instance
        mark = getattr(request, "_audit_pending", {}).pop(id(obj), None)
        if mark is None:  # the ModelAdmin wrote in its own save_model (a service), not through ours
            return
        seq, own, before = mark
        by_others = (recorded_count() - seq) - (getattr(request, "_audit_own", 0) - own)
        if by_others > 0:  # a service audited this save
            return
        self._trail_save(request, obj, before)

    def delete_model(self, request, obj):
        pk, before = obj.pk, snapshot(obj)
        super().delete_model(request, obj)
        self._trail(request, "admin.delete", type(obj), pk, before, None)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            rows = [(o.pk, snapshot(o)) for o in queryset]
            super().delete_queryset(request, queryset)
            for pk, before in rows:
                self._trail(request, "admin.delete", queryset.model, pk, before, None)

    # ---- the rows of its inlines

    def save_formset(self, request, form, formset, change):
        model = formset.model
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        stored = model._default_manager.in_bulk(pks)
        before = {pk: snapshot(o) for pk, o in stored.items()}
        deleted = {id(f.instance): f.instance.pk for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._trail(request, "admin.add", model, obj.pk, None, snapshot(obj))
        for obj, _fields in formset.changed_objects:
            old, new = diff(before.get(obj.pk, {}), snapshot(obj))
            if new:
                self._trail(request, "admin.change", model, obj.pk, old, new)
        for obj in formset.deleted_objects:
            pk = deleted.get(id(obj), obj.pk)
            self._trail(request, "admin.delete", model, pk, before.get(pk), None)

