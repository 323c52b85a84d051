/**
 * Every tunable rule of the chaincode in one place: which organisations may do what, and how big things may be.
 * Changing a value here changes the chaincode's behaviour, so it needs a new chaincode definition.
 */

/** The city's MSP: its poll-admins manage every poll and its ballot-relay is the only identity that casts ballots. */
export const CITY_MSP = 'CityMSP';

/** Department MSPs: their poll-admins create polls and manage the polls they own. Add new departments here. */
export const DEPARTMENT_MSPS: readonly string[] = ['DeptMSP'];

/** Civic observers endorse and audit; they may read everything and change nothing. Listed for documentation. */
export const OBSERVER_MSP = 'ObserverMSP';

/** The certificate attribute (issued by each org's Fabric CA) that carries the caller's role. */
export const ROLE_ATTRIBUTE = 'role';

export const Roles = {
  pollAdmin: 'poll-admin',
  ballotRelay: 'ballot-relay',
  auditor: 'auditor',
} as const;

/** Inclusive integer bounds. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
}

export const Limits = {
  titleLength: 200,
  descriptionLength: 2000,
  questionTextLength: 500,
  optionTextLength: 200,
  questions: { min: 1, max: 50 },
  optionsPerQuestion: { min: 1, max: 100 },
  /** TallyPoll's maxBallots: one tally transaction must stay far below the peer's totalQueryLimit (100,000). */
  tallyBatch: { min: 1, max: 5000 },
  listPageSize: { min: 1, max: 100 },
  livePageSize: { min: 1, max: 10000 },
  /** GetResults reads a live poll in pages of this size, so no single read meets the peer's totalQueryLimit. */
  liveScanPageSize: 1000,
  /** A ballot record remembers the requests of this many earlier versions, so their late retries are duplicates. */
  earlierRequests: 32,
} as const satisfies Record<string, number | Bounds>;

export const Patterns = {
  /** Poll, question and option ids. Never contains `~`, the key separator. */
  id: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  /** HMAC-SHA256 voter token computed by the gateway; also the ballot id. */
  voterToken: /^[0-9a-f]{64}$/,
  /** The gateway's hash of the caller's Idempotency-Key. */
  requestId: /^[0-9a-f]{64}$/,
} as const;

/** A poll created without an id gets `p-` + the first 20 characters of the creating transaction's id. */
export const GeneratedPollId = { prefix: 'p-', txIdChars: 20 } as const;
