# One Fabric CA per organization issues every identity of that org: node enrollment
# and TLS certificates (profile "tls"), the org admin, and client identities carrying
# the `role` attribute that the chaincode authorizes on.
#
# Secrets: every enrollment secret, and the CA's bootstrap secret, is random per network
# (openssl rand), kept in $RUN_DIR/secrets/<org> (mode 600, one "<name> <secret>" a line) and
# handed to the Fabric CA tools through the environment, never on a command line. Every
# identity, the bootstrap admin included, can enroll once (registry.maxenrollments 1 and
# --id.maxenrollments 1): a leaked secret cannot mint a second certificate.
# shellcheck shell=bash

ca_home()   { echo "$RUN_DIR/ca/$1"; }
ca_port()   { org_port "$1" 4; }
ca_url()    { echo "https://$(org_host "$1"):$(ca_port "$1")"; }
org_dir()   { echo "$RUN_DIR/orgs/$1"; }
secrets_file() { echo "$RUN_DIR/secrets/$1"; }

# The secret of identity NAME at ORG's CA, made (and stored) on first use. Prints it for a command
# substitution only: never echo it to a log or a terminal.
secret_of() { # org name
  local file secret
  file=$(secrets_file "$1")
  if [ ! -f "$file" ]; then
    (umask 077 && mkdir -p "$(dirname "$file")" && : >"$file") || return 1
  fi
  secret=$(awk -v n="$2" '$1 == n { print $2; exit }' "$file")
  if [ -z "$secret" ]; then
    secret=$(openssl rand -hex 16) || return 1
    (umask 077 && printf '%s %s\n' "$2" "$secret" >>"$file") || return 1
  fi
  printf '%s' "$secret"
}

# The CA's config, with the bootstrap identity's secret, made once per CA home. fabric-ca-server makes
# its default config from `-b user:pass`, and then logs that option with the rest of its settings; so
# the default config comes from `init` in a scratch directory with a placeholder, and the real secret
# is put in here, by the shell (never on a command line). The file is mode 600.
_ca_config() { # org
  local org=$1 home scratch cfg secret placeholder=bootstrap-placeholder
  home=$(ca_home "$org")
  [ -f "$home/fabric-ca-server-config.yaml" ] && return 0
  secret=$(secret_of "$org" admin) || return 1
  scratch=$(mktemp -d "$RUN_DIR/tmp.XXXXXX")
  "$FABRIC_BIN/fabric-ca-server" init -b "admin:$placeholder" -H "$scratch" >>"$LOG_DIR/ca.$org.log" 2>&1 \
    || { rm -rf "$scratch"; errorln "fabric-ca-server init failed, see $LOG_DIR/ca.$org.log"; return 1; }
  cfg=$(<"$scratch/fabric-ca-server-config.yaml")
  rm -rf "$scratch"
  [[ "$cfg" == *"pass: $placeholder"* && "$cfg" == *"maxenrollments: -1"* ]] \
    || { errorln "fabric-ca-server's default config has changed its layout"; return 1; }
  cfg=${cfg/pass: $placeholder/pass: $secret}
  (umask 077 && mkdir -p "$home" && printf '%s\n' "${cfg/maxenrollments: -1/maxenrollments: 1}" >"$home/fabric-ca-server-config.yaml")
}

start_ca() { # org
  local org=$1 home host
  home=$(ca_home "$org")
  host=$(org_host "$org")
  _ca_config "$org" || fatalln "could not write the config of the $org CA"
  BG_NETNS=$(org_netns "$org") \
  FABRIC_CA_SERVER_REGISTRY_MAXENROLLMENTS=1 \
  FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="$host:$(org_port "$org" 5)" \
  FABRIC_CA_SERVER_CA_NAME="ca-$org" \
  FABRIC_CA_SERVER_CSR_CN="ca.$org.poll-ledger" \
  FABRIC_CA_SERVER_CSR_HOSTS="localhost,$host" \
  FABRIC_CA_SERVER_TLS_ENABLED=true \
  FABRIC_CA_SERVER_ADDRESS="$host" \
  FABRIC_CA_SERVER_PORT="$(ca_port "$org")" \
    start_bg "ca.$org" "$FABRIC_BIN/fabric-ca-server" start -H "$home"
}

wait_ca() {
  wait_for "CA of $1 on port $(ca_port "$1")" 30 test -f "$(ca_home "$1")/tls-cert.pem" || return 1
  wait_for "CA of $1 on port $(ca_port "$1")" 30 port_open "$(org_host "$1")" "$(ca_port "$1")"
}

# fabric-ca-client keeps its own config in FABRIC_CA_CLIENT_HOME (not ~/.fabric-ca-client).
_ca_client() { # org, fabric-ca-client args...
  local org=$1; shift
  FABRIC_CA_CLIENT_HOME="${FABRIC_CA_CLIENT_HOME:-$(org_dir "$org")/ca-client}" \
    "$FABRIC_BIN/fabric-ca-client" "$@" --caname "ca-$org" --tls.certfiles "$(ca_home "$org")/tls-cert.pem" >>"$LOG_DIR/ca-client.$org.log" 2>&1
}

