/**
 * A ballot relay that never loses a ballot and never casts one twice, the way the platform must behave when
 * ordering is slow or down: each ballot is one request (voter token, requestId, requestedAt fixed at its first
 * attempt), retried on any failure or unknown outcome until it commits or the chaincode refuses it for good.
 * The chaincode makes the retry safe (docs/chaincode-api.md): a request that already wrote the ballot gets its
 * receipt back (`duplicate`) and writes nothing; one endorsed while an earlier attempt was still being ordered loses
 * at commit (MVCC_READ_CONFLICT), since both read the ballot key before either wrote it.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type Answers, type CastBallotResult, parseKey } from '@poll-ledger/protocol';
import { chaincodeErrorCode, type Connection, decodeResult, statusName } from './fabric';
import { blockTransactions, chainHeight, readBlocks } from './ledger';
import { answersFor, castBallotArgs, voterToken } from './polls';

export interface BallotRequest {
  readonly pollId: string;
  /** The citizen (only its token reaches the ledger). */
  readonly citizenId: string;
  readonly token: string;
  readonly answers: Answers;
  readonly requestId: string;
  readonly requestedAt: string;
}

/** Ballot I of a load on POLL_ID: a distinct voter, colour-poll answers (polls.ts), its request fixed now. */
export function ballotRequest(pollId: string, i: number, label = 'load'): BallotRequest {
  const citizenId = `${label}-citizen-${String(i)}`;
  return {
    pollId,
    citizenId,
    token: voterToken(pollId, citizenId),
    answers: answersFor(i),
    requestId: createHash('sha256').update(`e2e-request:${pollId}:${citizenId}`).digest('hex'),
    requestedAt: new Date().toISOString(),
  };
}

export interface Settled {
  readonly request: BallotRequest;
  /**
   * The receipt: the transaction that wrote this request's ballot (a later attempt may return an earlier one's, as a
   * `duplicate`, with no block number). No receipt and no refusal: the time allowed ran out.
   */
  readonly receipt?: Pick<CastBallotResult, 'txId' | 'ballotHash' | 'duplicate'> & { readonly blockNumber?: number };
  /** The chaincode's definitive refusal (ALREADY_VOTED, SUPERSEDED, …). */
  readonly refusal?: string;
  /** Endorsements tried. */
  readonly attempts: number;
  /** Why each failed attempt failed. */
  readonly failures: readonly FailedAttempt[];
  readonly startedAt: number;
  readonly settledAt: number;
}

export interface FailedAttempt {
  /** A validation code (MVCC_READ_CONFLICT), or the error class and gRPC status (SubmitError UNAVAILABLE). */
  readonly kind: string;
  /** What the peer said: each endorser's or orderer's message, else the error's. */
  readonly detail: string;
}

