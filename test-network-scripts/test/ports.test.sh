#!/usr/bin/env bash
# Busy ports (utils.sh check_ports_free, network.sh checkPorts): a port the network will listen on that another
# process holds stops `up` before anything starts, naming the port, the node and the holder.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../lib/utils.sh
. "$REPO/test-network-scripts/lib/utils.sh"
POLL_LEDGER_ROOT=$REPO

# Ports base+slot+OFFSET (network/network.config.sh), below the ephemeral range and off the usual offsets.
OFFSET=$((21700 + RANDOM % 300))
export POLL_LEDGER_PORT_OFFSET=$OFFSET

# listen HOST PORT: a node process listening there, until the tests end; echoes its pid.
listen() {
  local ready="$T_DIR/listening.$1.$2" pid i
  node -e 'const s = require("net").createServer(); s.on("error", (e) => { console.error(e.message); process.exit(1); });
    s.listen(Number(process.argv[1]), process.argv[2], () => require("fs").writeFileSync(process.argv[3], ""))' \
    "$2" "$1" "$ready" </dev/null >/dev/null 2>&1 &
  pid=$!
  started "$pid"
  for ((i = 0; i < 50; i++)); do
    [ -e "$ready" ] && { echo "$pid"; return 0; }
    is_running "$pid" || break
    sleep 0.1
  done
  fail "could not listen on $1:$2"
}

network() { # run dir, network.sh args...
  local run=$1; shift
  POLL_LEDGER_RUN_DIR=$run bash "$NETWORK_SH" "$@" 2>&1
}

up_stops_before_starting_anything() {
  local port=$((7051 + OFFSET)) pid out
  pid=$(listen 127.0.0.1 "$port")
  # FABRIC_BIN_DIR names no binaries: were the port check missing, `up` would stop there, not start a network.
  out=$(FABRIC_BIN_DIR=/nonexistent network "$T_DIR/run-up" up) && fail "up succeeded: $out"
  assert_contains "$out" "port $port (peer0.city) is already in use by pid $pid (node -e"
  assert_contains "$out" "nothing was started"
  assert_not_contains "$out" "FABRIC_BIN_DIR"
  [ -z "$(ls -A "$T_DIR/run-up/pids" 2>/dev/null)" ] || fail "up started something: $(ls "$T_DIR/run-up/pids")"
}

wildcard_listener_counts() {
  local port=$((9054 + OFFSET)) pid out
  pid=$(listen 0.0.0.0 "$port")
  out=$(network "$T_DIR/run-any" checkPorts) && fail "checkPorts succeeded: $out"
  assert_contains "$out" "port $port (ca.observer) is already in use by pid $pid"
}

other_address_does_not_count() {
  local port=$((11056 + OFFSET)) out
  listen 127.0.0.2 "$port" >/dev/null
  out=$(network "$T_DIR/run-other" checkPorts)
  assert_not_contains "$out" "port $port"
}

orderer_ports_by_mode() {
  local port=$((8050 + OFFSET)) pid out
  pid=$(listen 127.0.0.1 "$port")
  out=$(network "$T_DIR/run-mode" checkPorts)
  assert_not_contains "$out" "port $port"          # quick mode: only the city runs an orderer
  out=$(network "$T_DIR/run-mode" checkPorts --full) && fail "checkPorts --full succeeded: $out"
  assert_contains "$out" "port $port (orderer0.dept) is already in use by pid $pid"
}

gateway_port_on_request() {
  local port=$((8080 + OFFSET)) pid out
  pid=$(listen 127.0.0.1 "$port")
  out=$(network "$T_DIR/run-gw" checkPorts)
  assert_not_contains "$out" "port $port"
  out=$(network "$T_DIR/run-gw" checkPorts --gateway) && fail "checkPorts --gateway succeeded: $out"
  assert_contains "$out" "port $port (gateway) is already in use by pid $pid"
}

gateway_database_port_on_request() {
  local port=$((5433 + OFFSET)) pid out
  pid=$(listen 127.0.0.1 "$port")
  out=$(POLL_LEDGER_GATEWAY_DB_PORT=$port network "$T_DIR/run-db" checkPorts --gateway) && fail "checkPorts --gateway succeeded: $out"
  assert_contains "$out" "port $port (gateway database) is already in use by pid $pid"
  out=$(POLL_LEDGER_GATEWAY_DB_PORT=$port POLL_LEDGER_GATEWAY_DB=memory network "$T_DIR/run-db" checkPorts --gateway)
  assert_not_contains "$out" "port $port"
}

own_running_nodes_hold_their_ports() {
  local run="$T_DIR/run-own" port=$((7056 + OFFSET)) out pid
  PID_DIR="$run/pids" LOG_DIR="$run/logs"; mkdir -p "$PID_DIR" "$LOG_DIR"
  # peer0.city of this run directory runs, and listens on its operations port.
  start_bg peer0.city node -e 'require("net").createServer().listen(Number(process.argv[1]), "127.0.0.1")' "$port" >/dev/null
  pid=$(cat "$PID_DIR/peer0.city.pid"); started "$pid"
  local i; for ((i = 0; i < 50; i++)); do port_open 127.0.0.1 "$port" && break; sleep 0.1; done
  out=$(network "$run" checkPorts)
  assert_not_contains "$out" "port $port"
  # ...and a node whose process is not running gets its ports checked.
  stop_pidfiles "$PID_DIR/peer0.city.pid" >/dev/null
  listen 127.0.0.1 "$port" >/dev/null
  out=$(network "$run" checkPorts) && fail "checkPorts succeeded: $out"
  assert_contains "$out" "port $port (peer0.city operations)"
}

start_sh_checks_ports_first() {
  # scripts/start.sh in a copy of the tree whose network.sh and ensure-deps.sh only record their calls.
  local tree="$T_DIR/tree" out
  mkdir -p "$tree/scripts" "$tree/test-network-scripts"
  cp "$REPO/scripts/start.sh" "$tree/scripts/"
  printf 'echo ensure-deps >>"%s/calls"\n' "$tree" >"$tree/scripts/ensure-deps.sh"
  # shellcheck disable=SC2016 # the stub's own $* and $1
  printf 'echo "network.sh $*" >>"%s/calls"; [ "$1" != checkPorts ]\n' "$tree" >"$tree/test-network-scripts/network.sh"
  printf '#!/bin/sh\n' >"$tree/test-network-scripts/gateway.sh"; chmod +x "$tree/test-network-scripts/gateway.sh"
  out=$(cd / && bash "$tree/scripts/start.sh" --full 2>&1) && fail "start.sh succeeded: $out"
  assert_eq "network.sh checkPorts --gateway --full" "$(cat "$tree/calls")" "the calls start.sh made"
}

it "up stops before starting anything when a port is taken, naming the port, the node and the holder" up_stops_before_starting_anything
it "a listener on the wildcard address takes the port too" wildcard_listener_counts
it "a listener on another address of the same port does not" other_address_does_not_count
it "quick mode checks the orderer ports of the city only, full mode those of every founding org" orderer_ports_by_mode
it "the gateway's port is checked with --gateway" gateway_port_on_request
it "--gateway checks the gateway database's port too, unless the gateway runs without one" gateway_database_port_on_request
it "the ports of this run directory's running nodes are theirs; those of a stopped node are checked" own_running_nodes_hold_their_ports
it "npm start (scripts/start.sh) checks the ports before it installs, builds or starts anything" start_sh_checks_ports_first
done_testing
