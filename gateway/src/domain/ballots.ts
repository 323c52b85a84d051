import { createHash, createHmac } from 'node:crypto';
import { ApiError, ChaincodeError, CommitPendingError, TransactionInvalidError } from '../errors';
import type { Role } from '../roles';
import { Chaincode } from './chaincode';
import type { IdempotencyStore } from './idempotency';
import type { LedgerClient } from './ledger';
import { type AnswersIn, type Ballot, type BallotIn, type Receipt, VOTED_AT_MAX_SKEW_MS } from './schemas';

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
  readonly #options: BallotOptions;

  constructor(ledger: LedgerClient, store: IdempotencyStore<CastOutcome>, options: BallotOptions) {
    this.#ledger = ledger;
    this.#chaincode = new Chaincode(ledger);
    this.#store = store;
    this.#options = options;
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
      (firstAt) => this.#submit(caller.role, pollId, ballotId, ballot.answers, requestId, votedAt ?? firstAt),
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

  async #submit(
    role: Role,
    pollId: string,
    ballotId: string,
    answers: AnswersIn,
    requestId: string,
    requestedAt: number,
  ): Promise<CastOutcome> {
    // Never after now: the chaincode refuses a requestedAt after the proposal's timestamp (should the clock step back).
    const dated = new Date(Math.min(requestedAt, this.#now())).toISOString();
    const args = [pollId, ballotId, JSON.stringify(answers), requestId, dated] as const;
    // A duplicate wrote nothing: it is the receipt of the earlier request, so there is nothing to order.
    const submitted = await this.#chaincode.submit(role, 'CastBallot', args, {
      skipCommitIf: (result) => result.duplicate,
    });
    const cast = submitted.result;
    const blockNumber = submitted.blockNumber ?? (await this.#blockOf(role, cast.txId));
    const receipt = { pollId: cast.pollId, ballotId: cast.ballotId, txId: cast.txId, blockNumber, ballotHash: cast.ballotHash };
    // A superseded duplicate (the voter re-voted since) still answers with this request's own receipt.
    return { receipt, replayed: cast.duplicate };
  }

  /** The block of an earlier transaction; the chaincode found its ballot, so it has committed. */
  async #blockOf(role: Role, txId: string): Promise<number> {
    const status = await this.#ledger.commitStatus(role, txId, this.#options.statusWaitMs);
    if (!status) throw new CommitPendingError(txId);
    return status.blockNumber;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  get(role: Role, pollId: string, ballotId: string): Promise<Ballot> {
    return this.#chaincode.query(role, 'GetBallot', [pollId, ballotId]);
  }
}
