/**
 * The chaincode's pure rules, for anyone who recomputes what the ledger says (the auditor, the e2e tests):
 * `require('@poll-ledger/chaincode/dist/domain')`. Nothing here touches Fabric.
 */
export { canonicalBytes, canonicalJson, sha256Hex } from './canonical';
export {
  type Answers,
  type Ballot,
  type BallotContent,
  type BallotReceipt,
  type RequestRecord,
  ballotHash,
  compareStrings,
  validateAnswers,
} from './ballot';
export {
  type Counts,
  type Tally,
  type TallyState,
  CHAIN_DOMAIN,
  addBallots,
  chainStart,
  chainStep,
  emptyTally,
  referenceTally,
} from './tally';
export type { LiveResultsPage, Results } from './results';
export {
  type Poll,
  type PollDefinition,
  type PollOption,
  type PollStatus,
  type Question,
  PollStatuses,
  Transitions,
} from './poll';
export { parsePollDefinition } from './poll-definition';
export { ballotKey, ballotRange, pollKey, pollStatusKey, tallyKey } from './keys';
export { type AnswerSubcode, type ErrorCode, AnswerSubcodes, ErrorCodes, PollLedgerError } from './errors';
export { BALLOT_CAST, PollEvents } from './events';
