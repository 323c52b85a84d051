/**
 * A citizen's receipt against what the verifier derived: the transaction is in the bundle (block N, index T), is
 * re-derived VALID, asked for the receipt's ballot (CastBallot, or CastBallots at position P), wrote
 * `ballot~{pollId}~{ballotId}` exactly as asked and with exactly the receipt's ballot hash (the hash of the recorded
 * content, so "exactly as cast"), and that ballot is the one counted for its voter.
 */
import { type Ballot, BallotSchema, ballotKey } from '@poll-ledger/protocol';
import { describeAsked, readBallotCall } from './ballot-call';
import { recordMismatches } from './ballot-tx';
import type { Receipt } from '../wire';
import { fromUtf8 } from './bytes';
import { ballotHash } from './canonical';
import type { CryptoProvider } from './crypto';
import type { CountedBallot } from './poll';
import type { ReceiptVerification } from './report';
import type { TxRecord } from './walk';
import { codeName } from './walk';

/** The ballot written is the one the transaction's arguments asked for: [] when it is, else why not. */
function askedProblems(record: TxRecord, receipt: Receipt, ballot: Ballot, crypto: CryptoProvider): string[] {
  const call = readBallotCall(record.tx.action ?? {});
  if (call === undefined) return [`the transaction is a ${record.tx.action?.functionName ?? 'non-chaincode'} call, not CastBallot or CastBallots`];
  if (typeof call === 'string') return [`the transaction's arguments do not fit the protocol: ${call}`];
  const asked = call.ballots.find((b) => b.refusal === undefined && ballotKey(call.pollId, b.voterToken) === ballotKey(receipt.pollId, receipt.ballotId));
  if (asked === undefined) return ["the transaction's arguments ask for no ballot of this voter"];
  return recordMismatches(call, asked, ballot, record.tx, crypto).map((m) => `the ballot of ${describeAsked(asked)} it wrote is not the one asked for: ${m}`);
}

export interface ReceiptOutcome {
  readonly verification: ReceiptVerification;
  readonly failures: readonly string[];
  readonly notes: readonly string[];
}

export function checkReceipt(
  receipt: Receipt,
  txs: Iterable<TxRecord>,
  counted: ReadonlyMap<string, CountedBallot> | undefined,
  namespace: string,
  withheld: readonly number[],
  crypto: CryptoProvider,
): ReceiptOutcome {
  const failures: string[] = [];
  const notes: string[] = [];
  const base = { pollId: receipt.pollId, ballotId: receipt.ballotId, txId: receipt.txId };
  const record = [...txs].find((r) => r.tx.txId === receipt.txId);
  if (record === undefined) {
    const where = withheld.length === 0 ? '' : ` (blocks ${withheld.join(', ')} were withheld)`;
    failures.push(`transaction ${receipt.txId} is not in the bundle${where}`);
    return { verification: { ...base, endorsedBy: [], valid: false, asCast: false, counted: false }, failures, notes };
  }
  const valid = record.outcome.derived === 0;
  if (!valid) failures.push(`the transaction is re-derived ${codeName(record.outcome.derived)}${record.outcome.reason === undefined ? '' : `: ${record.outcome.reason}`}`);
  const key = ballotKey(receipt.pollId, receipt.ballotId);
  const write = record.tx.action?.namespaces.find((ns) => ns.namespace === namespace)?.writes.find((w) => w.key === key && !w.isDelete);
  let asCast = false;
  let position: number | undefined;
  if (write === undefined) {
    failures.push(`the transaction does not write ${key}`);
  } else {
    const parsed = (() => {
      try {
        return BallotSchema.safeParse(JSON.parse(fromUtf8(write.value)));
      } catch {
        return undefined;
      }
    })();
    if (parsed?.success !== true) failures.push('the ballot it wrote is not a ballot record of the protocol');
    else {
      const ballot = parsed.data;
      position = ballot.position;
      const asked = askedProblems(record, receipt, ballot, crypto);
      failures.push(...asked);
      if (receipt.position !== undefined && receipt.position !== ballot.position) {
        failures.push(`the receipt says position ${receipt.position}, but the ballot is ${ballot.position === undefined ? 'the only one of its transaction' : `at position ${ballot.position}`}`);
      }
      const selfConsistent = ballotHash(ballot, crypto) === ballot.ballotHash && ballot.txId === receipt.txId;
      if (!selfConsistent) failures.push("the recorded ballot's hash or txId does not match its content");
      if (receipt.ballotHash === undefined) notes.push('the receipt carries no ballot hash, so "exactly as cast" cannot be shown');
      else if (receipt.ballotHash !== ballot.ballotHash) failures.push(`the ballot written has hash ${ballot.ballotHash}, the receipt says ${receipt.ballotHash}`);
      asCast = selfConsistent && asked.length === 0 && receipt.ballotHash === ballot.ballotHash;
    }
  }
  const current = counted?.get(receipt.ballotId);
  const isCounted = current?.ballot.txId === receipt.txId;
  if (counted === undefined) notes.push('no recomputed result of this poll to look the ballot up in');
  else if (!isCounted) failures.push(current === undefined ? 'no ballot of this voter is counted in the recomputed result' : `a later ballot of this voter (transaction ${current.ballot.txId.slice(0, 12)}…) replaced it`);
  return {
    verification: {
      ...base,
      blockNumber: record.blockNumber,
      txIndex: record.tx.index,
      ...(position === undefined ? {} : { position }),
      endorsedBy: record.outcome.endorsedBy,
      valid,
      asCast,
      counted: isCounted,
    },
    failures,
    notes,
  };
}