export interface RetryOptions {
  /** Give up (no receipt, no refusal) after this long. */
  readonly giveUpAfterMs?: number;
  /** Wait between attempts: doubles from this, up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** A failed attempt's error: its class and gRPC status (UNAVAILABLE, DEADLINE_EXCEEDED, …), and what the peer said. */
function failureOf(err: unknown): FailedAttempt {
  const { code, message, details } = err as { code?: unknown; message?: unknown; details?: unknown };
  const name = err instanceof Error ? err.name : 'Error';
  const grpc = typeof code === 'number' && code in GrpcStatus ? GrpcStatus[code] : undefined;
  const said = (Array.isArray(details) ? (details as { message?: unknown }[]) : []).flatMap((d) => (typeof d.message === 'string' ? [d.message] : []));
  const detail = said.length > 0 ? said.join(' | ') : String(message);
  return { kind: grpc === undefined ? name : `${name} ${grpc}`, detail: detail.slice(0, 400) };
}

/** Casts REQUEST through CONN (the city's ballot-relay), retrying as described above, until it settles. */
export async function castUntilSettled(conn: Connection, request: BallotRequest, options: RetryOptions = {}): Promise<Settled> {
  const { giveUpAfterMs = 180_000, backoffMs = 1000, maxBackoffMs = 4000 } = options;
  const startedAt = Date.now();
  const failures: FailedAttempt[] = [];
  const args = castBallotArgs(request.pollId, request.token, request.answers, request.requestId, request.requestedAt);
  const settled = (outcome: Pick<Settled, 'receipt' | 'refusal'>): Settled =>
    ({ request, ...outcome, attempts: failures.length + 1, failures, startedAt, settledAt: Date.now() });
  for (let wait = backoffMs; ; wait = Math.min(wait * 2, maxBackoffMs)) {
    try {
      const tx = await conn.contract.newProposal('CastBallot', { arguments: args }).endorse();
      const result = decodeResult('CastBallot', tx.getResult());
      // An earlier attempt of this request has committed: its receipt, and nothing to submit.
      if (result.duplicate) return settled({ receipt: { txId: result.txId, ballotHash: result.ballotHash, duplicate: true } });
      const status = await (await tx.submit()).getStatus();
      if (status.successful) {
        return settled({ receipt: { txId: result.txId, ballotHash: result.ballotHash, duplicate: false, blockNumber: Number(status.blockNumber) } });
      }
      failures.push({ kind: statusName(status.code), detail: `transaction ${result.txId} committed ${statusName(status.code)}` });
    } catch (err) {
      const refusal = chaincodeErrorCode(err);
      if (refusal !== undefined) return settled({ refusal });
      failures.push(failureOf(err));
    }
    if (Date.now() - startedAt > giveUpAfterMs) return { ...settled({}), attempts: failures.length };
    await sleep(wait);
  }
}

export interface SteadyLoad {
  /** Ballots started so far. */
  readonly issued: number;
  /** Those settled so far, in the order they settled. */
  readonly settled: readonly Settled[];
  /** Stops starting ballots and waits for every started one to settle; all of them, in the order they started. */
  stop(): Promise<Settled[]>;
}

export interface LoadOptions extends RetryOptions {
  /** Ballots started per second, each by a distinct voter (default 10). */
  readonly perSecond?: number;
  /** A label that makes this load's citizens distinct from another's on the same poll. */
  readonly label?: string;
  /** No new ballot while this many are unsettled (default 500). */
  readonly maxInFlight?: number;
}

/** Starts ballots on POLL_ID through CONN on a clock, each with castUntilSettled, until stopped. */
export function startSteadyLoad(conn: Connection, pollId: string, options: LoadOptions = {}): SteadyLoad {
  const { perSecond = 10, label = 'load', maxInFlight = 500 } = options;
  const started: Promise<Settled>[] = [];
  const done: Settled[] = [];
  let inFlight = 0;
  const startedAt = Date.now();
  const tick = (): void => {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * perSecond) + 1;
    while (started.length < due && inFlight < maxInFlight) {
      inFlight += 1;
      started.push(castUntilSettled(conn, ballotRequest(pollId, started.length, label), options).then((s) => {
        inFlight -= 1;
        done.push(s);
        return s;
      }));
    }
  };
  tick();
  const timer = setInterval(tick, Math.max(10, Math.floor(1000 / perSecond)));
  return {
    get issued() { return started.length; },
    settled: done,
    stop: () => {
      clearInterval(timer);
      return Promise.all(started);
    },
  };
}

export interface BallotWrites {
  /** Per voter token: the VALID transactions that wrote its ballot on POLL_ID, in ledger order. */
  readonly valid: ReadonlyMap<string, readonly string[]>;
  /** Per validation code: the transactions that tried to write a ballot of POLL_ID and were invalidated. */
  readonly invalid: ReadonlyMap<string, number>;
  /** Every block read, FROM to the height when read. */
  readonly blocks: number;
}

