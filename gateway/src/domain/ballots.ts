import { createHash, createHmac } from 'node:crypto';
import type { BallotRequest } from '@poll-ledger/protocol';
import { ApiError, ChaincodeError, CommitPendingError, TransactionInvalidError } from '../errors';
import type { Role } from '../roles';
import type { BallotBatches } from './ballot-batches';
import { castBallotRequest, castOne, earlierReceipt, receiptOf, type CastOutcome } from './cast';
import { CAST_BALLOTS, indexOfRequest, keptBallot } from './cast-batch';
import { Chaincode, decodeResult } from './chaincode';
import type { Attempt, IdempotencyStore } from './idempotency';
import type { LedgerClient } from './ledger';
import type { KeptChain, PendingTransactions } from './pending';
import { type AnswersIn, type Ballot, type BallotIn, VOTED_AT_MAX_SKEW_MS } from './schemas';

export { CastOutcomeSchema, castBallotRenewer, receiptOf, type CastOutcome } from './cast';

/** The authenticated API key behind a request. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
}

/** The per-poll pseudonym of a citizen: HMAC-SHA256(secret, pollId ‖ NUL ‖ citizenId), hex. */
export function voterToken(secret: string, pollId: string, citizenId: string): string {
  return createHmac('sha256', secret).update(`${pollId}\u0000${citizenId}`, 'utf8').digest('hex');
}

/**
 * The requestId stored with the ballot on the ledger: HMAC-SHA256(secret, "poll-ledger:request-id" ‖ NUL
 * ‖ callerKeyId ‖ NUL ‖ idempotencyKey), hex. Keyed, because every channel member can read it and a
 * caller may derive Idempotency-Keys from citizen data (a plain hash could be reversed by dictionary);
 * domain-separated from the voter token, which uses the same secret. Scoped to the caller's key so that
 * two callers cannot collide on the same Idempotency-Key.
 */
export function requestIdFor(secret: string, callerKeyId: string, idempotencyKey: string): string {
  return createHmac('sha256', secret).update(`poll-ledger:request-id\u0000${callerKeyId}\u0000${idempotencyKey}`, 'utf8').digest('hex');
}

/**
 * Whether a failed cast may still be (or become) recorded on the ledger: everything except a refusal
 * at endorsement and a transaction committed as invalid. Its fingerprint is then kept, so the key
 * cannot be reused for different answers while the first transaction may yet commit.
 */
function mayHaveBeenRecorded(err: unknown): boolean {
  return !(err instanceof ChaincodeError || err instanceof TransactionInvalidError);
}

function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Answers with sorted question ids and option ids, as the chaincode canonicalises them. */
function canonicalAnswers(answers: AnswersIn): string {
  const sorted = Object.keys(answers)
    .sort()
    .map((question) => [question, [...(answers[question] ?? [])].sort()]);
  return JSON.stringify(sorted);
}

export interface BallotOptions {
  readonly voterTokenSecret: string;
  /** How long to wait for the commit status of an earlier, duplicate ballot. */
  readonly statusWaitMs: number;
  readonly now?: () => number;
}

export class BallotService {
  readonly #ledger: LedgerClient;
  readonly #chaincode: Chaincode;
  readonly #store: IdempotencyStore<CastOutcome>;
  readonly #pending: PendingTransactions | undefined;
  readonly #batches: BallotBatches | undefined;
  readonly #options: BallotOptions;

  /**
   * `pending` is how an earlier attempt whose outcome was unknown is looked up (the gateway owns it). With `batches`
   * each ballot goes into a CastBallots transaction with the concurrent ballots of its poll; without, each is its
   * own CastBallot transaction.
   */
  constructor(ledger: LedgerClient, store: IdempotencyStore<CastOutcome>, options: BallotOptions, pending?: PendingTransactions, batches?: BallotBatches) {
    this.#ledger = ledger;
    this.#chaincode = new Chaincode(ledger);
    this.#store = store;
    this.#options = options;
    this.#pending = pending;
    this.#batches = batches;
  }

