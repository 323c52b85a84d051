# poll-ledger test network: the one place that names the organizations, nodes, ports
# and policies. Sourced by test-network-scripts/*. Every value can be overridden from
# the environment (for example POLL_LEDGER_PORT_OFFSET=1000 runs a second network
# beside the first, which is what the end-to-end tests do).
# shellcheck shell=bash

# Fabric version wanted, and where built binaries are cached between runs. Fabric 3.1 is needed for BFT
# ordering (full mode); FABRIC_VERSION=2.5.x still runs quick mode on Fabric 2.5 (to compare, see
# docs/performance.md), with channel capability V2_0 instead of V3_0.
: "${FABRIC_VERSION:=3.1.1}"
: "${POLL_LEDGER_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/poll-ledger}"

# State, logs and crypto material of one running network.
: "${POLL_LEDGER_RUN_DIR:=$POLL_LEDGER_ROOT/.run}"
: "${POLL_LEDGER_PORT_OFFSET:=0}"
: "${POLL_LEDGER_HOST:=127.0.0.1}"

# quick: one Raft orderer (hosted by the city), for development. full: four BFT (SmartBFT) orderers, one per
# founding organization, so that ordering needs 3 of 4 nodes and the city administration (City + Dept) holds 2.
: "${POLL_LEDGER_MODE:=quick}"

CHANNEL_NAME=polls
# The chaincode deployCC deploys. Another one (the benchmark's baseline) can sit
# beside it under its own name, directory and chaincode-server port slot.
CC_NAME=${POLL_LEDGER_CC_NAME:-polls}
CC_PORT_SLOT=${POLL_LEDGER_CC_PORT_SLOT:-9}
# No ballot without an observer (ObserverMSP or WatchdogMSP) plus the city or a department.
# deployCC makes a new definition (new sequence, approved by every org, the observers included) when
# this policy or the code changes. POLL_LEDGER_CC_ENDORSEMENT_POLICY overrides it for one run.
CC_ENDORSEMENT_POLICY=${POLL_LEDGER_CC_ENDORSEMENT_POLICY:-"AND(OR('ObserverMSP.peer','WatchdogMSP.peer'),OR('CityMSP.peer','DeptMSP.peer'))"}
# Approving or changing a chaincode definition needs an observer too (configtx.yaml).

# Orderer batching: ~100 tx or 500 ms, whichever comes first (Raft's BatchTimeout, SmartBFT's
# RequestBatchMaxInterval; SmartBFT takes its batch count from MaxMessageCount).
: "${ORDERER_BATCH_TIMEOUT:=500ms}"
: "${ORDERER_BATCH_MAX_MESSAGES:=100}"
# SmartBFT failure detection (full mode). Fabric's defaults (a leader heartbeat timeout of 1 min, complaints
# after 20 s) make a leader's crash stop ordering for over a minute; these bound it to about 10-20 s.
: "${BFT_LEADER_HEARTBEAT_TIMEOUT:=10s}"
: "${BFT_REQUEST_COMPLAIN_TIMEOUT:=10s}"
: "${BFT_VIEW_CHANGE_TIMEOUT:=10s}"

# Organizations: key, MSP ID, base port. Each org runs one CA, one peer and
# (in full mode) one orderer. Two are city administration (city: City IT, dept: a department), two are
# independent observers (observer, watchdog: a civic watchdog). Ports are base+offset:
#   CA 4, peer 1, peer chaincode 2, orderer 0, orderer admin 3,
#   chaincode server 9, CA operations 5, peer operations 6, orderer operations 7.
# FOUNDING_ORGS are in the genesis block (configtx.yaml.tmpl); ORGS adds the ones that joined later.
FOUNDING_ORGS=(city dept observer watchdog)
ORGS=("${FOUNDING_ORGS[@]}")
declare -gA ORG_MSP=([city]=CityMSP [dept]=DeptMSP [observer]=ObserverMSP [watchdog]=WatchdogMSP)
declare -gA ORG_BASE=([city]=7050 [dept]=8050 [observer]=9050 [watchdog]=11050)

