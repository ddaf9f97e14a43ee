"""Changes made through /admin/ leave an audit entry with the old and the new values.

Real HTTP through the Django test client, signed in as the centre administrator (the admin role, not
a superuser: accounts.access lets the role in). Each form is submitted as the page rendered it, with
the fields under test changed; the expected entries are written out by hand."""

import datetime

import pytest
from django.test import Client

from onewindow.accounts.models import Role, User
from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import make_world
from onewindow.regions.models import Hall, Site, Window
from onewindow.supervision import services as supervision_services
from onewindow.supervision.models import Card

from .adminform import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.admin = User.objects.create_user("centre_admin", password="x", role=Role.ADMIN, is_staff=True)
    return world


@pytest.fixture
def http(w):
    c = Client()
    c.force_login(w.admin)
    return c


def _submit(http, url, form_id, **changes):
    page = http.get(url)
    assert page.status_code == 200, page.status_code
    data = form_data(page.content.decode(), form_id)
    assert data, "no form fields found"
    data.update(changes)
    return http.post(url, data)


def _entries(**kw):
    return list(AuditEntry.objects.filter(**kw).order_by("seq"))


def test_site_change_records_old_and_new_values_and_the_inline_hall(http, w):
    url = f"/admin/regions/site/{w.centre.pk}/change/"
    hall = Hall.objects.get(site=w.centre)
    resp = _submit(http, url, "site_form", name="宿州市政务服务中心（新址）", phone="0557-3000000",
                   **{"halls-0-name": "综合服务大厅"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert Site.objects.get(pk=w.centre.pk).name == "宿州市政务服务中心（新址）"
    [site_entry] = _entries(action="admin.change", object_type="regions.site", object_id=str(w.centre.pk))
    assert site_entry.before == {"name": "宿州市政务服务中心", "phone": ""}
    assert site_entry.after == {"name": "宿州市政务服务中心（新址）", "phone": "0557-3000000"}
    assert (site_entry.actor_id, site_entry.role) == (w.admin.pk, "admin")
    [hall_entry] = _entries(action="admin.change", object_type="regions.hall", object_id=str(hall.pk))
    assert (hall_entry.before, hall_entry.after) == ({"name": "审批服务大厅"}, {"name": "综合服务大厅"})


def test_saving_an_unchanged_form_writes_no_entry(http, w):
    before = AuditEntry.objects.count()
    resp = _submit(http, f"/admin/regions/site/{w.station.pk}/change/", "site_form")
    assert resp.status_code == 302
    assert AuditEntry.objects.count() == before


def test_window_added_and_deleted_leave_entries(http, w):
    hall = Hall.objects.get(site=w.centre)
    resp = http.post("/admin/regions/window/add/", {"hall": hall.pk, "number": "09", "name": "不动产窗口",
                                                    "kind": "department", "department": w.dept.pk})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    win = Window.objects.get(number="09")
    [added] = _entries(action="admin.add", object_type="regions.window")
    assert added.before is None
    assert {k: added.after[k] for k in ("hall", "number", "name", "kind", "department")} == {
        "hall": hall.pk, "number": "09", "name": "不动产窗口", "kind": "department", "department": w.dept.pk}
    resp = http.post(f"/admin/regions/window/{win.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    assert not Window.objects.filter(pk=win.pk).exists()
    [deleted] = _entries(action="admin.delete", object_type="regions.window", object_id=str(win.pk))
    assert deleted.after is None and deleted.before["name"] == "不动产窗口" and deleted.before["number"] == "09"


def test_user_role_and_scope_change_is_audited_without_the_password(http, w):
    url = f"/admin/accounts/user/{w.clerk2.pk}/change/"
    resp = _submit(http, url, "user_form", role="reviewer", department=str(w.dept.pk))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    u = User.objects.get(pk=w.clerk2.pk)
    assert (u.role, u.department_id) == ("reviewer", w.dept.pk)
    [entry] = _entries(action="admin.change", object_type="accounts.user", object_id=str(u.pk))
    assert entry.before == {"role": "clerk", "department": None}
    assert entry.after == {"role": "reviewer", "department": w.dept.pk}

    old_hash = u.password
    resp = http.post(f"/admin/accounts/user/{u.pk}/password/",
                     {"password1": "N3w-passw0rd!", "password2": "N3w-passw0rd!", "usable_password": "true"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert User.objects.get(pk=u.pk).password != old_hash
    [pw] = _entries(action="admin.password", object_id=str(u.pk))
    text = f"{pw.before}{pw.after}"
    assert old_hash not in text and User.objects.get(pk=u.pk).password not in text
    assert pw.after == {"password": "****** (changed)"}


def test_a_write_through_a_service_is_audited_once_by_the_service(http, w):
    """The department admin saves through catalog.services.upsert_department, which audits; the
    mixin adds no second entry."""
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0  # ids, not a count
    resp = _submit(http, f"/admin/catalog/department/{w.dept.pk}/change/", "department_form", short_name="市场监管")
    assert resp.status_code == 302, resp.content.decode()[:3000]
    new = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.action, e.before, e.after) for e in new] == [
        ("catalog.department.update",
         {"name": "市市场监督管理局", "short_name": "", "stationed": True, "order": 0},
         {"name": "市市场监督管理局", "short_name": "市场监管", "stationed": True, "order": 0})]


# ---------------------------------------------------------------- cards: withdrawn with a reason, never edited

@pytest.fixture
def card(w):
    return supervision_services.issue_card(actor=w.supervisor, target_kind="window", target_id=w.window.pk,
                                           colour="yellow", reason="窗口脱岗")


def _withdraw(http, card, **extra):
    return http.post("/admin/supervision/card/", {"action": "withdraw", "_selected_action": [card.pk], **extra})


def test_card_is_withdrawn_in_the_admin_only_with_a_reason(http, w, card):
    resp = _withdraw(http, card)  # the action first asks why
    assert resp.status_code == 200 and "撤销理由" in resp.content.decode()
    resp = _withdraw(http, card, apply="1", reason="  ")
    assert resp.status_code == 400 and "请填写撤销理由" in resp.content.decode()
    assert Card.objects.get(pk=card.pk).revoked_at is None
    resp = _withdraw(http, card, apply="1", reason="经核实，窗口人员当时在处理急件")
    assert resp.status_code == 302
    c = Card.objects.get(pk=card.pk)
    assert c.revoked_at is not None and c.revoked_by_id == w.admin.pk
    assert c.revoke_reason == "经核实，窗口人员当时在处理急件"
    [entry] = _entries(action="supervision.card_revoke", object_id=str(card.pk))
    assert entry.before == {"revoked_at": None, "revoked_by": None, "revoke_reason": ""}
    assert entry.after["revoke_reason"] == "经核实，窗口人员当时在处理急件"
    assert entry.after["revoked_by"] == "centre_admin"
    assert datetime.datetime.fromisoformat(entry.after["revoked_at"]) == c.revoked_at
    # a second withdrawal is refused by the service and changes nothing
    count = AuditEntry.objects.count()
    resp = _withdraw(http, card, apply="1", reason="再撤一次")
    assert resp.status_code == 302 and AuditEntry.objects.count() == count
    assert Card.objects.get(pk=card.pk).revoke_reason == "经核实，窗口人员当时在处理急件"


def test_card_cannot_be_edited_or_deleted_in_the_admin(http, w, card):
    page = http.get(f"/admin/supervision/card/{card.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    resp = http.post(f"/admin/supervision/card/{card.pk}/change/", {"colour": "red", "reason": "改掉"})
    assert resp.status_code == 403
    assert http.post(f"/admin/supervision/card/{card.pk}/delete/", {"post": "yes"}).status_code == 403
    resp = http.post("/admin/supervision/card/", {"action": "delete_selected", "_selected_action": [card.pk],
                                                 "post": "yes"})
    assert Card.objects.filter(pk=card.pk, colour="yellow", reason="窗口脱岗").exists()
    assert http.get("/admin/supervision/card/add/").status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="admin.", object_type="supervision.card").exists()
