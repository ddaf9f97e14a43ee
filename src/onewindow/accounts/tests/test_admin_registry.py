"""Every ModelAdmin takes its permissions from accounts.access, and every one that can change data
leaves audit entries (audit.admin_mixin) — checked over the admin's registry, so a new admin that
forgets either fails here."""

import pytest
from django.contrib import admin

from onewindow.accounts.access import ScopedAdminMixin, ScopedInlineMixin
from onewindow.accounts.models import Role, User
from onewindow.audit.admin_mixin import AuditTrailAdminMixin

pytestmark = pytest.mark.django_db


def _request(rf, **user):
    request = rf.get("/admin/")
    request.user = User(username="u", is_active=True, is_staff=True, **user)
    return request


def _writable(ma, request) -> bool:
    return ma.has_add_permission(request) or ma.has_change_permission(request) or ma.has_delete_permission(request)


def test_every_admin_is_scoped_and_every_writable_one_audited(rf):
    request = _request(rf, role=Role.ADMIN)
    writable = []
    for model, ma in admin.site._registry.items():
        assert isinstance(ma, ScopedAdminMixin), f"{model.__name__}: permissions not from accounts.access"
        for inline in ma.get_inline_instances(request):
            assert isinstance(inline, ScopedInlineMixin), f"{model.__name__}: inline {type(inline).__name__}"
        if _writable(ma, request):
            writable.append(model._meta.label_lower)
            assert isinstance(ma, AuditTrailAdminMixin), f"{model.__name__} can change data without an audit trail"
    # the network, users and the catalogue are edited here (so the check above is not vacuous)
    assert {"regions.site", "regions.hall", "regions.window", "accounts.user", "catalog.department"} <= set(writable)
    # cards, alerts, cases and the audit chain are never written through the admin
    for label in ("supervision.card", "supervision.alert", "cases.case", "cases.caseevent", "audit.auditentry"):
        assert label not in writable, label


@pytest.mark.parametrize("role", [Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.AGENT, Role.SUPERVISOR])
def test_other_staff_with_the_admin_flag_may_only_view(rf, role):
    request = _request(rf, role=role)
    for model, ma in admin.site._registry.items():
        assert not _writable(ma, request), f"{role} may write {model.__name__}"


def test_applicants_and_unflagged_staff_get_nothing(rf):
    for user in ({"role": Role.APPLICANT}, {"role": Role.ADMIN, "is_staff": False}):
        request = rf.get("/admin/")
        request.user = User(username="u", is_active=True, **{"is_staff": True, **user})
        for model, ma in admin.site._registry.items():
            assert not ma.has_module_permission(request) and not ma.has_view_permission(request), model
