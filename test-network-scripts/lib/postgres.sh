#!/usr/bin/env bash
# A PostgreSQL server of our own for the gateway's shared state, run as the `postgres` system user (initdb
# refuses root). Trust authentication, from loopback and the CLIENT addresses only: a test and development server,
# never a production one. HOST is the address it listens on, 127.0.0.1 unless given (the netns layout: the city's
# address on its test host, and CLIENT the gateway's host and the operator's machine, gateway.sh).
#
#   postgres.sh start DIR PORT [HOST [CLIENT...]]   initdb DIR if new, start on HOST:PORT, create database "gateway"
#   postgres.sh stop DIR                            fast shutdown
#   postgres.sh run DIR PORT [HOST [CLIENT...]]     initdb DIR if new, then run the server in the foreground (start_bg)
#   postgres.sh ready PORT [HOST]                   wait until it answers (30 s), create database "gateway" if missing
#   postgres.sh url PORT [HOST]                     the connection URL
set -uo pipefail

PG_USER=${POLL_LEDGER_PG_OS_USER:-postgres}
PG_ROLE=gateway
PG_DB=gateway

# As the postgres user when we are root; as ourselves otherwise (initdb then runs as the caller).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_url() { echo "postgres://$PG_ROLE@${2:-127.0.0.1}:$1/$PG_DB"; }

# Trust for each CLIENT address (a /32 line each, marked as ours) in DIR's pg_hba.conf, and for none other than
# initdb's loopback lines: the marked lines of an earlier start are replaced, so a data directory kept between runs
# (/var/tmp) trusts only this run's clients.
pg_trust() { # dir client...
  local dir=$1 hba="$1/pg_hba.conf" client lines=''; shift
  for client in "$@"; do lines+="host all all $client/32 trust # poll-ledger client"$'\n'; done
  if grep -q '# poll-ledger client$' "$hba"; then as_pg sed -i '/# poll-ledger client$/d' "$hba" || return 1; fi
  [ -z "$lines" ] || printf '%s' "$lines" | as_pg tee -a "$hba" >/dev/null
}

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

pg_options() { echo "-p $2 -k $1 -c listen_addresses=${3:-127.0.0.1} -c max_connections=100"; }

pg_createdb() {
  local port=$1 host=${2:-127.0.0.1}
  as_pg psql -h "$host" -p "$port" -U "$PG_ROLE" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 \
    || as_pg psql -h "$host" -p "$port" -U "$PG_ROLE" -d postgres -qc "CREATE DATABASE $PG_DB" >/dev/null \
    || { echo "could not create database $PG_DB" >&2; return 1; }
}

pg_start() {
  local dir=$1 port=$2 host=${3:-127.0.0.1}
  pg_init "$dir" && pg_trust "$dir" "${@:4}" || return 1
  if ! as_pg pg_ctl -D "$dir" status >/dev/null 2>&1; then
    as_pg pg_ctl -D "$dir" -w -t 30 -l "$dir/server.log" -o "$(pg_options "$dir" "$port" "$host")" start >/dev/null \
      || { echo "PostgreSQL did not start, see $dir/server.log" >&2; return 1; }
  fi
  pg_createdb "$port" "$host"
}

pg_run() {
  local dir=$1 port=$2 host=${3:-127.0.0.1}
  pg_init "$dir" && pg_trust "$dir" "${@:4}" || return 1
  # shellcheck disable=SC2046 # the options are words
  if [ "$(id -u)" = 0 ]; then exec runuser -u "$PG_USER" -- postgres -D "$dir" $(pg_options "$dir" "$port" "$host"); fi
  exec postgres -D "$dir" $(pg_options "$dir" "$port" "$host")
}

pg_ready() {
  local port=$1 host=${2:-127.0.0.1} i
  for ((i = 0; i < 60; i++)); do
    as_pg psql -h "$host" -p "$port" -U "$PG_ROLE" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 && { pg_createdb "$port" "$host"; return; }
    sleep 0.5
  done
  echo "PostgreSQL on $host:$port did not answer within 30 s" >&2
  return 1
}

pg_stop() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  as_pg pg_ctl -D "$dir" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# Sourced (by the scripts' tests), it only defines its functions.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
case ${1:-} in
  start) shift; pg_start "$@" ;;
  stop) pg_stop "$2" ;;
  run) shift; pg_run "$@" ;;
  ready) pg_ready "$2" "${3:-}" ;;
  url) pg_url "$2" "${3:-}" ;;
  *) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 1 ;;
esac
