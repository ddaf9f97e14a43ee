"""Intake's hot path (file, then accept, through the API): the statements it costs, its precompiled reads
(core.precompiled) really compiled on this database, and answers the same as the ORM's own."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.accounts.models import ApiToken
from onewindow.accounts.services import issue_token
from onewindow.api import auth
from onewindow.cases import filing, selectors
from onewindow.cases.models import Case, CaseEvent, CaseMaterial
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core.precompiled import Precompiled, q_shape
from onewindow.licences import selectors as licence_selectors

BASE = "/api/v1/cases"
HOT = [auth._TOKEN, filing._VERSION, filing._MATERIALS, licence_selectors._HELD, selectors._LOCKED, selectors._MATERIALS,
       selectors._EVENTS]
FILING = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01", "M02", "M03"]}


def _post(client, token, path, body):
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def _statements(ctx) -> list[str]:
    """The statements sent, without transaction control (BEGIN, COMMIT, savepoints)."""
    return [q["sql"] for q in ctx.captured_queries
            if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"))]


@pytest.mark.django_db
def test_file_and_accept_statements_and_answers():
    for pc in HOT:  # forget the shapes other tests compiled (a supervisor's region scope falls back by design)
        pc.forget()
    w = make_world()
    token, client = issue_token(w.clerk), Client()
    with at(2026, 3, 2, 9):
        _post(client, token, "", FILING)  # first use compiles the reads
        with CaptureQueriesContext(connection) as filed:
            r = _post(client, token, "", FILING)
        assert r.status_code == 201, r.content
        number = r.json()["number"]
        with CaptureQueriesContext(connection) as accepted:
            a = _post(client, token, f"/{number}/actions/accept", {})
    assert a.status_code == 200, a.content
    # file: the token, the catalogue reads, the number, the rows written, the audit entry, the task
    # (on SQLite the number is drawn and written in two statements, on PostgreSQL in one)
    assert len(_statements(filed)) <= (11 if connection.vendor == "postgresql" else 12), _statements(filed)
    # accept: the token, the case (locked, with its intake records), its materials and events, the due date, the
    # rows written, the audit entry, the task; nothing read again for the answer
    assert len(_statements(accepted)) <= 11, _statements(accepted)
    # the answer built from what was read under the lock is the one a fresh read gives
    fresh = client.get(f"{BASE}/{number}", headers={"Authorization": f"Bearer {token}"})
    assert a.json() == fresh.json()
    body = a.json()
    assert body["state"] == "accepted" and body["due_date"] == "2026-03-09"  # 5 working days after Mon 2 March
    assert [e["action"] for e in body["events"]] == ["file", "accept"]
    assert [e["seq"] for e in body["events"]] == [1, 2]
    case = Case.objects.get(number=number)
    assert list(CaseEvent.objects.filter(case=case).values_list("seq", "action")) == [(1, "file"), (2, "accept")]
    assert all(m.checked_at for m in CaseMaterial.objects.filter(case=case, status="provided"))
    for pc in HOT:  # every read of the path kept its SQL on this database
        assert pc.fallbacks() == [], (pc.model, pc.fallbacks())


@pytest.mark.django_db
def test_action_outside_the_scope_is_not_found_through_the_compiled_read():
    w = make_world()
    with at(2026, 3, 2, 9):
        number = _post(Client(), issue_token(w.clerk), "", FILING).json()["number"]
        for _ in range(2):  # compiled on the first, bound on the second
            r = _post(Client(), issue_token(w.station_clerk), f"/{number}/actions/accept", {})
            assert r.status_code == 404, r.content
    assert Case.objects.get(number=number).state == "submitted"


@pytest.mark.django_db
def test_token_is_looked_up_once_per_request_and_last_used_written_rarely():
    w = make_world()
    token = issue_token(w.clerk)
    client = Client()
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    row = ApiToken.objects.get(digest=ApiToken.hash(token))
    first = row.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["username"] == "clerk"
    assert [q["sql"] for q in ctx.captured_queries if "accounts_apitoken" in q["sql"]] != []
    assert not any(q["sql"].upper().startswith("UPDATE") for q in ctx.captured_queries)  # used a moment ago
    ApiToken.objects.filter(pk=row.pk).update(
        last_used_at=first - datetime.timedelta(seconds=auth.LAST_USED_EVERY + 1))
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first - datetime.timedelta(seconds=1)
    w.clerk.is_active = False
    w.clerk.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer ow_nonsense"}).status_code == 401


@pytest.mark.django_db
def test_precompiled_binds_new_values_and_falls_back_for_transformed_ones():
    make_world()
    by_number = Precompiled(Case, lambda n: Case.objects.filter(number=n).select_related("site"))
    assert by_number.all("nope") == [] and by_number.fallbacks() == []
    from django.db.models import Q

    from onewindow.regions.models import Region
    starts = Precompiled(Region)
    cond = Q(code__startswith="3413")
    shape, values = q_shape(cond)
    got = starts.run(shape, values, lambda: Region.objects.filter(cond).order_by("code"))
    assert [r.code for r in got] == ["341300", "341302", "341302001"]
    assert starts.fallbacks() != []  # the pattern parameter is not the value given: the ORM runs it every time
    again = starts.run(shape, values, lambda: Region.objects.filter(cond).order_by("code"))
    assert [r.code for r in again] == [r.code for r in got]


@pytest.mark.django_db
def test_insert_and_save_fields_behave_as_save():
    from django.db import DatabaseError
    from django.db.models.signals import post_save

    from onewindow.catalog.models import Department
    from onewindow.core.precompiled import insert, save_fields

    w = make_world()
    seen = []

    def listener(sender, instance, created, update_fields, **kwargs):
        seen.append((instance.code, created, update_fields))

    post_save.connect(listener, sender=Department, dispatch_uid="test_hot_path")
    try:
        d, e = Department(code="SZ-X1", name="测试一", region=w.city), Department(code="SZ-X2", name="测试二", region=w.city)
        insert([d])
        insert([e], signals=False)
        assert d.pk and e.pk and d.pk != e.pk and not d._state.adding
        assert Department.objects.get(pk=d.pk).name == "测试一" and Department.objects.get(pk=e.pk).code == "SZ-X2"
        d.name = "测试甲"
        save_fields(d, ["name"])
        assert Department.objects.get(pk=d.pk).name == "测试甲"
        assert seen == [("SZ-X1", True, None), ("SZ-X1", False, frozenset({"name"}))]
        Department.objects.filter(pk=d.pk).delete()
        with pytest.raises(DatabaseError):
            save_fields(d, ["name"])
    finally:
        post_save.disconnect(dispatch_uid="test_hot_path", sender=Department)


@pytest.mark.django_db
def test_numbers_drawn_last_are_consecutive_and_no_placeholder_is_left():
    w = make_world()
    token, client = issue_token(w.clerk), Client()
    with at(2026, 3, 2, 9):
        numbers = [_post(client, token, "", FILING).json()["number"] for _ in range(3)]
        bad = _post(client, token, "", {**FILING, "materials": ["M99"]})
    assert bad.status_code == 400
    assert numbers == [f"34130020260302{n:06d}" for n in (1, 2, 3)]
    assert not Case.objects.filter(number__startswith="~").exists()
    assert sorted(Case.objects.values_list("number", flat=True)) == numbers