# Client identities each org's CA issues, with the `role` certificate attribute the
# chaincode authorizes on. The roles are defined by @poll-ledger/protocol (ROLES in
# protocol/src/roles.ts); they are repeated here so that `down` and `status` need no
# build. `network.sh up` refuses to start when the two lists differ.
CLIENT_ROLES=(poll-admin ballot-relay auditor)

# Governance (docs/governance.md). The city administration (City IT and its departments) must never be
# able to change the rules alone, and neither must the observers. Every rule of the channel (its
# configuration, org membership, capabilities, each org's MSP and policies) changes only with a
# signature that satisfies GOVERNANCE_ADMINS: it is the Admins policy of /Channel, /Channel/Application
# and /Channel/Orderer (configtx.yaml), and every org's group points its mod_policy at its section's
# Admins (the scripts patch the genesis block, and addOrg each new org). Chaincode definitions need
# LifecycleEndorsement (configtx.yaml), which needs the observer too.
GOVERNANCE_ADMINS="AND(OR('ObserverMSP.admin', 'WatchdogMSP.admin'), OR('CityMSP.admin', 'DeptMSP.admin'))"
# The observers' MSPs (space-separated in POLL_LEDGER_OBSERVER_MSPS): `network.sh config check` fails
# when the other orgs together, or these alone, could change any element of the channel config.
read -r -a OBSERVER_MSPS <<<"${POLL_LEDGER_OBSERVER_MSPS:-ObserverMSP WatchdogMSP}"

# Organizations that may join the running channel later, with `network.sh addOrg <key>`:
# key → "MSP-ID base-port" (ports as above, base+slot+offset). A joining org runs its own CA, peer and
# chaincode server; it is an application org only (no orderer), and it is in no policy until an
# observer-approved change puts it there (docs/governance.md).
declare -gA EXTRA_ORGS=([dept2]="Dept2MSP 10050")
# The orgs that have joined this run directory's channel (addOrg records them) are organizations of the
# network from then on: up, status, down, deployCC and network.json include them.
if [ -f "$POLL_LEDGER_RUN_DIR/joined-orgs" ]; then
  while read -r _org _msp _base; do
    [ -n "${_org:-}" ] || continue
    ORGS+=("$_org")
    ORG_MSP[$_org]=$_msp
    ORG_BASE[$_org]=$_base
  done <"$POLL_LEDGER_RUN_DIR/joined-orgs"
  unset _org _msp _base
fi

org_port() { # org, slot → port
  echo $((ORG_BASE[$1] + $2 + POLL_LEDGER_PORT_OFFSET))
}

# Hosts: where each organization's nodes (its CA, peer, orderer, chaincode servers) run, and the address they
# listen on and are reached at. POLL_LEDGER_HOSTS picks the layout:
#   single (the default): every org on POLL_LEDGER_HOST (127.0.0.1), told apart by its ports.
#   netns: each org on a test host of its own, a Linux network namespace with its own address on a bridge that
#          `network.sh up` creates and `down` deletes (root only; test-network-scripts/lib/hosts.sh). The address
#          is host number ORG_BASE/1000 in POLL_LEDGER_HOSTS_SUBNET: city .7, dept .8, observer .9, dept2 .10,
#          watchdog .11 (two orgs on one host number are refused); .1 is this machine's end of the bridge, where
#          the operator's tools and the tests run. The REST gateway and its database run on the city's host.
# The ports stay base+slot+offset in both. ORG_HOST (or POLL_LEDGER_ORG_HOSTS="city=ADDR dept=ADDR ...") names an
# org's address outright: real machines, one per org (docs/network.md, "Separate hosts").
# A run directory set up in the netns layout records it (test-network-scripts/lib/hosts.sh): its TLS certificates
# and channel config name those addresses, so the record wins; a different value from the environment is named in
# HOSTS_RECORD_CONFLICT, and network.sh refuses to act on it (down excepted).
HOSTS_RECORD_CONFLICT=''
if [ -f "$POLL_LEDGER_RUN_DIR/hosts" ]; then
  while IFS='=' read -r _key _value; do
    case $_key in
      POLL_LEDGER_HOSTS | POLL_LEDGER_HOSTS_SUBNET | POLL_LEDGER_WAN_DELAY_MS | POLL_LEDGER_WAN_JITTER_MS)
        [ -z "${!_key:-}" ] || [ "${!_key}" = "$_value" ] || HOSTS_RECORD_CONFLICT+="$_key=${!_key} (this network: $_value) "
        printf -v "$_key" '%s' "$_value" ;;
    esac
  done <"$POLL_LEDGER_RUN_DIR/hosts"
  unset _key _value
