#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL, with Debian's own tools (pg_basebackup, pg_ctl).
#   scripts/replica.sh start   # base backup of 127.0.0.1:$PRIMARY_PORT, standby on 127.0.0.1:$REPLICA_PORT
#   scripts/replica.sh stop | status
# Runs as root (switching to the postgres user) or as postgres. The primary must allow replication
# connections from 127.0.0.1: a `host replication all 127.0.0.1/32 trust` line is added to its
# pg_hba.conf if missing (a developer or CI machine with trust auth, as this project's machines are).
set -euo pipefail
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
DIR=${REPLICA_DIR:-/var/lib/postgresql/onewindow-replica}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
psql_primary() { as_pg psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"; }
running() { as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; }

start() {
  if running; then echo "replica already running on 127.0.0.1:$REPLICA_PORT"; return; fi
  hba=$(psql_primary "SHOW hba_file")
  if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$hba"
    psql_primary "SELECT pg_reload_conf()" >/dev/null
  fi
  rm -rf "$DIR"
  install -d -o postgres -g postgres -m 700 "$DIR"
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR" -R -X stream -c fast
  # Debian keeps the configuration under /etc: the standby gets its own small one. A hot standby
  # needs these limits at least as high as the primary's.
  {
    echo "port = $REPLICA_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/tmp'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    for p in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
      echo "$p = $(psql_primary "SHOW $p")"
    done
  } > "$DIR/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$DIR/pg_hba.conf"
  chown postgres:postgres "$DIR/postgresql.conf" "$DIR/pg_hba.conf"
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/replica.log" -w start >/dev/null
  echo "replica streaming from 127.0.0.1:$PRIMARY_PORT on 127.0.0.1:$REPLICA_PORT ($DIR)"
}

case "${1:-}" in
  start) start ;;
  stop) if running; then as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null; fi; echo "replica stopped" ;;
  status) if running; then echo "running on 127.0.0.1:$REPLICA_PORT"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
