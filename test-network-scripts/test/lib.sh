# Helpers for the network scripts' tests: `it NAME FUNCTION` runs FUNCTION in a subshell and prints
# "ok - NAME" or "not ok - NAME"; a failed assertion ends that subshell. Every process a test starts is
# recorded (started PID) and killed, by pid, when the file's tests end.
# shellcheck shell=bash
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # for the test files that source this one
NETWORK_SH="$REPO/test-network-scripts/network.sh"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/network-scripts-test.XXXXXX")
T_PASSED=0
T_FAILED=0

started() { echo "$1" >>"$T_DIR/started-pids"; }

_t_cleanup() {
  local pid
  if [ -f "$T_DIR/started-pids" ]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$T_DIR/started-pids"
  fi
  rm -rf "$T_DIR"
}
trap _t_cleanup EXIT

fail() { echo "    $*" >&2; exit 1; }
assert_eq() { [ "$1" = "$2" ] || fail "expected '$1', got '$2'${3:+ ($3)}"; }
assert_contains() { [[ "$1" == *"$2"* ]] || fail "expected the output to contain '$2'; it was:"$'\n'"$1"; }
assert_not_contains() { [[ "$1" != *"$2"* ]] || fail "expected the output not to contain '$2'; it was:"$'\n'"$1"; }
assert_matches() { [[ "$1" =~ $2 ]] || fail "expected the output to match /$2/; it was:"$'\n'"$1"; }
# A zombie (exited, not yet reaped by its parent) counts as gone.
is_running() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ "$s" != Z* ]]; }
assert_alive() { is_running "$1" || fail "process $1 ${2:-} is not running"; }
assert_gone() {
  local i
  for ((i = 0; i < 20; i++)); do is_running "$1" || return 0; sleep 0.1; done
  fail "process $1 ${2:-} is still running"
}
assert_no_file() { [ ! -e "$1" ] || fail "$1 exists"; }

# stranger: start `sleep 300` in a session of its own, as the process that now has some pid; echoes its pid.
stranger() {
  setsid sleep 300 </dev/null >/dev/null 2>&1 &
  started $!
  echo $!
}

it() {
  local name=$1 fn=$2
  if (cd "$T_DIR" && "$fn"); then
    echo "ok - $name"
    T_PASSED=$((T_PASSED + 1))
  else
    echo "not ok - $name"
    T_FAILED=$((T_FAILED + 1))
  fi
}

# done_testing: the file's summary line; exits 1 when a test failed.
done_testing() {
  echo "$T_PASSED passed, $T_FAILED failed"
  [ "$T_FAILED" -eq 0 ]
}
