/** Inclusive integer bounds. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/**
 * Every size limit of the protocol. The chaincode enforces them; the gateway's request schemas are built from them;
 * changing one changes the chaincode's behaviour and so needs a new chaincode definition.
 */
export const Limits = {
  titleLength: 200,
  descriptionLength: 2000,
  questionTextLength: 500,
  optionTextLength: 200,
  questions: { min: 1, max: 50 },
  optionsPerQuestion: { min: 1, max: 100 },
  /**
   * TallyPoll's maxBallots: one tally transaction must stay below the peer's totalQueryLimit (100,000; it reads one key
   * more) and well inside the chaincode execute timeout (30 s; 50,000 ballots took about 2 s to endorse on 2 cores).
   * Each TallyPoll waits for its block (the orderer's batch timeout), so fewer, larger steps tally faster.
   */
  tallyBatch: { min: 1, max: 50_000 },
  listPageSize: { min: 1, max: 100 },
  livePageSize: { min: 1, max: 10000 },
  /** GetResults reads a live poll in pages of this size, so no single read meets the peer's totalQueryLimit. */
  liveScanPageSize: 1000,
  /** A ballot record remembers the requests of this many earlier versions, so their late retries are duplicates. */
  earlierRequests: 32,
  /**
   * Ballots in one CastBallots transaction: enough to share Fabric's per-transaction cost (signatures, endorsement,
   * validation) among many ballots, few enough that one transaction stays far below the peer's message limits.
   */
  castBatch: { min: 1, max: 100 },
  /** A bookmark is a state key: at most this long. */
  bookmarkLength: 1000,
} as const satisfies Record<string, number | Bounds>;
