"""The window queue and the clerk's desk are read in index order (cases.Case indexes case_window_queue
and case_clerk_desk): the plan must use the index and must not sort, or a site with 100,000 results
awaiting delivery sorts them all for every page (measured at 1M cases: 890 and 850 ms before, 34 and
42 ms after). If the states or the orderings change, these plans show it."""

import pytest
from django.db import connection, transaction

from onewindow.cases import page_selectors
from onewindow.cases.tests.factories import make_world

pytestmark = [
    pytest.mark.django_db,
    # Plans of the production database; the PostgreSQL pass of `make test` runs these. SQLite, the
    # embedded default, chooses by its own statistics (none in an empty test table).
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans"),
]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cur:
        # A test database is tiny: forbid the alternatives so the plan shows whether the index can serve.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_bitmapscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def test_window_queue_reads_its_index_in_order():
    w = make_world()
    plan = _plan(page_selectors.window_queue(w.clerk)[:100])
    assert "case_window_queue" in plan
    assert "Sort" not in plan, plan


def test_clerk_desk_reads_its_index_in_order():
    w = make_world()
    plan = _plan(page_selectors.desk_list(w.clerk)[:25])
    assert "case_clerk_desk" in plan and "Sort" not in plan, plan
