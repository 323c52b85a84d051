#!/usr/bin/env bash
# Hyperledger Caliper 0.6.0 against the poll-ledger network: CastBallot and CastBallots rounds (e2e/caliper/README.md).
#
#   e2e/caliper/run.sh [options]      (or: npm run bench:caliper -w @poll-ledger/e2e -- [options])
#
#   (default)                 start a network of its own (network.sh all) in CALIPER_RUN_DIR (.run-caliper) with the
#                             ports offset by CALIPER_PORT_OFFSET (16000), run the benchmark, and always take it down
#   --full                    that network in full mode (4 BFT orderers, Fabric 3) instead of quick (1 Raft orderer)
#   --network-json FILE       use a network that already runs (its <runDir>/network.json); nothing is started or stopped
#   --bench FILE              the benchmark configuration (default: benchmarks/ballots.yaml, beside this script)
#   --report-dir DIR          where report.html and the console output are kept (default: <run dir>-reports)
#   -h, --help                this text
#
# Caliper is installed once, with npm, into CALIPER_DIR (${XDG_CACHE_HOME:-$HOME/.cache}/poll-ledger/caliper-0.6.0),
# outside the repository's node_modules, together with @hyperledger/fabric-gateway 1.11 (what Caliper's peer-gateway
# connector loads; `caliper bind` would pin 1.5.0). FABRIC_VERSION is passed on to network.sh.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)
NETWORK_SH="$REPO_ROOT/test-network-scripts/network.sh"
# shellcheck source=../../test-network-scripts/lib/utils.sh
. "$REPO_ROOT/test-network-scripts/lib/utils.sh"

