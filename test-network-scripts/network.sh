#!/usr/bin/env bash
# poll-ledger test network: a real Fabric 2.5 network of native processes on one host.
#
#   network.sh up [--full]     CAs, identities, orderer(s) and peers (quick: 1 orderer)
#   network.sh createChannel   channel 'polls' via channel participation
#   network.sh deployCC        this repo's chaincode as a service, approved by all orgs
#   network.sh all [--full]    up + createChannel + deployCC
#   network.sh status          what runs, on which port, and the channel height
#   network.sh down            stop what these scripts started (by pid) and delete state
#
# Defaults live in network/network.config.sh; see docs/network.md.
set -uo pipefail

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
CONFIG_DIR="$RUN_DIR/config"
export RUN_DIR HOST ORDERER_BATCH_TIMEOUT ORDERER_BATCH_MAX_MESSAGES
for lib in utils fabric-bin ca nodes channel chaincode; do
  # shellcheck source=/dev/null
  . "$SCRIPTS_DIR/lib/$lib.sh"
done

for org in "${ORGS[@]}"; do
  up=${org^^}
  export "${up}_PEER_PORT=$(peer_port "$org")" "${up}_ORDERER_PORT=$(orderer_port "$org")"
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
}

network_up() {
  infoln "Bringing up the poll-ledger network ($POLL_LEDGER_MODE mode) in $RUN_DIR"
  ensure_fabric_bins
  mkdir -p "$LOG_DIR" "$PID_DIR"
  echo "$POLL_LEDGER_MODE" >"$RUN_DIR/mode"
  prepare_fabric_config

  infoln "Starting one Fabric CA per organization"
  local org
  for org in "${ORGS[@]}"; do start_ca "$org"; done
  for org in "${ORGS[@]}"; do wait_ca "$org" || fatalln "the $org CA did not start, see $LOG_DIR/ca.$org.log"; done

  if [ ! -f "$RUN_DIR/orgs/.issued" ]; then
    infoln "Issuing identities (nodes, admins, and clients with role attributes)"
    for org in "${ORGS[@]}"; do enroll_org "$org" || fatalln "issuing identities of $org failed"; done
    touch "$RUN_DIR/orgs/.issued"
  fi

  infoln "Starting orderer(s): $(orderer_orgs)"
  for org in $(orderer_orgs); do start_orderer "$org"; done
  infoln "Starting peers"
  for org in "${ORGS[@]}"; do start_peer "$org"; done
  for org in $(orderer_orgs); do
    wait_for "orderer0.$org" 60 port_open "$HOST" "$(orderer_admin "$org")" || fatalln "orderer0.$org did not start, see $LOG_DIR/orderer0.$org.log"
  done
  for org in "${ORGS[@]}"; do
    wait_for "peer0.$org" 60 port_open "$HOST" "$(peer_port "$org")" || fatalln "peer0.$org did not start, see $LOG_DIR/peer0.$org.log"
  done
  restart_cc_servers
  write_network_json
  successln "Network is up: $(orderer_orgs | wc -w) orderer(s), ${#ORGS[@]} peers, ${#ORGS[@]} CAs"
}

# A machine-readable description of the running network for the gateway, the tests
# and the auditor: endpoints, TLS roots and identity files.
write_network_json() {
  local org role first=1
  {
    echo "{"
    echo "  \"mode\": \"$POLL_LEDGER_MODE\", \"channel\": \"$CHANNEL_NAME\", \"chaincode\": \"$CC_NAME\","
    echo "  \"orgs\": {"
    for org in "${ORGS[@]}"; do
      [ $first = 1 ] || echo ","
      first=0
      local d="$RUN_DIR/orgs/$org"
      printf '    "%s": { "mspId": "%s", "peerEndpoint": "%s:%s", "peerHostAlias": "localhost", "tlsCaCert": "%s",\n' \
        "$org" "${ORG_MSP[$org]}" "$HOST" "$(peer_port "$org")" "$d/peers/peer0/tls/ca.crt"
      printf '      "ordererEndpoint": "%s:%s", "caUrl": "%s",\n      "identities": {' "$HOST" "$(orderer_port "$org")" "$(ca_url "$org")"
      local r first_role=1
      for r in admin "${CLIENT_ROLES[@]}"; do
        [ $first_role = 1 ] || printf ','
        first_role=0
        printf '\n        "%s": { "certPath": "%s", "keyPath": "%s" }' "$r" "$d/users/$r/msp/signcerts/cert.pem" "$d/users/$r/msp/keystore/key.pem"
      done
      printf '\n      }\n    }'
    done
    echo ""
    echo "  }"
    echo "}"
  } >"$RUN_DIR/network.json"
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1]))' "$RUN_DIR/network.json" \
    || fatalln "wrote an invalid $RUN_DIR/network.json"
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
    printf '  %-22s %s:%s  height %s\n' "peer0.$org" "$HOST" "$(peer_port "$org")" "$(channel_height "$org" 2>/dev/null || echo '?')"
  done
}

network_down() {
  if [ -d "$PID_DIR" ]; then
    infoln "Stopping the processes started from $RUN_DIR"
    local layer f
    # Clients first (gateway, chaincode servers), then peers and orderers, then CAs.
    for layer in 'gateway*' 'ccserver*' 'peer* orderer*' 'ca.*'; do
      local files=() pattern
      for pattern in $layer; do
        for f in "$PID_DIR"/$pattern.pid; do [ -e "$f" ] && files+=("$f"); done
      done
      [ ${#files[@]} -gt 0 ] && stop_pidfiles "${files[@]}"
    done
  fi
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
  status) ensure_fabric_bins >/dev/null; network_status ;;
  down) network_down ;;
  *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [ -n "$verb" ] && exit 1 ;;
esac
