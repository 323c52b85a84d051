# Deploys this repo's chaincode/ package as a chaincode service (CCaaS): one package
# for all orgs, one chaincode server process per org, then the Fabric lifecycle
# (install, approve by every org, commit). The label carries a hash of the code the
# chaincode server runs (its built code, and that of the workspace packages it loads,
# such as @poll-ledger/protocol), so new code means a new chaincode definition that the
# observer must approve. So does a new endorsement policy (CC_ENDORSEMENT_POLICY): a definition
# is re-used only when both its version (the label) and its policy are the wanted ones.
# shellcheck shell=bash

CC_DIR="${POLL_LEDGER_CC_DIR:-$POLL_LEDGER_ROOT/chaincode}"
CC_WORK="$RUN_DIR/chaincode/$CC_NAME"

# Process names: ccserver.<org> for polls, ccserver-<name>.<org> for any other.
cc_process() { if [ "$CC_NAME" = polls ]; then echo "ccserver.$1"; else echo "ccserver-$CC_NAME.$1"; fi; }

_json_field() { # json-on-stdin, js expression over `j`
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let j;try{j=JSON.parse(s)}catch{j={}};const v=('"$1"');process.stdout.write(v===undefined?"":String(v))})'
}

# The directories of the workspace packages (@poll-ledger/*) that the chaincode in DIR loads at run
# time, through its package.json dependencies and theirs, one a line, sorted. The chaincode server
# resolves them as any package in this monorepo does: node_modules/@poll-ledger/<name> is npm's
# symlink to the workspace directory.
_cc_workspace_deps() { # dir
  node - "$1" <<'JS'
const fs = require('node:fs'), path = require('node:path');
const found = new Set();
const visit = (dir) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const name of Object.keys(pkg.dependencies ?? {}).filter((n) => n.startsWith('@poll-ledger/'))) {
    const dep = path.dirname(fs.realpathSync(require.resolve(`${name}/package.json`, { paths: [dir] })));
    if (!found.has(dep)) {
      found.add(dep);
      visit(dep);
    }
  }
};
visit(process.argv[2]);
process.stdout.write([...found].sort().map((dir) => `${dir}\n`).join(''));
JS
}

# sha256sum lines of a package's built code and package.json, paths relative to it.
_code_sums() { # dir
  (cd "$1" && find dist package.json -type f \( -name '*.js' -o -name package.json \) | LC_ALL=C sort | xargs -d '\n' sha256sum)
}

# The first 12 hex of the hash of everything the chaincode server of $CC_DIR runs: its own built
# code and that of every workspace package it loads. Fails when any of them is not built.
cc_code_hash() {
  [ -f "$CC_DIR/dist/index.js" ] || { errorln "the chaincode in $CC_DIR is not built: run 'npm run build' first"; return 1; }
  local listed deps=() dep
  listed=$(_cc_workspace_deps "$CC_DIR") \
    || { errorln "could not resolve the @poll-ledger/* packages $CC_DIR depends on (run npm install?)"; return 1; }
  [ -n "$listed" ] && mapfile -t deps <<<"$listed"
  for dep in "${deps[@]+"${deps[@]}"}"; do
    [ -f "$dep/dist/index.js" ] \
      || { errorln "$dep is not built, and the chaincode in $CC_DIR loads it: run 'npm run build' first"; return 1; }
  done
  {
    _code_sums "$CC_DIR"
    for dep in "${deps[@]+"${deps[@]}"}"; do
      echo "@poll-ledger/$(basename "$dep")"
      _code_sums "$dep"
    done
  } | sha256sum | cut -c1-12
}