CALIPER_VERSION=0.6.0
FABRIC_GATEWAY_VERSION=1.11.0
CALIPER_DIR=${CALIPER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/poll-ledger/caliper-$CALIPER_VERSION}
RUN_DIR=${CALIPER_RUN_DIR:-$REPO_ROOT/.run-caliper}
PORT_OFFSET=${CALIPER_PORT_OFFSET:-16000}
MODE=quick
NETWORK_JSON=''
BENCH_CONFIG=$HERE/benchmarks/ballots.yaml
REPORT_DIR=''

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --full) MODE=full ;;
    --network-json) [ $# -ge 2 ] || fatalln "--network-json needs a file"; NETWORK_JSON=$(realpath "$2") && shift ;;
    --bench) [ $# -ge 2 ] || fatalln "--bench needs a file"; BENCH_CONFIG=$(realpath "$2") && shift ;;
    --report-dir) [ $# -ge 2 ] || fatalln "--report-dir needs a directory"; REPORT_DIR=$2 && shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fatalln "unknown argument '$1'" ;;
  esac
  shift
done
[ -f "$BENCH_CONFIG" ] || fatalln "no benchmark configuration $BENCH_CONFIG"
if [ -n "$NETWORK_JSON" ]; then
  [ -f "$NETWORK_JSON" ] || fatalln "no network description $NETWORK_JSON"
  REPORT_DIR=${REPORT_DIR:-$(dirname "$NETWORK_JSON")-caliper-reports}
else
  REPORT_DIR=${REPORT_DIR:-$RUN_DIR-reports}
fi

# Everything this script starts, and what it must undo on every way out.
OWN_NETWORK=0
CALIPER_PID=''
SAMPLER_PID=''
TAIL_PID=''
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/poll-ledger-caliper.XXXXXX")

network() { # network.sh VERB... against this script's own network
  POLL_LEDGER_RUN_DIR=$RUN_DIR POLL_LEDGER_PORT_OFFSET=$PORT_OFFSET POLL_LEDGER_MODE=$MODE bash "$NETWORK_SH" "$@"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ -n "$CALIPER_PID" ] && kill -0 "$CALIPER_PID" 2>/dev/null; then
    infoln "Stopping Caliper (pid $CALIPER_PID) and its workers"
    kill -TERM -- "-$CALIPER_PID" 2>/dev/null || kill -TERM "$CALIPER_PID" 2>/dev/null
    wait "$CALIPER_PID" 2>/dev/null
  fi
  local pid
  for pid in $SAMPLER_PID $TAIL_PID; do kill "$pid" 2>/dev/null; done
  if [ "$OWN_NETWORK" = 1 ]; then
    if [ "$status" != 0 ] && [ -d "$RUN_DIR/logs" ]; then
      rm -rf "$RUN_DIR-logs" && cp -r "$RUN_DIR/logs" "$RUN_DIR-logs" && warnln "the network's logs are kept in $RUN_DIR-logs"
    fi
    infoln "Taking the network in $RUN_DIR down"
    network down >"$WORK_DIR/network-down.log" 2>&1 || { warnln "network.sh down failed:"; tail -20 "$WORK_DIR/network-down.log" >&2; status=1; }
  fi
  rm -rf "$WORK_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

install_caliper() {
  local cli=$CALIPER_DIR/node_modules/@hyperledger/caliper-cli/package.json
  local gw=$CALIPER_DIR/node_modules/@hyperledger/fabric-gateway/package.json
  if [ -f "$cli" ] && [ -f "$gw" ] \
    && [ "$(node -p "require('$cli').version")" = "$CALIPER_VERSION" ] \
    && [ "$(node -p "require('$gw').version")" = "$FABRIC_GATEWAY_VERSION" ]; then
    infoln "Caliper $CALIPER_VERSION with fabric-gateway $FABRIC_GATEWAY_VERSION: $CALIPER_DIR"
    return 0
  fi
  infoln "Installing Caliper $CALIPER_VERSION and fabric-gateway $FABRIC_GATEWAY_VERSION into $CALIPER_DIR (once; about a minute)"
  mkdir -p "$CALIPER_DIR"
  [ -f "$CALIPER_DIR/package.json" ] || echo '{ "name": "poll-ledger-caliper", "private": true }' >"$CALIPER_DIR/package.json"
  npm install --prefix "$CALIPER_DIR" --no-audit --no-fund --loglevel=error \
    "@hyperledger/caliper-cli@$CALIPER_VERSION" "@hyperledger/fabric-gateway@$FABRIC_GATEWAY_VERSION" \
    || fatalln "npm could not install Caliper into $CALIPER_DIR"
}

start_network() {
  if [ -e "$RUN_DIR" ]; then
    infoln "Taking down what an earlier run left in $RUN_DIR"
    network down >"$WORK_DIR/network-down-before.log" 2>&1 || { tail -20 "$WORK_DIR/network-down-before.log" >&2; fatalln "network.sh down failed in $RUN_DIR"; }
  fi
  OWN_NETWORK=1
  infoln "Starting a $MODE network in $RUN_DIR (ports +$PORT_OFFSET, FABRIC_VERSION=${FABRIC_VERSION:-default}); its output: $WORK_DIR/network-all.log"
  local started=$SECONDS
  network all "--$MODE" >"$WORK_DIR/network-all.log" 2>&1 || { tail -30 "$WORK_DIR/network-all.log" >&2; fatalln "network.sh all failed"; }
  grep -E 'Fabric binaries|Network is up|committed|deployed' "$WORK_DIR/network-all.log" | sed 's/^/    /'
  successln "Network up in $((SECONDS - started)) s"
  NETWORK_JSON=$RUN_DIR/network.json
}

# The summary table Caliper logs at the end ("### All test results ###"), the CastBallots workload's count of written
# and refused ballots, and the failed transactions grouped by the peer's answer.
print_report() {
  local log=$1
  echo
  infoln "Caliper's report"
  awk '/### All test results ###/ { on = 1; next } on && /^[+|]/ { print; seen = 1; next } on && seen { exit }' "$log"
  grep -F '[poll-ledger workload]' "$log" | grep -F 'ballots written' | sed 's/^/  /'
  grep -E 'Failed round [0-9]' "$log" | sed -E 's/\x1b\[[0-9;]*m//g; s/^.*(Failed round)/\1/' | cut -c1-400 | while IFS= read -r line; do warnln "$line"; done
  local failed
  failed=$(grep -c 'Failed to perform submit transaction' "$log")
  if [ "$failed" -gt 0 ]; then
    warnln "$failed transactions failed; the peers' answers, by count:"
    grep -E '^-  [^ ]+:[0-9]+:' "$log" | sed -E 's/^-  [^ ]+:[0-9]+://' | sort | uniq -c | sort -rn | head -10 >&2
  fi
}

# CPU accounting for one Caliper run, from the kernel: the whole machine (/proc/stat), the network's processes (the pids
# its scripts record in <run dir>/pids), and Caliper's manager and workers (sampled below). Everything else on the
# machine is the rest: on a shared machine, what the figures had to compete with.
CLK_TCK=$(getconf CLK_TCK)
machine_busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }  # utime + stime (fields 14, 15)
network_ticks() {
  local dir=$1 f pid total=0 t
  for f in "$dir"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid=$(head -1 "$f")
    t=$(proc_ticks "$pid") || continue
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
# Caliper's workers exit before its manager, which does not wait for them, so their CPU time is sampled while they run:
# every second, utime + stime of every process in Caliper's process group; the last sample of each counts.
sample_group_ticks() { # pgid file
  local pid
  while kill -0 "$1" 2>/dev/null; do
    for pid in $(pgrep -g "$1"); do echo "$pid $(proc_ticks "$pid")"; done >>"$2"
    sleep 1
  done
}
group_ticks() { awk 'NF == 2 { last[$1] = $2 } END { for (p in last) t += last[p]; print t + 0 }' "$1"; }
seconds() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }'; }

