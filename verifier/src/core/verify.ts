/**
 * The offline verifier: a bundle (blocks as stored, some withheld) and a pinned genesis hash in, a report out.
 * Browser-safe (no Node imports); it yields to the event loop between blocks so a page can show progress.
 */
import { type Bundle, BundleSchema, type Receipt } from '../wire';
import { fromBase64 } from './bytes';
import { type CryptoProvider, defaultProvider } from './crypto';
import { SignatureVerifier } from './msp';
import { ballotTxFindings } from './ballot-tx';
import { type PollOutcome, pollIds, recomputePoll } from './poll';
import { checkReceipt } from './receipt';
import type { PollVerification, Progress, ReceiptVerification, StepResult, VerificationReport } from './report';
import { checkCheckpoint } from './checkpoint';
import { LedgerWalk, type PreparedBlock, StepLog, codeName } from './walk';

export interface VerifyOptions {
  /** Hex SHA-256 header hash of block 0, pinned out of band. */
  readonly genesisHash: string;
  /** The poll to recompute; default: the bundle's poll, else the receipt's, else every poll (summarised). */
  readonly pollId?: string;
  readonly receipt?: Receipt;
  readonly onProgress?: (p: Progress) => void;
  /** SHA-256 and ECDSA; default WebCrypto where there is one (browsers, Node), else pure JavaScript. */
  readonly crypto?: CryptoProvider;
  /** The blocks' base64 decoder; default a portable one (the CLI passes Node's Buffer, ten times faster). */
  readonly decodeBase64?: (text: string) => Uint8Array;
}

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

