# Installs npm dependencies when they are missing or older than package-lock.json,
# and builds every workspace. Sourced by start.sh and test.sh.
# shellcheck shell=bash
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[poll-ledger] installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund || { echo "[poll-ledger] npm ci failed" >&2; exit 1; }
fi
echo "[poll-ledger] building (tsc, all workspaces)..."
npm run --silent build || { echo "[poll-ledger] build failed" >&2; exit 1; }
