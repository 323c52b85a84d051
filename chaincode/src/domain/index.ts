/**
 * The chaincode's own implementation of the protocol's rules, with no Fabric import. The definitions (records,
 * codes, limits, keys, hash definitions) are in @poll-ledger/protocol; these are the functions that apply them.
 */
export { canonicalBytes, canonicalJson, sha256Hex } from './canonical';
export { type BallotContent, ballotHash, ballotHashText, compareStrings, validateAnswers } from './ballot';
export { type Tally, addBallots, chainStart, chainStep, emptyTally, referenceTally } from './tally';
export { type PollDefinition, parsePollDefinition } from './poll-definition';
export { Transitions } from './poll';
export { ballotRange } from './keys';
export { PollLedgerError } from './errors';
