#!/usr/bin/env bash
# Hosts (network/network.config.sh org_host, test-network-scripts/lib/hosts.sh): the addresses, names and configs the
# one-file network definition gives each org in the default layout and in the netns layout. Pure: no namespace,
# bridge or link is created, and no root is needed.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# load [VAR=VALUE...]: the network's definition and the helpers, as network.sh has them, for a run directory of the
# test's own (in the test's subshell).
load() {
  local assignment
  for assignment in "$@"; do export "${assignment?}"; done
  POLL_LEDGER_ROOT=$REPO
  : "${POLL_LEDGER_RUN_DIR:=$T_DIR/run}"
  # shellcheck source=../../network/network.config.sh
  . "$REPO/network/network.config.sh"
  RUN_DIR=$POLL_LEDGER_RUN_DIR
  local lib
  for lib in utils nodes hosts; do
    # shellcheck source=/dev/null
    . "$REPO/test-network-scripts/lib/$lib.sh"
  done
}

addresses() { local org; for org in "${ORGS[@]}"; do printf '%s=%s ' "$org" "$(org_host "$org")"; done; }

default_layout_is_loopback() {
  load POLL_LEDGER_PORT_OFFSET=20000
  assert_eq "city=127.0.0.1 dept=127.0.0.1 observer=127.0.0.1 watchdog=127.0.0.1 " "$(addresses)"
  assert_eq "" "$(org_netns city)" "no namespace"
  assert_eq 127.0.0.1 "$(node_listen_host city "$(peer_port city)")"
}

netns_layout_gives_each_org_its_address() {
  load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000
  assert_eq "city=10.147.20.7 dept=10.147.20.8 observer=10.147.20.9 watchdog=10.147.20.11 " "$(addresses)"
  assert_eq 10.147.20.1 "$(hosts_self)"
  hosts_check_config 2>&1 || fail "hosts_check_config refused the default definition"
}

subnet_follows_the_port_offset() {
  assert_eq 10.147.0.0/24 "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=0; echo "$POLL_LEDGER_HOSTS_SUBNET")"
  assert_eq 10.147.10.0/24 "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=10000; echo "$POLL_LEDGER_HOSTS_SUBNET")"
  assert_eq "city=172.20.5.7 dept=172.20.5.8 observer=172.20.5.9 watchdog=172.20.5.11 " \
    "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_HOSTS_SUBNET=172.20.5.0/24; addresses)"
}

names_carry_the_run_directory() {
  local a b
  a=$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_RUN_DIR=/tmp/one; echo "$(org_netns watchdog) $(org_veth watchdog) $(hosts_bridge)")
  b=$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_RUN_DIR=/tmp/two; echo "$(org_netns watchdog) $(org_veth watchdog) $(hosts_bridge)")
  assert_matches "$a" '^pl[0-9a-f]{6}-watchdog plv[0-9a-f]{6}n11 plb[0-9a-f]{6}$'
  [ "$a" != "$b" ] || fail "two run directories got the same names: $a"
  local veth=${a#* } && veth=${veth%% *}
  [ ${#veth} -le 15 ] || fail "$veth is longer than an interface name may be (15)"
}

joined_org_gets_a_host() {
  mkdir -p "$T_DIR/joined"
  printf 'dept2 Dept2MSP 10050\n' >"$T_DIR/joined/joined-orgs"
  assert_eq "city=10.147.20.7 dept=10.147.20.8 observer=10.147.20.9 watchdog=10.147.20.11 dept2=10.147.20.10 " \
    "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000 POLL_LEDGER_RUN_DIR="$T_DIR/joined"; addresses)"
}

bad_definitions_are_refused() {
  local out
  out=$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_HOSTS_SUBNET=8.8.8.0/24; hosts_check_config 2>&1) && fail "a public subnet was accepted"
  assert_contains "$out" "needs a private /24"
  out=$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_HOSTS_SUBNET=10.1.0.0/16; hosts_check_config 2>&1) && fail "a /16 was accepted"
  out=$(load POLL_LEDGER_HOSTS=netns; ORG_BASE[dept]=7550; hosts_check_config 2>&1) && fail "two orgs on one host number were accepted"
  assert_contains "$out" "would share host number 7"
}

explicit_addresses_win() {
  assert_eq "city=10.0.0.5 dept=127.0.0.1 observer=127.0.0.1 watchdog=127.0.0.1 " \
    "$(load POLL_LEDGER_ORG_HOSTS="city=10.0.0.5"; addresses)"
}

channel_config_names_each_orgs_host() {
  local out org
  out=$(
    load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000
    # shellcheck disable=SC2090 # GOVERNANCE_ADMINS holds quotes on purpose (a policy)
    export RUN_DIR ORDERER_BATCH_TIMEOUT ORDERER_BATCH_MAX_MESSAGES GOVERNANCE_ADMINS BFT_LEADER_HEARTBEAT_TIMEOUT \
      BFT_REQUEST_COMPLAIN_TIMEOUT BFT_VIEW_CHANGE_TIMEOUT CHANNEL_CAPABILITY=V3_0
    for org in "${ORGS[@]}"; do
      export "${org^^}_PEER_PORT=$(peer_port "$org")" "${org^^}_ORDERER_PORT=$(orderer_port "$org")" "${org^^}_HOST=$(org_host "$org")"
    done
    { render_template "$REPO/network/configtx.yaml.tmpl" && render_template "$REPO/network/configtx.full-profile.yaml.tmpl"; } | grep -v '^ *#'
  ) || fail "the templates did not render"
  assert_not_contains "$out" "127.0.0.1"
  assert_contains "$out" 'OrdererEndpoints: [ "10.147.20.9:29050" ]'
  assert_contains "$out" "AnchorPeers: [ { Host: 10.147.20.11, Port: 31051 } ]"
  assert_contains "$out" "ID: 2, Host: 10.147.20.8, Port: 28050"
}

