#!/usr/bin/env bash
# poll-ledger test network: a real Fabric 3.1 network of native processes on one host (or a test host per org).
#
#   network.sh up [--full]     CAs, identities, orderer(s) and peers (quick: 1 Raft orderer; full: 4 BFT)
#   network.sh createChannel   channel 'polls' via channel participation
#   network.sh deployCC        this repo's chaincode as a service, approved by all orgs
#   network.sh all [--full]    up + createChannel + deployCC
#   network.sh addOrg <key> [<MSP-ID> <base-port>]
#                              a new org joins the channel: CA, identities, config update signed by
#                              the observer and the city, peer, chaincode (EXTRA_ORGS in network.config.sh)
#   network.sh config fetch|update|sign|submit|check ...
#                              channel config changes with Fabric's tools (docs/governance.md)
#   network.sh start <node>    start one stopped node again: orderer0.<org> or peer0.<org>
#   network.sh stop <node>     stop one node (SIGTERM; the fault tests use SIGKILL themselves)
#   network.sh status          what runs, on which host and port, and the channel height
#   network.sh cut <org>       netns layout: take the org's link down, cutting its host off from every other
#   network.sh heal <org>      ... and up again (a partition and its end, for the fault tests)
#   network.sh checkPorts [--full] [--gateway]
#                              fail, naming the holder, when a port the network (and the gateway) will listen
#                              on is taken; up, all and start check this before starting anything
#   network.sh down            stop what these scripts started (by pid) and delete state (and the test hosts)
#
# POLL_LEDGER_HOSTS=netns (with up or all) runs each org on a test host of its own: a network namespace with its own
# address on a bridge, as root (lib/hosts.sh); POLL_LEDGER_WAN_DELAY_MS adds WAN-like delay between them (Toxiproxy).
# Defaults live in network/network.config.sh; see docs/network.md and docs/governance.md.
set -uo pipefail
# Keys, enrollment secrets and the CAs' configs are in the run directory: only its owner may read it.
umask 077

POLL_LEDGER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS_DIR="$POLL_LEDGER_ROOT/test-network-scripts"
NETWORK_DIR="$POLL_LEDGER_ROOT/network"
export POLL_LEDGER_ROOT

# shellcheck source=../network/network.config.sh
. "$NETWORK_DIR/network.config.sh"
RUN_DIR=$POLL_LEDGER_RUN_DIR
HOST=$POLL_LEDGER_HOST
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# shellcheck disable=SC2034 # CONFIG_DIR is used by lib/*.sh; GOVERNANCE_ADMINS holds quotes on purpose (a policy)
CONFIG_DIR="$RUN_DIR/config"
# shellcheck disable=SC2090
export RUN_DIR HOST ORDERER_BATCH_TIMEOUT ORDERER_BATCH_MAX_MESSAGES GOVERNANCE_ADMINS BFT_LEADER_HEARTBEAT_TIMEOUT BFT_REQUEST_COMPLAIN_TIMEOUT BFT_VIEW_CHANGE_TIMEOUT
for lib in utils fabric-bin ca nodes channel chaincode governance hosts; do
  # shellcheck source=/dev/null
  . "$SCRIPTS_DIR/lib/$lib.sh"
done

for org in "${ORGS[@]}"; do
  up=${org^^}
  export "${up}_PEER_PORT=$(peer_port "$org")" "${up}_ORDERER_PORT=$(orderer_port "$org")" "${up}_HOST=$(org_host "$org")"
done

parse_mode() {
  local arg
  for arg in "$@"; do
    case $arg in
      --full) POLL_LEDGER_MODE=full ;;
      --quick) POLL_LEDGER_MODE=quick ;;
      *) fatalln "unknown option '$arg'" ;;
    esac
  done
  if [ -f "$RUN_DIR/mode" ]; then
    local current
    current=$(cat "$RUN_DIR/mode")
    if [ "$current" != "$POLL_LEDGER_MODE" ] && [ $# -gt 0 ]; then
      fatalln "the network in $RUN_DIR was set up in $current mode; run 'network.sh down' first"
    fi
    POLL_LEDGER_MODE=$current
  fi
  hosts_check_layout
}

