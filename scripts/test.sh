#!/usr/bin/env bash
# `npm test`: lint, unit tests, then end-to-end tests against a real Fabric network that the test run
# starts (in .run-e2e, on ports offset by 10000) and stops itself: first in quick mode, then in full (BFT) mode.
set -uo pipefail
# shellcheck source=ensure-deps.sh
. "$(dirname "${BASH_SOURCE[0]}")/ensure-deps.sh"

step() { echo; echo "[poll-ledger] === $* ==="; }
started=$SECONDS

step "lint (eslint, typescript-eslint strict type-checked)"
npx eslint . || exit 1

step "unit tests"
npm run --silent test:unit || exit 1

step "network script tests (pid files, busy ports, e2e set-up clean-up, build progress; no Fabric)"
bash test-network-scripts/test/run.sh || exit 1

step "the citizen page in a real browser (Debian's chromium, installed if missing)"
npm run --silent test:browser -w @poll-ledger/verifier || exit 1

e2e_down() { POLL_LEDGER_RUN_DIR="$PWD/.run-e2e" bash test-network-scripts/network.sh down >/dev/null 2>&1; }
# Each e2e run stops its network itself; this is the safety net for a crash or Ctrl-C.
trap 'e2e_down; exit 130' INT TERM

step "end-to-end tests on a real Fabric network (quick mode: one Raft orderer)"
npm run --silent test:e2e
rc=$?
e2e_down
if [ $rc -eq 0 ]; then
  step "end-to-end tests on the full network (four BFT orderers, one per organization)"
  npm run --silent test:e2e:bft -w @poll-ledger/e2e
  rc=$?
  e2e_down
fi
echo "[poll-ledger] npm test finished in $((SECONDS - started)) s (exit $rc)"
exit $rc
