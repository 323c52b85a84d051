import { BlockDecodeError, decodeBlock } from './block-decoder';
import type { BlockSource } from './block-source';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { BlockSourceError } from './errors';
import { LedgerReplay } from './ledger-replay';
import { type AuditReport, buildReport } from './report';

/**
 * One audit run: resume from the checkpoint (or genesis), replay the source's blocks up to its last block (or
 * `untilBlock`), checkpoint along the way, and report. The same code runs over the peer and over an export directory.
 */

export interface AuditOptions {
  readonly source: BlockSource;
  readonly channel: string;
  readonly chaincode: string;
  readonly checkpoint?: { readonly file: string; readonly every: number };
  /** Stop after this block (inclusive). */
  readonly untilBlock?: number;
  readonly trustedHashes?: ReadonlyMap<number, string>;
  /** Block 0's header hash, published out of band: the root of the config chain. */
  readonly genesisHash?: string;
  /** Asked after each block; true ends the run cleanly (checkpoint written), as on SIGINT/SIGTERM. */
  readonly shouldStop?: () => boolean;
  readonly clock?: () => number;
  readonly onProgress?: (block: number, target: number) => void;
}

export interface AuditOutcome {
  readonly report: AuditReport;
  /** The run was asked to stop before it reached its target block. */
  readonly interrupted: boolean;
}

export async function runAudit(options: AuditOptions): Promise<AuditOutcome> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const namespace = options.chaincode;
  const trustedHashes = options.trustedHashes ?? new Map<number, string>();
  const saved =
    options.checkpoint === undefined
      ? undefined
      : await readCheckpoint(options.checkpoint.file, { channel: options.channel, namespace });
  const replay = new LedgerReplay({ channel: options.channel, namespace, trustedHashes }, saved);
  const last = await options.source.lastBlockNumber();
  const target = last === undefined ? -1 : Math.min(last, options.untilBlock ?? last);

  let blocksThisRun = 0;
  let ballotWritesThisRun = 0;
  let sinceCheckpoint = 0;
  let interrupted = false;
  let unreadable: { block: number; reason: string } | undefined;
  // A checkpoint is only written between blocks: never from a state that a failed apply left half-updated.
  let consistent = true;
  try {
    if (replay.nextBlock <= target) {
      for await (const raw of options.source.blocks(replay.nextBlock, target)) {
        if (raw.number !== replay.nextBlock) {
          throw new BlockSourceError(`the block source sent block ${raw.number} where ${replay.nextBlock} was expected`);
        }
        if (raw.bytes === undefined) {
          unreadable = { block: raw.number, reason: 'the block is missing from the source' };
          break;
        }
        let decoded;
        try {
          decoded = decodeBlock(raw.bytes);
        } catch (err) {
          if (!(err instanceof BlockDecodeError)) {
            throw err;
          }
          unreadable = { block: raw.number, reason: `the block does not decode: ${err.message}` };
          break;
        }
        consistent = false;
        const outcome = replay.apply(decoded);
        consistent = true;
        blocksThisRun += 1;
        ballotWritesThisRun += outcome.ballotWrites;
        options.onProgress?.(decoded.number, target);
        sinceCheckpoint += 1;
        if (options.checkpoint !== undefined && sinceCheckpoint >= options.checkpoint.every) {
          await writeCheckpoint(options.checkpoint.file, replay.toJSON());
          sinceCheckpoint = 0;
        }
        if (options.shouldStop?.() === true && replay.nextBlock <= target) {
          interrupted = true;
          break;
        }
      }
    }
  } finally {
    if (options.checkpoint !== undefined && consistent && (sinceCheckpoint > 0 || saved === undefined)) {
      await writeCheckpoint(options.checkpoint.file, replay.toJSON());
    }
  }

  const durationMs = Math.max(clock() - started, 0);
  const seconds = Math.max(durationMs, 1) / 1000;
  const state = replay.toJSON();
  const stateWithBreak =
    unreadable === undefined ? state : { ...state, chainBreaks: [...state.chainBreaks, unreadable] };
  const report = buildReport({
    state: stateWithBreak,
    trustedHashes,
    ...(options.genesisHash === undefined ? {} : { genesisHash: options.genesisHash }),
    run: {
      source: options.source.description,
      startedAt: new Date(started).toISOString(),
      durationMs,
      resumedFromBlock: saved?.nextBlock ?? null,
      blocksThisRun,
      ballotWritesThisRun,
      blocksPerSecond: blocksThisRun / seconds,
      ballotsPerSecond: ballotWritesThisRun / seconds,
      ...(unreadable === undefined
        ? interrupted
          ? { stoppedEarly: `interrupted before block ${replay.nextBlock}` }
          : {}
        : { stoppedEarly: `block ${unreadable.block} could not be read` }),
    },
  });
  return { report, interrupted };
}