network_up() {
  infoln "Bringing up the poll-ledger network ($POLL_LEDGER_MODE mode) in $RUN_DIR"
  check_network_ports
  check_client_roles
  ensure_fabric_bins
  ensure_toxiproxy
  mkdir -p "$LOG_DIR" "$PID_DIR"
  hosts_up
  echo "$POLL_LEDGER_MODE" >"$RUN_DIR/mode"
  prepare_fabric_config
  start_wan_proxies

  infoln "Starting one Fabric CA per organization"
  local org
  for org in "${ORGS[@]}"; do start_ca "$org"; done
  for org in "${ORGS[@]}"; do wait_ca "$org" || fatalln "the $org CA did not start, see $LOG_DIR/ca.$org.log"; done

  for org in "${ORGS[@]}"; do
    # (orgs/.issued: a run directory from before per-org markers, whose founders are issued.)
    if [ ! -f "$(org_dir "$org")/.issued" ] && ! { [ -f "$RUN_DIR/orgs/.issued" ] && [[ " ${FOUNDING_ORGS[*]} " == *" $org "* ]]; }; then
      infoln "Issuing identities of $org (nodes, admin, clients with role attributes; one enrollment each)"
      enroll_org "$org" || fatalln "issuing identities of $org failed"
    fi
    issue_admin_tls "$org" || fatalln "issuing the osnadmin client certificate of $org failed"
  done

  infoln "Starting orderer(s): $(orderer_orgs)"
  for org in $(orderer_orgs); do start_orderer "$org"; done
  infoln "Starting peers"
  for org in "${ORGS[@]}"; do start_peer "$org"; done
  for org in $(orderer_orgs); do
    wait_for "orderer0.$org" 60 port_open "$(org_host "$org")" "$(orderer_admin "$org")" || fatalln "orderer0.$org did not start, see $LOG_DIR/orderer0.$org.log"
  done
  for org in "${ORGS[@]}"; do
    wait_for "peer0.$org" 60 node_port_open "$org" "$(peer_port "$org")" || fatalln "peer0.$org did not start, see $LOG_DIR/peer0.$org.log"
  done
  restart_cc_servers
  write_network_json
  successln "Network is up: $(orderer_orgs | wc -w) orderer(s), ${#ORGS[@]} peers, ${#ORGS[@]} CAs"
}

