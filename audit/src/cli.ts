import { promises as fs } from 'node:fs';
import { constants } from 'node:os';
import * as path from 'node:path';
import { runAudit } from './audit';
import { type DecodedBlock, decodeBlock } from './block-decoder';
import { type BlockSource, DirectoryBlockSource, blockFileName, writeBlockFile } from './block-source';
import { type CommonOptions, type Command, type PeerTarget, USAGE, parseCommand } from './config';
import { readCheckpoint } from './checkpoint';
import { AuditError, CheckpointError, ConnectionError, describeError } from './errors';
import { type PeerLedger, type PeerLedgerOptions, openPeerLedger } from './fabric';
import { type PollCloserPort, closeDuePolls, renderCloseOutcomes } from './closer';
import { openPollCloser } from './closer-fabric';
import { type Receipt, type ReceiptReport, checkReceipt, parseReceipt, renderReceiptReport } from './receipt';
import { renderReport } from './report-text';
import { type ReadBlock, type TrustAnchors, anchorsFromCheckpoint, anchorsFromGenesis, anchorsFromSource } from './trust-anchors';

/** The thin command line: parse, connect, run one use case, print, choose the exit status. */

export const ExitCode = { ok: 0, failed: 1, error: 2 } as const;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly openPeer: (target: PeerTarget, options: PeerLedgerOptions) => Promise<PeerLedger>;
  readonly openCloser: (target: PeerTarget, options: PeerLedgerOptions) => Promise<PollCloserPort & { close(): void }>;
  /** Installs the stop request handler (SIGINT/SIGTERM); returns the uninstaller. */
  readonly onStopSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  openPeer: openPeerLedger,
  openCloser: openPollCloser,
  onStopSignal: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const env: CliIo = { ...defaultIo, ...io };
  try {
    const command = parseCommand(argv, env.cwd);
    return await run(command, env);
  } catch (err) {
    env.stderr(`poll-ledger-audit: ${describeError(err)}\n`);
    if (!(err instanceof AuditError)) {
      env.stderr(`${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    }
    return ExitCode.error;
  }
}

async function run(command: Command, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.stdout(`${USAGE}\n`);
      return ExitCode.ok;
    case 'audit':
      return withPeer(command.peer, command.options, io, (peer) => audit(peer, command.options, io));
    case 'verify':
      return audit(new DirectoryBlockSource(command.fromDir), command.options, io);
    case 'export':
      return withPeer(command.peer, command.options, io, (peer) => exportBlocks(peer, command.outDir, command.options, io));
    case 'close-due':
      return closeDue(command.peer, command.options, io);
    case 'receipt': {
      const receipt = parseReceipt(await readText(command.receiptPath));
      const source = command.source;
      const report =
        'peer' in source
          ? await withPeer(source.peer, command.options, io, (peer) => receiptFromPeer(peer, receipt, command.options))
          : await receiptFromDir(source.fromDir, receipt, command.options);
      io.stdout(renderReceiptReport(report));
      if (command.options.jsonPath !== undefined) {
        await writeJson(command.options.jsonPath, report);
      }
      return report.verdict === 'OK' ? ExitCode.ok : ExitCode.failed;
    }
  }
}

async function withPeer<T>(target: PeerTarget, options: CommonOptions, io: CliIo, use: (peer: PeerLedger) => Promise<T>): Promise<T> {
  const peer = await io.openPeer(target, { channel: options.channel, chaincode: options.chaincode, timeoutMs: options.timeoutMs });
  try {
    return await use(peer);
  } finally {
    peer.close();
  }
}

async function audit(source: BlockSource, options: CommonOptions, io: CliIo): Promise<number> {
  let stopSignal: NodeJS.Signals | undefined;
  const uninstall = io.onStopSignal((signal) => {
    if (stopSignal !== undefined) {
      // A second signal: stop now; the checkpoint on disk is whole (written by rename).
      process.exit(128 + (constants.signals[signal] as number | undefined ?? 0));
    }
    stopSignal = signal;
    io.stderr(`poll-ledger-audit: ${signal}: finishing the current block, saving the checkpoint\n`);
  });
  try {
    const { report, interrupted } = await runAudit({
      source,
      channel: options.channel,
      chaincode: options.chaincode,
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      ...(options.untilBlock === undefined ? {} : { untilBlock: options.untilBlock }),
      trustedHashes: options.trustedHashes,
      ...(options.genesisHash === undefined ? {} : { genesisHash: options.genesisHash }),
      shouldStop: () => stopSignal !== undefined,
    });
    io.stdout(renderReport(report, { quiet: options.quiet }));
    if (options.jsonPath !== undefined) {
      await writeJson(options.jsonPath, report);
    }
    if (interrupted && stopSignal !== undefined) {
      return 128 + (constants.signals[stopSignal] as number | undefined ?? 0);
    }
    return report.verdict === 'PASS' ? ExitCode.ok : ExitCode.failed;
  } finally {
    uninstall();
  }
}

/** The observer's closer: 0 when every due poll is closed, 1 when one was refused. */
async function closeDue(target: PeerTarget, options: CommonOptions, io: CliIo): Promise<number> {
  const closer = await io.openCloser(target, { channel: options.channel, chaincode: options.chaincode, timeoutMs: options.timeoutMs });
  try {
    const outcomes = await closeDuePolls(closer);
    io.stdout(renderCloseOutcomes(outcomes));
    if (options.jsonPath !== undefined) {
      await writeJson(options.jsonPath, { outcomes });
    }
    return outcomes.some((o) => o.outcome === 'refused') ? ExitCode.failed : ExitCode.ok;
  } finally {
    closer.close();
  }
}

async function exportBlocks(peer: PeerLedger, outDir: string, options: CommonOptions, io: CliIo): Promise<number> {
  const last = await peer.lastBlockNumber();
  const target = last === undefined ? -1 : Math.min(last, options.untilBlock ?? last);
  await fs.mkdir(outDir, { recursive: true });
  let written = 0;
  if (target >= 0) {
    for await (const block of peer.blocks(0, target)) {
      if (block.bytes === undefined) {
        throw new ConnectionError(`the peer did not send block ${block.number}`);
      }
      await writeBlockFile(outDir, block.number, block.bytes);
      written += 1;
    }
  }
  io.stdout(`exported ${written} block(s) (0..${target}) from ${peer.description} to ${outDir}\n`);
  return ExitCode.ok;
}

async function receiptFromPeer(peer: PeerLedger, receipt: Receipt, options: CommonOptions): Promise<ReceiptReport> {
  const stated = await peer.blockByNumber(receipt.blockNumber).then(decodeBlock, () => undefined);
  let block = stated?.transactions.some((t) => t.txId === receipt.txId) === true ? stated : undefined;
  if (block === undefined) {
    const bytes = await peer.blockByTxId(receipt.txId);
    block = bytes === undefined ? undefined : decodeBlock(bytes);
  }
  const read = (n: number): Promise<DecodedBlock | undefined> => peer.blockByNumber(n).then(decodeBlock, () => undefined);
  const anchors = block === undefined ? undefined : await trustAnchors(read, block, options);
  const current = await peer.currentBallot(receipt.pollId, receipt.ballotId);
  return checkReceipt(receipt, block, {
    namespace: options.chaincode,
    ...(anchors === undefined ? {} : { anchors }),
    ...(current === undefined ? {} : { currentBallot: current }),
  });
}

async function receiptFromDir(dir: string, receipt: Receipt, options: CommonOptions): Promise<ReceiptReport> {
  const read = async (n: number): Promise<DecodedBlock | undefined> => {
    try {
      return decodeBlock(await fs.readFile(path.join(dir, blockFileName(n))));
    } catch {
      return undefined;
    }
  };
  const holds = (b: DecodedBlock | undefined): b is DecodedBlock => b?.transactions.some((t) => t.txId === receipt.txId) === true;
  let block = await read(receipt.blockNumber);
  if (!holds(block)) {
    block = undefined;
    const source = new DirectoryBlockSource(dir);
    const last = await source.lastBlockNumber();
    for (let n = 0; last !== undefined && n <= last && block === undefined; n += 1) {
      const candidate = await read(n);
      block = holds(candidate) ? candidate : undefined;
    }
  }
  const anchors = block === undefined ? undefined : await trustAnchors(read, block, options);
  return checkReceipt(receipt, block, { namespace: options.chaincode, ...(anchors === undefined ? {} : { anchors }) });
}

/** The checkpoint's verified config chain, else a replay from the pinned genesis, else (--trust-peer) the source's. */
async function trustAnchors(read: ReadBlock, block: DecodedBlock, options: CommonOptions): Promise<TrustAnchors> {
  if (options.checkpoint !== undefined) {
    const file = options.checkpoint.file;
    const state = await readCheckpoint(file, { channel: options.channel, namespace: options.chaincode });
    if (state === undefined) {
      throw new CheckpointError(`no checkpoint at ${file}: run a full audit with --checkpoint first`, { file });
    }
    return anchorsFromCheckpoint(state, file, block, options.genesisHash);
  }
  if (options.genesisHash !== undefined) {
    return anchorsFromGenesis(read, block, options.genesisHash);
  }
  return anchorsFromSource(read, block);
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new AuditError('RECEIPT_INPUT', `cannot read ${file}`, { file }, { cause: err });
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await fs.rename(temp, file);
}
