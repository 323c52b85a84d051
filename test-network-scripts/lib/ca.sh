# One Fabric CA per organization issues every identity of that org: node enrollment
# and TLS certificates (profile "tls"), the org admin, and client identities carrying
# the `role` attribute that the chaincode authorizes on.
# shellcheck shell=bash

CA_BOOTSTRAP_SECRET=${CA_BOOTSTRAP_SECRET:-adminpw}

ca_home()   { echo "$RUN_DIR/ca/$1"; }
ca_port()   { org_port "$1" 4; }
ca_url()    { echo "https://$HOST:$(ca_port "$1")"; }
org_dir()   { echo "$RUN_DIR/orgs/$1"; }

start_ca() { # org
  local org=$1 home
  home=$(ca_home "$org")
  mkdir -p "$home"
  FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="$HOST:$(org_port "$org" 5)" \
  FABRIC_CA_SERVER_CA_NAME="ca-$org" \
  FABRIC_CA_SERVER_CSR_CN="ca.$org.poll-ledger" \
  FABRIC_CA_SERVER_CSR_HOSTS="localhost,$HOST" \
  FABRIC_CA_SERVER_TLS_ENABLED=true \
  FABRIC_CA_SERVER_ADDRESS="$HOST" \
  FABRIC_CA_SERVER_PORT="$(ca_port "$org")" \
    start_bg "ca.$org" "$FABRIC_BIN/fabric-ca-server" start -b "admin:$CA_BOOTSTRAP_SECRET" -H "$home"
}

wait_ca() {
  wait_for "CA of $1 on port $(ca_port "$1")" 30 test -f "$(ca_home "$1")/tls-cert.pem" || return 1
  wait_for "CA of $1 on port $(ca_port "$1")" 30 port_open "$HOST" "$(ca_port "$1")"
}

_ca_client() { # org, fabric-ca-client args...
  local org=$1; shift
  "$FABRIC_BIN/fabric-ca-client" "$@" --caname "ca-$org" --tls.certfiles "$(ca_home "$org")/tls-cert.pem" >>"$LOG_DIR/ca-client.$org.log" 2>&1
}

# Give enrolled material the fixed file names the rest of the project reads.
_normalise_msp() { # msp dir
  local msp=$1
  mv "$msp"/cacerts/*.pem "$msp/cacerts/ca.pem" 2>/dev/null || true
  mv "$msp"/keystore/*_sk "$msp/keystore/key.pem" 2>/dev/null || true
  cat >"$msp/config.yaml" <<'YAML'
NodeOUs:
  Enable: true
  ClientOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: client }
  PeerOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: peer }
  AdminOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: admin }
  OrdererOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: orderer }
YAML
}

_register_enroll() { # org name type attrs dir [tls]
  local org=$1 name=$2 type=$3 attrs=$4 dir=$5 tls=${6:-}
  local secret="${name}-pw" url
  url=$(ca_url "$org")
  local reg=(register -u "$url" -H "$(org_dir "$org")/ca-admin" --id.name "$name" --id.secret "$secret" --id.type "$type")
  [ -n "$attrs" ] && reg+=(--id.attrs "$attrs")
  _ca_client "$org" "${reg[@]}" || { errorln "registering $name with the $org CA failed (see $LOG_DIR/ca-client.$org.log)"; return 1; }
  _ca_client "$org" enroll -u "https://$name:$secret@$HOST:$(ca_port "$org")" -M "$dir/msp" \
    || { errorln "enrolling $name with the $org CA failed"; return 1; }
  _normalise_msp "$dir/msp"
  if [ -n "$tls" ]; then
    _ca_client "$org" enroll -u "https://$name:$secret@$HOST:$(ca_port "$org")" -M "$dir/tls" \
      --enrollment.profile tls --csr.hosts "localhost,$HOST" \
      || { errorln "TLS enrollment of $name with the $org CA failed"; return 1; }
    cp "$dir"/tls/tlscacerts/*.pem "$dir/tls/ca.crt"
    cp "$dir"/tls/signcerts/cert.pem "$dir/tls/server.crt"
    cp "$dir"/tls/keystore/*_sk "$dir/tls/server.key"
  fi
}

# Issue every identity of one org. Runs once per run directory.
enroll_org() { # org
  local org=$1 dir role
  dir=$(org_dir "$org")
  infoln "  issuing identities of ${ORG_MSP[$org]}"
  _ca_client "$org" enroll -u "https://admin:$CA_BOOTSTRAP_SECRET@$HOST:$(ca_port "$org")" -H "$dir/ca-admin" \
    || { errorln "enrolling the $org CA admin failed"; return 1; }
  _register_enroll "$org" "peer0-$org" peer "" "$dir/peers/peer0" tls || return 1
  _register_enroll "$org" "orderer0-$org" orderer "" "$dir/orderers/orderer0" tls || return 1
  _register_enroll "$org" "admin-$org" admin "" "$dir/users/admin" || return 1
  for role in "${CLIENT_ROLES[@]}"; do
    _register_enroll "$org" "$role-$org" client "role=$role:ecert" "$dir/users/$role" || return 1
  done
  # The org's MSP as the channel sees it: its CA is both the identity and the TLS root.
  mkdir -p "$dir/msp/cacerts" "$dir/msp/tlscacerts"
  cp "$(ca_home "$org")/ca-cert.pem" "$dir/msp/cacerts/ca.pem"
  cp "$(ca_home "$org")/ca-cert.pem" "$dir/msp/tlscacerts/ca.pem"
  _normalise_msp "$dir/msp"
}