fi
: "${POLL_LEDGER_HOSTS:=single}"
# A /24 of our own, one per port offset (offset 20000: 10.147.20.0/24); up refuses one that is routed elsewhere.
: "${POLL_LEDGER_HOSTS_SUBNET:=10.147.$((POLL_LEDGER_PORT_OFFSET / 1000 % 256)).0/24}"
# netns only: WAN-like delay, in ms, added to each direction of every connection to an org's peer and orderer
# by a Toxiproxy in front of them on the org's host (0: no proxy). Jitter: POLL_LEDGER_WAN_JITTER_MS.
: "${POLL_LEDGER_WAN_DELAY_MS:=0}"
: "${POLL_LEDGER_WAN_JITTER_MS:=0}"
declare -gA ORG_HOST=()
for _pair in ${POLL_LEDGER_ORG_HOSTS:-}; do ORG_HOST[${_pair%%=*}]=${_pair#*=}; done
unset _pair

org_hostnum() { # org → its host number in the netns layout's subnet
  echo $((ORG_BASE[$1] / 1000))
}

org_host() { # org → the address its nodes listen on and are reached at
  if [ -n "${ORG_HOST[$1]:-}" ]; then
    echo "${ORG_HOST[$1]}"
  elif [ "$POLL_LEDGER_HOSTS" = netns ]; then
    echo "${POLL_LEDGER_HOSTS_SUBNET%.*/*}.$(org_hostnum "$1")"
  else
    echo "$POLL_LEDGER_HOST"
  fi
}

orderer_orgs() {
  # Orgs that join later (addOrg) are application orgs only: the consenter set is the genesis one.
  if [ "$POLL_LEDGER_MODE" = full ]; then echo "${FOUNDING_ORGS[@]}"; else echo city; fi
}

# The REST gateway (npm start): the city's, connects to the city's peer.
: "${POLL_LEDGER_GATEWAY_PORT:=$((8080 + POLL_LEDGER_PORT_OFFSET))}"
# Its operations listener (/healthz, /readyz, /metrics), kept off the public port.
: "${POLL_LEDGER_GATEWAY_OPS_PORT:=$((8081 + POLL_LEDGER_PORT_OFFSET))}"
# Its database (what gateway replicas share): a PostgreSQL server of the scripts' own.
: "${POLL_LEDGER_GATEWAY_DB_PORT:=$((5433 + POLL_LEDGER_PORT_OFFSET))}"
GATEWAY_ORG=city

# Where the gateway runs and listens. Single layout: this machine, its public port on POLL_LEDGER_HOST, its operations
# listener and database on loopback. Netns layout: all three on its org's host (gateway.sh starts them in that
# namespace), on the org's address: the operator's machine reaches them over the bridge, as it reaches the peers'
# operations ports; a namespace's own loopback would hide them from it.
gateway_host() {
  if [ "$POLL_LEDGER_HOSTS" = netns ]; then org_host "$GATEWAY_ORG"; else echo "$POLL_LEDGER_HOST"; fi
}
gateway_ops_host() { # the operations listener's and the database's address
  if [ "$POLL_LEDGER_HOSTS" = netns ]; then org_host "$GATEWAY_ORG"; else echo 127.0.0.1; fi
}
