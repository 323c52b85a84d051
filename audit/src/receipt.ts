import { type Ballot, BallotPositionSchema, type CastBallotResult, ballotKey } from '@poll-ledger/protocol';
import { decodeBallotCall, isBallotFunction, requestKey } from './ballot-call';
import { ballotMismatches } from './ballot-tx';
import type { DecodedBlock, DecodedTransaction } from './block-decoder';
import { checkBlockSignatures } from './block-signatures';
import type { CheckRow } from './compare';
import { ReceiptInputError } from './errors';
import { bytesEqual } from './hash-chain';
import { ballotHashOf } from './recompute';
import { RecordError, parseBallotRecord } from './records';
import type { TrustAnchors } from './trust-anchors';

/**
 * A citizen's receipt against the block it names: the transaction is there, VALID, wrote this ballot key, and the
 * ballot it wrote hashes to the receipt's ballotHash and is the one its arguments asked for (for CastBallots, at the
 * receipt's position among the transaction's ballots). The block's own data hash and orderer signature are checked too,
 * against trust anchors that do not come from the same source (trust-anchors.ts), so the answer does not rest on the
 * peer's word alone (the chain up to the block is what a full audit checks).
 */

export interface Receipt {
  readonly pollId: string;
  readonly ballotId: string;
  readonly txId: string;
  readonly blockNumber: number;
  readonly ballotHash: string;
  /** The ballot's index among the ballots of its CastBallots transaction, when the receipt states it. */
  readonly position?: number;
}

export interface ReceiptReport {
  readonly receipt: Receipt;
  readonly verdict: 'OK' | 'FAILED';
  readonly foundInBlock: number | null;
  /** The transaction's index in its block. */
  readonly txIndex: number | null;
  readonly validationCode: string | null;
  /** The ballot exactly as the transaction wrote it. */
  readonly recorded: Ballot | null;
  readonly checks: readonly CheckRow[];
  /** Where the config that judged the block's signature came from; verified false = the weaker --trust-peer check. */
  readonly trustAnchors: { readonly source: string; readonly verified: boolean } | null;
}

export interface ReceiptContext {
  readonly namespace: string;
  /** The config in force at the block, and where it came from, to check the block's signature. */
  readonly anchors?: TrustAnchors;
  /** The ballot currently stored for this voter (GetBallot on the auditor's own peer), when available. */
  readonly currentBallot?: string;
}

/** Which version of a stored ballot a receipt is: the stored one, a replaced one it remembers, or none of them. */
export type ReceiptMatch = 'current' | 'earlier' | 'none';

/**
 * A receipt against a stored ballot record, by the record alone. `earlier` needs the replaced version's request in
 * `earlierRequests`, which keeps only the last few versions cast with a request id: `none` is therefore not proof of
 * a forgery when the voter re-voted; the block that holds the receipt's transaction decides that.
 */
export function matchReceipt(
  receipt: Pick<CastBallotResult, 'pollId' | 'ballotId' | 'ballotHash' | 'txId'>,
  ballot: Ballot,
): ReceiptMatch {
  if (receipt.pollId !== ballot.pollId || receipt.ballotId !== ballot.ballotId) {
    return 'none';
  }
  if (receipt.txId === ballot.txId && receipt.ballotHash === ballot.ballotHash) {
    return 'current';
  }
  const earlier = ballot.earlierRequests ?? [];
  return earlier.some((r) => r.txId === receipt.txId && r.ballotHash === receipt.ballotHash) ? 'earlier' : 'none';
}

export function parseReceipt(text: string): Receipt {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ReceiptInputError('the receipt is not JSON');
  }
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const blockNumber = typeof r.blockNumber === 'string' && /^\d+$/.test(r.blockNumber) ? Number(r.blockNumber) : r.blockNumber;
  const missing = ['pollId', 'ballotId', 'txId', 'ballotHash'].filter((k) => typeof r[k] !== 'string' || r[k] === '');
  if (!Number.isSafeInteger(blockNumber) || (blockNumber as number) < 0) {
    missing.push('blockNumber');
  }
  if (missing.length > 0) {
    throw new ReceiptInputError(`the receipt lacks ${missing.join(', ')}: it needs { pollId, ballotId, txId, blockNumber, ballotHash } (and position, for a ballot cast with others)`);
  }
  const position = r.position === undefined ? undefined : BallotPositionSchema.safeParse(typeof r.position === 'string' && /^\d+$/.test(r.position) ? Number(r.position) : r.position);
  if (position?.success === false) {
    throw new ReceiptInputError('the receipt\'s position is not a ballot position (an integer from 0 to 99)');
  }
  return {
    pollId: r.pollId as string,
    ballotId: r.ballotId as string,
    txId: r.txId as string,
    blockNumber: blockNumber as number,
    ballotHash: r.ballotHash as string,
    ...(position === undefined ? {} : { position: position.data }),
  };
}

