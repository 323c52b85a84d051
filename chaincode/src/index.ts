import { gateShimLogging } from './contract/shim-logging';
import { PollContract } from './contract/poll-contract';

export { PollContract } from './contract/poll-contract';

// Before the first transaction: the shim's debug lines are dropped before winston formats them.
gateShimLogging();

/** Read by `fabric-chaincode-node server`: the first contract is the default, so transactions need no prefix. */
export const contracts = [PollContract];
