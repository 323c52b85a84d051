# Changes of the channel's rules, with Fabric's own tools (peer channel fetch/signconfigtx/update,
# configtxlator), and organizations that join later. Every change needs GOVERNANCE_ADMINS
# (network.config.sh): an observer admin plus a city or department admin. See docs/governance.md.
#
#   config fetch <out.json> [org]                      the channel config, decoded, as fetched by ORG's admin
#   config update <config.json> <modified.json> <update.pb>   the config update from one to the other
#   config sign <update.pb> <org>                      ORG's admin signs it (peer channel signconfigtx)
#   config submit <update.pb> <org>                    ORG's admin signs and submits it (peer channel update)
#   config check <config.json|block> [--verbose]       fails when the city administration, or the
#                                                      observers alone, could change any element
# shellcheck shell=bash

_config_tool() { node "$SCRIPTS_DIR/lib/config-tool.js" "$@"; }
_observer_msps() { (IFS=,; echo "${OBSERVER_MSPS[*]}"); }
_known_org() { [ -n "${ORG_MSP[$1]:-}" ] || fatalln "no org '$1' in this network (orgs: ${ORGS[*]})"; }

config_fetch() { # out.json [org]
  local out=$1 org=${2:-city} work
  _known_org "$org"
  work=$(mktemp -d "$RUN_DIR/tmp.XXXXXX")
  _orderer_flags
  if ! (peer_cli_env "$org"; "$FABRIC_BIN/peer" channel fetch config "$work/config.block" -c "$CHANNEL_NAME" "${ORDERER_FLAGS[@]}") \
      >>"$LOG_DIR/peer-cli.log" 2>&1; then
    rm -rf "$work"
    errorln "peer channel fetch config failed as ${ORG_MSP[$org]} admin, see $LOG_DIR/peer-cli.log"
    return 1
  fi
  "$FABRIC_BIN/configtxlator" proto_decode --type common.Block --input "$work/config.block" --output "$work/block.json" \
    && _config_tool block-config "$work/block.json" >"$out"
  local rc=$?
  rm -rf "$work"
  return $rc
}

config_update() { # config.json modified.json out.pb
  local original=$1 modified=$2 out=$3 work rc
  work=$(mktemp -d "$RUN_DIR/tmp.XXXXXX")
  # Say so when the result would let one side change the rules alone; the orderer decides.
  _config_tool check "$modified" "$(_observer_msps)" >/dev/null 2>"$work/check.txt" \
    || warnln "after this update, $(sed 's/^config-tool: //' "$work/check.txt")"
  (
    set -e
    "$FABRIC_BIN/configtxlator" proto_encode --type common.Config --input "$original" --output "$work/original.pb"
    "$FABRIC_BIN/configtxlator" proto_encode --type common.Config --input "$modified" --output "$work/modified.pb"
    "$FABRIC_BIN/configtxlator" compute_update --channel_id "$CHANNEL_NAME" --original "$work/original.pb" \
      --updated "$work/modified.pb" --output "$work/update.pb"
    "$FABRIC_BIN/configtxlator" proto_decode --type common.ConfigUpdate --input "$work/update.pb" --output "$work/update.json"
    _config_tool wrap-update "$work/update.json" "$CHANNEL_NAME" "$work/envelope.json"
    "$FABRIC_BIN/configtxlator" proto_encode --type common.Envelope --input "$work/envelope.json" --output "$out"
  ) 2>"$work/err.txt"
  rc=$?
  [ $rc -eq 0 ] || errorln "could not make the config update: $(cat "$work/err.txt")"
  rm -rf "$work"
  return $rc
}

config_sign() { # update.pb org
  _known_org "$2"
  local output
  output=$(peer_cli_env "$2"; "$FABRIC_BIN/peer" channel signconfigtx -f "$1" 2>&1) \
    || { errorln "${ORG_MSP[$2]} admin could not sign $1: $output"; return 1; }
  infoln "  signed by the ${ORG_MSP[$2]} admin: $1"
}

