"""The platform behind PgBouncer in transaction mode (Debian's pgbouncer): a real pooler between a
real server process and PostgreSQL, more client threads than pooled server connections.

Transaction pooling hands each transaction any server connection, so the platform may keep no
session state: advisory locks are transaction-scoped (pg_advisory_xact_lock), server-side cursors
are off (ONEWINDOW_DB_POOLER=pgbouncer), temporary tables live inside one transaction.
Runs on PostgreSQL where pgbouncer is installed (scripts/system-deps.sh installs it; CI sets
REQUIRE_PGBOUNCER=1).
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from onewindow.accounts.services import issue_token
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import make_world, person

from .servers import free_port, request, serve

POOL_SIZE = 3
CLIENTS = 8


@pytest.fixture
def pgbouncer():
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections (this pass runs on SQLite)")
    binary = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if binary is None:
        if os.environ.get("REQUIRE_PGBOUNCER"):
            pytest.fail("pgbouncer is not installed (scripts/system-deps.sh)")
        pytest.skip("pgbouncer is not installed (scripts/system-deps.sh installs it)")
    settings = connection.settings_dict
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="ow-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{settings["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(f"""[databases]
* = host={settings["HOST"] or "127.0.0.1"} port={settings["PORT"] or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
admin_users = {settings["USER"]}
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 100
logfile = {folder}/pgbouncer.log
""")
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        for f in folder.iterdir():
            os.chown(f, account.pw_uid, account.pw_gid)
        command = ["runuser", "-u", "postgres", "--", *command]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.monotonic() + 20
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user=settings["USER"], dbname="pgbouncer",
                            connect_timeout=2, autocommit=True).close()
            break
        except psycopg.Error:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"pgbouncer did not start: {proc.stderr.read().decode()[-1000:]}") from None
            time.sleep(0.2)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _server_connections(port: int, user: str, db: str) -> int:
    with psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="pgbouncer", autocommit=True) as admin:
        cur = admin.cursor()
        cur.execute("SHOW POOLS")
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    pool = next(r for r in rows if r["database"] == db)
    return sum(int(pool[k]) for k in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"))


@pytest.mark.django_db(transaction=True)
def test_filing_accepting_and_tracking_through_transaction_pooling(pgbouncer):
    w = make_world()
    token = issue_token(w.clerk)
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@127.0.0.1:{pgbouncer}/{urllib.parse.quote(settings['NAME'])}"
    env = {"DATABASE_URL": url, "ONEWINDOW_DB_POOLER": "pgbouncer", "ONEWINDOW_TASKS": "immediate",
           "ONEWINDOW_CONN_MAX_AGE": "60"}
    auth = {"Authorization": f"Bearer {token}"}
    per_client = 5
    errors, numbers = [], []
    with serve(env, workers=2, threads=CLIENTS // 2) as port:
        barrier = threading.Barrier(CLIENTS)

        def client():
            try:
                barrier.wait()
                for i in range(per_client):
                    status, body, _ = request(port, "POST", "/api/v1/cases", {
                        "item": "SCJG-XK-0001", "applicant": person(), "channel": "window",
                        "materials": ["M01", "M02", "M03"]}, auth)
                    assert status == 201, body
                    number = body["number"]
                    status, body2, _ = request(port, "POST", f"/api/v1/cases/{number}/actions/accept", {}, auth)
                    assert status == 200 and body2["state"] == "accepted", body2
                    if i == 0:  # the lookup takes a transaction-scoped advisory lock (20 a client address)
                        status, _, _ = request(port, "GET", f"/api/v1/track/{number}?code={body['query_code']}")
                        assert status == 200
                    numbers.append(number)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        pooled = _server_connections(pgbouncer, settings["USER"], settings["NAME"])
    assert errors == []
    total = CLIENTS * per_client
    # Numbers unique and gap-free: the same day's sequence 1..total (drawn under the row lock).
    sequences = sorted(int(n[-6:]) for n in numbers)
    assert sequences == list(range(1, total + 1))
    assert len({n[:14] for n in numbers}) == 1
    assert Case.objects.filter(state="accepted").count() == total
    # Every case kept both events, numbered 1 and 2.
    assert CaseEvent.objects.filter(case__number__in=numbers, seq__in=[1, 2]).count() == 2 * total
    # Eight server threads shared at most POOL_SIZE PostgreSQL connections.
    assert 1 <= pooled <= POOL_SIZE