  /**
   * Casts once per (caller, Idempotency-Key); repeats get the first receipt. The ballot is dated by the platform's
   * votedAt when it sends one, else by the time this gateway first saw the key, on every retry alike: the chaincode
   * refuses (SUPERSEDED) a ballot dated before the voter's recorded one, so a late retry cannot undo a later choice.
   */
  async cast(caller: Caller, pollId: string, ballot: BallotIn, idempotencyKey: string): Promise<CastOutcome> {
    const ballotId = voterToken(this.#options.voterTokenSecret, pollId, ballot.citizenId);
    const requestId = requestIdFor(this.#options.voterTokenSecret, caller.keyId, idempotencyKey);
    const fingerprint = sha256hex(`${pollId}\u0000${ballotId}\u0000${canonicalAnswers(ballot.answers)}`);
    const votedAt = ballot.votedAt === undefined ? undefined : this.#votedAt(ballot.votedAt);
    const outcome = await this.#store.run(
      requestId,
      fingerprint,
      (attempt) => this.#attempt(attempt, caller.role, pollId, ballotId, ballot.answers, requestId, votedAt),
      { mayHaveTakenEffect: mayHaveBeenRecorded, firstAt: votedAt },
    );
    return { receipt: outcome.value.receipt, replayed: outcome.replayed || outcome.value.replayed };
  }

  /**
   * The platform's votedAt in milliseconds: refused beyond the allowed skew into the future, else at most now (the
   * chaincode refuses a requestedAt after the transaction's timestamp, which is this gateway's clock).
   */
  #votedAt(votedAt: string): number {
    const at = Date.parse(votedAt);
    const now = this.#now();
    if (at > now + VOTED_AT_MAX_SKEW_MS) {
      const issue = { in: 'body', path: 'votedAt', code: 'custom', message: 'must not be in the future' };
      throw new ApiError('INVALID_ARGUMENT', 'invalid request body', { issues: [issue] });
    }
    return Math.min(at, now);
  }

  async #attempt(
    attempt: Attempt,
    role: Role,
    pollId: string,
    ballotId: string,
    answers: AnswersIn,
    requestId: string,
    votedAt: number | undefined,
  ): Promise<CastOutcome> {
    if (attempt.pendingTxId !== undefined) {
      const earlier = await this.#earlier(attempt.pendingTxId, requestId);
      if (earlier) return earlier;
    }
    // Never after now: the chaincode refuses a requestedAt after the proposal's timestamp (should the clock step back).
    const dated = new Date(Math.min(votedAt ?? attempt.firstAt, this.#now())).toISOString();
    const ballot: BallotRequest = { voterToken: ballotId, answers, requestId, requestedAt: dated };
    if (this.#batches) return this.#batches.cast(role, pollId, ballot);
    return castOne(this.#ledger, castBallotRequest(role, pollId, ballot), this.#options.statusWaitMs);
  }

  /**
   * The outcome of an earlier attempt the gateway answered 202 for: its receipt once committed, 202 again while it
   * is still being seen through, undefined when it failed for good (then the request is cast anew). In a kept
   * CastBallots the request's ballot is the one of its request id.
   */
  async #earlier(txId: string, requestId: string): Promise<CastOutcome | undefined> {
    const owned = await this.#pending?.lookup(txId);
    if (!owned) return undefined;
    if (owned.first.request.name === CAST_BALLOTS) return this.#earlierInBatch(owned, requestId);
    const resolution = owned.last.resolution;
    if (!resolution) throw new CommitPendingError(owned.first.txId);
    if (resolution.outcome !== 'committed') return undefined;
    return { receipt: receiptOf(decodeResult('CastBallot', resolution.result), resolution.blockNumber), replayed: true };
  }

  async #earlierInBatch({ first, chain }: KeptChain, requestId: string): Promise<CastOutcome | undefined> {
    const kept = keptBallot(chain, requestId);
    if (kept?.outcome === 'pending') throw new CommitPendingError(first.txId, { position: indexOfRequest(first.request, requestId) });
    if (kept?.outcome !== 'receipt') return undefined;
    const { cast, blockNumber } = kept;
    const receipt = blockNumber === undefined ? await earlierReceipt(this.#ledger, first.request.role, cast, this.#options.statusWaitMs) : receiptOf(cast, blockNumber);
    return { receipt, replayed: true };
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  get(role: Role, pollId: string, ballotId: string): Promise<Ballot> {
    return this.#chaincode.query(role, 'GetBallot', [pollId, ballotId]);
  }
}
