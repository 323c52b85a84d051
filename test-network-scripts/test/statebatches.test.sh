#!/usr/bin/env bash
# cc_state_batches (lib/chaincode.sh): the chaincode server batches state reads and writes only when the peer's
# core.yaml announces both (Fabric 3.1's chaincode.runtimeParams); a 2.5 core.yaml has no such section.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck disable=SC2034 # read by chaincode.sh
RUN_DIR="$T_DIR/run" CC_NAME=polls POLL_LEDGER_ROOT="$REPO"
CONFIG_DIR="$T_DIR/config"
mkdir -p "$CONFIG_DIR"
# shellcheck source=../lib/chaincode.sh
. "$REPO/test-network-scripts/lib/chaincode.sh"

runtime_params() { # useWriteBatch useGetMultipleKeys
  printf 'chaincode:\n  logging:\n    level: info\n  runtimeParams:\n    useWriteBatch: %s\n    maxSizeWriteBatch: 1000\n    useGetMultipleKeys: %s\n    maxSizeGetMultipleKeys: 1000\nledger:\n' "$1" "$2" >"$CONFIG_DIR/core.yaml"
}

on_when_the_peer_takes_both() {
  runtime_params true true
  assert_eq 1 "$(cc_state_batches)"
}

off_when_the_peer_takes_only_one() {
  runtime_params true false
  assert_eq 0 "$(cc_state_batches)" "reads not batched"
  runtime_params false true
  assert_eq 0 "$(cc_state_batches)" "writes not batched"
}

off_with_a_fabric_2_5_core_yaml() {
  printf 'chaincode:\n  logging:\n    level: info\nledger:\n' >"$CONFIG_DIR/core.yaml"
  assert_eq 0 "$(cc_state_batches)"
}

it "state batches: on when the peer announces batched writes and reads" on_when_the_peer_takes_both
it "state batches: off when the peer announces only one of them" off_when_the_peer_takes_only_one
it "state batches: off with a Fabric 2.5 core.yaml (no runtimeParams)" off_with_a_fabric_2_5_core_yaml
done_testing
