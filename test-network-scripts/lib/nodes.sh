# Peers and orderers as native processes on their org's host (org_host, network.config.sh; in the netns layout
# in the org's namespace, lib/hosts.sh), configured from Fabric's own sampleconfig/ (copied into the run
# directory) plus environment overrides.
# shellcheck shell=bash

peer_port()      { org_port "$1" 1; }
orderer_port()   { org_port "$1" 0; }
orderer_admin()  { org_port "$1" 3; }
cc_server_port() { org_port "$1" "$CC_PORT_SLOT"; }

# node_ports NAME: the ports the process NAME listens on, one PORT=LABEL a line (slots: network/network.config.sh).
node_ports() {
  local name=$1 org=${1##*.} slot
  case $name in
    ca.*) printf '%s\n' "$(org_port "$org" 4)=$name" "$(org_port "$org" 5)=$name operations" ;;
    peer0.*) printf '%s\n' "$(peer_port "$org")=$name" "$(org_port "$org" 2)=$name chaincode" "$(org_port "$org" 6)=$name operations" ;;
    orderer0.*) printf '%s\n' "$(orderer_port "$org")=$name" "$(orderer_admin "$org")=$name admin" "$(org_port "$org" 7)=$name operations" ;;
    ccserver*)
      # ccserver.<org> serves polls, ccserver-<chaincode>.<org> another chaincode (cc_process), on the port slot
      # deployCC recorded for it, or the one it will use.
      local cc=polls
      [[ "$name" == ccserver-* ]] && { cc=${name#ccserver-}; cc=${cc%.*}; }
      slot=$(cat "$RUN_DIR/chaincode/$cc/port-slot" 2>/dev/null) || slot=$CC_PORT_SLOT
      echo "$(org_port "$org" "$slot")=$name" ;;
    gateway) printf '%s\n' "$POLL_LEDGER_GATEWAY_PORT=gateway" "$POLL_LEDGER_GATEWAY_OPS_PORT=gateway operations" ;;
    gateway-db) [ -z "${POLL_LEDGER_GATEWAY_DB_PORT:-}" ] || echo "$POLL_LEDGER_GATEWAY_DB_PORT=gateway database" ;;
    *) return 1 ;;
  esac
}

# Copy Fabric's sampleconfig and point the peer at our chaincode-as-a-service builder.
prepare_fabric_config() {
  mkdir -p "$CONFIG_DIR"
  # BFT needs channel capability V3_0, which only Fabric 3 nodes accept.
  if [[ "$FABRIC_BUILT_VERSION" == 3.* ]]; then
    CHANNEL_CAPABILITY=V3_0
  else
    CHANNEL_CAPABILITY=V2_0
    [ "$POLL_LEDGER_MODE" = full ] && fatalln "full mode orders with BFT, which needs Fabric 3.1 (these binaries are v$FABRIC_BUILT_VERSION)"
  fi
  export CHANNEL_CAPABILITY
  cp "$FABRIC_SAMPLECONFIG/orderer.yaml" "$CONFIG_DIR/orderer.yaml"
  sed -e "s#path: /opt/hyperledger/ccaas_builder#path: $SCRIPTS_DIR/builders/ccaas#" \
      -e "s#name: ccaas_builder#name: poll-ledger-ccaas#" \
      -e "s#^\( *\)- CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG#\1- POLL_LEDGER_CC_HOST\n\1- POLL_LEDGER_CC_PORT_BASE#" \
      "$FABRIC_SAMPLECONFIG/core.yaml" >"$CONFIG_DIR/core.yaml"
  # (The list's indentation differs between Fabric releases: the replacement keeps the line's own.)
  { grep -q "path: $SCRIPTS_DIR/builders/ccaas" "$CONFIG_DIR/core.yaml" && grep -q -- "- POLL_LEDGER_CC_PORT_BASE" "$CONFIG_DIR/core.yaml"; } \
    || fatalln "could not point core.yaml's chaincode.externalBuilders at our builder: its layout changed in this Fabric version"
  render_template "$NETWORK_DIR/configtx.yaml.tmpl" >"$CONFIG_DIR/configtx.yaml" \
    || fatalln "could not render network/configtx.yaml.tmpl"
  if [ "$CHANNEL_CAPABILITY" = V3_0 ]; then
    render_template "$NETWORK_DIR/configtx.full-profile.yaml.tmpl" | grep -v '^#' >>"$CONFIG_DIR/configtx.yaml" \
      || fatalln "could not render network/configtx.full-profile.yaml.tmpl"
  fi
}

# Replace ${VAR} with the environment's value; an unset variable is an error.
render_template() {
  perl -pe 's/\$\{(\w+)\}/exists $ENV{$1} ? $ENV{$1} : die("unset variable $1 in template\n")/ge' "$1"
}