package_chaincode() {
  local code_hash label
  code_hash=$(cc_code_hash) || fatalln "cannot package chaincode '$CC_NAME'"
  label="${CC_NAME}_${code_hash}"
  CC_LABEL=$label
  CC_PACKAGE="$CC_WORK/$label.tar.gz"
  mkdir -p "$CC_WORK/pkg"
  if [ ! -f "$CC_PACKAGE" ]; then
    infoln "Packaging chaincode '$CC_NAME' as a service (label $label)"
    local tmp="$CC_WORK/pkg/$label"
    rm -rf "$tmp" && mkdir -p "$tmp/src"
    printf '{"address":"{{slot:%s}}","dial_timeout":"10s","tls_required":false}\n' "$CC_PORT_SLOT" >"$tmp/src/connection.json"
    printf '{"type":"ccaas","label":"%s"}\n' "$label" >"$tmp/metadata.json"
    # Fixed names, owners and times: the same code always gives the same package ID.
    local tarflags=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner)
    tar "${tarflags[@]}" -C "$tmp/src" -cf - connection.json | gzip -n >"$tmp/code.tar.gz"
    tar "${tarflags[@]}" -C "$tmp" -cf - metadata.json code.tar.gz | gzip -n >"$CC_PACKAGE"
  fi
  CC_PACKAGE_ID=$(FABRIC_CFG_PATH="$CONFIG_DIR" "$FABRIC_BIN/peer" lifecycle chaincode calculatepackageid "$CC_PACKAGE" 2>>"$LOG_DIR/peer-cli.log")
  [ -n "$CC_PACKAGE_ID" ] || fatalln "could not compute the package ID of $CC_PACKAGE, see $LOG_DIR/peer-cli.log"
  echo "$CC_PACKAGE_ID" >"$CC_WORK/package-id"
  echo "$CC_LABEL" >"$CC_WORK/label"
  echo "$CC_PORT_SLOT" >"$CC_WORK/port-slot"
  echo "$CC_DIR" >"$CC_WORK/dir"
  infoln "  package ID $CC_PACKAGE_ID"
}

# 1 when the peers take batched state reads and writes (Fabric 3.1: core.yaml chaincode.runtimeParams useWriteBatch
# and useGetMultipleKeys), which the polls chaincode then uses for CastBallots; a 2.5 peer does not know the messages.
cc_state_batches() {
  if grep -Eq '^ +useWriteBatch: *true' "$CONFIG_DIR/core.yaml" && grep -Eq '^ +useGetMultipleKeys: *true' "$CONFIG_DIR/core.yaml"; then
    echo 1
  else
    echo 0
  fi
}

start_cc_server() { # org
  local org=$1 pidfile running name
  name=$(cc_process "$org")
  pidfile="$PID_DIR/$name.pid"
  running=$(cat "$CC_WORK/ccserver.$org.id" 2>/dev/null || true)
  if pid_alive "$pidfile" && [ "$running" != "$CC_PACKAGE_ID" ]; then
    infoln "  chaincode server of $org runs an older package; restarting it"
    stop_pidfile "$pidfile"
  fi
  echo "$CC_PACKAGE_ID" >"$CC_WORK/ccserver.$org.id"
  (
    cd "$CC_DIR" || exit 1
    CORE_CHAINCODE_ID="$CC_PACKAGE_ID" CORE_CHAINCODE_ADDRESS="$(org_host "$org"):$(cc_server_port "$org")" \
    CORE_CHAINCODE_LOGGING_LEVEL="${CC_LOGGING_LEVEL:-info}" POLL_LEDGER_CC_STATE_BATCHES="$(cc_state_batches)" \
    BG_NETNS=$(org_netns "$org") \
      start_bg "$name" node "$POLL_LEDGER_ROOT/node_modules/fabric-shim/cli.js" server \
        --chaincode-address "$(org_host "$org"):$(cc_server_port "$org")" --chaincode-id "$CC_PACKAGE_ID"
  )
  wait_for "chaincode server of $org on port $(cc_server_port "$org")" 30 port_open "$(org_host "$org")" "$(cc_server_port "$org")" \
    || fatalln "the chaincode server of $org did not start, see $LOG_DIR/$name.log"
}

# Sets ORDERER_FLAGS (an array, so paths with spaces survive).
_orderer_flags() {
  local org
  org=$(orderer_orgs | awk '{print $1}')
  ORDERER_FLAGS=(-o "$(org_host "$org"):$(orderer_port "$org")" --tls --cafile "$RUN_DIR/orgs/$org/orderers/orderer0/tls/ca.crt")
}

# A definition is this package's label (version) plus the endorsement policy: either one changing
# means a new definition. Policies are compared in a canonical form of Fabric's policy language
# (lib/config-tool.js), read back from the validation parameter the peer reports.
_policy_canonical() { node "$SCRIPTS_DIR/lib/config-tool.js" policy "$1"; }
_definition_policy() { node "$SCRIPTS_DIR/lib/config-tool.js" policy-of -; } # definition JSON on stdin

