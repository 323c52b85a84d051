#!/usr/bin/env bash
# The network scripts' own tests: no Fabric, no network, about 15 s. Runs the bash tests (*.test.sh) and the
# TypeScript ones (*.test.ts, mocha), then prints "N passed, N failed"; exits 1 when one failed.
#   bash test-network-scripts/test/run.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
passed=0 failed=0 out=$(mktemp)
trap 'rm -f "$out"' EXIT
count() { # "N passed, M failed" lines, or mocha's "N passing" / "M failing"
  local n
  n=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p; s/^ *\([0-9]*\) passing.*/\1 0/p; s/^ *\([0-9]*\) failing.*/0 \1/p' "$out" \
    | awk '{p += $1; f += $2} END {print p + 0, f + 0}')
  passed=$((passed + ${n% *})) failed=$((failed + ${n#* }))
}
for t in *.test.sh; do
  echo "# $t"
  bash "$t" 2>&1 | tee "$out"
  [ "${PIPESTATUS[0]}" -eq 0 ] || grep -q ' failed$' "$out" || failed=$((failed + 1))
  count
done
echo "# *.test.ts (mocha)"
../../node_modules/.bin/mocha 2>&1 | tee "$out"
[ "${PIPESTATUS[0]}" -eq 0 ] || grep -q 'failing' "$out" || failed=$((failed + 1))
count
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
