"""Read replicas for real: a streaming standby of the test PostgreSQL (scripts/replica.sh), the
router in a real server process, replay paused to make the lag visible.

Runs on PostgreSQL when a replica answers at ONEWINDOW_TEST_REPLICA_URL (default
127.0.0.1:5433); CI starts one and sets REQUIRE_REPLICA=1, so there it cannot be skipped.
"""

import os
import time
import urllib.parse

import psycopg
import pytest
from django.db import connection

from onewindow.accounts.services import issue_token
from onewindow.cases.tests.factories import make_world, person

from .servers import request, serve

REPLICA = os.environ.get("ONEWINDOW_TEST_REPLICA_URL", "postgres://postgres@127.0.0.1:5433")


def _url(base: str, db: str) -> str:
    return base.rstrip("/") + "/" + db


def _replica_answers() -> bool:
    try:
        psycopg.connect(_url(REPLICA, "postgres"), connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


@pytest.fixture
def replica_db():
    if connection.vendor != "postgresql":
        pytest.skip("read replicas are a PostgreSQL deployment (this pass runs on SQLite)")
    if not _replica_answers():
        if os.environ.get("REQUIRE_REPLICA"):
            pytest.fail(f"no replica answers at {REPLICA} (scripts/replica.sh start)")
        pytest.skip(f"no replica answers at {REPLICA}; scripts/replica.sh start sets one up")
    name = connection.settings_dict["NAME"]
    with psycopg.connect(_url(REPLICA, name), autocommit=True) as conn:
        yield conn
        conn.execute("SELECT pg_wal_replay_resume()")


def _wait_replayed(conn, sql, params, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if conn.execute(sql, params).fetchone():
            return
        time.sleep(0.1)
    raise AssertionError(f"the replica did not replay in {seconds} s: {sql}")


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_and_the_filer_reads_the_primary(replica_db):
    w = make_world()
    token = issue_token(w.clerk)
    _wait_replayed(replica_db, "SELECT 1 FROM accounts_user WHERE username = %s", ["clerk"])
    primary = connection.settings_dict
    db_url = (f"postgres://{primary['USER']}@{primary['HOST'] or '127.0.0.1'}:{primary['PORT'] or 5432}/"
              f"{urllib.parse.quote(primary['NAME'])}")
    env = {"DATABASE_URL": db_url, "ONEWINDOW_REPLICA_URLS": _url(REPLICA, primary["NAME"]),
           "ONEWINDOW_TASKS": "immediate", "ONEWINDOW_CONN_MAX_AGE": "0"}
    auth = {"Authorization": f"Bearer {token}"}
    with serve(env) as port:
        replica_db.execute("SELECT pg_wal_replay_pause()")
        status, body, headers = request(port, "POST", "/api/v1/cases", {
            "item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01"],
        }, auth)
        assert status == 201, body
        number, code = body["number"], body["query_code"]
        assert "ow_primary=1" in headers.get("Set-Cookie", "")
        # The filer reads their case at once, from the primary, whatever the replica's lag.
        status, case, _ = request(port, "GET", f"/api/v1/cases/{number}", headers=auth)
        assert status == 200 and case["state"] == "submitted"
        # A public lookup reads the replica, which has not replayed the filing yet ...
        status, _, _ = request(port, "GET", f"/api/v1/track/{number}?code={code}")
        assert status == 404
        # ... unless the client wrote a moment ago (the cookie the filing set pins it to the primary).
        status, tracked, _ = request(port, "GET", f"/api/v1/track/{number}?code={code}",
                                     headers={"Cookie": "ow_primary=1"})
        assert status == 200 and tracked["state"] == "submitted"
        replica_db.execute("SELECT pg_wal_replay_resume()")
        end = time.monotonic() + 20
        while (status := request(port, "GET", f"/api/v1/track/{number}?code={code}")[0]) != 200:
            assert time.monotonic() < end, "the replica never caught up"
            time.sleep(0.2)
