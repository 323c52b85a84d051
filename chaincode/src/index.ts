import { PollContract } from './contract/poll-contract';

export { PollContract } from './contract/poll-contract';

/** Read by `fabric-chaincode-node server`: the first contract is the default, so transactions need no prefix. */
export const contracts = [PollContract];
