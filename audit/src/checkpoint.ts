import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from './errors';
import { type ReplayStateJson, STATE_FORMAT } from './replay-state';

/**
 * The checkpoint is the replay state as JSON: the next block to read, the previous block's header hash, every
 * poll's accumulated writes, and the verified config chain (which the receipt check takes its trust anchors from). It is replaced atomically (temp file, fsync, rename), so a kill at any instant leaves
 * either the old or the new checkpoint, each of which resumes without a gap or a duplicate.
 */

export async function readCheckpoint(
  file: string,
  expected: { readonly channel: string; readonly namespace: string },
): Promise<ReplayStateJson | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new CheckpointError(`cannot read checkpoint ${file}`, { file }, { cause: err });
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${file} is not JSON`, { file }, { cause: err });
  }
  if (typeof state === 'object' && state !== null && (state as { format?: unknown }).format === 1) {
    throw new CheckpointError(
      `checkpoint ${file} was written by an earlier auditor (format 1, without the config chain and rule changes): remove it and audit from genesis`,
      { file },
    );
  }
  if (!isReplayState(state)) {
    throw new CheckpointError(`checkpoint ${file} is not a poll-ledger-audit checkpoint (format ${STATE_FORMAT})`, { file });
  }
  if (state.channel !== expected.channel || state.namespace !== expected.namespace) {
    throw new CheckpointError(
      `checkpoint ${file} is for channel ${state.channel} / chaincode ${state.namespace}, not ${expected.channel} / ${expected.namespace}`,
      { file },
    );
  }
  return state;
}

export async function writeCheckpoint(file: string, state: ReplayStateJson): Promise<void> {
  // One fixed temp name: a write cut short by SIGKILL leaves a file the next write simply replaces.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw new CheckpointError(`cannot write checkpoint ${file}`, { file }, { cause: err });
  }
}

/** Shape check of the fields that decide where to resume; the rest is the auditor's own output. */
function isReplayState(value: unknown): value is ReplayStateJson {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    v.format === STATE_FORMAT &&
    typeof v.channel === 'string' &&
    typeof v.namespace === 'string' &&
    Number.isSafeInteger(v.nextBlock) &&
    (v.previousHeaderHash === undefined || typeof v.previousHeaderHash === 'string') &&
    Array.isArray(v.polls) &&
    Array.isArray(v.chainBreaks) &&
    Array.isArray(v.signatureFailures) &&
    Array.isArray(v.undecodable) &&
    Array.isArray(v.trustedChecks) &&
    Array.isArray(v.invalid) &&
    Array.isArray(v.signers) &&
    Array.isArray(v.configs) &&
    Array.isArray(v.ruleChanges) &&
    typeof v.definitions === 'object' &&
    v.definitions !== null &&
    typeof v.transactions === 'object'
  );
}
