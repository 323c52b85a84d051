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

# Ports in use: read from the kernel's socket tables (/proc/net/tcp and tcp6), so that a port taken by another
# process is named before anything starts, instead of in the log of the node that then cannot bind it.

# _hex_ipv4 A.B.C.D: the address as /proc/net/tcp writes it (host byte order: little-endian machines).
_hex_ipv4() {
  local IFS=. a
  read -r -a a <<<"$1"
  printf '%02X%02X%02X%02X' "${a[3]}" "${a[2]}" "${a[1]}" "${a[0]}"
}

# _tcp_listeners: "PORT ADDRESS INODE" (port in hex, address as the tables write it) for every listening TCP
# socket; fails when there are no tables to read.
_tcp_listeners() {
  local tables=() f wrap=()
  for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && tables+=("$f"); done
  [ ${#tables[@]} -gt 0 ] || return 1
  # With PORTS_NETNS set, the tables of that network namespace (/proc/net is the reader's own namespace's).
  [ -z "${PORTS_NETNS:-}" ] || wrap=(ip netns exec "$PORTS_NETNS")
  # shellcheck disable=SC2016 # awk's own $ fields
  "${wrap[@]+"${wrap[@]}"}" awk 'FNR > 1 && $4 == "0A" { split($2, a, ":"); print a[2], a[1], $10 }' "${tables[@]}"   # 0A: LISTEN
}

# _listen_inodes HOST PORT LISTENERS: the socket inodes of the listeners (_tcp_listeners) that a bind to
# HOST:PORT collides with: on the wildcard address, on HOST itself, or on any address when HOST is not a plain
# IPv4 address.
_listen_inodes() {
  local host=$1 port=$2 want='' any=0 hexport addr inode
  if [[ "$host" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ "$host" != 0.0.0.0 ]; then
    want=$(_hex_ipv4 "$host")
  else
    any=1
  fi
  while read -r hexport addr inode; do
    [ -n "$hexport" ] || continue
    [ $((16#$hexport)) = "$port" ] || continue
    if [ $any = 1 ] || [[ "$addr" =~ ^0+$ ]] || [ "$addr" = "$want" ] || [ "$addr" = "0000000000000000FFFF0000$want" ]; then
      echo "$inode"
    fi
  done <<<"$3"
}

# port_holder HOST PORT [LISTENERS]: "pid N (command line)" of a process listening where HOST:PORT would bind;
# nothing (status 1) when the port is free. LISTENERS: _tcp_listeners' output, when the caller read it already.
port_holder() {
  local host=$1 port=$2 listeners=${3-} inodes inode link pid
  if [ $# -lt 3 ] && ! listeners=$(_tcp_listeners); then
    # No socket tables (not Linux): a connection that succeeds means a listener.
    port_open "$host" "$port" || return 1
    echo "a process this script cannot identify (try: lsof -iTCP:$port -sTCP:LISTEN)"
    return 0
  fi
  inodes=$(_listen_inodes "$host" "$port" "$listeners")
  [ -n "$inodes" ] || return 1
  for inode in $inodes; do
    [ "$inode" != 0 ] || continue
    link=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$inode\]" -print -quit 2>/dev/null)
    if [ -n "$link" ]; then
      pid=${link#/proc/}
      pid=${pid%%/*}
      echo "pid $pid ($(_proc_cmdline "$pid" || echo '?'))"
      return 0
    fi
  done
  echo "a process this user cannot see (try: sudo ss -ltnp 'sport = :$port')"
}

# check_ports_free HOST PORT=LABEL...: fail, naming each port in use and what holds it, when any of the ports
# is taken.
check_ports_free() {
  local host=$1 spec port holder busy=0 listeners tables=(); shift
  # The kernel's tables are read once for all the ports.
  if listeners=$(_tcp_listeners); then tables=("$listeners"); fi
  for spec in "$@"; do
    port=${spec%%=*}
    holder=$(port_holder "$host" "$port" "${tables[@]+"${tables[@]}"}") || continue
    errorln "port $port (${spec#*=}) is already in use by $holder"
    busy=1
  done
  return $busy
}

# require_built WORKSPACE...: the scripts run code of these workspace packages (protocol, fabric-client);
# fail clearly when one has not been built. scripts/ensure-deps.sh (npm start, npm test) builds them all.
require_built() {
  local ws
  for ws in "$@"; do
    [ -f "$POLL_LEDGER_ROOT/$ws/dist/index.js" ] \
      || fatalln "@poll-ledger/$ws is not built ($POLL_LEDGER_ROOT/$ws/dist is missing): run 'npm run build' first"
  done
}

# Process tracking: every process the scripts start has a pid file in $PID_DIR, so `down` stops exactly
# those and nothing else. <name>.pid holds the pid alone (the tests read it as a number); <name>.proc beside
# it records who that pid was when it started: pid=, start= (field 22 of /proc/PID/stat, clock ticks after
# boot), boot= (/proc/sys/kernel/random/boot_id) and exe= (the program started). After a reboot, or once the
# process has gone, the pid may name another process: a pid that is no longer ours is never signalled.

_boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null; }

# _proc_start PID: the process's start time in clock ticks after boot (field 22 of /proc/PID/stat; the
# fields after the command name, which may hold spaces and parentheses, start at field 3).
_proc_start() {
  local stat rest fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  read -r -a fields <<<"$rest"
  [ -n "${fields[19]:-}" ] && echo "${fields[19]}"
}

# _proc_cmdline PID: the command line, arguments separated by spaces, at most 100 characters.
_proc_cmdline() {
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  cmd=${cmd% }
  [ ${#cmd} -le 100 ] || cmd="${cmd:0:97}..."
  echo "$cmd"
}

_proc_file() { echo "${1%.pid}.proc"; }

# The program a process of this name runs, for pid files written before .proc files existed.
_expected_exe() { # name
  case $1 in
    ca.*) echo fabric-ca-server ;;
    peer*) echo peer ;;
    orderer*) echo orderer ;;
    gateway-db) echo 'runuser|postgres|bash' ;;   # test-network-scripts/lib/postgres.sh run
    ccserver* | gateway*) echo node ;;
    toxiproxy.*) echo toxiproxy-server ;;
    *) echo 'peer|orderer|fabric-ca-server|node' ;;
  esac
}

# _write_proc_file PIDFILE PID PROGRAM: record who PID is. Written before the pid file, so a pid file never
# lacks it. (Right after the fork the process may still be setsid, not PROGRAM: exec keeps the start time.)
_write_proc_file() {
  printf 'pid=%s\nstart=%s\nboot=%s\nexe=%s\n' "$2" "$(_proc_start "$2")" "$(_boot_id)" "$(basename "$3")" >"$(_proc_file "$1")"
}

# pid_check PIDFILE: 0 when the pid file names a running process that is the one the scripts started;
# 1 when it names none (no file, no number, not running); 2 when its pid now belongs to another process.
# Sets PID_CHECK_PID, and PID_CHECK_WHY (why it is not ours) on 2.
pid_check() {
  local f=$1 pid name proc key value rec_pid='' rec_start='' rec_boot='' exe cmd argv0
  PID_CHECK_PID='' PID_CHECK_WHY=''
  [ -f "$f" ] || return 1
  read -r pid <"$f" 2>/dev/null || [ -n "${pid:-}" ] || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || return 1
  PID_CHECK_PID=$pid
  kill -0 "$pid" 2>/dev/null || return 1
  # Without /proc (not Linux) nothing can be checked: the pid file is trusted, as before.
  [ -r /proc/self/stat ] || return 0
  proc=$(_proc_file "$f")
  if [ -f "$proc" ]; then
    while IFS='=' read -r key value; do
      case $key in pid) rec_pid=$value ;; start) rec_start=$value ;; boot) rec_boot=$value ;; esac
    done <"$proc"
  fi
  cmd=$(_proc_cmdline "$pid") || cmd='?'
  if [ "$rec_pid" = "$pid" ] && [ -n "$rec_start" ]; then
    if [ -n "$rec_boot" ] && [ "$rec_boot" != "$(_boot_id)" ]; then
      PID_CHECK_WHY="the pid file is from before a reboot, and pid $pid is now '$cmd'"
      return 2
    fi
    if [ "$rec_start" != "$(_proc_start "$pid")" ]; then
      PID_CHECK_WHY="pid $pid is now another process, '$cmd', started after the one recorded"
      return 2
    fi
    return 0
  fi
  # A pid file without its record (written by an older version of these scripts): the process must at least
  # run the program a node of this name runs.
  name=$(basename "$f" .pid)
  exe=$(_expected_exe "$name")
  argv0=${cmd%% *}
  argv0=${argv0##*/}
  if [[ "|$exe|" != *"|$argv0|"* ]]; then
    PID_CHECK_WHY="pid $pid is now '$cmd', not $exe"
    return 2
  fi
  return 0
}

# pid_alive PIDFILE: the process the pid file names runs, and is the one the scripts started.
pid_alive() { pid_check "$1"; }

# _forget_pidfile PIDFILE: remove a pid file whose pid is not ours (any more), saying why.
_forget_pidfile() {
  warnln "$(basename "$1" .pid): $PID_CHECK_WHY; not signalling it, removed the stale pid file $1"
  rm -f "$1" "$(_proc_file "$1")"
}

# start_bg NAME COMMAND...: run COMMAND in the background with its own log and pid file. With BG_NETNS set, it runs
# in that network namespace (an org's test host, lib/hosts.sh): `ip netns exec` executes COMMAND in place, so the
# pid is COMMAND's all the same.
start_bg() {
  local name=$1; shift
  local pidfile="$PID_DIR/$name.pid" log="$LOG_DIR/$name.log" pid rc wrap=()
  [ -z "${BG_NETNS:-}" ] || wrap=(ip netns exec "$BG_NETNS")
  pid_check "$pidfile"; rc=$?
  if [ $rc -eq 0 ]; then
    infoln "  $name already running (pid $PID_CHECK_PID)"
    return 0
  fi
  [ $rc -eq 2 ] && _forget_pidfile "$pidfile"
  # setsid gives the process its own group, so `down` can stop its children too.
  setsid "${wrap[@]+"${wrap[@]}"}" "$@" >>"$log" 2>&1 < /dev/null &
  pid=$!
  _write_proc_file "$pidfile" "$pid" "$1"
  echo "$pid" >"$pidfile"
  infoln "  started $name (pid $pid, log ${log#"$POLL_LEDGER_ROOT"/}${BG_NETNS:+, host $BG_NETNS})"
}

# stop_pidfiles PIDFILE...: SIGTERM every process group, wait up to 10 s, then SIGKILL. A pid that is not
# the process the scripts started (pid_check) is not signalled.
stop_pidfiles() {
  local f pid name rc pending=()
  for f in "$@"; do
    pid_check "$f"; rc=$?
    case $rc in
      0)
        pid=$PID_CHECK_PID
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
        pending+=("$f") ;;
      2) _forget_pidfile "$f" ;;
      *) rm -f "$f" "$(_proc_file "$f")" ;;
    esac
  done
  local i
  for ((i = 0; i < 40 && ${#pending[@]} > 0; i++)); do
    local still=()
    for f in "${pending[@]}"; do
      pid=$(cat "$f"); name=$(basename "$f" .pid)
      if kill -0 "$pid" 2>/dev/null; then still+=("$f"); else infoln "  stopped $name (pid $pid)"; rm -f "$f" "$(_proc_file "$f")"; fi
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -gt 0 ] && sleep 0.25
  done
  for f in "${pending[@]+"${pending[@]}"}"; do
    name=$(basename "$f" .pid)
    # Checked again: in those 10 s the process may have exited and its pid been reused.
    if pid_check "$f"; then
      pid=$PID_CHECK_PID
      warnln "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$f" "$(_proc_file "$f")"
  done
}
stop_pidfile() { stop_pidfiles "$1"; }