# True when DEFINITION (querycommitted/queryapproved -O json) is version CC_LABEL with policy CC_ENDORSEMENT_POLICY.
_is_wanted_definition() { # definition json
  [ "$(echo "$1" | _json_field 'j.version')" = "$CC_LABEL" ] \
    && [ "$(echo "$1" | _definition_policy)" = "$(_policy_canonical "$CC_ENDORSEMENT_POLICY")" ]
}

# True when ORG has already approved this exact definition, e.g. before a failed commit.
_approved_by() { # org seq
  local approved
  approved=$(peer_cli_env "$1"; "$FABRIC_BIN/peer" lifecycle chaincode queryapproved -C "$CHANNEL_NAME" -n "$CC_NAME" --sequence "$2" -O json 2>/dev/null || true)
  _is_wanted_definition "$approved"
}

_query_committed() {
  (peer_cli_env city; "$FABRIC_BIN/peer" lifecycle chaincode querycommitted -C "$CHANNEL_NAME" -n "$CC_NAME" -O json 2>/dev/null || true)
}

_approve_for() { # org seq
  local org=$1 seq=$2
  _orderer_flags
  (peer_cli_env "$org"
   "$FABRIC_BIN/peer" lifecycle chaincode approveformyorg -C "$CHANNEL_NAME" -n "$CC_NAME" -v "$CC_LABEL" --sequence "$seq" \
     --signature-policy "$CC_ENDORSEMENT_POLICY" --package-id "$CC_PACKAGE_ID" "${ORDERER_FLAGS[@]}" \
     >>"$LOG_DIR/peer-cli.log" 2>&1)
}

_install_on() { # org
  local org=$1
  (
    peer_cli_env "$org"
    if "$FABRIC_BIN/peer" lifecycle chaincode queryinstalled -O json 2>/dev/null | grep -q "\"$CC_PACKAGE_ID\""; then
      infoln "  already installed on peer0.$org"
    else
      infoln "  installing on peer0.$org"
      "$FABRIC_BIN/peer" lifecycle chaincode install "$CC_PACKAGE" >>"$LOG_DIR/peer-cli.log" 2>&1 \
        || fatalln "install on peer0.$org failed, see $LOG_DIR/peer-cli.log"
    fi
  )
}

deploy_chaincode() {
  package_chaincode
  local org committed_seq committed_ver seq
  for org in "${ORGS[@]}"; do
    _install_on "$org" || exit 1
    start_cc_server "$org"
  done

  committed=$(_query_committed)
  committed_seq=$(echo "$committed" | _json_field 'j.sequence')
  committed_ver=$(echo "$committed" | _json_field 'j.version')
  if _is_wanted_definition "$committed"; then
    successln "Chaincode '$CC_NAME' $CC_LABEL is already committed (sequence $committed_seq, policy $CC_ENDORSEMENT_POLICY)"
    wait_endorsers
    return
  fi
  if [ "$committed_ver" = "$CC_LABEL" ]; then
    infoln "  the committed definition (sequence $committed_seq) has policy $(echo "$committed" | _definition_policy); a new one gets $CC_ENDORSEMENT_POLICY"
  fi
  seq=$(( ${committed_seq:-0} + 1 ))
  local common=(-C "$CHANNEL_NAME" -n "$CC_NAME" -v "$CC_LABEL" --sequence "$seq" --signature-policy "$CC_ENDORSEMENT_POLICY")
  _orderer_flags
  for org in "${ORGS[@]}"; do
    if _approved_by "$org" "$seq"; then
      infoln "  ${ORG_MSP[$org]} has already approved sequence $seq"
      continue
    fi
    infoln "  approving definition (sequence $seq) for ${ORG_MSP[$org]}"
    _approve_for "$org" "$seq" || fatalln "approveformyorg failed for $org, see $LOG_DIR/peer-cli.log"
  done
  infoln "  committing definition (sequence $seq)"
  local peers=()
  for org in "${ORGS[@]}"; do
    peers+=(--peerAddresses "$(org_host "$org"):$(peer_port "$org")" --tlsRootCertFiles "$RUN_DIR/orgs/$org/peers/peer0/tls/ca.crt")
  done
  (peer_cli_env city
   "$FABRIC_BIN/peer" lifecycle chaincode commit "${common[@]}" "${peers[@]}" "${ORDERER_FLAGS[@]}" \
     >>"$LOG_DIR/peer-cli.log" 2>&1) || fatalln "commit of the chaincode definition failed, see $LOG_DIR/peer-cli.log"
  successln "Chaincode '$CC_NAME' $CC_LABEL committed on '$CHANNEL_NAME' (sequence $seq, policy $CC_ENDORSEMENT_POLICY)"
  wait_endorsers
}