/**
 * The ballot writes of POLL_ID in blocks FROM onwards on CONN's peer, once that peer holds block AT_LEAST: what the
 * ledger says was cast, read from the blocks themselves (write sets and validation codes), not from the chaincode.
 * Give AT_LEAST the last block the orderers cut once idle (orderingIdle in orderers.ts): an attempt the relay saw
 * fail may still be ordered later, and must be in.
 */
export async function ballotWrites(conn: Connection, pollId: string, from: number, atLeast = from): Promise<BallotWrites> {
  let height = await chainHeight(conn);
  for (let i = 0; i < 120 && height <= atLeast; i++) {
    await sleep(250);
    height = await chainHeight(conn);
  }
  const valid = new Map<string, string[]>();
  const invalid = new Map<string, number>();
  const blocks = await readBlocks(conn, from, height);
  for (const tx of blocks.flatMap(blockTransactions)) {
    const ballots = tx.writes.map((w) => parseKey(w.key)).filter((k) => k.kind === 'ballot' && k.pollId === pollId);
    for (const key of ballots) {
      if (key.kind !== 'ballot') continue;
      if (tx.validation === 'VALID') valid.set(key.ballotId, [...(valid.get(key.ballotId) ?? []), tx.txId]);
      else invalid.set(tx.validation, (invalid.get(tx.validation) ?? 0) + 1);
    }
  }
  return { valid, invalid, blocks: blocks.length };
}

/**
 * What is wrong with SETTLED against the ledger's WRITES: a ballot without a receipt, a receipt whose ballot is not
 * on the ledger VALID exactly once (and by the receipt's transaction), or a ballot of a voter no request cast.
 * Empty when every receipted ballot is there once and nothing else is.
 */
export function exactlyOnceProblems(settled: readonly Settled[], writes: BallotWrites): string[] {
  const problems: string[] = [];
  const tokens = new Set<string>();
  for (const s of settled) {
    const who = s.request.citizenId;
    tokens.add(s.request.token);
    if (s.receipt === undefined) {
      problems.push(`${who}: no receipt (${s.refusal ?? `gave up after ${String(s.attempts)} attempts: ${s.failures.slice(-3).map((f) => f.detail).join('; ')}`})`);
      continue;
    }
    const txIds = writes.valid.get(s.request.token) ?? [];
    if (txIds.length !== 1 || txIds[0] !== s.receipt.txId) {
      problems.push(`${who}: receipt ${s.receipt.txId}, VALID ballot writes on the ledger [${txIds.join(', ')}]`);
    }
  }
  for (const [token, txIds] of writes.valid) {
    if (!tokens.has(token)) problems.push(`ballot ${token.slice(0, 12)}… written by [${txIds.join(', ')}], which no request of this test cast`);
  }
  return problems;
}

/**
 * An account of SETTLED, one line, then one per kind of failed attempt with an example: receipts (how many came
 * from a retry that found its request's ballot committed), retries, the slowest ballot.
 */
export function settledSummary(settled: readonly Settled[], indent = '      '): string {
  const receipts = settled.filter((s) => s.receipt !== undefined);
  const duplicates = receipts.filter((s) => s.receipt?.duplicate === true).length;
  const retried = settled.filter((s) => s.attempts > 1).length;
  const kinds = new Map<string, { count: number; example: string }>();
  for (const { kind, detail } of settled.flatMap((s) => s.failures)) {
    kinds.set(kind, { count: (kinds.get(kind)?.count ?? 0) + 1, example: kinds.get(kind)?.example ?? detail });
  }
  const slowest = Math.max(0, ...settled.map((s) => s.settledAt - s.startedAt));
  const lines = [
    `${String(settled.length)} ballots, ${String(receipts.length)} receipts (${String(duplicates)} from a retry that found its ballot committed), ` +
      `${String(retried)} retried, slowest ${(slowest / 1000).toFixed(1)} s`,
    ...[...kinds].sort(([, a], [, b]) => b.count - a.count).map(([kind, { count, example }]) => `  failed attempts: ${kind} ×${String(count)}, e.g. ${example}`),
  ];
  return lines.join(`\n${indent}`);
}
