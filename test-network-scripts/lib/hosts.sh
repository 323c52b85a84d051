# Test hosts of our own (POLL_LEDGER_HOSTS=netns, network/network.config.sh). Each organization's nodes run in a
# Linux network namespace of their own, with the org's address (org_host) on one end of a veth pair; the other end
# is a port of a bridge the scripts create. The bridge holds .1 of the subnet: this machine (the operator's tools,
# the tests) reaches every org there, and the orgs reach each other over it. The REST gateway and its database run on
# the city's host (gateway.sh). The namespaces have no default route: nothing outside the subnet is reachable from
# them. Needs root and iproute2; no iptables, no netem.
#
# Names carry an id of the run directory, so two networks never share one, and `down` (or the `up` of a run
# directory with no record yet, after a crash) deletes exactly this run directory's:
#   namespace pl<id>-<org>, bridge plb<id>, veth plv<id>n<host number> (its other end is eth0 in the namespace).
#
#   hosts_up                        create what is missing (bridge, a namespace and a link per org), record the layout
#   hosts_down                      delete them (idempotent; says which processes still run in a namespace)
#   hosts_cut ORG / hosts_heal ORG  the org's link down (every other host loses it, and it them) / up again
#   BG_NETNS=$(org_netns ORG) start_bg ...   run a process on ORG's host (utils.sh)
#
# WAN delay (POLL_LEDGER_WAN_DELAY_MS > 0): a Toxiproxy on each org's host holds the org's address on the peer and
# orderer ports and forwards to the node, which then listens on that host's own loopback; a latency toxic delays each
# direction. Toxiproxy is built from the Go module proxy into the cache, as the Fabric binaries are.
# shellcheck shell=bash

hosts_netns() { [ "$POLL_LEDGER_HOSTS" = netns ]; }

# The run directory's id in every name (6 hex digits of the SHA-256 of its absolute path).
HOSTS_ID=$(printf '%s' "$(realpath -m "$RUN_DIR")" | sha256sum | cut -c1-6)

hosts_prefix() { echo "${POLL_LEDGER_HOSTS_SUBNET%.*/*}"; }
hosts_self()   { echo "$(hosts_prefix).1"; }       # this machine's address on the bridge
hosts_bridge() { echo "plb$HOSTS_ID"; }
org_veth()     { echo "plv${HOSTS_ID}n$(org_hostnum "$1")"; }
# The namespace ORG's nodes run in; nothing in the single layout (they run here).
org_netns()    { if hosts_netns; then echo "pl$HOSTS_ID-$1"; fi; }

# hosts_check_config: the subnet is a private /24 (10/8, 172.16/12, 192.168/16) written A.B.C.0/24, and every org has a
# host number of its own in 2..254. Pure: no root, no change; prints what is wrong.
hosts_check_config() {
  local s=$POLL_LEDGER_HOSTS_SUBNET org n problems=0
  declare -A seen=()
  if ! [[ "$s" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.0/24$ ]] || [ "${BASH_REMATCH[2]}" -gt 255 ] || [ "${BASH_REMATCH[3]}" -gt 255 ] \
    || ! { [ "${BASH_REMATCH[1]}" = 10 ] || { [ "${BASH_REMATCH[1]}" = 172 ] && [ "${BASH_REMATCH[2]}" -ge 16 ] && [ "${BASH_REMATCH[2]}" -le 31 ]; } \
      || { [ "${BASH_REMATCH[1]}" = 192 ] && [ "${BASH_REMATCH[2]}" = 168 ]; }; }; then
    errorln "POLL_LEDGER_HOSTS_SUBNET=$s: the netns layout needs a private /24 written A.B.C.0/24 (10.x, 172.16-31.x or 192.168.x)"
    problems=1
  fi
  for org in "${ORGS[@]}"; do
    n=$(org_hostnum "$org")
    if [ "$n" -lt 2 ] || [ "$n" -gt 254 ]; then
      errorln "$org: host number $n (base port ${ORG_BASE[$org]} / 1000) is not in 2..254"
      problems=1
    elif [ -n "${seen[$n]:-}" ]; then
      errorln "$org and ${seen[$n]} would share host number $n (base port / 1000): give one another base port"
      problems=1
    fi
    seen[$n]=$org
  done
  return $problems
}

# hosts_subnet_free: nothing of this machine but our own bridge routes the subnet (no interface, VPN or route of
# anyone else): the namespaces' addresses must never shadow a real network. Prints the route that is in the way.
hosts_subnet_free() {
  local routes
  routes=$(ip -4 route show to match "$(hosts_self)" 2>/dev/null | grep -v '^default ' | grep -v " dev $(hosts_bridge)\( \|$\)")
  if [ -n "$routes" ]; then
    errorln "$POLL_LEDGER_HOSTS_SUBNET is routed on this machine already ($routes); choose another with POLL_LEDGER_HOSTS_SUBNET"
    return 1
  fi
}