# A joining org (addOrg): install the package of the committed definition, start the org's chaincode
# server, and approve that definition (same sequence) for the org, so its peer can endorse and its
# clients can use the chaincode. The package is the one deployCC made, whatever the code on disk is now.
join_chaincode() { # org
  local org=$1 committed seq
  CC_PACKAGE_ID=$(cat "$CC_WORK/package-id" 2>/dev/null) || CC_PACKAGE_ID=
  if [ -z "$CC_PACKAGE_ID" ]; then
    infoln "  chaincode '$CC_NAME' is not deployed yet; 'network.sh deployCC' installs it on ${ORG_MSP[$org]} too"
    return 0
  fi
  CC_LABEL=$(cat "$CC_WORK/label") CC_DIR=$(cat "$CC_WORK/dir") CC_PORT_SLOT=$(cat "$CC_WORK/port-slot")
  CC_PACKAGE="$CC_WORK/$CC_LABEL.tar.gz"
  committed=$(_query_committed)
  seq=$(echo "$committed" | _json_field 'j.sequence')
  [ -n "$seq" ] || fatalln "chaincode '$CC_NAME' has no committed definition: run 'network.sh deployCC' first"
  _is_wanted_definition "$committed" \
    || fatalln "the committed definition of '$CC_NAME' (version $(echo "$committed" | _json_field 'j.version'), policy $(echo "$committed" | _definition_policy)) is not package $CC_LABEL with policy $CC_ENDORSEMENT_POLICY: run 'network.sh deployCC' first"
  _install_on "$org" || exit 1
  start_cc_server "$org"
  if _approved_by "$org" "$seq"; then
    infoln "  ${ORG_MSP[$org]} has already approved sequence $seq"
  else
    infoln "  approving the committed definition (sequence $seq) for ${ORG_MSP[$org]}"
    _approve_for "$org" "$seq" || fatalln "approveformyorg failed for $org, see $LOG_DIR/peer-cli.log"
  fi
}

# Gossip needs a few seconds to spread peer membership and installed chaincodes
# across orgs; until then the Gateway cannot plan an endorsement by the observer.
wait_endorsers() { # [org whose peer's Gateway is asked; default city]
  [ "$CC_NAME" = polls ] || return 0
  require_built protocol fabric-client
  infoln "  waiting until the peers' Gateway can find endorsers in every org (gossip discovery)"
  node "$SCRIPTS_DIR/lib/wait-endorsers.js" "$RUN_DIR/network.json" "${1:-city}" 90 \
    || fatalln "the Gateway cannot find endorsers for '$CC_NAME'; see $LOG_DIR/peer0.*.log"
  successln "Chaincode '$CC_NAME' is ready for transactions"
}

# After a restart of the network processes: bring back the chaincode servers of the
# package that is installed, without a new lifecycle round. They run the code on disk, so
# say so when it is no longer the code the installed package's label was made from.
restart_cc_servers() {
  local work org
  for work in "$RUN_DIR"/chaincode/*/; do
    [ -f "$work/package-id" ] || continue
    (
      CC_NAME=$(basename "$work") CC_WORK=${work%/}
      CC_PACKAGE_ID=$(cat "$work/package-id") CC_PORT_SLOT=$(cat "$work/port-slot") CC_DIR=$(cat "$work/dir")
      label=$(cat "$work/label" 2>/dev/null || true)
      code_hash=$(cc_code_hash) || fatalln "cannot restart the chaincode servers of '$CC_NAME'"
      if [ -n "$label" ] && [ "$label" != "${CC_NAME}_${code_hash}" ]; then
        warnln "the code of chaincode '$CC_NAME' changed since package $label was made; its servers now run the new code under the old definition. Run 'network.sh deployCC' for a new definition."
      fi
      for org in "${ORGS[@]}"; do start_cc_server "$org"; done
    ) || exit 1
  done
}