print_cpu() { # wall-seconds machine-ticks network-ticks caliper-ticks
  local wall=$1 machine=$2 net=$3 cal=$4 cores
  cores=$(nproc)
  echo
  infoln "CPU during the Caliper run: $wall s wall on $cores cores ($((wall * cores)) CPU-s), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '    %-34s %8s CPU-s  %5s%% of the machine\n' \
    'whole machine' "$(seconds "$machine")" "$(awk -v t="$machine" -v c="$((wall * cores * CLK_TCK))" 'BEGIN { printf "%.0f", 100 * t / c }')" \
    'the network (peers, orderer, CAs, cc)' "$(seconds "$net")" "$(awk -v t="$net" -v c="$((wall * cores * CLK_TCK))" 'BEGIN { printf "%.0f", 100 * t / c }')" \
    'Caliper (manager + workers)' "$(seconds "$cal")" "$(awk -v t="$cal" -v c="$((wall * cores * CLK_TCK))" 'BEGIN { printf "%.0f", 100 * t / c }')" \
    'everything else (other programs)' "$(seconds "$((machine - net - cal))")" "$(awk -v t="$((machine - net - cal))" -v c="$((wall * cores * CLK_TCK))" 'BEGIN { printf "%.0f", 100 * t / c }')"
}

install_caliper
[ -n "$NETWORK_JSON" ] || start_network

infoln "Writing Caliper's network configuration from $NETWORK_JSON"
NETWORK_CONFIG=$(node "$HERE/scripts/network-config.js" --network "$NETWORK_JSON" --out "$WORK_DIR") || fatalln "could not write the network configuration"

RUN_ID=$(date -u +%Y%m%dT%H%M%S)
export POLL_LEDGER_CALIPER_RUN_ID=$RUN_ID
mkdir -p "$REPORT_DIR"
CALIPER_LOG=$REPORT_DIR/caliper-$RUN_ID.log
infoln "Running Caliper: $(realpath --relative-to="$HERE" "$BENCH_CONFIG") (run $RUN_ID, load average $(cut -d' ' -f1-3 /proc/loadavg)); its output: $CALIPER_LOG"
NETWORK_RUN_DIR=$(dirname "$NETWORK_JSON")
cpu_start=("$SECONDS" "$(machine_busy_ticks)" "$(network_ticks "$NETWORK_RUN_DIR")")
# Its own process group (set -m), so that an interrupted run stops its workers too. Its output goes straight to a
# file: Node writes to files synchronously, so nothing is lost when Caliper exits.
: >"$CALIPER_LOG"
set -m
"$CALIPER_DIR/node_modules/.bin/caliper" launch manager \
  --caliper-workspace "$HERE" \
  --caliper-benchconfig "$BENCH_CONFIG" \
  --caliper-networkconfig "$NETWORK_CONFIG" \
  --caliper-flow-only-test \
  --caliper-fabric-gateway-enabled \
  --caliper-report-path "$WORK_DIR/report.html" \
  >>"$CALIPER_LOG" 2>&1 &
CALIPER_PID=$!
set +m
sample_group_ticks "$CALIPER_PID" "$WORK_DIR/caliper-cpu" &
SAMPLER_PID=$!
tail -n +1 -f --pid="$CALIPER_PID" "$CALIPER_LOG" \
  | grep --line-buffered -E 'Started round|Finished round|Failed round|Submitted:|workload\]|error|Error' \
  | grep --line-buffered -v -e 'Failed to perform submit transaction' -e 'ballots sent$' \
  | sed -u -E 's/\x1b\[[0-9;]*m//g; s/^(.{400}).+$/\1 [...]/; s/^/  /' &
TAIL_PID=$!
wait "$CALIPER_PID"
caliper_status=$?
CALIPER_PID=''
cpu_end=("$SECONDS" "$(machine_busy_ticks)" "$(network_ticks "$NETWORK_RUN_DIR")")
wait "$TAIL_PID" "$SAMPLER_PID" 2>/dev/null

print_report "$CALIPER_LOG"
print_cpu "$((cpu_end[0] - cpu_start[0]))" "$((cpu_end[1] - cpu_start[1]))" "$((cpu_end[2] - cpu_start[2]))" "$(group_ticks "$WORK_DIR/caliper-cpu")"
echo
if [ -f "$WORK_DIR/report.html" ]; then
  cp "$WORK_DIR/report.html" "$REPORT_DIR/report-$RUN_ID.html"
  successln "Caliper's HTML report: $REPORT_DIR/report-$RUN_ID.html; its full output: $CALIPER_LOG"
else
  warnln "Caliper wrote no report.html; its output: $CALIPER_LOG"
fi
[ "$caliper_status" = 0 ] || fatalln "caliper exited with $caliper_status"
