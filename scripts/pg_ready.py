"""Exit 0 when the PostgreSQL server of the given URL answers."""

import sys

import psycopg

url = sys.argv[1]
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(base, connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL: {exc}", file=sys.stderr)
    sys.exit(1)