/** Parses untrusted JSON as a bundle; throws BundleError naming the first problem. */
export function parseBundle(json: unknown): Bundle {
  const parsed = BundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleError(`not a verification bundle: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
  }
  return parsed.data;
}

const YIELD_EVERY_MS = 30;
/** Blocks decoded ahead of the one being committed (a config block, or genesis, ends the look-ahead). */
const LOOK_AHEAD = 8;
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function verifyBundle(bundle: Bundle, options: VerifyOptions): Promise<VerificationReport> {
  const started = Date.now();
  const verifier = new SignatureVerifier(options.crypto ?? defaultProvider());
  const walk = new LedgerWalk(bundle.channel, options.genesisHash, verifier);
  const total = bundle.blocks.length;
  const decodeBase64 = options.decodeBase64 ?? fromBase64;
  const progress = (step: Progress['step'], done: number, of: number): void => options.onProgress?.({ step, done, total: of });
  progress('chain', 0, total);
  let lastYield = Date.now();
  // Up to LOOK_AHEAD blocks are decoded and their signature checks started while earlier ones are committed.
  const ahead: PreparedBlock[] = [];
  let next = 0;
  for (let n = 0; n < total; n += 1) {
    while (next < total && ahead.length < LOOK_AHEAD && ahead.at(-1)?.barrier !== true) {
      ahead.push(walk.prepare(next, decodeBase64(bundle.blocks[next] ?? '')));
      next += 1;
    }
    const prepared = ahead.shift();
    if (prepared === undefined) break;
    await walk.commit(prepared);
    if (walk.stopped) break;
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      progress('transactions', n + 1, total);
      await pause();
      lastYield = Date.now();
    }
  }
  progress('transactions', total, total);
  if (bundle.height !== total) walk.chain.fail(`the bundle says height ${bundle.height} but holds ${total} blocks`);
  if (bundle.checkpoint !== undefined) await checkCheckpoint(bundle.checkpoint, walk);

  const pollId = options.pollId ?? bundle.pollId ?? options.receipt?.pollId;
  progress('poll', 0, 1);
  await pause();
  const pollStep = new StepLog('poll');
  const outcomes = (pollId === undefined ? pollIds(walk.state, bundle.chaincode) : [pollId]).map((id) =>
    recomputePoll(id, { state: walk.state, namespace: bundle.chaincode, crypto: verifier.crypto, writerOf: (v) => walk.txs.get(`${v.block}:${v.tx}`)?.tx }),
  );
  for (const outcome of outcomes) {
    for (const f of outcome.failures) pollStep.fail(f);
    pollStep.notes.push(...outcome.notes);
    pollStep.checked += pollId === undefined ? 1 : outcome.verification.ballotCount;
  }
  // Every ballot a valid transaction wrote, against that transaction's own arguments and result.
  for (const record of walk.txs.values()) {
    if (record.outcome.derived !== 0) continue;
    for (const f of ballotTxFindings(record.blockNumber, record.tx, bundle.chaincode, verifier.crypto)) {
      if (pollId === undefined || f.pollId === pollId) pollStep.fail(f.message, { blockNumber: f.blockNumber, txId: f.txId });
    }
  }
  const poll = pollId === undefined ? undefined : outcomes[0];

  const receiptStep = new StepLog('receipt');
  let receipt: ReceiptVerification | undefined;
  if (options.receipt !== undefined) {
    progress('receipt', 0, 1);
    const counted = poll?.verification.pollId === options.receipt.pollId ? poll.ballots : undefined;
    const outcome = checkReceipt(options.receipt, walk.txs.values(), counted, bundle.chaincode, walk.withheld, verifier.crypto);
    receiptStep.checked = 1;
    for (const f of outcome.failures) receiptStep.fail(f, { txId: options.receipt.txId });
    receiptStep.notes.push(...outcome.notes);
    receipt = outcome.verification;
  }
  const steps = [
    stepResult(walk.chain, chainSummary(walk)),
    stepResult(walk.config, configSummary(walk)),
    stepResult(walk.signatures, `${walk.signatures.checked} blocks; signers: ${[...walk.signers].join(', ') || 'none'}`),
    stepResult(walk.transactions, transactionsSummary(walk)),
    stepResult(pollStep, pollSummary(pollId, outcomes)),
    stepResult(receiptStep, receiptSummary(receipt)),
  ];
  const flagMismatches = [...walk.txs.values()].flatMap((r) =>
    r.outcome.derived === 'UNDETERMINED' || r.outcome.derived === r.onLedger
      ? []
      : [{ blockNumber: r.blockNumber, txIndex: r.tx.index, txId: r.tx.txId, onLedger: codeName(r.onLedger), derived: codeName(r.outcome.derived) }],
  );
  return {
    ok: steps.every((s) => s.ok),
    genesisHash: options.genesisHash,
    channel: bundle.channel,
    height: bundle.height,
    steps,
    ...(poll === undefined ? {} : { poll: poll.verification }),
    ...(receipt === undefined ? {} : { receipt }),
    flagMismatches,
    stats: { blocks: walk.chain.checked, transactions: walk.transactionCount, signaturesChecked: verifier.count, millis: Date.now() - started },
  };
}

function stepResult(log: StepLog, summary: string): StepResult {
  return { name: log.name, ok: log.failures.length === 0, checked: log.checked, summary, failures: log.failures, notes: log.notes };
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function chainSummary(walk: LedgerWalk): string {
  const withheld = walk.withheld.length;
  if (withheld > 0) walk.chain.notes.push(`withheld (data not public yet, data hash not checked): blocks ${walk.withheld.join(', ')}`);
  return `${plural(walk.chain.checked, 'block')}${withheld === 0 ? '' : `, ${withheld} withheld (data not public yet)`}`;
}

function configSummary(walk: LedgerWalk): string {
  const config = walk.currentConfig;
  if (config === undefined) return 'no channel config';
  const orgs = [...config.msps.keys()].join(', ');
  return `${plural(walk.configBlocks.length, 'config block')}; ${config.consensusType} with ${plural(config.consenters.length, 'consenter')}; organisations ${orgs}`;
}

function transactionsSummary(walk: LedgerWalk): string {
  const records = [...walk.txs.values()];
  const valid = records.filter((r) => r.outcome.derived === 0).length;
  const undetermined = records.filter((r) => r.outcome.derived === 'UNDETERMINED');
  if (undetermined.length > 0) {
    walk.transactions.notes.push(`${plural(undetermined.length, 'transaction')} could not be decided (they depend on withheld blocks); first: ${undetermined[0]?.outcome.reason ?? ''}`);
  }
  const hidden = walk.transactionCount - records.length;
  if (hidden > 0) walk.transactions.notes.push(`${plural(hidden, 'transaction')} in withheld blocks were not checked`);
  const invalid = records.length - valid - undetermined.length;
  return `${plural(records.length, 'transaction')} re-derived: ${valid} valid, ${invalid} invalid${undetermined.length === 0 ? '' : `, ${undetermined.length} undetermined`}; ${walk.transactions.failures.length} flag mismatch(es)`;
}

function pollSummary(pollId: string | undefined, outcomes: readonly PollOutcome[]): string {
  if (pollId === undefined) {
    const tallied = outcomes.filter((o) => o.verification.onChain !== undefined);
    return `${plural(outcomes.length, 'poll')}; ${tallied.filter((o) => o.verification.matches).length} of ${tallied.length} tallied results recomputed equal`;
  }
  const v: PollVerification | undefined = outcomes[0]?.verification;
  if (v === undefined) return 'no poll';
  const verdict = v.onChain === undefined ? 'no final result on the chain yet' : v.matches ? 'equals the on-chain result' : 'differs from the on-chain result';
  return `${pollId}: ${plural(v.ballotCount, 'ballot')}, root ${v.ballotsRoot.slice(0, 16)}…; ${verdict}`;
}

function receiptSummary(r: ReceiptVerification | undefined): string {
  if (r === undefined) return 'no receipt given';
  if (r.blockNumber === undefined) return `transaction ${r.txId.slice(0, 12)}… not found`;
  const endorsed = r.endorsedBy.length === 0 ? 'no valid endorsement' : `endorsed by ${r.endorsedBy.join(' and ')}`;
  const position = r.position === undefined ? '' : `, position ${r.position}`;
  return `block ${r.blockNumber}, transaction ${r.txIndex ?? '?'}${position}: ${r.valid ? 'VALID' : 'NOT VALID'}, ${endorsed}, ${r.asCast ? 'exactly as cast' : 'not shown as cast'}, ${r.counted ? 'counted' : 'not counted'}`;
}

