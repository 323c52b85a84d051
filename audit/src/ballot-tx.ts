import { type Answers, AnswersSchema, type Ballot, type CastBallotResult, parseKey } from '@poll-ledger/protocol';
import { canonicalAnswers } from './answers';
import {
  type BallotCall,
  type BallotRequest,
  decodeBallotCall,
  isBallotFunction,
  requestKey,
  requestName,
  resultReceipts,
} from './ballot-call';
import { ballotEventFindings } from './ballot-event';
import type { DecodedTransaction, KvWrite } from './block-decoder';
import { canonicalJson } from './canonical';
import { ballotHashOf } from './recompute';
import { RecordError, parseBallotRecord } from './records';

/**
 * A VALID ballot transaction against its own arguments and result (ballot-call.ts), ballot by ballot. It may write
 * only the ballot keys of its arguments, each as the chaincode writes it (poll, voter, answers, request, position,
 * transaction, time, hash: `ballotMismatches`); every ballot its result gives a new receipt must be written with
 * that receipt's hash, and no ballot it refused (its outcome an error) or recognised as a retry. A transaction of
 * another function must not write ballots at all. Each finding names the poll it concerns.
 */

export interface BallotFinding {
  readonly pollId: string;
  readonly message: string;
}

type OkCall = Extract<BallotCall, { ok: true }>;

/** What a ballot write must match besides its key: the request it answers, and the transaction that wrote it. */
export function ballotMismatches(
  pollId: string,
  request: BallotRequest,
  ballot: Ballot,
  tx: Pick<DecodedTransaction, 'txId' | 'timestamp'>,
): string[] {
  const problems: string[] = [];
  const differs = (field: string, recorded: unknown, asked: unknown): void => {
    if (canonicalJson(recorded ?? null) !== canonicalJson(asked ?? null)) {
      problems.push(`records ${field} ${canonicalJson(recorded ?? null)}, the transaction says ${canonicalJson(asked ?? null)}`);
    }
  };
  differs('pollId/ballotId', [ballot.pollId, ballot.ballotId], [pollId, request.voterToken]);
  const answers = AnswersSchema.safeParse(request.answers);
  if (answers.success) {
    differs('answers', ballot.answers, canonicalAnswers(answers.data));
  } else {
    problems.push('was written although the answers it was asked for are not question id → option ids');
  }
  differs('requestId', ballot.requestId, request.requestId === '' ? undefined : request.requestId);
  differs('requestedAt', ballot.requestedAt, request.requestedAt === '' ? undefined : storedTime(request.requestedAt));
  differs('position', ballot.position, request.position);
  differs('txId', ballot.txId, tx.txId);
  if (tx.timestamp !== undefined) {
    differs('castAt', ballot.castAt, tx.timestamp);
  }
  if (ballotHashOf(ballot) !== ballot.ballotHash) {
    problems.push(`records ballotHash ${ballot.ballotHash}, which is not the hash of its content`);
  }
  return problems;
}

/** An argument time as the chaincode stores it (toISOString); the argument already fits IsoDateTimeSchema. */
function storedTime(iso: string): string {
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? iso : new Date(millis).toISOString();
}

/**
 * Everything wrong with a VALID transaction's ballot writes of `namespace` and its ballot event; [] for one that writes
 * none and casts none. `previousAnswers` gives a ballot's answers as the ledger held them before this transaction.
 */
