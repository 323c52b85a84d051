#!/usr/bin/env bash
# Pid files (test-network-scripts/lib/utils.sh): `down` and `stop` signal only the processes the scripts
# started, never one that now has a recorded pid (after a reboot, or once the process has gone).
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../lib/utils.sh
. "$REPO/test-network-scripts/lib/utils.sh"
POLL_LEDGER_ROOT=$REPO

_dirs() { PID_DIR="$T_DIR/$1/pids" LOG_DIR="$T_DIR/$1/logs"; mkdir -p "$PID_DIR" "$LOG_DIR"; }

records_and_stops_its_own() {
  _dirs own
  start_bg ca.test sleep 300 >/dev/null
  local pid; pid=$(cat "$PID_DIR/ca.test.pid"); started "$pid"
  assert_matches "$pid" '^[0-9]+$'
  local rec; rec=$(cat "$PID_DIR/ca.test.proc")
  assert_contains "$rec" "pid=$pid"
  assert_contains "$rec" "start=$(awk '{print $22}' "/proc/$pid/stat")"
  assert_contains "$rec" "boot=$(cat /proc/sys/kernel/random/boot_id)"
  assert_contains "$rec" "exe=sleep"
  pid_alive "$PID_DIR/ca.test.pid" || fail "pid_alive says its own process is not alive"
  stop_pidfiles "$PID_DIR/ca.test.pid" >/dev/null
  assert_gone "$pid" "(started by start_bg)"
  assert_no_file "$PID_DIR/ca.test.pid"
  assert_no_file "$PID_DIR/ca.test.proc"
}

reused_pid_is_not_signalled() {
  _dirs reused
  local p out; p=$(stranger)
  echo "$p" >"$PID_DIR/peer0.test.pid"
  printf 'pid=%s\nstart=1\nboot=%s\nexe=peer\n' "$p" "$(cat /proc/sys/kernel/random/boot_id)" >"$PID_DIR/peer0.test.proc"
  pid_alive "$PID_DIR/peer0.test.pid" && fail "pid_alive takes another process for the node"
  out=$(stop_pidfiles "$PID_DIR/peer0.test.pid" 2>&1)
  assert_alive "$p" "(the stranger)"
  assert_contains "$out" "pid $p is now another process, 'sleep 300'"
  assert_contains "$out" "not signalling it, removed the stale pid file"
  assert_no_file "$PID_DIR/peer0.test.pid"
  assert_no_file "$PID_DIR/peer0.test.proc"
}

pid_file_from_before_a_reboot_is_not_signalled() {
  _dirs reboot
  local p out; p=$(stranger)
  echo "$p" >"$PID_DIR/orderer0.test.pid"
  # The right start time, but another boot: after a reboot start times begin again from zero.
  printf 'pid=%s\nstart=%s\nboot=00000000-0000-0000-0000-000000000000\nexe=orderer\n' "$p" "$(awk '{print $22}' "/proc/$p/stat")" \
    >"$PID_DIR/orderer0.test.proc"
  out=$(stop_pidfiles "$PID_DIR/orderer0.test.pid" 2>&1)
  assert_alive "$p" "(the stranger)"
  assert_contains "$out" "the pid file is from before a reboot"
  assert_no_file "$PID_DIR/orderer0.test.pid"
}

old_pid_file_of_another_program_is_not_signalled() {
  _dirs old
  local p out; p=$(stranger)
  echo "$p" >"$PID_DIR/peer0.test.pid"     # the format before .proc records: the pid alone
  out=$(stop_pidfiles "$PID_DIR/peer0.test.pid" 2>&1)
  assert_alive "$p" "(the stranger)"
  assert_contains "$out" "pid $p is now 'sleep 300', not peer"
  assert_no_file "$PID_DIR/peer0.test.pid"
}

