#!/usr/bin/env bash
# Runs the REST gateway against the network in $POLL_LEDGER_RUN_DIR.
#
#   gateway.sh start   start its PostgreSQL server, write .run/gateway.json (from network.json), start the gateway
#   gateway.sh stop    stop both (network.sh down also does)
#
# API keys are made at random on first start. The caller's copies are in
# .run/api-keys.json (mode 600); the gateway's config holds only their SHA-256.
# POLL_LEDGER_GATEWAY_DB=memory runs the gateway without a database (development only).
# In the netns layout both run on the city's test host, on its address (gateway_host in network.config.sh).
set -uo pipefail

POLL_LEDGER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export POLL_LEDGER_ROOT
# shellcheck source=../network/network.config.sh
. "$POLL_LEDGER_ROOT/network/network.config.sh"
# shellcheck source=lib/utils.sh
. "$POLL_LEDGER_ROOT/test-network-scripts/lib/utils.sh"
RUN_DIR=$POLL_LEDGER_RUN_DIR
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# shellcheck source=lib/hosts.sh
. "$POLL_LEDGER_ROOT/test-network-scripts/lib/hosts.sh"
HOST=$(gateway_host)
OPS_HOST=$(gateway_ops_host)
# The gateway's host: the city's namespace in the netns layout, none (this machine) in the single one.
NETNS=$(org_netns "$GATEWAY_ORG")
PG="$POLL_LEDGER_ROOT/test-network-scripts/lib/postgres.sh"
DB_PORT=$POLL_LEDGER_GATEWAY_DB_PORT

# The database's directory: in the run directory when the postgres user can reach it, else under /var/tmp.
db_dir() {
  if [ -n "${POLL_LEDGER_PG_DIR:-}" ]; then echo "$POLL_LEDGER_PG_DIR"; return; fi
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$RUN_DIR"; then echo "$RUN_DIR/postgres"; return; fi
  echo "/var/tmp/poll-ledger-pg/$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-12)"
}

# Starts the gateway's own PostgreSQL server (as a tracked process, so `network.sh down` stops it too). In the netns
# layout it listens on the city's address, and trusts the gateway's host and this machine (readiness, the tests'
# replicas) besides loopback; no other org's host.
db_start() {
  [ "${POLL_LEDGER_GATEWAY_DB:-postgres}" = memory ] && return 0
  local dir clients=()
  dir=$(db_dir)
  mkdir -p "$(dirname "$dir")"
  hosts_netns && clients=("$OPS_HOST" "$(hosts_self)")
  infoln "Starting the gateway's PostgreSQL server on $OPS_HOST:$DB_PORT (data in $dir${NETNS:+, host $NETNS})"
  BG_NETNS=$NETNS start_bg gateway-db bash "$PG" run "$dir" "$DB_PORT" "$OPS_HOST" "${clients[@]+"${clients[@]}"}"
  bash "$PG" ready "$DB_PORT" "$OPS_HOST" || fatalln "the gateway's database did not start, see $LOG_DIR/gateway-db.log"
}

db_url() {
  [ "${POLL_LEDGER_GATEWAY_DB:-postgres}" = memory ] && return 0
  bash "$PG" url "$DB_PORT" "$OPS_HOST"
}

# gateway.json from network.json, read through @poll-ledger/protocol (its schema, and ROLES: one identity and
# one API key per role). Keys already in api-keys.json are kept; a role without one gets a new one.
write_gateway_config() {
  [ -f "$RUN_DIR/network.json" ] || fatalln "no network in $RUN_DIR: run 'network.sh all' first"
  require_built protocol
  umask 077
  node - "$POLL_LEDGER_ROOT/protocol" "$RUN_DIR" "$GATEWAY_ORG" "$POLL_LEDGER_GATEWAY_PORT" "$HOST" "$(db_url)" "$POLL_LEDGER_GATEWAY_OPS_PORT" "$OPS_HOST" <<'JS'
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [protocolDir, runDir, orgKey, port, host, databaseUrl, opsPort, opsHost] = process.argv.slice(2);
const { networkOrg, readNetworkFile, ROLES } = require(protocolDir);
let net, o;
try {
  net = readNetworkFile(path.join(runDir, 'network.json'));
  o = networkOrg(net, orgKey);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
const keysFile = path.join(runDir, 'api-keys.json');
const keys = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, 'utf8')) : {};
for (const r of ROLES) {
  if (typeof keys[r] !== 'string' || keys[r] === '') keys[r] = crypto.randomBytes(24).toString('base64url');
}
fs.writeFileSync(keysFile, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
const secretFile = path.join(runDir, 'voter-token-secret');
if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
const config = {
  GATEWAY_HOST: host,
  GATEWAY_PORT: port,
  GATEWAY_OPS_PORT: opsPort,
  GATEWAY_OPS_HOST: opsHost,
  GATEWAY_PEER_ENDPOINT: o.peerEndpoint,
  GATEWAY_PEER_HOST_ALIAS: o.peerHostAlias,
  GATEWAY_TLS_CA_CERT: o.tlsCaCert,
  GATEWAY_MSP_ID: o.mspId,
  GATEWAY_CHANNEL: net.channel,
  GATEWAY_CHAINCODE: net.chaincode,
  GATEWAY_IDENTITIES: Object.fromEntries(ROLES.map((r) => [r, o.identities[r]])),
  GATEWAY_API_KEYS: ROLES.map((r) => ({ id: r, role: r, sha256: crypto.createHash('sha256').update(keys[r]).digest('hex') })),
  GATEWAY_VOTER_TOKEN_SECRET: fs.readFileSync(secretFile, 'utf8'),
  ...(databaseUrl ? { GATEWAY_DATABASE_URL: databaseUrl } : {}),
};
fs.writeFileSync(path.join(runDir, 'gateway.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
JS
}

gateway_start() {
  [ -f "$POLL_LEDGER_ROOT/gateway/dist/server.js" ] || fatalln "the gateway is not built: run 'npm run build'"
  if [ -n "$NETNS" ]; then
    _hosts_require_root
    [ -e "/run/netns/$NETNS" ] || fatalln "the host of $GATEWAY_ORG ($NETNS) does not exist: run 'network.sh all' first"
  fi
  mkdir -p "$LOG_DIR" "$PID_DIR"
  db_start
  write_gateway_config || fatalln "could not write $RUN_DIR/gateway.json"
  infoln "Starting the REST gateway on http://$HOST:$POLL_LEDGER_GATEWAY_PORT${NETNS:+ (host $NETNS)}"
  BG_NETNS=$NETNS GATEWAY_CONFIG_FILE="$RUN_DIR/gateway.json" start_bg gateway node "$POLL_LEDGER_ROOT/gateway/dist/server.js"
  wait_for "the gateway's /readyz" 60 node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://$OPS_HOST:$POLL_LEDGER_GATEWAY_OPS_PORT/readyz" \
    || fatalln "the gateway did not become ready, see $LOG_DIR/gateway.log"
  successln "Gateway ready: http://$HOST:$POLL_LEDGER_GATEWAY_PORT/v1 (docs at /docs, API keys in $RUN_DIR/api-keys.json; /readyz and /metrics on http://$OPS_HOST:$POLL_LEDGER_GATEWAY_OPS_PORT)"
}

case ${1:-} in
  start) gateway_start ;;
  stop)
    [ -f "$PID_DIR/gateway.pid" ] && stop_pidfiles "$PID_DIR/gateway.pid"
    [ -f "$PID_DIR/gateway-db.pid" ] && stop_pidfiles "$PID_DIR/gateway-db.pid"
    true
    ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 1 ;;
esac