_hosts_require_root() {
  command -v ip >/dev/null 2>&1 || fatalln "the netns layout needs iproute2's 'ip' command"
  [ "$(id -u)" = 0 ] || fatalln "the netns layout creates network namespaces, a bridge and veth pairs: run as root (or use the default layout)"
}

_hosts_namespaces() { # this run directory's namespaces that exist, one a line
  ip netns list 2>/dev/null | awk -v p="pl$HOSTS_ID-" 'index($1, p) == 1 { print $1 }'
}
_hosts_links() { # this run directory's veths and bridge that exist, one a line
  ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E "^(plv${HOSTS_ID}n[0-9]+|plb$HOSTS_ID)$"
}
_hosts_exists() { [ -n "$(_hosts_namespaces)$(_hosts_links)" ]; }

_hosts_record() {
  printf 'POLL_LEDGER_HOSTS=%s\nPOLL_LEDGER_HOSTS_SUBNET=%s\nPOLL_LEDGER_WAN_DELAY_MS=%s\nPOLL_LEDGER_WAN_JITTER_MS=%s\n' \
    "$POLL_LEDGER_HOSTS" "$POLL_LEDGER_HOSTS_SUBNET" "$POLL_LEDGER_WAN_DELAY_MS" "$POLL_LEDGER_WAN_JITTER_MS" >"$RUN_DIR/hosts"
}

# hosts_check_layout: refuse a run directory set up in another layout (its certificates name other addresses).
hosts_check_layout() {
  [ -z "$HOSTS_RECORD_CONFLICT" ] \
    || fatalln "the network in $RUN_DIR was set up with other hosts: ${HOSTS_RECORD_CONFLICT% }; run 'network.sh down' first"
  if hosts_netns && [ ! -f "$RUN_DIR/hosts" ] && [ -f "$RUN_DIR/mode" ]; then
    fatalln "the network in $RUN_DIR was set up in the single layout (127.0.0.1); run 'network.sh down' first"
  fi
  hosts_netns || return 0
  hosts_check_config || fatalln "the netns layout's configuration is wrong (above)"
  [[ "$POLL_LEDGER_WAN_DELAY_MS" =~ ^[0-9]+$ && "$POLL_LEDGER_WAN_JITTER_MS" =~ ^[0-9]+$ ]] \
    || fatalln "POLL_LEDGER_WAN_DELAY_MS and POLL_LEDGER_WAN_JITTER_MS are whole milliseconds"
}

hosts_up() {
  hosts_netns || return 0
  _hosts_require_root
  if [ ! -f "$RUN_DIR/hosts" ] && _hosts_exists; then
    infoln "Test hosts of an earlier network in $RUN_DIR are left (a crash?): deleting them first"
    hosts_down
  fi
  hosts_subnet_free || fatalln "nothing was started"
  local br org ns veth addr
  br=$(hosts_bridge)
  if ! ip link show "$br" >/dev/null 2>&1; then
    infoln "Test hosts: bridge $br ($(hosts_self)/24, this machine) for $POLL_LEDGER_HOSTS_SUBNET"
    { ip link add "$br" type bridge && ip addr add "$(hosts_self)/24" dev "$br" && ip link set "$br" up; } \
      || fatalln "could not create the bridge $br"
  fi
  for org in "${ORGS[@]}"; do
    ns=$(org_netns "$org") veth=$(org_veth "$org") addr=$(org_host "$org")
    if [ ! -e "/run/netns/$ns" ]; then
      { ip netns add "$ns" && ip -n "$ns" link set lo up; } || fatalln "could not create the namespace $ns"
    fi
    if ip link show "$veth" >/dev/null 2>&1; then
      ip link show "$veth" | grep -q 'state DOWN' && warnln "$org is cut off ($veth is down): 'network.sh heal $org' connects it again"
      continue
    fi
    infoln "  host of $org: namespace $ns, $addr on eth0 (veth $veth on $br)"
    { ip link add "$veth" type veth peer name "plp${HOSTS_ID}n$(org_hostnum "$org")" netns "$ns" \
        && ip -n "$ns" link set "plp${HOSTS_ID}n$(org_hostnum "$org")" name eth0 \
        && ip -n "$ns" addr add "$addr/24" dev eth0 \
        && ip -n "$ns" link set eth0 up \
        && ip link set "$veth" master "$br" \
        && ip link set "$veth" up; } || fatalln "could not connect the host of $org ($ns) to $br"
  done
  _hosts_record
}