/** `block` is the block holding receipt.txId (or undefined when the peer has no such transaction). */
export function checkReceipt(receipt: Receipt, block: DecodedBlock | undefined, context: ReceiptContext): ReceiptReport {
  const checks: CheckRow[] = [];
  const tx = block?.transactions.find((t) => t.txId === receipt.txId);
  const stated = `tx ${short(receipt.txId)} in block ${receipt.blockNumber}`;
  if (block === undefined || tx === undefined) {
    checks.push({ field: 'transaction', onLedger: 'not found', recomputed: stated, verdict: 'MISMATCH' });
    return { receipt, verdict: 'FAILED', foundInBlock: null, txIndex: null, validationCode: null, recorded: null, checks, trustAnchors: null };
  }
  checks.push(match('block number', String(block.number), String(receipt.blockNumber)));
  checks.push(match('validation code', tx.validationCodeName, 'VALID'));
  checks.push(match('block data hash', bytesEqual(block.dataHash, block.computedDataHash) ? 'OK' : 'MISMATCH', 'OK'));
  const anchors = context.anchors;
  if (anchors?.problem !== undefined) {
    checks.push({ field: 'trust anchors', onLedger: `${anchors.source}: ${anchors.problem}`, recomputed: 'a verified config', verdict: 'MISMATCH' });
  } else {
    checks.push({ field: 'trust anchors', onLedger: anchors?.source ?? 'none', recomputed: anchors?.source ?? 'none', verdict: 'INFO' });
  }
  const signatures = checkBlockSignatures(block, anchors?.config);
  checks.push(match('orderer signature', signatures.status === 'FAILED' ? `FAILED: ${signatures.reason}` : 'OK', 'OK'));

  const written = ballotWrite(tx, context.namespace, receipt);
  let recorded: Ballot | null = null;
  if (written === undefined) {
    checks.push({ field: 'ballot write', onLedger: 'absent', recomputed: ballotKey(receipt.pollId, short(receipt.ballotId)), verdict: 'MISMATCH' });
  } else {
    try {
      recorded = parseBallotRecord(written);
    } catch (err) {
      if (!(err instanceof RecordError)) {
        throw err;
      }
      checks.push({ field: 'ballot record', onLedger: err.message, recomputed: '—', verdict: 'MISMATCH' });
    }
  }
  if (recorded !== null) {
    const sameIds =
      recorded.pollId === receipt.pollId && recorded.ballotId === receipt.ballotId && recorded.txId === receipt.txId;
    checks.push({
      field: 'record pollId/ballotId/txId',
      onLedger: `${recorded.pollId}/${short(recorded.ballotId)}/${short(recorded.txId)}`,
      recomputed: `${receipt.pollId}/${short(receipt.ballotId)}/${short(receipt.txId)}`,
      verdict: sameIds ? 'MATCH' : 'MISMATCH',
    });
    checks.push(match('ballotHash (recorded vs receipt)', recorded.ballotHash, receipt.ballotHash));
    checks.push(match('ballotHash (recomputed from the record)', ballotHashOf(recorded), receipt.ballotHash));
    checks.push(positionRow(receipt, recorded));
    checks.push(argumentsRow(tx, receipt, recorded));
    checks.push(currentRow(receipt, context.currentBallot));
  }
  const failed = checks.some((c) => c.verdict === 'MISMATCH');
  return {
    receipt,
    verdict: failed ? 'FAILED' : 'OK',
    foundInBlock: block.number,
    txIndex: tx.index,
    validationCode: tx.validationCodeName,
    recorded,
    checks,
    trustAnchors: anchors === undefined ? null : { source: anchors.source, verified: anchors.verified },
  };
}

