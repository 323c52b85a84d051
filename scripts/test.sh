#!/usr/bin/env bash
# `npm test`: lint, unit tests, then end-to-end tests against a real Fabric network
# that the test run starts (in .run-e2e, on ports offset by 10000) and stops itself.
set -uo pipefail
# shellcheck source=ensure-deps.sh
. "$(dirname "${BASH_SOURCE[0]}")/ensure-deps.sh"

step() { echo; echo "[poll-ledger] === $* ==="; }
started=$SECONDS

step "lint (eslint, typescript-eslint strict type-checked)"
npx eslint . || exit 1

step "unit tests"
npm run --silent test:unit || exit 1

step "end-to-end tests on a real Fabric network"
e2e_down() { POLL_LEDGER_RUN_DIR="$PWD/.run-e2e" bash test-network-scripts/network.sh down >/dev/null 2>&1; }
# The e2e run stops its network itself; this is the safety net for a crash or Ctrl-C.
trap 'e2e_down; exit 130' INT TERM
npm run --silent test:e2e
rc=$?
e2e_down
echo "[poll-ledger] npm test finished in $((SECONDS - started)) s (exit $rc)"
exit $rc
