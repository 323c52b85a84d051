#!/usr/bin/env bash
# A PostgreSQL server of our own for the gateway's shared state, run as the `postgres` system user (initdb
# refuses root). Trust authentication on 127.0.0.1 only: a test and development server, never a production one.
#
#   postgres.sh start DIR PORT   initdb DIR if new, start on 127.0.0.1:PORT, create database "gateway"
#   postgres.sh stop DIR         fast shutdown
#   postgres.sh run DIR PORT     initdb DIR if new, then run the server in the foreground (for start_bg)
#   postgres.sh ready PORT       wait until it answers (30 s), create database "gateway" if missing
#   postgres.sh url PORT         the connection URL
set -uo pipefail

PG_USER=${POLL_LEDGER_PG_OS_USER:-postgres}
PG_ROLE=gateway
PG_DB=gateway

# As the postgres user when we are root; as ourselves otherwise (initdb then runs as the caller).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_url() { echo "postgres://$PG_ROLE@127.0.0.1:$1/$PG_DB"; }

pg_init() {
  local dir=$1
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null \
    || { echo "PostgreSQL's initdb and pg_ctl are not on PATH (see docs/operations.md)" >&2; return 1; }
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown "$PG_USER" "$dir" && chmod 700 "$dir"
  if ! as_pg test -r "$dir"; then
    echo "the $PG_USER user cannot reach $dir (a parent directory is closed to it); set POLL_LEDGER_PG_DIR" >&2
    return 1
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg initdb -D "$dir" -A trust -U "$PG_ROLE" >"$dir.initdb.log" 2>&1 \
      || { echo "initdb failed, see $dir.initdb.log" >&2; return 1; }
  fi
}

pg_options() { echo "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=100"; }

pg_createdb() {
  local port=$1
  as_pg psql -h 127.0.0.1 -p "$port" -U "$PG_ROLE" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 \
    || as_pg psql -h 127.0.0.1 -p "$port" -U "$PG_ROLE" -d postgres -qc "CREATE DATABASE $PG_DB" >/dev/null \
    || { echo "could not create database $PG_DB" >&2; return 1; }
}

pg_start() {
  local dir=$1 port=$2
  pg_init "$dir" || return 1
  if ! as_pg pg_ctl -D "$dir" status >/dev/null 2>&1; then
    as_pg pg_ctl -D "$dir" -w -t 30 -l "$dir/server.log" -o "$(pg_options "$dir" "$port")" start >/dev/null \
      || { echo "PostgreSQL did not start, see $dir/server.log" >&2; return 1; }
  fi
  pg_createdb "$port"
}

pg_run() {
  local dir=$1 port=$2
  pg_init "$dir" || return 1
  # shellcheck disable=SC2046 # the options are words
  if [ "$(id -u)" = 0 ]; then exec runuser -u "$PG_USER" -- postgres -D "$dir" $(pg_options "$dir" "$port"); fi
  exec postgres -D "$dir" $(pg_options "$dir" "$port")
}

pg_ready() {
  local port=$1 i
  for ((i = 0; i < 60; i++)); do
    as_pg psql -h 127.0.0.1 -p "$port" -U "$PG_ROLE" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 && { pg_createdb "$port"; return; }
    sleep 0.5
  done
  echo "PostgreSQL on port $port did not answer within 30 s" >&2
  return 1
}

pg_stop() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  as_pg pg_ctl -D "$dir" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

case ${1:-} in
  start) pg_start "$2" "$3" ;;
  stop) pg_stop "$2" ;;
  run) pg_run "$2" "$3" ;;
  ready) pg_ready "$2" ;;
  url) pg_url "$2" ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 1 ;;
esac
