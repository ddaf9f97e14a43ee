"""The permission matrix, part two: the admin (/admin/) for staff given the admin flag — each role sees
its own scope, objects outside it answer 404, writes are refused."""

import pytest
from django.test import Client

from .matrix_world import STAFF, VISIBLE
from .test_permission_matrix import _fill, world  # noqa: F401

# ---------------------------------------------------------------- the admin, for staff given the admin flag
# Every staff role with is_staff set (a department head, a supervisor's office): the admin still shows only
# their scope, by the same rules (accounts.access): a model without a rule for the role → 403 on its list;
# an object outside the scope → 404 on its pages; in scope → 200, read-only (a POST is refused, 403).

def admin_scoped(seen, *, others=404):
    t = {r: others for r in STAFF}
    for r in seen:
        t[r] = 200
    t["admin"] = 200
    return t


SITE_READERS = ["clerk", "station_clerk", "agent", "supervisor", "county_supervisor"]


def _staff(key):
    return [r for r in VISIBLE[key] if r in STAFF]


def _cases_listed(w, role, resp):
    body = resp.content.decode()
    for key in ("A", "B", "C", "D"):
        assert (w.refs[key] in body) is (role in VISIBLE[key]), f"{role} sees case {key}: {w.refs[key] in body}"


def _sites_listed(w, role, resp):
    if resp.status_code != 200:
        return
    body = resp.content.decode()
    seen = {code for code in ("SZ-CENTRE", "T-341302001") if f">{code}<" in body}
    expect = {"clerk": {"SZ-CENTRE"}, "station_clerk": {"T-341302001"}, "agent": {"T-341302001"},
              "supervisor": {"SZ-CENTRE", "T-341302001"}, "county_supervisor": {"T-341302001"},
              "admin": {"SZ-CENTRE", "T-341302001"}}[role]
    assert seen == expect, (role, seen)


def _site_unchanged(w, role, resp):
    from onewindow.regions.models import Site

    assert Site.objects.get(pk=w.centre.pk).name == "宿州市政务服务中心", role


ADMIN_ROWS = [
    ("index", "get", "/admin/", {r: 200 for r in STAFF}, None, None),
    ("site-list", "get", "/admin/regions/site/", admin_scoped(SITE_READERS, others=403), None, _sites_listed),
    ("site-centre", "get", "/admin/regions/site/{SITE}/change/", admin_scoped(["clerk", "supervisor"]), None, None),
    ("site-station", "get", "/admin/regions/site/{STATION}/change/",
     admin_scoped(["station_clerk", "agent", "supervisor", "county_supervisor"]), None, None),
    ("site-edit", "post", "/admin/regions/site/{SITE}/change/",
     {**admin_scoped([]), "clerk": 403, "supervisor": 403}, {"name": "改名"}, _site_unchanged),
    ("case-list", "get", "/admin/cases/case/", admin_scoped(STAFF), None, _cases_listed),
    ("case-A", "get", "/admin/cases/case/{A_PK}/change/", admin_scoped(_staff("A")), None, None),
    ("case-C", "get", "/admin/cases/case/{C_PK}/change/", admin_scoped(_staff("C")), None, None),
    ("department", "get", "/admin/catalog/department/{DEPT}/change/",
     admin_scoped(["reviewer", "approver", "supervisor"]), None, None),
    ("rectification", "get", "/admin/ratings/rectification/{RECT}/change/",
     admin_scoped(["reviewer", "approver", "supervisor"]), None, None),
    ("project", "get", "/admin/agency/project/{PROJECT_PK}/change/", admin_scoped(["agent", "supervisor"]), None,
     None),
    ("card", "get", "/admin/supervision/card/{CARD}/change/", admin_scoped(["supervisor"]), None, None),
    ("user", "get", "/admin/accounts/user/{CLERK_PK}/change/", admin_scoped([]), None, None),
    ("user-list", "get", "/admin/accounts/user/", admin_scoped([], others=403), None, None),
    ("audit-list", "get", "/admin/audit/auditentry/", admin_scoped([], others=403), None, None),
    ("catalogue-list", "get", "/admin/catalog/serviceitem/", admin_scoped([], others=403), None, None),
]
ADMIN_CASES = [(row, role) for row in ADMIN_ROWS for role in STAFF]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), ADMIN_CASES, ids=[f"admin-{row[0]}-{role}" for row, role in ADMIN_CASES])
def test_admin_scope(world, row, role):  # noqa: F811  (the fixture imported above)
    from onewindow.accounts.models import User

    row_id, method, path, expectations, body, effect = row
    user = world.users[role]
    User.objects.filter(pk=user.pk).update(is_staff=True)  # rolled back with the row's savepoint
    client = Client(raise_request_exception=False)
    client.force_login(user)
    path = _fill(path, world.refs)
    resp = client.get(path) if method == "get" else client.post(path, body)
    assert resp.status_code == expectations[role], (method, path, role, resp.status_code)
    if effect:
        effect(world, role, resp)