# Enroll NAME with its secret into DIR; the URL with the secret goes through the environment.
_enroll() { # org name dir [fabric-ca-client enroll args...]
  local org=$1 name=$2 dir=$3 secret; shift 3
  secret=$(secret_of "$org" "$name") || return 1
  FABRIC_CA_CLIENT_URL="https://$name:$secret@$(org_host "$org"):$(ca_port "$org")" _ca_client "$org" enroll -M "$dir" "$@"
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

# Register NAME (one enrollment) with a fresh secret from the secrets file.
_register() { # org name type attrs
  local org=$1 name=$2 type=$3 attrs=$4 secret
  secret=$(secret_of "$org" "$name") || return 1
  local reg=(register -u "$(ca_url "$org")" -H "$(org_dir "$org")/ca-admin" --id.name "$name" --id.type "$type" --id.maxenrollments 1)
  [ -n "$attrs" ] && reg+=(--id.attrs "$attrs")
  # register prints "Password: <secret>" on stdout: not into the log.
  FABRIC_CA_CLIENT_ID_SECRET="$secret" FABRIC_CA_CLIENT_HOME="$(org_dir "$org")/ca-client" \
    "$FABRIC_BIN/fabric-ca-client" "${reg[@]}" --caname "ca-$org" --tls.certfiles "$(ca_home "$org")/tls-cert.pem" \
    >/dev/null 2>>"$LOG_DIR/ca-client.$org.log" \
    || { errorln "registering $name with the $org CA failed (see $LOG_DIR/ca-client.$org.log)"; return 1; }
}

# A node's TLS certificate comes from its own identity, <name>-tls (each identity enrolls once).
_register_enroll() { # org name type attrs dir [tls]
  local org=$1 name=$2 type=$3 attrs=$4 dir=$5 tls=${6:-}
  _register "$org" "$name" "$type" "$attrs" || return 1
  _enroll "$org" "$name" "$dir/msp" || { errorln "enrolling $name with the $org CA failed"; return 1; }
  _normalise_msp "$dir/msp"
  if [ -n "$tls" ]; then
    _register "$org" "$name-tls" "$type" "" || return 1
    _enroll "$org" "$name-tls" "$dir/tls" --enrollment.profile tls --csr.hosts "localhost,$(org_host "$org")" \
      || { errorln "TLS enrollment of $name with the $org CA failed"; return 1; }
    cp "$dir"/tls/tlscacerts/*.pem "$dir/tls/ca.crt"
    cp "$dir"/tls/signcerts/cert.pem "$dir/tls/server.crt"
    cp "$dir"/tls/keystore/*_sk "$dir/tls/server.key"
  fi
}

# Issue every identity of one org, once per run directory (marker: orgs/<org>/.issued).
enroll_org() { # org
  local org=$1 dir role
  dir=$(org_dir "$org")
  infoln "  issuing identities of ${ORG_MSP[$org]}"
  _enroll "$org" admin "$dir/ca-admin/msp" || { errorln "enrolling the $org CA admin failed"; return 1; }
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
  issue_admin_tls "$org" || return 1
  touch "$dir/.issued"
}

# The orderer admin endpoint (channel participation, osnadmin) trusts only this CA for client
# certificates: a second, per-org CA made with openssl that issues one certificate, the org admin's
# osnadmin client certificate. The org's Fabric CA also issues every client's certificate (a
# ballot-relay's would pass as a TLS client certificate), so it must not be that endpoint's root.
admin_tls_ca()   { echo "$(org_dir "$1")/admin-tls/ca.crt"; }
admin_tls_cert() { echo "$(org_dir "$1")/users/admin/admin-tls/client.crt"; }
admin_tls_key()  { echo "$(org_dir "$1")/users/admin/admin-tls/client.key"; }

issue_admin_tls() { # org
  local org=$1 cakey out cadir
  [ -f "$(admin_tls_cert "$org")" ] && return 0
  cadir="$(ca_home "$org")/admin-tls"
  cakey="$cadir/ca.key"
  out=$(dirname "$(admin_tls_cert "$org")")
  (
    umask 077
    set -e
    mkdir -p "$cadir" "$out" "$(dirname "$(admin_tls_ca "$org")")"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$cakey"
    openssl req -x509 -new -key "$cakey" -sha256 -days 3650 -subj "/O=${ORG_MSP[$org]}/CN=admin-tls-ca.$org.poll-ledger" \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$(admin_tls_ca "$org")"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$(admin_tls_key "$org")"
    openssl req -new -key "$(admin_tls_key "$org")" -subj "/O=${ORG_MSP[$org]}/OU=admin/CN=admin-$org" -out "$out/client.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$out/client.ext"
    openssl x509 -req -in "$out/client.csr" -CA "$(admin_tls_ca "$org")" -CAkey "$cakey" -set_serial "0x$(openssl rand -hex 16)" \
      -days 825 -sha256 -extfile "$out/client.ext" -out "$(admin_tls_cert "$org")"
    rm -f "$out/client.csr" "$out/client.ext"
  ) >>"$LOG_DIR/admin-tls.$org.log" 2>&1 || { errorln "issuing the osnadmin client certificate of $org failed, see $LOG_DIR/admin-tls.$org.log"; return 1; }
}