# The orderer checks the signatures against every changed element's mod_policy; its refusal is
# printed as is.
config_submit() { # update.pb org
  _known_org "$2"
  local output
  _orderer_flags
  output=$(peer_cli_env "$2"; "$FABRIC_BIN/peer" channel update -f "$1" -c "$CHANNEL_NAME" "${ORDERER_FLAGS[@]}" 2>&1)
  local rc=$?
  echo "$output" >>"$LOG_DIR/peer-cli.log"
  if [ $rc -ne 0 ]; then
    errorln "the orderer refused the config update submitted by the ${ORG_MSP[$2]} admin: $(echo "$output" | grep -m1 'Error' || echo "$output")"
    return 1
  fi
  successln "Config update $1 accepted (submitted by the ${ORG_MSP[$2]} admin)"
}

config_check() { # config.json | block [--verbose]
  local file=$1 json=$1 work rc
  shift
  work=$(mktemp -d "${TMPDIR:-/tmp}/poll-ledger-check.XXXXXX")
  if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$file" 2>/dev/null; then
    json="$work/block.json"
    "$FABRIC_BIN/configtxlator" proto_decode --type common.Block --input "$file" --output "$json" \
      || { rm -rf "$work"; errorln "$file is neither config JSON nor a block"; return 1; }
  fi
  _config_tool check "$json" "$(_observer_msps)" "$@"
  rc=$?
  rm -rf "$work"
  return $rc
}