# The processes of this network and the ports each listens on (node_ports), as PORT=LABEL lines, leaving out
# the processes of this run directory that run already: their ports are theirs. --gateway adds the gateway's.
network_ports() {
  local names=() org name cc ccs=("$CC_NAME") work
  for work in "$RUN_DIR"/chaincode/*/; do
    [ -f "$work/package-id" ] && [ "$(basename "$work")" != "$CC_NAME" ] && ccs+=("$(basename "$work")")
  done
  for org in "${ORGS[@]}"; do names+=("ca.$org" "peer0.$org"); done
  for org in $(orderer_orgs); do names+=("orderer0.$org"); done
  for cc in "${ccs[@]}"; do
    for org in "${ORGS[@]}"; do names+=("$(CC_NAME=$cc cc_process "$org")"); done
  done
  # The gateway, and its PostgreSQL server unless it runs without one (gateway.sh).
  if [ "${1:-}" = --gateway ]; then
    names+=(gateway)
    [ "${POLL_LEDGER_GATEWAY_DB:-postgres}" = memory ] || names+=(gateway-db)
  fi
  for name in "${names[@]}"; do
    pid_alive "$PID_DIR/$name.pid" || node_ports "$name"
  done
}

# check_network_ports [--gateway | NODE]: stop, naming what holds it, when a port that the network (or only
# NODE) is about to listen on is taken. Nothing has been started then.
check_network_ports() {
  local ports=()
  if [ -n "${1:-}" ] && [ "$1" != --gateway ]; then
    pid_alive "$PID_DIR/$1.pid" || mapfile -t ports < <(node_ports "$1")
  else
    mapfile -t ports < <(network_ports "$@")
  fi
  [ ${#ports[@]} -eq 0 ] && return 0
  _check_ports_by_host "${ports[@]}" \
    || fatalln "nothing was started: stop what holds the port(s) above, or run this network on other ports with POLL_LEDGER_PORT_OFFSET=<n> (network/network.config.sh)"
}

# _check_ports_by_host PORT=LABEL...: check_ports_free where each port will be bound. Single layout: all on $HOST. Netns
# layout: a node's on its org's host, in its namespace (once it exists: a new one holds nothing; behind a Toxiproxy, on
# the host's loopback); the gateway's and its database's on its org's host too (gateway_host, network.config.sh).
_check_ports_by_host() {
  hosts_netns || { check_ports_free "$HOST" "$@"; return; }
  local spec name org busy=0 specs=() direct=() behind=()
  declare -A of_org=()
  for spec in "$@"; do
    name=${spec#*=} && name=${name%% *}
    if [ "$name" = gateway ]; then org=$GATEWAY_ORG; else org=${name##*.}; fi
    of_org[$org]+="$spec"$'\n'
  done
  for org in "${!of_org[@]}"; do
    [ -e "/run/netns/$(org_netns "$org")" ] || continue
    mapfile -t specs < <(printf '%s' "${of_org[$org]}")
    direct=() behind=()
    for spec in "${specs[@]}"; do
      if wan_delay_on && _wan_proxied "$org" "${spec%%=*}"; then behind+=("$spec"); else direct+=("$spec"); fi
    done
    [ ${#direct[@]} -eq 0 ] || PORTS_NETNS=$(org_netns "$org") check_ports_free "$(org_host "$org")" "${direct[@]}" || busy=1
    [ ${#behind[@]} -eq 0 ] || PORTS_NETNS=$(org_netns "$org") check_ports_free 127.0.0.1 "${behind[@]}" || busy=1
  done
  return $busy
}

# CLIENT_ROLES (network/network.config.sh) are the client identities each CA issues; network.json lists one
# identity per role of @poll-ledger/protocol (ROLES) and expects its files. The two lists must be the same, in
# the same order: checked before anything starts, so a mismatch never issues half an org.
check_client_roles() {
  require_built protocol
  local roles
  roles=$(node -e 'process.stdout.write(require(process.argv[1]).ROLES.join(" "))' "$POLL_LEDGER_ROOT/protocol") \
    || fatalln "could not read ROLES from @poll-ledger/protocol"
  [ "$roles" = "${CLIENT_ROLES[*]}" ] \
    || fatalln "CLIENT_ROLES in network/network.config.sh (${CLIENT_ROLES[*]}) must equal ROLES in protocol/src/roles.ts ($roles)"
}

# network.json: the machine-readable description of the running network (endpoints, TLS roots, identity
# files) that gateway.sh, the tests, the benchmarks and the auditor read. Its schema is protocol/src/network.ts
# and protocol/bin/network-json.js is its one writer; it derives each identity's files from the org directory
# as enroll_org lays them out: users/<admin|role>/msp/signcerts/cert.pem and msp/keystore/key.pem.
write_network_json() {
  require_built protocol
  local org dir orgs=()
  for org in "${ORGS[@]}"; do
    dir=$(org_dir "$org")
    # 8 words per org: key, MSP ID, peer endpoint, the TLS name of the peer (its certificate's SAN, see
    # _register_enroll), peer TLS CA, orderer endpoint, CA URL, org directory.
    orgs+=("$org" "${ORG_MSP[$org]}" "$(org_host "$org"):$(peer_port "$org")" localhost "$dir/peers/peer0/tls/ca.crt"
      "$(org_host "$org"):$(orderer_port "$org")" "$(ca_url "$org")" "$dir")
  done
  node "$POLL_LEDGER_ROOT/protocol/bin/network-json.js" write "$RUN_DIR/network.json" \
    "$POLL_LEDGER_MODE" "$CHANNEL_NAME" "$CC_NAME" "${orgs[@]}" \
    || fatalln "could not write $RUN_DIR/network.json"
  # Read back through the protocol's schema, and every file it names must exist.
  node - "$POLL_LEDGER_ROOT/protocol" "$RUN_DIR/network.json" <<'JS' || fatalln "$RUN_DIR/network.json does not match the network"
const fs = require('node:fs');
const [protocolDir, file] = process.argv.slice(2);
try {
  const network = require(protocolDir).readNetworkFile(file);
  const missing = Object.entries(network.orgs).flatMap(([key, org]) =>
    [org.tlsCaCert, ...Object.values(org.identities).flatMap((id) => [id.certPath, id.keyPath])]
      .filter((f) => !fs.existsSync(f))
      .map((f) => `${key}: ${f}`));
  if (missing.length > 0) throw new Error(`it names files that do not exist:\n  ${missing.join('\n  ')}`);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
JS
}

# One node, from the kept state (`up` restarts every stopped one; the fault tests need them one at a time).
_node_org() { # name → org, or fail
  local org=${1#*.}
  [ -n "${ORG_MSP[$org]:-}" ] || fatalln "no organization '$org' in this network (${ORGS[*]})"
  echo "$org"
}

node_start() { # name
  [ -f "$RUN_DIR/mode" ] || fatalln "no network in $RUN_DIR"
  local org
  org=$(_node_org "$1") || exit 1
  case $1 in
    orderer0.*)
      [[ " $(orderer_orgs) " == *" $org "* ]] || fatalln "$org runs no orderer in $POLL_LEDGER_MODE mode"
      check_network_ports "$1"
      start_orderer "$org"
      wait_for "$1" 60 port_open "$(org_host "$org")" "$(orderer_admin "$org")" || fatalln "$1 did not start, see $LOG_DIR/$1.log" ;;
    peer0.*)
      check_network_ports "$1"
      start_peer "$org"
      wait_for "$1" 60 node_port_open "$org" "$(peer_port "$org")" || fatalln "$1 did not start, see $LOG_DIR/$1.log" ;;
    *) fatalln "start/stop know orderer0.<org> and peer0.<org>, not '$1'" ;;
  esac
}

node_stop() { # name
  _node_org "$1" >/dev/null || exit 1
  [[ "$1" == orderer0.* || "$1" == peer0.* ]] || fatalln "start/stop know orderer0.<org> and peer0.<org>, not '$1'"
  if pid_alive "$PID_DIR/$1.pid"; then stop_pidfile "$PID_DIR/$1.pid"; else infoln "  $1 is not running"; fi
}

# A stopped peer's state and history databases dropped (Fabric's `peer node rebuild-dbs`): they are rebuilt from its
# block store on the next start. For the fault tests: a peer that lost its state database.
node_rebuild_dbs() { # peer0.<org>
  local org
  org=$(_node_org "$1") || exit 1
  [[ "$1" == peer0.* ]] || fatalln "rebuildDbs knows peer0.<org>, not '$1'"
  pid_alive "$PID_DIR/$1.pid" && fatalln "$1 is running: stop it first"
  infoln "Dropping the state, history and other derived databases of $1 (they are rebuilt from its blocks at start)"
  FABRIC_CFG_PATH="$CONFIG_DIR" \
  CORE_PEER_FILESYSTEMPATH="$RUN_DIR/data/peer0.$org" \
  CORE_LEDGER_SNAPSHOTS_ROOTDIR="$RUN_DIR/data/peer0.$org/snapshots" \
  CORE_PEER_LOCALMSPID="${ORG_MSP[$org]}" \
  CORE_PEER_MSPCONFIGPATH="$RUN_DIR/orgs/$org/peers/peer0/msp" \
    "$FABRIC_BIN/peer" node rebuild-dbs >>"$LOG_DIR/$1.log" 2>&1 || fatalln "peer node rebuild-dbs failed, see $LOG_DIR/$1.log"
}

network_status() {
  if [ ! -d "$PID_DIR" ]; then
    infoln "No network in $RUN_DIR"
    return 0
  fi
  infoln "Network in $RUN_DIR ($(cat "$RUN_DIR/mode" 2>/dev/null) mode)"
  local f name
  for f in "$PID_DIR"/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if pid_alive "$f"; then
      printf '  %-22s running  pid %-7s rss %6s KiB\n' "$name" "$(cat "$f")" "$(ps -o rss= -p "$(cat "$f")" | tr -d ' ')"
    else
      printf '  %-22s STOPPED  (log: %s)\n' "$name" "$LOG_DIR/$name.log"
    fi
  done
  local org
  for org in "${ORGS[@]}"; do
    printf '  %-22s %s:%s  height %s\n' "peer0.$org" "$(org_host "$org")" "$(peer_port "$org")" "$(channel_height "$org" 2>/dev/null || echo '?')"
  done
  if hosts_netns; then
    for org in "${ORGS[@]}"; do printf '  host of %-14s %s\n' "$org" "$(hosts_link_state "$org")"; done
  fi
}

network_down() {
  if [ -d "$PID_DIR" ]; then
    infoln "Stopping the processes started from $RUN_DIR"
    local layer f patterns=()
    # Clients first (gateway, chaincode servers), then peers and orderers, their Toxiproxies, then CAs.
    for layer in 'gateway*' 'ccserver*' 'peer* orderer*' 'toxiproxy.*' 'ca.*'; do
      local files=() pattern
      # Split into patterns without globbing them against the working directory (from the repo root, 'gateway*'
      # would become its gateway/ directory, and the gateway's database would be left running).
      read -r -a patterns <<<"$layer"
      for pattern in "${patterns[@]}"; do
        for f in "$PID_DIR"/$pattern.pid; do [ -e "$f" ] && files+=("$f"); done
      done
      [ ${#files[@]} -gt 0 ] && stop_pidfiles "${files[@]}"
    done
  fi
  hosts_down || fatalln "the test hosts of $RUN_DIR are left (above); the run directory is kept"
  if [ -d "$RUN_DIR" ]; then
    rm -rf "$RUN_DIR"
    infoln "Removed $RUN_DIR"
  fi
  successln "Network is down"
}

verb=${1:-}
[ $# -gt 0 ] && shift
case $verb in
  up) parse_mode "$@"; network_up ;;
  createChannel) parse_mode; ensure_fabric_bins; create_channel ;;
  deployCC) parse_mode; ensure_fabric_bins; deploy_chaincode ;;
  all) parse_mode "$@"; network_up && create_channel && deploy_chaincode ;;
  addOrg) parse_mode; ensure_fabric_bins; add_org "$@" ;;
  config) parse_mode; ensure_fabric_bins >/dev/null; config_verb "$@" ;;
  start) [ $# -eq 1 ] || fatalln "usage: network.sh start <node>"; parse_mode; ensure_fabric_bins >/dev/null; node_start "$1" ;;
  stop) [ $# -eq 1 ] || fatalln "usage: network.sh stop <node>"; node_stop "$1" ;;
  rebuildDbs) [ $# -eq 1 ] || fatalln "usage: network.sh rebuildDbs peer0.<org>"; ensure_fabric_bins >/dev/null; node_rebuild_dbs "$1" ;;
  status) ensure_fabric_bins >/dev/null; network_status ;;
  checkPorts)
    gateway=()
    for arg in "$@"; do [ "$arg" = --gateway ] && gateway=(--gateway); done
    mode_args=()
    for arg in "$@"; do [ "$arg" != --gateway ] && mode_args+=("$arg"); done
    parse_mode "${mode_args[@]+"${mode_args[@]}"}"
    check_network_ports "${gateway[@]+"${gateway[@]}"}" && successln "No port of the network is taken by another process (offset $POLL_LEDGER_PORT_OFFSET)" ;;
  cut) [ $# -eq 1 ] || fatalln "usage: network.sh cut <org>"; hosts_cut "$1" ;;
  heal) [ $# -eq 1 ] || fatalln "usage: network.sh heal <org>"; hosts_heal "$1" ;;
  down) network_down ;;
  *) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [ -n "$verb" ] && exit 1 ;;
esac
