# Log helpers in the style of fabric-samples' test-network (scripts/utils.sh).
# shellcheck shell=bash

C_RESET='\033[0m'; C_RED='\033[0;31m'; C_GREEN='\033[0;32m'; C_BLUE='\033[0;34m'; C_YELLOW='\033[1;33m'
[ -t 1 ] || { C_RESET=''; C_RED=''; C_GREEN=''; C_BLUE=''; C_YELLOW=''; }

_ts() { date +%H:%M:%S; }
infoln()    { echo -e "${C_BLUE}[$(_ts)] ${*}${C_RESET}"; }
successln() { echo -e "${C_GREEN}[$(_ts)] ${*}${C_RESET}"; }
warnln()    { echo -e "${C_YELLOW}[$(_ts)] WARNING: ${*}${C_RESET}" >&2; }
errorln()   { echo -e "${C_RED}[$(_ts)] ERROR: ${*}${C_RESET}" >&2; }
fatalln()   { errorln "$@"; exit 1; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  errorln "timed out after ${secs}s waiting for $what"
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# require_built WORKSPACE...: the scripts run code of these workspace packages (protocol, fabric-client);
# fail clearly when one has not been built. scripts/ensure-deps.sh (npm start, npm test) builds them all.
require_built() {
  local ws
  for ws in "$@"; do
    [ -f "$POLL_LEDGER_ROOT/$ws/dist/index.js" ] \
      || fatalln "@poll-ledger/$ws is not built ($POLL_LEDGER_ROOT/$ws/dist is missing): run 'npm run build' first"
  done
}

# Process tracking: every process the scripts start has a pid file in $PID_DIR, so
# `down` stops exactly those and nothing else.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_bg NAME COMMAND...: run COMMAND in the background with its own log and pid file.
start_bg() {
  local name=$1; shift
  local pidfile="$PID_DIR/$name.pid" log="$LOG_DIR/$name.log"
  if pid_alive "$pidfile"; then
    infoln "  $name already running (pid $(cat "$pidfile"))"
    return 0
  fi
  # setsid gives the process its own group, so `down` can stop its children too.
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  infoln "  started $name (pid $!, log ${log#"$POLL_LEDGER_ROOT"/})"
}

# stop_pidfiles PIDFILE...: SIGTERM every process group, wait up to 10 s, then SIGKILL.
stop_pidfiles() {
  local f pid name pending=()
  for f in "$@"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
      pending+=("$f")
    else
      rm -f "$f"
    fi
  done
  local i
  for ((i = 0; i < 40 && ${#pending[@]} > 0; i++)); do
    local still=()
    for f in "${pending[@]}"; do
      pid=$(cat "$f"); name=$(basename "$f" .pid)
      if kill -0 "$pid" 2>/dev/null; then still+=("$f"); else infoln "  stopped $name (pid $pid)"; rm -f "$f"; fi
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -gt 0 ] && sleep 0.25
  done
  for f in "${pending[@]+"${pending[@]}"}"; do
    pid=$(cat "$f"); name=$(basename "$f" .pid)
    warnln "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    rm -f "$f"
  done
}
stop_pidfile() { stop_pidfiles "$1"; }
