import type { Ballot, Poll, PollIn, Results } from '../src/domain/schemas';
import type { AppConfig } from '../src/http/app';
import { hashApiKey } from '../src/http/auth';
import type { Role } from '../src/roles';

/** API keys in clear, as callers would send them; the config only holds their hashes. */
export const KEYS: Readonly<Record<Role, string>> = {
  'poll-admin': 'admin-key-0123456789',
  'ballot-relay': 'relay-key-0123456789',
  auditor: 'auditor-key-0123456789',
};

export const SECRET = 'a-voter-token-secret-of-32-chars-or-more';

export function appConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    apiKeys: (Object.entries(KEYS) as [Role, string][]).map(([role, key]) => ({ id: `${role}-key`, sha256: hashApiKey(key), role })),
    identities: {
      'poll-admin': { certPath: 'admin.pem', keyPath: 'admin.key' },
      'ballot-relay': { certPath: 'relay.pem', keyPath: 'relay.key' },
      auditor: { certPath: 'auditor.pem', keyPath: 'auditor.key' },
    },
    voterTokenSecret: SECRET,
    bodyLimit: '16kb',
    rateLimitWindowMs: 60_000,
    rateLimitMax: 1000,
    idempotencyMaxEntries: 100,
    idempotencyTtlMs: 60_000,
    idempotencyLeaseMs: 60_000,
    pendingMaxResubmits: 2,
    pendingRetryBaseMs: 100,
    mvccRetries: 2,
    // One CastBallot per ballot, unless a test sets a larger batch (test/http/batched-ballots.test.ts).
    ballotBatchMax: 1,
    ballotBatchMaxBytes: 512 * 1024,
    ballotBatchInFlight: 4,
    ballotBatchIntervalMs: 0,
    ballotBatchWaitMs: 0,
    tallyBatchSize: 100,
    tallyMaxBatches: 3,
    statusQueryWaitMs: 50,
    sseHeartbeatMs: 60_000,
    sseMaxStreamsPerKey: 4,
    sseResumeMaxBlocks: 1000,
    ...overrides,
  };
}

export const POLL_IN: PollIn = {
  id: 'p1',
  title: 'Colour of the new trams',
  questions: [
    {
      id: 'q1',
      text: 'Which colour?',
      type: 'single',
      minChoices: 1,
      maxChoices: 1,
      options: [
        { id: 'red', text: 'Red' },
        { id: 'blue', text: 'Blue' },
      ],
    },
  ],
  opensAt: '2026-01-01T00:00:00.000Z',
  closesAt: '2026-12-31T00:00:00.000Z',
  revotePolicy: 'none',
  resultsVisibility: 'live',
};

/** POLL_IN as the chaincode stores and returns it (a protocol Poll). */
export const POLL: Poll = {
  ...POLL_IN,
  id: 'p1',
  description: '',
  ownerMsp: 'CityMSP',
  status: 'draft',
  createdTxId: 'a'.repeat(64),
  updatedTxId: 'a'.repeat(64),
};

export const TX_ID = 'b'.repeat(64);
export const BALLOT_ID = 'c'.repeat(64);
export const BALLOT_HASH = 'd'.repeat(64);
export const BALLOTS_ROOT = 'e'.repeat(64);

/** GetResults of POLL with one ballot for red: final once tallied, a running count otherwise. */
export function results(status: Poll['status'] = 'tallied'): Results {
  return { pollId: 'p1', status, final: status === 'tallied', ballotCount: 1, counts: { q1: { red: 1, blue: 0 } }, ballotsRoot: BALLOTS_ROOT };
}

export const BALLOT: Ballot = {
  pollId: 'p1',
  ballotId: BALLOT_ID,
  answers: { q1: ['red'] },
  castAt: '2026-05-01T08:00:00.000Z',
  txId: TX_ID,
  ballotHash: BALLOT_HASH,
};

/** A CastBallot result (the chaincode's receipt fields and flags). */
export function castResult(ballotId: string, options: { duplicate?: boolean; txId?: string; superseded?: true } = {}) {
  const { duplicate = false, txId = TX_ID, superseded } = options;
  return { pollId: 'p1', ballotId, ballotHash: BALLOT_HASH, txId, replaced: false, duplicate, ...(superseded && { superseded }) };
}
