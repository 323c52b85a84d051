#!/usr/bin/env bash
# `npm start`: install what is missing, build, bring the network up, deploy the
# chaincode and start the REST gateway. Options are passed to network.sh (--full).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
# First, before installing, building or starting anything: every port the network and the gateway will listen
# on must be free (network.sh names what holds one).
gateway=()
[ -x test-network-scripts/gateway.sh ] && gateway=(--gateway)
bash test-network-scripts/network.sh checkPorts "${gateway[@]+"${gateway[@]}"}" "$@" || exit 1
# shellcheck source=ensure-deps.sh
. scripts/ensure-deps.sh
bash test-network-scripts/network.sh all "$@" || exit 1
if [ -x test-network-scripts/gateway.sh ]; then
  bash test-network-scripts/gateway.sh start || exit 1
fi
bash test-network-scripts/network.sh status
echo
echo "[poll-ledger] network state and logs: ${POLL_LEDGER_RUN_DIR:-$PWD/.run}; stop everything with: npm run network -- down"
