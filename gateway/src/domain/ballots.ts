import { createHmac } from 'node:crypto';
import { CommitPendingError } from '../errors';
import type { LedgerClient } from '../fabric/ledger';
import type { Role } from '../roles';
import { decode, query, sha256hex } from './codec';
import type { IdempotencyStore } from './idempotency';
import type { Answers, Ballot, BallotIn, Receipt } from './schemas';

/** The authenticated API key behind a request. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
}

export interface CastOutcome {
  readonly receipt: Receipt;
  /** True when this is the receipt of a ballot cast earlier with the same Idempotency-Key. */
  readonly replayed: boolean;
}

interface CastBallotResult {
  pollId: string;
  ballotId: string;
  ballotHash: string;
  txId: string;
  replaced: boolean;
  duplicate: boolean;
}

/** The per-poll pseudonym of a citizen: HMAC-SHA256(secret, pollId ‖ NUL ‖ citizenId), hex. */
export function voterToken(secret: string, pollId: string, citizenId: string): string {
  return createHmac('sha256', secret).update(`${pollId}\u0000${citizenId}`, 'utf8').digest('hex');
}

/** Scoped to the caller's key so that two callers cannot collide on the same Idempotency-Key. */
export function requestIdFor(callerKeyId: string, idempotencyKey: string): string {
  return sha256hex(`${callerKeyId}:${idempotencyKey}`);
}

/** Answers with sorted question ids and option ids, as the chaincode canonicalises them. */
function canonicalAnswers(answers: Answers): string {
  const sorted = Object.keys(answers)
    .sort()
    .map((question) => [question, [...(answers[question] ?? [])].sort()]);
  return JSON.stringify(sorted);
}

export interface BallotOptions {
  readonly voterTokenSecret: string;
  /** How long to wait for the commit status of an earlier, duplicate ballot. */
  readonly statusWaitMs: number;
}

export class BallotService {
  readonly #ledger: LedgerClient;
  readonly #store: IdempotencyStore<CastOutcome>;
  readonly #options: BallotOptions;

  constructor(ledger: LedgerClient, store: IdempotencyStore<CastOutcome>, options: BallotOptions) {
    this.#ledger = ledger;
    this.#store = store;
    this.#options = options;
  }

  /** Casts once per (caller, Idempotency-Key); repeats get the first receipt. */
  async cast(caller: Caller, pollId: string, ballot: BallotIn, idempotencyKey: string): Promise<CastOutcome> {
    const ballotId = voterToken(this.#options.voterTokenSecret, pollId, ballot.citizenId);
    const requestId = requestIdFor(caller.keyId, idempotencyKey);
    const fingerprint = sha256hex(`${pollId}\u0000${ballotId}\u0000${canonicalAnswers(ballot.answers)}`);
    const outcome = await this.#store.run(requestId, fingerprint, () =>
      this.#submit(caller.role, pollId, ballotId, ballot.answers, requestId),
    );
    return { receipt: outcome.value.receipt, replayed: outcome.replayed || outcome.value.replayed };
  }

  async #submit(role: Role, pollId: string, ballotId: string, answers: Answers, requestId: string): Promise<CastOutcome> {
    const isDuplicate = (result: Uint8Array) => decode<CastBallotResult>(result).duplicate;
    const submitted = await this.#ledger.submit(
      { role, name: 'CastBallot', args: [pollId, ballotId, JSON.stringify(answers), requestId] },
      { skipCommitIf: isDuplicate },
    );
    const cast = decode<CastBallotResult>(submitted.result);
    const blockNumber = submitted.blockNumber ?? (await this.#blockOf(role, cast.txId));
    const receipt = { pollId: cast.pollId, ballotId: cast.ballotId, txId: cast.txId, blockNumber, ballotHash: cast.ballotHash };
    return { receipt, replayed: cast.duplicate };
  }

  /** The block of an earlier transaction; the chaincode found its ballot, so it has committed. */
  async #blockOf(role: Role, txId: string): Promise<number> {
    const status = await this.#ledger.commitStatus(role, txId, this.#options.statusWaitMs);
    if (!status) throw new CommitPendingError(txId);
    return status.blockNumber;
  }

  get(role: Role, pollId: string, ballotId: string): Promise<Ballot> {
    return query<Ballot>(this.#ledger, role, 'GetBallot', pollId, ballotId);
  }
}