start_peer() { # org
  local org=$1 dir port host
  dir="$RUN_DIR/orgs/$org/peers/peer0"
  port=$(peer_port "$org")
  host=$(org_host "$org")
  mkdir -p "$RUN_DIR/data/peer0.$org"
  BG_NETNS=$(org_netns "$org") \
  FABRIC_CFG_PATH="$CONFIG_DIR" \
  FABRIC_LOGGING_SPEC="${PEER_LOGGING_SPEC:-info:gossip,discovery,comm.grpc.server=warning}" \
  CORE_PEER_ID="peer0.$org" \
  CORE_PEER_ADDRESS="$host:$port" \
  CORE_PEER_LISTENADDRESS="$(node_listen_host "$org" "$port"):$port" \
  CORE_PEER_CHAINCODEADDRESS="$host:$(org_port "$org" 2)" \
  CORE_PEER_CHAINCODELISTENADDRESS="$host:$(org_port "$org" 2)" \
  CORE_PEER_GOSSIP_EXTERNALENDPOINT="$host:$port" \
  CORE_PEER_GOSSIP_BOOTSTRAP="$host:$port" \
  CORE_PEER_GOSSIP_ALIVETIMEINTERVAL="${GOSSIP_ALIVE_INTERVAL:-2s}" \
  CORE_PEER_GOSSIP_RECONNECTINTERVAL="${GOSSIP_RECONNECT_INTERVAL:-3s}" \
  CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL="${GOSSIP_STATEINFO_INTERVAL:-1s}" \
  CORE_PEER_LOCALMSPID="${ORG_MSP[$org]}" \
  CORE_PEER_MSPCONFIGPATH="$dir/msp" \
  CORE_PEER_TLS_ENABLED=true \
  CORE_PEER_TLS_CERT_FILE="$dir/tls/server.crt" \
  CORE_PEER_TLS_KEY_FILE="$dir/tls/server.key" \
  CORE_PEER_TLS_ROOTCERT_FILE="$dir/tls/ca.crt" \
  CORE_PEER_FILESYSTEMPATH="$RUN_DIR/data/peer0.$org" \
  CORE_LEDGER_SNAPSHOTS_ROOTDIR="$RUN_DIR/data/peer0.$org/snapshots" \
  CORE_LEDGER_HISTORY_ENABLEHISTORYDATABASE=true \
  CORE_OPERATIONS_LISTENADDRESS="$host:$(org_port "$org" 6)" \
  CORE_METRICS_PROVIDER=prometheus \
  CORE_VM_ENDPOINT="" \
  POLL_LEDGER_CC_HOST="$host" \
  POLL_LEDGER_CC_PORT_BASE="$(org_port "$org" 0)" \
    start_bg "peer0.$org" "$FABRIC_BIN/peer" node start
}

# The admin endpoint (osnadmin) accepts only client certificates of the org's admin-TLS CA (ca.sh).
start_orderer() { # org
  local org=$1 dir data host
  dir="$RUN_DIR/orgs/$org/orderers/orderer0"
  data="$RUN_DIR/data/orderer0.$org"
  host=$(org_host "$org")
  mkdir -p "$data"
  BG_NETNS=$(org_netns "$org") \
  FABRIC_CFG_PATH="$CONFIG_DIR" \
  FABRIC_LOGGING_SPEC="${ORDERER_LOGGING_SPEC:-info}" \
  ORDERER_GENERAL_LISTENADDRESS="$(node_listen_host "$org" "$(orderer_port "$org")")" \
  ORDERER_GENERAL_LISTENPORT="$(orderer_port "$org")" \
  ORDERER_GENERAL_LOCALMSPID="${ORG_MSP[$org]}" \
  ORDERER_GENERAL_LOCALMSPDIR="$dir/msp" \
  ORDERER_GENERAL_TLS_ENABLED=true \
  ORDERER_GENERAL_TLS_PRIVATEKEY="$dir/tls/server.key" \
  ORDERER_GENERAL_TLS_CERTIFICATE="$dir/tls/server.crt" \
  ORDERER_GENERAL_TLS_ROOTCAS="[$dir/tls/ca.crt]" \
  ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$dir/tls/server.crt" \
  ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$dir/tls/server.key" \
  ORDERER_GENERAL_CLUSTER_ROOTCAS="[$(all_ca_certs)]" \
  ORDERER_GENERAL_BOOTSTRAPMETHOD=none \
  ORDERER_CHANNELPARTICIPATION_ENABLED=true \
  ORDERER_FILELEDGER_LOCATION="$data/ledger" \
  ORDERER_CONSENSUS_WALDIR="$data/etcdraft/wal" \
  ORDERER_CONSENSUS_SNAPDIR="$data/etcdraft/snap" \
  ORDERER_ADMIN_LISTENADDRESS="$host:$(orderer_admin "$org")" \
  ORDERER_ADMIN_TLS_ENABLED=true \
  ORDERER_ADMIN_TLS_PRIVATEKEY="$dir/tls/server.key" \
  ORDERER_ADMIN_TLS_CERTIFICATE="$dir/tls/server.crt" \
  ORDERER_ADMIN_TLS_ROOTCAS="[$dir/tls/ca.crt]" \
  ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true \
  ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$(admin_tls_ca "$org")]" \
  ORDERER_OPERATIONS_LISTENADDRESS="$host:$(org_port "$org" 7)" \
  ORDERER_METRICS_PROVIDER=prometheus \
    start_bg "orderer0.$org" "$FABRIC_BIN/orderer"
}

all_ca_certs() {
  local org out=()
  for org in "${ORGS[@]}"; do out+=("$RUN_DIR/orgs/$org/msp/cacerts/ca.pem"); done
  (IFS=,; echo "${out[*]}")
}

# Environment for the peer CLI acting as ORG's admin against ORG's peer.
peer_cli_env() { # org
  local org=$1
  export FABRIC_CFG_PATH="$CONFIG_DIR"
  export CORE_PEER_TLS_ENABLED=true
  export CORE_PEER_LOCALMSPID="${ORG_MSP[$org]}"
  export CORE_PEER_MSPCONFIGPATH="$RUN_DIR/orgs/$org/users/admin/msp"
  export CORE_PEER_ADDRESS
  CORE_PEER_ADDRESS="$(org_host "$org"):$(peer_port "$org")"
  export CORE_PEER_TLS_ROOTCERT_FILE="$RUN_DIR/orgs/$org/peers/peer0/tls/ca.crt"
  export FABRIC_LOGGING_SPEC=warning
}

orderer_ca() { echo "$RUN_DIR/orgs/city/orderers/orderer0/tls/ca.crt"; }
