# Channel `polls` by channel participation: no system channel. The genesis block is
# made with configtxgen, joined on each orderer with osnadmin, then on each peer.
# shellcheck shell=bash

channel_block() { echo "$RUN_DIR/channel/$CHANNEL_NAME.block"; }

_osnadmin() { # org, args...
  local org=$1; shift
  local tls="$RUN_DIR/orgs/$org/orderers/orderer0/tls"
  "$FABRIC_BIN/osnadmin" "$@" -o "$HOST:$(orderer_admin "$org")" \
    --ca-file "$tls/ca.crt" --client-cert "$tls/server.crt" --client-key "$tls/server.key"
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
      -outputBlock "$block" >>"$LOG_DIR/configtxgen.log" 2>&1 \
      || fatalln "configtxgen failed, see $LOG_DIR/configtxgen.log"
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
  for org in "${ORGS[@]}"; do
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
    ) || exit 1
  done
  wait_channel_height 1 || fatalln "peers did not receive the genesis block"
  successln "Channel '$CHANNEL_NAME' is up on $(orderer_orgs | wc -w) orderer(s) and ${#ORGS[@]} peers"
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
