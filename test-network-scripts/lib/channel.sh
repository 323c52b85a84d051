# Channel `polls` by channel participation: no system channel. The genesis block is
# made with configtxgen, hardened (below), joined on each orderer with osnadmin, then on
# each peer.
# shellcheck shell=bash

channel_block() { echo "$RUN_DIR/channel/$CHANNEL_NAME.block"; }

# As ORG's admin, with the osnadmin client certificate of the org's admin-TLS CA (ca.sh): the
# orderer's admin endpoint accepts no other client certificate.
_osnadmin() { # org, args...
  local org=$1; shift
  "$FABRIC_BIN/osnadmin" "$@" -o "$(org_host "$org"):$(orderer_admin "$org")" \
    --ca-file "$RUN_DIR/orgs/$org/orderers/orderer0/tls/ca.crt" \
    --client-cert "$(admin_tls_cert "$org")" --client-key "$(admin_tls_key "$org")"
}

# configtxgen cannot set a mod_policy: every org group it writes, and each of the group's values
# (MSP, AnchorPeers, Endpoints) and policies, gets "Admins", the org's own admin alone. Before any
# node joins, we decode the block with configtxlator, point those mod_policies at the Admins policy
# of the org's section (GOVERNANCE_ADMINS: an observer plus the city or a department), encode it
# again, recompute the header's data hash, and check that no element of the config can be changed
# by the city administration or by the observers alone. Every party can run the same check on the
# block it is asked to join: `network.sh config check <block>`.
harden_genesis() { # raw block, hardened block
  local raw=$1 out=$2 work
  work=$(mktemp -d "$RUN_DIR/channel/harden.XXXXXX")
  (
    set -e
    "$FABRIC_BIN/configtxlator" proto_decode --type common.Block --input "$raw" --output "$work/raw.json"
    node "$SCRIPTS_DIR/lib/config-tool.js" harden "$work/raw.json" "$work/hardened.json"
    "$FABRIC_BIN/configtxlator" proto_encode --type common.Block --input "$work/hardened.json" --output "$work/encoded.block"
    node "$SCRIPTS_DIR/lib/config-tool.js" fix-data-hash "$work/encoded.block" "$work/final.block"
    "$FABRIC_BIN/configtxlator" proto_decode --type common.Block --input "$work/final.block" --output "$work/final.json"
    node "$SCRIPTS_DIR/lib/config-tool.js" check "$work/final.json" "$(IFS=,; echo "${OBSERVER_MSPS[*]}")"
  ) >>"$LOG_DIR/configtxgen.log" 2>&1 || { rm -rf "$work"; return 1; }
  mv "$work/final.block" "$out"
  rm -rf "$work"
}

create_channel() {
  local block org profile
  block=$(channel_block)
  profile=PollsQuick
  [ "$POLL_LEDGER_MODE" = full ] && profile=PollsFull
  if [ ! -f "$block" ]; then
    infoln "Creating the genesis block of channel '$CHANNEL_NAME' (profile $profile)"
    mkdir -p "$(dirname "$block")"
    "$FABRIC_BIN/configtxgen" -configPath "$CONFIG_DIR" -profile "$profile" -channelID "$CHANNEL_NAME" \
      -outputBlock "$block.configtxgen" >>"$LOG_DIR/configtxgen.log" 2>&1 \
      || fatalln "configtxgen failed, see $LOG_DIR/configtxgen.log"
    infoln "  every org's group, values and policies: mod_policy -> its section's Admins ($GOVERNANCE_ADMINS)"
    harden_genesis "$block.configtxgen" "$block" || fatalln "hardening the genesis block failed, see $LOG_DIR/configtxgen.log"
    rm -f "$block.configtxgen"
  fi
  for org in $(orderer_orgs); do
    if _osnadmin "$org" channel list 2>/dev/null | grep -q "\"name\": \"$CHANNEL_NAME\""; then
      infoln "  orderer0.$org has already joined '$CHANNEL_NAME'"
      continue
    fi
    infoln "  joining orderer0.$org to '$CHANNEL_NAME' (osnadmin)"
    _osnadmin "$org" channel join --channelID "$CHANNEL_NAME" --config-block "$block" >>"$LOG_DIR/osnadmin.log" 2>&1 \
      || fatalln "osnadmin channel join failed for orderer0.$org, see $LOG_DIR/osnadmin.log"
  done
  for org in "${ORGS[@]}"; do join_peer "$org" || exit 1; done
  wait_channel_height 1 || fatalln "peers did not receive the genesis block"
  successln "Channel '$CHANNEL_NAME' is up on $(orderer_orgs | wc -w) orderer(s) and ${#ORGS[@]} peers"
}

# Join ORG's peer with the genesis block; it then pulls every later block from the orderer (an org
# that joined later becomes a member at the config block that added it).
join_peer() { # org
  local org=$1 block
  block=$(channel_block)
  (
    peer_cli_env "$org"
    if "$FABRIC_BIN/peer" channel list 2>/dev/null | grep -qx "$CHANNEL_NAME"; then
      infoln "  peer0.$org has already joined '$CHANNEL_NAME'"
      exit 0
    fi
    infoln "  joining peer0.$org to '$CHANNEL_NAME'"
    local i
    # The orderer needs a moment to elect a Raft leader before peers can pull blocks.
    for i in 1 2 3 4 5 6 7 8 9 10; do
      "$FABRIC_BIN/peer" channel join -b "$block" >>"$LOG_DIR/peer-cli.log" 2>&1 && exit 0
      sleep 1
    done
    fatalln "peer0.$org could not join '$CHANNEL_NAME', see $LOG_DIR/peer-cli.log"
  )
}

channel_height() { # org
  (peer_cli_env "$1"; "$FABRIC_BIN/peer" channel getinfo -c "$CHANNEL_NAME" 2>/dev/null) \
    | sed -n 's/.*"height":\([0-9]*\).*/\1/p'
}

wait_channel_height() { # minimum height
  local org h
  for org in "${ORGS[@]}"; do
    wait_for "peer0.$org at height >= $1" 30 _height_at_least "$org" "$1" || return 1
  done
  h=$(channel_height city)
  infoln "  channel height: $h"
}

_height_at_least() { local h; h=$(channel_height "$1"); [ -n "$h" ] && [ "$h" -ge "$2" ]; }
