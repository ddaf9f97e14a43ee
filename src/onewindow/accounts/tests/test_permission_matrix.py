"""Roles and scopes everywhere: every role against every page and API endpoint.

Expectations come from the rules, not from the code: applicants see only their own cases;
clerks and agents their site's; reviewers and approvers their department's; supervisors
their region's (county supervisor 341302, city supervisor 341300); the administrator all.
Pages: anonymous → the login page, wrong role → 403, a case outside the scope → 404.
API: anonymous → 401, wrong role → 403, outside the scope → 404. No response is ever a 5xx.

The world (matrix_world.build) is built once for the module inside an outer transaction
that is rolled back at the end; each row runs in its own savepoint, so POST rows do not leak.
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from onewindow.accounts.tests import matrix_world as mw
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import VALID_ID
from onewindow.ratings.models import Rectification, RectificationNote
from onewindow.supervision.models import Card

from .matrix_world import ANON, APPLICANTS, ROLES, STAFF, SUPERVISORS, VISIBLE

LOGIN = "login"  # 302 to a login page
REDIRECT = "redirect"  # 302 elsewhere (a successful POST)
DENIED = "denied"  # 403 or 404: refused without saying whether the object exists


# ---------------------------------------------------------------- expectation builders

def _table(default, anon, **by_role):
    out = {r: default for r in ROLES}
    out[ANON] = anon
    for code, roles in by_role.items():
        for r in roles:
            out[r] = code
    return out


def everyone(code=200):
    return {r: code for r in ROLES}


def page(allowed, *, ok=200, hidden=(), others=403):
    """A page: anonymous → login; `allowed` → ok; `hidden` (right role, outside scope) → 404; others → 403."""
    t = _table(others, LOGIN)
    for r in hidden:
        t[r] = 404
    for r in allowed:
        t[r] = ok
    return t


def api(allowed, *, ok=200, hidden=(), others=403, extra=None):
    t = _table(others, 401)
    for r in hidden:
        t[r] = 404
    for r in allowed:
        t[r] = ok
    t.update(extra or {})
    return t


def case_scoped(key, *, anon=LOGIN, ok=200):
    """Any signed-in user may ask; only those whose scope holds the case get it, the rest 404."""
    t = _table(404, anon)
    for r in VISIBLE[key]:
        t[r] = ok
    return t


def hall_case(key, *, ok=200):
    """Applicant-only pages about one case: staff 403, the owner ok, the other applicant 404."""
    t = page([], others=403)
    for r in APPLICANTS:
        t[r] = ok if r in VISIBLE[key] else 404
    return t


def in_scope_wrong_role(key, doers, *, anon, ok):
    """A case action: out of scope → 404; in scope but not a role that may act → 403."""
    t = _table(404, anon)
    for r in VISIBLE[key]:
        t[r] = 403
    for r in doers:
        t[r] = ok
    return t


CLERKS = ["clerk", "station_clerk"]
DESK = ["clerk", "station_clerk", "reviewer", "police_reviewer", "approver", "agent"]
DEPT_STAFF = ["reviewer", "police_reviewer", "approver"]
RECT_WRITERS = ["reviewer", "approver", "supervisor", "admin"]
PROJECT_READERS = ["agent", "supervisor", "admin"]


def rect_write():
    t = page(RECT_WRITERS, ok=REDIRECT, others=DENIED)
    t["police_reviewer"] = 404  # another department's rectification
    t["county_supervisor"] = 404  # a city-centre rating, outside 341302
    return t


def filing_api():
    t = api(["citizen"], ok=201)
    t["citizen2"] = 403  # filing under someone else's ID number: applicants file as themselves
    for r in ("clerk", "station_clerk", "agent"):
        t[r] = 400  # may file, but not through the online channel
    return t


def rating_api():
    t = api(["citizen", "clerk"], ok=201, hidden=["citizen2", "station_clerk"])
    return t


def admin_site(code=200):
    t = _table(LOGIN, LOGIN)
    t["admin"] = code
    return t


def _form(**kw):
    return kw


ONLINE_FILING = {"item": "SCJG-XK-0001", "channel": "online", "materials": ["M01", "M02", "M03"],
                 "applicant": {"kind": "person", "name": "张三", "id_number": VALID_ID, "phone": "13800000001"}}

# (id, kind, method, path, expectations, body, effect)
ROWS = [
    # --- public pages and API: open to everyone, signed in or not
    ("home", "page", "get", "/", everyone(), None, None),
    ("items", "page", "get", "/items/", everyone(), None, None),
    ("item-guide", "page", "get", "/items/SCJG-XK-0001/", everyone(), None, None),
    ("network", "page", "get", "/network/", everyone(), None, None),
    ("lists", "page", "get", "/lists/", everyone(), None, None),
    ("list-xlsx", "page", "get", "/lists/power.xlsx", everyone(), None, None),
    ("track", "page", "get", "/track/", everyone(), None, None),
    ("track-case", "page", "get", "/track/?number={A}&code={A_CODE}", everyone(), None, None),
    ("login-page", "page", "get", "/accounts/login/", everyone(), None, None),
    ("register-page", "page", "get", "/accounts/register/", everyone(), None, None),
    ("setlang", "page", "post", "/i18n/setlang/", everyone(REDIRECT), _form(language="zh-hans", next="/"), None),
    ("api-items", "api", "get", "/api/v1/items", everyone(), None, None),
    ("api-item", "api", "get", "/api/v1/items/SCJG-XK-0001", everyone(), None, None),
    ("api-due", "api", "get", "/api/v1/workdays/due?start=2026-09-01&days=5", everyone(), None, None),
    ("api-between", "api", "get", "/api/v1/workdays/between?start=2026-09-01&end=2026-09-30", everyone(), None,
     None),
    ("api-track", "api", "get", "/api/v1/track/{A}?code={A_CODE}", everyone(), None, None),
    ("api-track-badcode", "api", "get", "/api/v1/track/{A}?code=000000", everyone(404), None, None),
    ("api-openapi", "api", "get", "/api/v1/openapi.json", everyone(), None, None),
    # --- case pages: scope decides, the rest is 404
    ("case-page-A", "page", "get", "/cases/{A}/", case_scoped("A"), None, None),
    ("case-page-B", "page", "get", "/cases/{B}/", case_scoped("B"), None, None),
    ("case-page-C", "page", "get", "/cases/{C}/", case_scoped("C"), None, None),
    ("case-page-D", "page", "get", "/cases/{D}/", case_scoped("D"), None, None),
    ("case-page-unknown", "page", "get", "/cases/SZ-NOPE-0000/", _table(404, LOGIN), None, None),
    ("bundle-page", "page", "get", "/bundles/{BUNDLE}/", case_scoped("BUNDLE"), None, None),
    ("case-act-accept-B", "page", "post", "/cases/{B}/act/accept/",
     in_scope_wrong_role("B", ["clerk"], anon=LOGIN, ok=REDIRECT), _form(), "accepted_B"),
    # --- the cases API
    ("api-case-A", "api", "get", "/api/v1/cases/{A}", case_scoped("A", anon=401), None, None),
    ("api-case-B", "api", "get", "/api/v1/cases/{B}", case_scoped("B", anon=401), None, None),
    ("api-case-C", "api", "get", "/api/v1/cases/{C}", case_scoped("C", anon=401), None, None),
    ("api-case-D", "api", "get", "/api/v1/cases/{D}", case_scoped("D", anon=401), None, None),
    ("api-slip-A", "api", "get", "/api/v1/cases/{A}/slip.pdf", case_scoped("A", anon=401), None, None),
    ("api-notice-C", "api", "get", "/api/v1/cases/{C}/notice.pdf", case_scoped("C", anon=401), None, None),
    ("api-bundle", "api", "get", "/api/v1/cases/bundles/{BUNDLE}", case_scoped("BUNDLE", anon=401), None, None),
    ("api-accept-B", "api", "post", "/api/v1/cases/{B}/actions/accept",
     in_scope_wrong_role("B", ["clerk"], anon=401, ok=200), {}, None),
    ("api-file", "api", "post", "/api/v1/cases", filing_api(), ONLINE_FILING, None),
    ("api-rate-D", "api", "post", "/api/v1/cases/{D}/rating", rating_api(), {"level": 5}, None),
    # --- the window and the desk
    ("window", "page", "get", "/window/", page(CLERKS), None, None),
    ("window-search", "page", "get", "/window/search/?q=食品", page(CLERKS), None, None),
    ("window-checklist", "page", "get", "/window/checklist/?item=SCJG-XK-0001&ident=" + VALID_ID, page(CLERKS),
     None, None),
    ("desk", "page", "get", "/desk/", page(DESK), None, None),
    # --- the online hall: applicants only, and only their own cases
    ("hall", "page", "get", "/hall/", page(APPLICANTS), None, None),
    ("hall-apply", "page", "get", "/hall/apply/SCJG-XK-0001/", page(APPLICANTS), None, None),
    ("hall-case-A", "page", "get", "/hall/cases/{A}/", hall_case("A"), None, None),
    ("hall-case-B", "page", "get", "/hall/cases/{B}/", hall_case("B"), None, None),
    ("hall-case-C", "page", "get", "/hall/cases/{C}/", hall_case("C"), None, None),
    ("hall-case-D", "page", "get", "/hall/cases/{D}/", hall_case("D"), None, None),
    ("hall-withdraw-B", "page", "post", "/hall/cases/{B}/withdraw/", hall_case("B", ok=REDIRECT),
     _form(reason="不办了"), "withdrawn_B"),
    ("hall-supplement-C", "page", "post", "/hall/cases/{C}/supplement/", hall_case("C"), _form(), None),
    ("hall-file", "page", "get", "/hall/files/{UPLOAD}/", case_scoped("A"), None, None),
    # --- supervision
    ("supervision", "page", "get", "/supervision/", page(SUPERVISORS), None, None),
    ("supervision-board", "page", "get", "/supervision/board/", page(SUPERVISORS), None, None),
    ("supervision-yellow", "page", "get", "/supervision/alerts/yellow/", page(SUPERVISORS), None, "alerts_page"),
    ("supervision-red", "page", "get", "/supervision/alerts/red/", page(SUPERVISORS), None, "alerts_page"),
    ("supervision-badlevel", "page", "get", "/supervision/alerts/purple/", page(SUPERVISORS, ok=404), None, None),
    ("card-issue", "page", "post", "/supervision/cards/issue/", page(SUPERVISORS, ok=REDIRECT),
     _form(target_kind="window", window="{WINDOW}", colour="red", reason="服务态度差"), "card_issued"),
    ("card-revoke", "page", "post", "/supervision/cards/{CARD}/revoke/", page(SUPERVISORS, ok=REDIRECT), _form(),
     "card_revoked"),
    ("api-alerts", "api", "get", "/api/v1/supervision/alerts", api(SUPERVISORS), None, "alerts_api"),
    ("api-alerts-red", "api", "get", "/api/v1/supervision/alerts?level=red", api(SUPERVISORS), None, "alerts_api"),
    # --- statistics
    ("stats", "page", "get", "/stats/", page(SUPERVISORS), None, None),
    ("stats-export", "page", "get", "/stats/export.xlsx", page(SUPERVISORS), None, None),
    ("stats-city", "page", "get", "/stats/?region=341300", page(["supervisor", "admin"]), None, None),
    ("stats-county", "page", "get", "/stats/?region=341302", page(SUPERVISORS), None, None),
    ("api-summary", "api", "get", "/api/v1/stats/summary", api(SUPERVISORS), None, None),
    ("api-summary-city", "api", "get", "/api/v1/stats/summary?region=341300", api(["supervisor", "admin"]), None,
     None),
    ("api-summary-county", "api", "get", "/api/v1/stats/summary?region=341302", api(SUPERVISORS), None, None),
    ("api-daily", "api", "get", "/api/v1/stats/daily", api(SUPERVISORS), None, None),
    ("api-daily-city", "api", "get", "/api/v1/stats/daily?region=341300", api(["supervisor", "admin"]), None,
     None),
    ("api-ranking", "api", "get", "/api/v1/stats/ranking", api(SUPERVISORS), None, None),
    ("api-ranking-city", "api", "get", "/api/v1/stats/ranking?region=341300", api(["supervisor", "admin"]), None,
     None),
    # --- agency
    ("agency", "page", "get", "/agency/", page(["agent"]), None, None),
    ("agency-file", "page", "get", "/agency/file/", page(["agent"]), None, None),
    ("agency-deliver-A", "page", "post", "/agency/deliver/{A}/", page([], hidden=["agent"]), _form(), None),
    ("agency-deliver-E", "page", "post", "/agency/deliver/{E}/", page(["agent"], ok=REDIRECT), _form(),
     "delivered_E"),
    ("agency-network", "page", "get", "/agency/network/", page(SUPERVISORS), None, None),
    ("agency-projects", "page", "get", "/agency/projects/", page(PROJECT_READERS + ["county_supervisor"]), None,
     None),
    ("agency-project", "page", "get", "/agency/projects/{PROJECT}/",
     page(PROJECT_READERS, hidden=["county_supervisor"]), None, None),
    # --- ratings and rectifications
    ("rate-A", "page", "get", "/ratings/{A}/", hall_case("A"), None, None),
    ("rate-B", "page", "get", "/ratings/{B}/", hall_case("B"), None, None),
    ("rate-D", "page", "get", "/ratings/{D}/", hall_case("D"), None, None),
    ("window-rate-A", "page", "get", "/ratings/window/{A}/", page(["clerk"], hidden=["station_clerk"]), None, None),
    ("window-rate-C", "page", "get", "/ratings/window/{C}/", page(["station_clerk"], hidden=["clerk"]), None, None),
    ("rectifications", "page", "get", "/ratings/rectifications/", page(DEPT_STAFF + SUPERVISORS), None, None),
    ("rect-followup", "page", "post", "/ratings/rectifications/{RECT}/followup/", rect_write(),
     _form(text="已约谈窗口负责人"), "rect_noted"),
    ("rect-close", "page", "post", "/ratings/rectifications/{RECT}/close/", rect_write(),
     _form(result="rectified", note="已整改到位"), "rect_closed"),
    # --- administration
    ("catalogue-excel", "page", "get", "/items/excel/", page(["admin"]), None, None),
    ("admin-site", "page", "get", "/admin/", admin_site(), None, None),
    # --- the admin's lists and change pages: only the administrator gets in (the others lack the admin flag;
    #     test_admin_scope below gives it to them and checks that their scope still holds)
    ("admin-site-list", "page", "get", "/admin/regions/site/", admin_site(), None, None),
    ("admin-site-change", "page", "get", "/admin/regions/site/{STATION}/change/", admin_site(), None, None),
    ("admin-case-change", "page", "get", "/admin/cases/case/{C_PK}/change/", admin_site(), None, None),
    ("admin-user-change", "page", "get", "/admin/accounts/user/{CLERK_PK}/change/", admin_site(), None, None),
    ("admin-card-change", "page", "get", "/admin/supervision/card/{CARD}/change/", admin_site(), None, None),
    ("admin-audit-list", "page", "get", "/admin/audit/auditentry/", admin_site(), None, None),
    ("admin-card-delete", "page", "post", "/admin/supervision/card/{CARD}/delete/", admin_site(403),
     _form(post="yes"), "card_kept"),
]

# Holes found while building the matrix (the code answering differently from the rules) would be
# listed here as (row id, role) pairs left out of the parametrisation. The one found (an applicant
# filing through the API in another person's name) is fixed (cases.filing._check_self_filing).
KNOWN_HOLES: set[tuple[str, str]] = set()  # (row id, role) pairs whose check is known to fail; keep empty

CASES = [(row, role) for row in ROWS for role in ROLES if (row[0], role) not in KNOWN_HOLES]


# ---------------------------------------------------------------- the world, once per module

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=hashers), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield mw.build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _fill(value, refs):
    if isinstance(value, str):
        return value.format(**refs)
    if isinstance(value, dict):
        return {k: _fill(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, refs) for v in value]
    return value


# ---------------------------------------------------------------- side effects checked on POST rows

def _alerts_page(w, role, resp):
    if role not in SUPERVISORS:
        return
    body = resp.content.decode()
    a, c = w.refs["A"], w.refs["C"]
    level = "yellow" if "/yellow/" in resp.request["PATH_INFO"] else "red"
    shown = {"yellow": a, "red": c}[level]
    expect = role != "county_supervisor" or level == "red"
    assert (shown in body) is expect, f"{role} sees {shown} on the {level} list: {not expect}"


def _alerts_api(w, role, resp):
    if role not in SUPERVISORS:
        return
    level = "red" if "level=red" in resp.request["QUERY_STRING"] else None
    seen = {row["case"] for row in resp.json()["alerts"]}
    scope = {"supervisor": {"A", "C"}, "admin": {"A", "C"}, "county_supervisor": {"C"}}[role]
    levels = {"A": "yellow", "C": "red"}
    expect = {w.refs[k] for k in scope if level in (None, levels[k])}
    assert seen == expect
    assert resp.json()["count"] == len(expect)


def _card_issued(w, role, resp):
    made = Card.objects.filter(colour="red", window_id=w.window.pk).count()
    assert made == (1 if role in ("supervisor", "admin") else 0), f"{role}: {made} red cards"


def _card_revoked(w, role, resp):
    revoked = Card.objects.get(pk=w.card.pk).revoked_at is not None
    assert revoked is (role in ("supervisor", "admin"))


def _rect_noted(w, role, resp):
    notes = RectificationNote.objects.filter(rectification_id=w.rect.pk).count()
    assert notes == (1 if role in RECT_WRITERS else 0)


def _rect_closed(w, role, resp):
    status = Rectification.objects.get(pk=w.rect.pk).status
    assert status == ("rectified" if role in RECT_WRITERS else "open")


def _card_kept(w, role, resp):
    card = Card.objects.filter(pk=w.card.pk).first()
    assert card is not None and card.revoked_at is None, role


def _state_of(w, key):
    return Case.objects.get(number=w.refs[key]).state


def _accepted_b(w, role, resp):
    assert (_state_of(w, "B") == "accepted") is (role == "clerk"), role


def _withdrawn_b(w, role, resp):
    assert (_state_of(w, "B") == "withdrawn") is (role == "citizen2"), role


def _delivered_e(w, role, resp):
    assert (_state_of(w, "E") == "delivered") is (role == "agent"), role


EFFECTS = {"accepted_B": _accepted_b, "withdrawn_B": _withdrawn_b, "delivered_E": _delivered_e,
           "alerts_page": _alerts_page, "alerts_api": _alerts_api, "card_issued": _card_issued,
           "card_revoked": _card_revoked, "card_kept": _card_kept, "rect_noted": _rect_noted,
           "rect_closed": _rect_closed}


# ---------------------------------------------------------------- the matrix

def _request(w, role, kind, method, path, body):
    client = Client(raise_request_exception=False)
    headers = {}
    if role != ANON:
        if kind == "page":
            client.force_login(w.users[role])
        else:
            headers["Authorization"] = f"Bearer {w.tokens[role]}"
    if method == "get":
        return client.get(path, headers=headers)
    if kind == "api":
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.post(path, body or {}, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{row[0]}-{role}" for row, role in CASES])
def test_matrix(world, row, role):
    row_id, kind, method, path, expectations, body, effect = row
    expected = expectations[role]
    resp = _request(world, role, kind, method, _fill(path, world.refs), _fill(body, world.refs))
    status = resp.status_code
    assert status < 500, f"{method.upper()} {path} as {role}: {status}"
    where = resp.get("Location", "")
    if expected == LOGIN:
        assert status == 302 and "/login/" in where, (status, where)
    elif expected == REDIRECT:
        assert status == 302 and "/login/" not in where, (status, where)
    elif expected == DENIED:
        assert status in (403, 404), status
    else:
        assert status == expected, (status, resp.content[:300])
    if effect:
        EFFECTS[effect](world, role, resp)


def test_matrix_covers_every_role_and_denies_somewhere():
    """The matrix is complete: every row names every role, and each role is refused somewhere."""
    for row in ROWS:
        assert set(row[4]) == set(ROLES), row[0]
    for role in STAFF + APPLICANTS:
        assert any(row[4][role] in (403, 404, DENIED) for row in ROWS), role