export function renderReceiptReport(report: ReceiptReport): string {
  const r = report.receipt;
  const lines = [`receipt: poll ${r.pollId}, ballot ${r.ballotId}`, `  tx ${r.txId}, block ${r.blockNumber}, ballotHash ${r.ballotHash}`];
  if (report.recorded !== null) {
    const b = report.recorded;
    const where = `block ${report.foundInBlock ?? '?'}, transaction ${report.txIndex ?? '?'}${b.position === undefined ? '' : `, position ${b.position}`}`;
    lines.push(`recorded ballot (${where}, ${report.validationCode ?? '?'}):`);
    lines.push(`  answers ${JSON.stringify(b.answers)}`, `  castAt  ${b.castAt}`, `  txId    ${b.txId}`);
  }
  const width = Math.max(...report.checks.map((c) => c.field.length));
  for (const c of report.checks) {
    const verdict = c.verdict === 'INFO' ? '' : `  ${c.verdict}`;
    lines.push(`  ${c.field.padEnd(width)}  ${c.onLedger}${c.onLedger === c.recomputed ? '' : ` (expected ${c.recomputed})`}${verdict}`);
  }
  const weaker = report.trustAnchors?.verified === false ? " (WEAKER CHECK: the signature was judged by the source's own config, --trust-peer)" : '';
  lines.push(`receipt check: ${report.verdict}${weaker}`);
  return `${lines.join('\n')}\n`;
}

function ballotWrite(tx: DecodedTransaction, namespace: string, receipt: Receipt): string | undefined {
  const key = ballotKey(receipt.pollId, receipt.ballotId);
  for (const ns of tx.namespaces) {
    if (ns.namespace !== namespace) {
      continue;
    }
    const write = ns.writes.find((w) => w.key === key && !w.isDelete);
    if (write !== undefined) {
      return write.value.toString('utf8');
    }
  }
  return undefined;
}

const positionText = (position: number | undefined): string => (position === undefined ? 'none (cast alone)' : String(position));

/** The ballot's place among its transaction's ballots: compared when the receipt states it, else shown. */
function positionRow(receipt: Receipt, recorded: Ballot): CheckRow {
  const field = 'position in the transaction';
  if (receipt.position === undefined) {
    const text = positionText(recorded.position);
    return { field, onLedger: text, recomputed: text, verdict: 'INFO' };
  }
  return match(field, positionText(recorded.position), positionText(receipt.position));
}

/** The ballot written is the one the transaction's arguments asked for (ballot-tx.ts), not merely one under its key. */
function argumentsRow(tx: DecodedTransaction, receipt: Receipt, recorded: Ballot): CheckRow {
  const row = (onLedger: string): CheckRow => ({ field: 'ballot vs the transaction arguments', onLedger, recomputed: 'as asked', verdict: onLedger === 'as asked' ? 'MATCH' : 'MISMATCH' });
  if (!isBallotFunction(tx.functionName)) {
    return row(`written by ${tx.functionName ?? 'an unknown function'}, not by CastBallot or CastBallots`);
  }
  const call = decodeBallotCall(tx.functionName, tx.args ?? []);
  if (!call.ok) {
    return row(`the arguments do not fit the protocol (${call.problem})`);
  }
  const key = ballotKey(receipt.pollId, receipt.ballotId);
  const request = call.requests.find((r) => r.refused === undefined && requestKey(call.pollId, r) === key);
  if (request === undefined) {
    return row('no ballot of this voter among the arguments');
  }
  const problems = ballotMismatches(call.pollId, request, recorded, tx);
  return row(problems.length === 0 ? 'as asked' : problems.join('; '));
}

/** A later re-vote replaces the ballot without making the receipt wrong; it is shown, not failed. */
function currentRow(receipt: Receipt, current: string | undefined): CheckRow {
  const row = (text: string): CheckRow => ({ field: 'current ballot of this voter', onLedger: text, recomputed: text, verdict: 'INFO' });
  if (current === undefined) {
    return row('not checked');
  }
  let now: Ballot;
  try {
    now = parseBallotRecord(current);
  } catch {
    return row('unreadable');
  }
  switch (matchReceipt(receipt, now)) {
    case 'current':
      return row('this ballot');
    case 'earlier':
      return row(`replaced by a re-vote in tx ${short(now.txId)}, which remembers this one`);
    case 'none':
      return row(now.txId === receipt.txId ? "this transaction's ballot, with another hash" : `replaced by a re-vote in tx ${short(now.txId)}`);
  }
}

function match(field: string, onLedger: string, expected: string): CheckRow {
  return { field, onLedger, recomputed: expected, verdict: onLedger === expected ? 'MATCH' : 'MISMATCH' };
}

function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 16)}…` : id;
}