old_pid_file_of_the_expected_program_is_stopped() {
  _dirs oldpeer
  setsid bash -c 'exec -a peer sleep 300' </dev/null >/dev/null 2>&1 &
  local p=$!; started "$p"
  local i; for ((i = 0; i < 20; i++)); do [[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" == peer* ]] && break; sleep 0.05; done
  echo "$p" >"$PID_DIR/peer0.test.pid"
  pid_alive "$PID_DIR/peer0.test.pid" || fail "pid_alive does not take a running 'peer' for peer0.test"
  stop_pidfiles "$PID_DIR/peer0.test.pid" >/dev/null 2>&1
  assert_gone "$p" "(argv0 peer)"
  assert_no_file "$PID_DIR/peer0.test.pid"
}

old_pid_file_of_the_gateway_database_is_stopped() {
  _dirs olddb
  setsid bash -c 'exec -a runuser sleep 300' </dev/null >/dev/null 2>&1 &
  local p=$!; started "$p"
  local i; for ((i = 0; i < 20; i++)); do [[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" == runuser* ]] && break; sleep 0.05; done
  echo "$p" >"$PID_DIR/gateway-db.pid"
  stop_pidfiles "$PID_DIR/gateway-db.pid" >/dev/null 2>&1
  assert_gone "$p" "(argv0 runuser, as gateway.sh starts PostgreSQL as root)"
}

start_bg_replaces_a_stale_pid_file() {
  _dirs restart
  local p out pid; p=$(stranger)
  echo "$p" >"$PID_DIR/ca.test.pid"
  out=$(start_bg ca.test sleep 300 2>&1)
  pid=$(cat "$PID_DIR/ca.test.pid"); started "$pid"
  assert_not_contains "$out" "already running"
  assert_contains "$out" "removed the stale pid file"
  [ "$pid" != "$p" ] || fail "start_bg kept the stranger's pid"
  assert_alive "$pid" "(the new ca.test)"
  assert_alive "$p" "(the stranger)"
}

pid_file_without_a_pid_is_removed() {
  _dirs garbage
  echo "not a pid" >"$PID_DIR/gateway.pid"
  echo "" >"$PID_DIR/ccserver.test.pid"
  stop_pidfiles "$PID_DIR/gateway.pid" "$PID_DIR/ccserver.test.pid" >/dev/null 2>&1 || fail "stop_pidfiles failed"
  assert_no_file "$PID_DIR/gateway.pid"
  assert_no_file "$PID_DIR/ccserver.test.pid"
}

down_stops_what_start_bg_started_and_nothing_else() {
  local run="$T_DIR/down-run" p out a b
  PID_DIR="$run/pids" LOG_DIR="$run/logs"; mkdir -p "$PID_DIR" "$LOG_DIR"
  start_bg ca.city sleep 300 >/dev/null; a=$(cat "$PID_DIR/ca.city.pid"); started "$a"
  start_bg peer0.city sleep 300 >/dev/null; b=$(cat "$PID_DIR/peer0.city.pid"); started "$b"
  p=$(stranger)
  echo "$p" >"$PID_DIR/orderer0.city.pid"
  out=$(POLL_LEDGER_RUN_DIR=$run POLL_LEDGER_PORT_OFFSET=0 bash "$NETWORK_SH" down 2>&1) || fail "network.sh down failed: $out"
  assert_gone "$a" "(ca.city)"
  assert_gone "$b" "(peer0.city)"
  assert_alive "$p" "(the stranger named by orderer0.city.pid)"
  assert_contains "$out" "orderer0.city: pid $p is now 'sleep 300', not orderer"
  assert_no_file "$run"
}

down_from_a_directory_with_a_gateway_entry_stops_the_database() {
  # The repo root holds gateway/: down's 'gateway*' pattern must not glob against the working directory.
  local run="$T_DIR/down-cwd" a b out
  PID_DIR="$run/pids" LOG_DIR="$run/logs"; mkdir -p "$PID_DIR" "$LOG_DIR" "$T_DIR/cwd/gateway"
  start_bg gateway sleep 300 >/dev/null; a=$(cat "$PID_DIR/gateway.pid"); started "$a"
  start_bg gateway-db sleep 300 >/dev/null; b=$(cat "$PID_DIR/gateway-db.pid"); started "$b"
  out=$(cd "$T_DIR/cwd" && POLL_LEDGER_RUN_DIR=$run POLL_LEDGER_PORT_OFFSET=0 bash "$NETWORK_SH" down 2>&1) || fail "network.sh down failed: $out"
  assert_gone "$a" "(gateway)"
  assert_gone "$b" "(gateway-db)"
}

it "start_bg records who it started, and stop_pidfiles stops it" records_and_stops_its_own
it "a pid that now belongs to another process is not signalled; its pid file is removed, saying so" reused_pid_is_not_signalled
it "a pid file from before a reboot is not signalled" pid_file_from_before_a_reboot_is_not_signalled
it "an old pid file (the pid alone) naming another program than the node's is not signalled" old_pid_file_of_another_program_is_not_signalled
it "an old pid file (the pid alone) naming the node's program is stopped" old_pid_file_of_the_expected_program_is_stopped
it "an old pid file of the gateway's database (runuser or postgres, not node) is stopped" old_pid_file_of_the_gateway_database_is_stopped
it "start_bg starts the node afresh when its pid file names another process" start_bg_replaces_a_stale_pid_file
it "a pid file that holds no pid is removed without signalling anything" pid_file_without_a_pid_is_removed
it "network.sh down stops what start_bg started in its run directory, and no stranger" down_stops_what_start_bg_started_and_nothing_else
it "network.sh down stops the gateway's database when run from a directory holding gateway/ (the repo root)" down_from_a_directory_with_a_gateway_entry_stops_the_database
done_testing