# Deletes this run directory's namespaces, veths and bridge, whatever state they are in.
hosts_down() {
  command -v ip >/dev/null 2>&1 || return 0
  local nss=() links=() ns link pids
  mapfile -t nss < <(_hosts_namespaces)
  mapfile -t links < <(_hosts_links)
  [ ${#nss[@]} -gt 0 ] || [ ${#links[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || { errorln "the test hosts of $RUN_DIR (${nss[*]} ${links[*]}) can only be deleted by root"; return 1; }
  for ns in "${nss[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [ -z "$pids" ] || warnln "processes still run on the host $ns (pids ${pids% }): not started, or not stopped, by these scripts; not signalling them"
  done
  # The host end first: that destroys the pair, even when a process keeps its namespace alive.
  for link in "${links[@]}"; do [[ "$link" == plv* ]] && ip link del "$link" 2>/dev/null; done
  for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null; done
  ip link del "$(hosts_bridge)" 2>/dev/null
  rm -f "$RUN_DIR/hosts"
  if _hosts_exists; then
    errorln "could not delete every test host of $RUN_DIR: $(_hosts_namespaces | tr '\n' ' ')$(_hosts_links | tr '\n' ' ')"
    return 1
  fi
  infoln "Deleted the test hosts of $RUN_DIR (${#nss[@]} namespaces, bridge $(hosts_bridge))"
}

# hosts_link_state ORG: ORG's host and how it is connected, for status: "<namespace> <address>: link up" (or CUT OFF).
hosts_link_state() {
  hosts_netns || return 0
  local veth state
  veth=$(org_veth "$1")
  if ! ip link show "$veth" >/dev/null 2>&1; then state="no link"
  elif ip link show "$veth" | grep -q 'state DOWN'; then state="CUT OFF ($veth down)"
  else state="link up"; fi
  echo "$(org_netns "$1") $(org_host "$1"): $state"
}

_hosts_link_of() { # org → its veth, or fail when the layout or the link is missing
  hosts_netns || fatalln "cut and heal need the netns layout (POLL_LEDGER_HOSTS=netns): in the single layout every org is on $POLL_LEDGER_HOST"
  [ -n "${ORG_MSP[$1]:-}" ] || fatalln "no organization '$1' in this network (${ORGS[*]})"
  ip link show "$(org_veth "$1")" >/dev/null 2>&1 || fatalln "$1 has no link ($(org_veth "$1")): is the network up?"
  org_veth "$1"
}

# The org's link down: its host loses every other host, this machine included, and they lose it. Connections are not
# reset: packets are dropped, as on a pulled cable, until heal (or until TCP gives up).
hosts_cut() { # org
  local veth
  veth=$(_hosts_link_of "$1") || exit 1
  _hosts_require_root
  ip link set "$veth" down || fatalln "could not take $veth down"
  successln "$1 ($(org_host "$1")) is cut off from the other hosts ($veth down); 'network.sh heal $1' ends it"
}

hosts_heal() { # org
  local veth
  veth=$(_hosts_link_of "$1") || exit 1
  _hosts_require_root
  ip link set "$veth" up || fatalln "could not bring $veth up"
  successln "$1 ($(org_host "$1")) is connected again ($veth up)"
}

# ---------------------------------------------------------------------------------------------
# WAN delay through Toxiproxy.

TOXIPROXY_VERSION=2.12.0
TOXIPROXY_API_PORT=8474   # on each org host's own loopback: only that host reaches it

wan_delay_on() { hosts_netns && [ "${POLL_LEDGER_WAN_DELAY_MS:-0}" -gt 0 ]; }

# The ports of ORG that other hosts use, which its Toxiproxy holds: the peer's, and the orderer's where it runs one.
wan_proxied_ports() { # org
  peer_port "$1"
  if [[ " $(orderer_orgs) " == *" $1 "* ]]; then orderer_port "$1"; fi
}
_wan_proxied() { # org port
  [[ " $(wan_proxied_ports "$1" | tr '\n' ' ') " == *" $2 "* ]]
}

# The address ORG's node listens on for PORT: the org's own, or, behind its Toxiproxy, the org host's loopback.
node_listen_host() { # org port
  if wan_delay_on && _wan_proxied "$1" "$2"; then echo 127.0.0.1; else org_host "$1"; fi
}

# netns_port_open NETNS PORT: something listens on PORT of that host's own loopback.
netns_port_open() {
  # shellcheck disable=SC2016 # $1 of the inner shell
  ip netns exec "$1" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$2" 2>/dev/null
}

# node_port_open ORG PORT: the node itself listens there (not only a Toxiproxy in front of it).
node_port_open() {
  if wan_delay_on && _wan_proxied "$1" "$2"; then
    netns_port_open "$(org_netns "$1")" "$2"
  else
    port_open "$(org_host "$1")" "$2"
  fi
}

# Toxiproxy's server, from the cache or built with Go from the module proxy (its tag is served there).
ensure_toxiproxy() {
  wan_delay_on || return 0
  local dir="$POLL_LEDGER_CACHE_DIR/toxiproxy-$TOXIPROXY_VERSION"
  TOXIPROXY_BIN="$dir/bin/toxiproxy-server"
  if [ ! -x "$TOXIPROXY_BIN" ]; then
    command -v go >/dev/null 2>&1 || fatalln "POLL_LEDGER_WAN_DELAY_MS needs Toxiproxy: install Go (1.23 or newer) with access to the Go module proxy, or put toxiproxy-server v$TOXIPROXY_VERSION at $TOXIPROXY_BIN"
    infoln "Building Toxiproxy v$TOXIPROXY_VERSION into $dir/bin (under a minute on 2 cores)..."
    mkdir -p "$dir/bin"
    _go_build_into 1.23.0 "github.com/Shopify/toxiproxy/v2@v$TOXIPROXY_VERSION" "$dir/bin" \
      "-X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION" github.com/Shopify/toxiproxy/v2/cmd/server \
      || fatalln "building Toxiproxy v$TOXIPROXY_VERSION failed (output above)"
    mv "$dir/bin/server" "$TOXIPROXY_BIN"
  fi
  infoln "Toxiproxy v$TOXIPROXY_VERSION: $TOXIPROXY_BIN (WAN delay ${POLL_LEDGER_WAN_DELAY_MS} ms each way, jitter ${POLL_LEDGER_WAN_JITTER_MS} ms)"
}

# wan_proxy_config ORG: Toxiproxy's -config file for ORG, one proxy per proxied port (pure).
wan_proxy_config() {
  local org=$1 port sep='' host
  host=$(org_host "$org")
  printf '['
  for port in $(wan_proxied_ports "$org"); do
    printf '%s\n  {"name": "%s", "listen": "%s:%s", "upstream": "127.0.0.1:%s", "enabled": true}' "$sep" "$(_wan_port_name "$org" "$port")" "$host" "$port" "$port"
    sep=,
  done
  printf '\n]\n'
}
_wan_port_name() { if [ "$2" = "$(peer_port "$1")" ]; then echo "peer0.$1"; else echo "orderer0.$1"; fi; }

# Starts ORG's Toxiproxy (when not running) and gives each of its proxies the latency toxic, both directions.
start_wan_proxy() { # org
  local org=$1 ns config
  ns=$(org_netns "$org")
  config="$CONFIG_DIR/toxiproxy.$org.json"
  wan_proxy_config "$org" >"$config"
  BG_NETNS=$ns start_bg "toxiproxy.$org" "$TOXIPROXY_BIN" -host 127.0.0.1 -port "$TOXIPROXY_API_PORT" -config "$config"
  wait_for "the Toxiproxy of $org" 30 netns_port_open "$ns" "$TOXIPROXY_API_PORT" \
    || fatalln "the Toxiproxy of $org did not start, see $LOG_DIR/toxiproxy.$org.log"
  ip netns exec "$ns" node - "$TOXIPROXY_API_PORT" "$POLL_LEDGER_WAN_DELAY_MS" "$POLL_LEDGER_WAN_JITTER_MS" <<'JS' \
    || fatalln "could not give the Toxiproxy of $org its latency, see $LOG_DIR/toxiproxy.$org.log"
const [port, latency, jitter] = process.argv.slice(2).map(Number);
const api = `http://127.0.0.1:${port}`;
(async () => {
  const proxies = await (await fetch(`${api}/proxies`)).json();
  for (const name of Object.keys(proxies)) {
    for (const stream of ['upstream', 'downstream']) {
      const res = await fetch(`${api}/proxies/${name}/toxics`, {
        method: 'POST',
        body: JSON.stringify({ name: `wan-${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency, jitter } }),
      });
      if (!res.ok && res.status !== 409) throw new Error(`${name} ${stream}: ${res.status} ${await res.text()}`);
    }
  }
})().catch((err) => { console.error(err.message); process.exit(1); });
JS
}

start_wan_proxies() {
  wan_delay_on || return 0
  local org
  infoln "Starting a Toxiproxy on each org's host (peer and orderer ports, ${POLL_LEDGER_WAN_DELAY_MS} ms each way)"
  for org in "${ORGS[@]}"; do start_wan_proxy "$org"; done
}