export function ballotTxFindings(
  tx: DecodedTransaction,
  namespace: string,
  previousAnswers: (pollId: string, ballotId: string) => Answers | undefined,
): BallotFinding[] {
  const writes = tx.namespaces.filter((ns) => ns.namespace === namespace).flatMap((ns) => ns.writes);
  const ours = tx.chaincodeName === namespace;
  if (!ours || !isBallotFunction(tx.functionName)) {
    return writes.flatMap((w) => {
      const key = parseKey(w.key);
      return key.kind === 'ballot' ? [{ pollId: key.pollId, message: `${tx.functionName ?? 'a transaction'} wrote ${w.key}, but only CastBallot and CastBallots cast ballots` }] : [];
    });
  }
  const call = decodeBallotCall(tx.functionName, tx.args ?? []);
  if (!call.ok) {
    return writes.flatMap((w) => {
      const key = parseKey(w.key);
      return [{ pollId: 'pollId' in key ? key.pollId : '', message: `${call.fn} wrote ${w.key} although its arguments do not fit the protocol (${call.problem})` }];
    });
  }
  const byKey = new Map(call.requests.filter((r) => r.refused === undefined).map((r) => [requestKey(call.pollId, r), r]));
  const findings: BallotFinding[] = [];
  const written = new Map<BallotRequest, Ballot | undefined>();
  const seen = new Set<string>();
  for (const write of writes) {
    const key = parseKey(write.key);
    const pollId = 'pollId' in key ? key.pollId : call.pollId;
    const add = (message: string): void => {
      findings.push({ pollId, message: `${call.fn} ${message}` });
    };
    const request = byKey.get(write.key);
    if (seen.has(write.key)) add(`wrote ${write.key} twice`);
    seen.add(write.key);
    if (request === undefined) {
      add(`wrote ${write.key}, which is ${refusedText(call, write.key) ?? 'not a ballot among its arguments'}`);
    } else if (write.isDelete) {
      add(`deleted ${write.key}`);
    } else {
      const ballot = recordOf(write);
      written.set(request, typeof ballot === 'string' ? undefined : ballot);
      const problems = typeof ballot === 'string' ? [ballot] : ballotMismatches(call.pollId, request, ballot, tx);
      problems.forEach((p) => {
        add(`${requestName(request)} ${p}`);
      });
    }
  }
  const problems = resultFindings(call, tx, written);
  // The event is checked against records that parse (one that does not is a finding already).
  const ballots = call.requests.flatMap((request) => written.get(request) ?? []);
  if (ballots.length === written.size) {
    problems.push(...ballotEventFindings(call.fn, { pollId: call.pollId, txId: tx.txId, ...(tx.event === undefined ? {} : { event: tx.event }) }, ballots, (id) => previousAnswers(call.pollId, id)));
  }
  findings.push(...problems.map((message) => ({ pollId: call.pollId, message: `${call.fn} ${message}` })));
  return findings;
}

function recordOf(write: KvWrite): Ballot | string {
  try {
    return parseBallotRecord(write.value.toString('utf8'));
  } catch (err) {
    if (err instanceof RecordError) return `was written as ${err.message}`;
    throw err;
  }
}

/** "the ballot … (position p), which the chaincode refuses (why)" for a key that only a refused request names. */
function refusedText(call: OkCall, key: string): string | undefined {
  const refused = call.requests.find((r) => r.refused !== undefined && requestKey(call.pollId, r) === key);
  return refused === undefined ? undefined : `${requestName(refused)}, which the chaincode refuses (${refused.refused ?? ''})`;
}

/** Every ballot the result gives a new receipt is written with that receipt; every other one is not written. */
function resultFindings(call: OkCall, tx: DecodedTransaction, written: ReadonlyMap<BallotRequest, Ballot | undefined>): string[] {
  const receipts = resultReceipts(call, tx.response);
  if (typeof receipts === 'string') {
    return written.size === 0 ? [] : [`wrote ballots, but ${receipts}`];
  }
  return call.requests.flatMap((request, i) => {
    const receipt = receipts[i] ?? null;
    const fresh = receipt !== null && !receipt.duplicate;
    const name = requestName(request);
    if (!written.has(request)) {
      return fresh ? [`did not write ${name}, though its result gives it a receipt: a dropped ballot`] : [];
    }
    if (!fresh) {
      return [`wrote ${name}, though its result ${receipt === null ? 'refuses it' : 'calls it a retry of an earlier request'}`];
    }
    const ballot = written.get(request);
    return ballot === undefined ? [] : receiptMismatches(name, receipt, ballot, request, tx.txId);
  });
}

function receiptMismatches(name: string, receipt: CastBallotResult, ballot: Ballot, request: BallotRequest, txId: string): string[] {
  const expected = [ballot.pollId, request.voterToken, ballot.ballotHash, txId, request.position ?? null];
  const stated = [receipt.pollId, receipt.ballotId, receipt.ballotHash, receipt.txId, receipt.position ?? null];
  return canonicalJson(stated) === canonicalJson(expected) ? [] : [`gave ${name} the receipt ${canonicalJson(stated)}, but wrote ${canonicalJson(expected)}`];
}
