#!/usr/bin/env bash
# Progress of the first Fabric build (fabric-bin.sh): each binary says when it starts and ends, and a heartbeat
# line comes every POLL_LEDGER_HEARTBEAT_SECS while one builds. No real build: a fake `go` stands in.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../lib/utils.sh
. "$REPO/test-network-scripts/lib/utils.sh"
# shellcheck source=../lib/fabric-bin.sh
. "$REPO/test-network-scripts/lib/fabric-bin.sh"

# children_of PID: its child processes, less this function's own (the command substitution's subshell, ps).
children_of() { ps -o pid=,comm= --ppid "$1" | awk -v self="$BASHPID" '$1 != self && $2 != "ps" {print $1}'; }

beats_while_the_command_runs() {
  local out rc
  out=$(POLL_LEDGER_HEARTBEAT_SECS=1 with_heartbeat "building x" bash -c 'sleep 2.5; exit 3')
  rc=$?
  assert_eq 3 "$rc" "the command's status"
  local beats; beats=$(grep -c 'still building x (' <<<"$out")
  if [ "$beats" -lt 1 ] || [ "$beats" -gt 2 ]; then fail "expected 1 or 2 heartbeat lines in 2.5 s, got $beats:"$'\n'"$out"; fi
  assert_matches "$out" 'still building x \([0-9]+ s\)'
}

quiet_when_the_command_is_quick() {
  local out
  out=$(POLL_LEDGER_HEARTBEAT_SECS=1 with_heartbeat "building y" true) || fail "with_heartbeat failed"
  assert_eq "" "$out"
}

leaves_no_process_behind() {
  POLL_LEDGER_HEARTBEAT_SECS=1 with_heartbeat "building z" sleep 0.3 >/dev/null
  assert_eq "" "$(children_of "$BASHPID")" "children of the test shell after with_heartbeat"
}

heartbeat_ends_with_an_interrupted_script() {
  local script="$T_DIR/build.sh" pid kids k i
  printf '. %q; . %q; POLL_LEDGER_HEARTBEAT_SECS=1 with_heartbeat "building w" sleep 30\n' \
    "$REPO/test-network-scripts/lib/utils.sh" "$REPO/test-network-scripts/lib/fabric-bin.sh" >"$script"
  bash "$script" >/dev/null 2>&1 &
  pid=$!; started "$pid"
  for ((i = 0; i < 30; i++)); do kids=$(children_of "$pid"); [ "$(wc -w <<<"$kids")" -ge 2 ] && break; sleep 0.1; done
  for k in $kids; do started "$k"; done
  [ "$(wc -w <<<"$kids")" -ge 2 ] || fail "expected the heartbeat and the command under $pid, got: $kids"
  kill -TERM "$pid"
  # The command (sleep 30) is left to the interrupt; the heartbeat notices its script has gone.
  for k in $kids; do
    [ "$(ps -o comm= -p "$k")" = sleep ] && continue
    assert_gone "$k" "(the heartbeat of an interrupted script)"
  done
}

# A fake `go` that records its calls, takes 1.2 s per binary and writes an empty one (or fails for FAIL_PKG).
_fake_go() {
  mkdir -p "$T_DIR/bin"
  cat >"$T_DIR/bin/go" <<'GO'
#!/usr/bin/env bash
echo "go $* | GOFLAGS=$GOFLAGS | $(cat go.mod | tr '\n' ' ')" >>"$FAKE_GO_CALLS"
out='' pkg=${*: -1}
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
sleep 1.2
[ "${pkg##*/}" != "${FAIL_PKG:-}" ] || { echo "fake go: cannot build $pkg" >&2; exit 2; }
touch "$out/${pkg##*/}"
GO
  chmod +x "$T_DIR/bin/go"
}

builds_one_binary_at_a_time() {
  _fake_go
  local out rc
  mkdir -p "$T_DIR/out-ok"
  out=$(PATH="$T_DIR/bin:$PATH" FAKE_GO_CALLS="$T_DIR/calls" POLL_LEDGER_HEARTBEAT_SECS=1 \
    _go_build_into 1.24.2 "github.com/hyperledger/fabric@v1.4.0-rc1.0.x" "$T_DIR/out-ok" "-X a=b" \
    github.com/hyperledger/fabric/cmd/peer github.com/hyperledger/fabric/cmd/orderer 2>&1)
  rc=$?
  assert_eq 0 "$rc" "the status of _go_build_into"
  assert_eq 2 "$(wc -l <"$T_DIR/calls")" "go build calls (one a binary)"
  assert_contains "$(sed -n 1p "$T_DIR/calls")" "build -trimpath -ldflags -X a=b -o $T_DIR/out-ok/ github.com/hyperledger/fabric/cmd/peer | GOFLAGS=-mod=mod -buildvcs=false | module poll-ledger/fabric-build"
  assert_contains "$(sed -n 1p "$T_DIR/calls")" "require github.com/hyperledger/fabric v1.4.0-rc1.0.x"
  assert_matches "$out" 'building peer\.\.\..*still building peer \([12] s\).*built peer in [0-9]+ s.*building orderer\.\.\..*built orderer in [0-9]+ s'
  [ -f "$T_DIR/out-ok/peer" ] || fail "peer is not in the output directory"
  [ -f "$T_DIR/out-ok/orderer" ] || fail "orderer is not in the output directory"
}

stops_at_the_first_failed_binary() {
  _fake_go
  local out rc
  mkdir -p "$T_DIR/out-fail"
  out=$(PATH="$T_DIR/bin:$PATH" FAKE_GO_CALLS="$T_DIR/calls-fail" FAIL_PKG=peer POLL_LEDGER_HEARTBEAT_SECS=5 \
    _go_build_into 1.24.2 "github.com/hyperledger/fabric@v1" "$T_DIR/out-fail" "" \
    github.com/hyperledger/fabric/cmd/peer github.com/hyperledger/fabric/cmd/orderer 2>&1)
  rc=$?
  assert_eq 2 "$rc" "the status of _go_build_into (the fake go's)"
  assert_eq 1 "$(wc -l <"$T_DIR/calls-fail")" "go build calls"
  assert_contains "$out" "fake go: cannot build github.com/hyperledger/fabric/cmd/peer"
  assert_not_contains "$out" "built peer"
}

it "with_heartbeat prints a line every POLL_LEDGER_HEARTBEAT_SECS while the command runs, and returns its status" beats_while_the_command_runs
it "with_heartbeat prints nothing for a command that ends before the first beat" quiet_when_the_command_is_quick
it "with_heartbeat leaves no process behind" leaves_no_process_behind
it "the heartbeat of a script that is interrupted ends too" heartbeat_ends_with_an_interrupted_script
it "_go_build_into builds one binary at a time, saying when each starts and ends, with heartbeats" builds_one_binary_at_a_time
it "_go_build_into stops at the first binary that fails, with its status" stops_at_the_first_failed_binary
done_testing