recorded_layout_wins_and_a_different_one_is_named() {
  local run="$T_DIR/recorded"
  mkdir -p "$run"
  printf 'POLL_LEDGER_HOSTS=netns\nPOLL_LEDGER_HOSTS_SUBNET=10.147.99.0/24\nPOLL_LEDGER_WAN_DELAY_MS=0\nPOLL_LEDGER_WAN_JITTER_MS=0\n' >"$run/hosts"
  assert_eq "10.147.99.7 " "$(load POLL_LEDGER_RUN_DIR="$run"; echo "$(org_host city) $HOSTS_RECORD_CONFLICT")"
  assert_eq "POLL_LEDGER_HOSTS=single (this network: netns) " "$(load POLL_LEDGER_RUN_DIR="$run" POLL_LEDGER_HOSTS=single; echo "$HOSTS_RECORD_CONFLICT")"
}

wan_proxies_front_the_peer_and_orderer() {
  local out
  out=$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000 POLL_LEDGER_WAN_DELAY_MS=25
    # shellcheck disable=SC2016 # JavaScript's own ${}
    wan_proxy_config city | node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(p.map((x) => `${x.name} ${x.listen}>${x.upstream}`).join(" "))'
    wan_proxy_config dept | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).map((x) => x.name).join(" "))'
    echo "$(node_listen_host city 27051) $(node_listen_host city 27050) $(node_listen_host city 27056)")
  assert_eq "peer0.city 10.147.20.7:27051>127.0.0.1:27051 orderer0.city 10.147.20.7:27050>127.0.0.1:27050
peer0.dept
127.0.0.1 127.0.0.1 10.147.20.7" "$out"
  assert_eq 10.147.20.7 "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000; node_listen_host city 27051)" "no delay, no proxy"
}

gateway_runs_on_the_city_host_in_the_netns_layout() {
  assert_eq "127.0.0.1 127.0.0.1 " "$(load POLL_LEDGER_PORT_OFFSET=20000; echo "$(gateway_host) $(gateway_ops_host) $(org_netns "$GATEWAY_ORG")")" \
    "single layout: this machine, no namespace"
  assert_eq "10.147.20.7 10.147.20.7 true" \
    "$(load POLL_LEDGER_HOSTS=netns POLL_LEDGER_PORT_OFFSET=20000
      echo "$(gateway_host) $(gateway_ops_host) $([ "$(org_netns "$GATEWAY_ORG")" = "$(org_netns city)" ] && echo true)")" \
    "netns layout: the city's address, in the city's namespace"
  assert_eq "28080=gateway 28081=gateway operations " "$(load POLL_LEDGER_PORT_OFFSET=20000; node_ports gateway | tr '\n' ' ')" \
    "checkPorts covers both of the gateway's listeners"
}

gateway_database_trusts_only_its_clients() {
  # postgres.sh's pg_hba.conf lines, on a data directory of the test's own (no server is started).
  local dir="$T_DIR/pg" pg="$REPO/test-network-scripts/lib/postgres.sh"
  mkdir -p "$dir" && printf 'host all all 127.0.0.1/32 trust\n' >"$dir/pg_hba.conf"
  # shellcheck source=../lib/postgres.sh
  (. "$pg"; as_pg() { "$@"; }
    pg_trust "$dir" 10.147.20.7 10.147.20.1 && pg_trust "$dir" 10.147.20.7) || fail "pg_trust failed"
  assert_eq "host all all 127.0.0.1/32 trust
host all all 10.147.20.7/32 trust # poll-ledger client" "$(cat "$dir/pg_hba.conf")" "a second start replaces the first one's clients"
  assert_eq "postgres://gateway@10.147.20.7:25433/gateway" "$(bash "$pg" url 25433 10.147.20.7)"
  assert_eq "postgres://gateway@127.0.0.1:5433/gateway" "$(bash "$pg" url 5433)"
}

cut_needs_the_netns_layout() {
  local out
  out=$(POLL_LEDGER_RUN_DIR="$T_DIR/run-cut" bash "$NETWORK_SH" cut observer 2>&1) && fail "cut succeeded: $out"
  assert_contains "$out" "cut and heal need the netns layout"
}

it "the default layout puts every org on 127.0.0.1, in no namespace" default_layout_is_loopback
it "the netns layout gives each org its address: host number base port / 1000 in the subnet" netns_layout_gives_each_org_its_address
it "the subnet follows the port offset unless POLL_LEDGER_HOSTS_SUBNET names one" subnet_follows_the_port_offset
it "namespace, veth and bridge names carry the run directory's id, and fit an interface name" names_carry_the_run_directory
it "an org that joined later (joined-orgs) gets a host of its own" joined_org_gets_a_host
it "a public or non-/24 subnet, and two orgs on one host number, are refused" bad_definitions_are_refused
it "POLL_LEDGER_ORG_HOSTS names an org's address outright" explicit_addresses_win
it "the channel config names each org's own address and never 127.0.0.1 in the netns layout" channel_config_names_each_orgs_host
it "a run directory's recorded layout wins; a different one from the environment is named" recorded_layout_wins_and_a_different_one_is_named
it "with a WAN delay, Toxiproxy holds the peer and orderer ports on the org's address, the node its host's loopback" wan_proxies_front_the_peer_and_orderer
it "the gateway and its database run on this machine in the single layout, on the city's host in the netns layout" gateway_runs_on_the_city_host_in_the_netns_layout
it "the gateway's database trusts loopback and the clients it is given, only this start's" gateway_database_trusts_only_its_clients
it "cut refuses the default layout before touching anything" cut_needs_the_netns_layout
done_testing