config_verb() {
  local sub=${1:-}
  [ $# -gt 0 ] && shift
  case $sub in
    fetch) [ $# -ge 1 ] || fatalln "usage: network.sh config fetch <out.json> [org]"; config_fetch "$@" ;;
    update) [ $# -eq 3 ] || fatalln "usage: network.sh config update <config.json> <modified.json> <update.pb>"; config_update "$@" ;;
    sign) [ $# -eq 2 ] || fatalln "usage: network.sh config sign <update.pb> <org>"; config_sign "$@" ;;
    submit) [ $# -eq 2 ] || fatalln "usage: network.sh config submit <update.pb> <org>"; config_submit "$@" ;;
    check) [ $# -ge 1 ] || fatalln "usage: network.sh config check <config.json|block> [--verbose]"; config_check "$@" ;;
    *) fatalln "usage: network.sh config fetch|update|sign|submit|check ... (see docs/governance.md)" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# addOrg: a new application organization (a second department, a new observer) joins the running
# channel. Its definition is EXTRA_ORGS in network.config.sh (or given on the command line), and its
# channel policies are network/org.configtx.yaml.tmpl. Each step is skipped when already done, so a
# failed run can be repeated.

add_org() { # key [MSP-ID base-port]
  local key=${1:-} msp=${2:-} base=${3:-} o started=$SECONDS
  [[ "$key" =~ ^[a-z][a-z0-9]*$ ]] || fatalln "usage: network.sh addOrg <key> [<MSP-ID> <base-port>] (key: lower-case letters and digits)"
  if [ -z "$msp" ]; then
    [ -n "${EXTRA_ORGS[$key]:-}" ] \
      || fatalln "no org '$key' in EXTRA_ORGS (network/network.config.sh); name its MSP ID and base port: network.sh addOrg $key <MSP-ID> <base-port>"
    read -r msp base <<<"${EXTRA_ORGS[$key]}"
  fi
  [[ "$msp" =~ ^[A-Za-z][A-Za-z0-9.-]*$ ]] || fatalln "bad MSP ID '$msp'"
  [[ "$base" =~ ^[0-9]+$ ]] || fatalln "bad base port '$base'"
  [ -f "$(channel_block)" ] || fatalln "channel '$CHANNEL_NAME' does not exist in $RUN_DIR: run 'network.sh all' first"
  local rejoin=false
  if [ -n "${ORG_MSP[$key]:-}" ]; then
    for o in "${FOUNDING_ORGS[@]}"; do [ "$o" != "$key" ] || fatalln "'$key' is a founding organization"; done
    [ "${ORG_MSP[$key]}" = "$msp" ] && [ "${ORG_BASE[$key]}" = "$base" ] \
      || fatalln "'$key' has already joined as ${ORG_MSP[$key]} (base port ${ORG_BASE[$key]})"
    rejoin=true
  else
    for o in "${ORGS[@]}"; do
      [ "${ORG_MSP[$o]}" != "$msp" ] || fatalln "$msp is already the MSP of '$o'"
      [ "${ORG_BASE[$o]}" != "$base" ] || fatalln "base port $base is already used by '$o'"
    done
    ORGS+=("$key")
    ORG_MSP[$key]=$msp
    ORG_BASE[$key]=$base
  fi
  infoln "Adding $msp ('$key', ports $(org_port "$key" 0)-$(org_port "$key" 9)) to channel '$CHANNEL_NAME'"

  infoln "  its own Fabric CA and identities"
  hosts_up
  start_ca "$key"
  wait_ca "$key" || fatalln "the $key CA did not start, see $LOG_DIR/ca.$key.log"
  if [ ! -f "$(org_dir "$key")/.issued" ]; then enroll_org "$key" || fatalln "issuing identities of $key failed"; fi

  _add_org_to_config "$key"

  infoln "  its peer joins the channel"
  start_peer "$key"
  wait_for "peer0.$key" 60 node_port_open "$key" "$(peer_port "$key")" || fatalln "peer0.$key did not start, see $LOG_DIR/peer0.$key.log"
  join_peer "$key" || exit 1
  local height
  height=$(channel_height city)
  wait_for "peer0.$key at height >= $height" 60 _height_at_least "$key" "$height" \
    || fatalln "peer0.$key did not catch up with the channel, see $LOG_DIR/peer0.$key.log"

  infoln "  chaincode '$CC_NAME': install, chaincode server, approval of the committed definition"
  join_chaincode "$key"

  [ "$rejoin" = true ] || printf '%s %s %s\n' "$key" "$msp" "$base" >>"$RUN_DIR/joined-orgs"
  write_network_json
  if [ -f "$CC_WORK/package-id" ]; then wait_endorsers "$key"; fi
  successln "$msp ('$key') has joined '$CHANNEL_NAME' in $((SECONDS - started)) s; it is in no policy yet (docs/governance.md)"
}

# The config update that adds the org: fetched as the observer, its group from configtxgen -printOrg,
# its anchor peer and hardened mod_policies added (config-tool.js add-org), checked, signed by the
# observer admin, and signed and submitted by the city admin.
_add_org_to_config() { # key
  local key=$1 msp=${ORG_MSP[$1]} work orgcfg
  work=$(mktemp -d "$RUN_DIR/tmp.XXXXXX")
  config_fetch "$work/config.json" observer || { rm -rf "$work"; fatalln "could not fetch the channel config"; }
  if node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).channel_group.groups.Application.groups[process.argv[2]] ? 0 : 1)' \
      "$work/config.json" "$msp"; then
    infoln "  $msp is already in the channel config"
    rm -rf "$work"
    return 0
  fi
  infoln "  channel config update: add $msp (signed by the ObserverMSP admin and the CityMSP admin)"
  orgcfg="$CONFIG_DIR/org-$key"
  mkdir -p "$orgcfg"
  JOIN_ORG_MSP=$msp JOIN_ORG_DIR=$(org_dir "$key") render_template "$NETWORK_DIR/org.configtx.yaml.tmpl" >"$orgcfg/configtx.yaml" \
    || fatalln "could not render network/org.configtx.yaml.tmpl"
  "$FABRIC_BIN/configtxgen" -configPath "$orgcfg" -printOrg "$msp" >"$work/org.json" 2>>"$LOG_DIR/configtxgen.log" \
    || fatalln "configtxgen -printOrg $msp failed, see $LOG_DIR/configtxgen.log"
  _config_tool add-org "$work/config.json" "$work/org.json" "$msp" "$(org_host "$key")" "$(peer_port "$key")" "$work/modified.json" \
    || fatalln "could not add $msp to the channel config"
  _config_tool check "$work/modified.json" "$(_observer_msps)" >/dev/null || fatalln "adding $msp would weaken the channel's governance"
  config_update "$work/config.json" "$work/modified.json" "$work/add-$key.pb" || fatalln "could not make the config update"
  config_sign "$work/add-$key.pb" observer || fatalln "signing failed"
  config_submit "$work/add-$key.pb" city || fatalln "the config update adding $msp was refused"
  mkdir -p "$RUN_DIR/channel/updates"
  cp "$work/add-$key.pb" "$RUN_DIR/channel/updates/"
  rm -rf "$work"
}
