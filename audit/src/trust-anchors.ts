import type { DecodedBlock } from './block-decoder';
import { checkBlockSignatures } from './block-signatures';
import type { ChannelConfigInfo } from './channel-config';
import type { ReplayStateJson } from './replay-state';

/**
 * Where a receipt check gets the channel config that says who may sign the receipt's block. A config block served by
 * the same unverified source proves nothing (whoever forged the block can forge it), so the config comes from:
 *   a checkpoint      the config chain a full audit verified (the config in force at the receipt's block);
 *   a pinned genesis  the config chain replayed here: block 0 must hash to the pin, and each config block on the
 *                     way (found through the signed last-config pointers) must be signed by the consenters of the
 *                     config before it;
 *   --trust-peer      the source's own config block: the old, weaker check, named as such in the report.
 */

export interface TrustAnchors {
  /** For the report: where the config came from. */
  readonly source: string;
  /** False only for --trust-peer. */
  readonly verified: boolean;
  readonly config?: ChannelConfigInfo;
  /** Why no trustworthy config was found; the receipt check then fails. */
  readonly problem?: string;
}

export type ReadBlock = (n: number) => Promise<DecodedBlock | undefined>;

export function anchorsFromCheckpoint(state: ReplayStateJson, file: string, block: DecodedBlock, genesisHash?: string): TrustAnchors {
  const audited = state.nextBlock - 1;
  const base = { source: `checkpoint ${file} (audited to block ${audited})`, verified: true };
  if (genesisHash !== undefined && state.genesisHash !== genesisHash) {
    return { ...base, problem: "the checkpoint's genesis block differs from --genesis-hash" };
  }
  let record = [...state.configs].reverse().find((c) => c.block < block.number);
  if (block.number > audited) {
    const latest = state.configs.at(-1);
    record = latest !== undefined && block.lastConfigIndex === latest.block ? latest : undefined;
    if (record === undefined) {
      return {
        ...base,
        problem: `block ${block.number} names config block ${block.lastConfigIndex ?? '?'}, which the checkpoint has not verified: audit past block ${block.number} first`,
      };
    }
  }
  if (record === undefined) {
    return { ...base, problem: 'the checkpoint holds no config in force at this block' };
  }
  return { ...base, source: `${base.source}, config of block ${record.block}`, config: record.config };
}

export async function anchorsFromGenesis(read: ReadBlock, block: DecodedBlock, genesisHash: string): Promise<TrustAnchors> {
  const fail = (problem: string, steps: readonly number[] = []): TrustAnchors => ({ source: chainSource(steps), verified: true, problem });
  const genesis = await read(0);
  if (genesis === undefined) {
    return fail('block 0 is not available from the source');
  }
  if (genesis.headerHash.toString('hex') !== genesisHash.toLowerCase()) {
    return fail("block 0's header hash differs from --genesis-hash");
  }
  let config = genesis.config;
  if (config === undefined) {
    return fail('block 0 holds no channel config');
  }
  // Backwards through the last-config pointers: config block c, then the block before it names the previous one.
  const configBlocks: number[] = [];
  const pointers = new Map<number, DecodedBlock>();
  for (let c = block.lastConfigIndex; c !== 0; ) {
    if (c === undefined || c >= (configBlocks[0] ?? block.number + 1)) {
      return fail(`the last-config pointers do not lead back to block 0 (at config block ${c ?? '?'})`);
    }
    configBlocks.unshift(c);
    const before = await read(c - 1);
    if (before === undefined) {
      return fail(`block ${c - 1} is not available from the source`);
    }
    pointers.set(c, before);
    c = before.lastConfigIndex;
  }
  const steps = [0];
  for (const c of configBlocks) {
    // The pointer block (the one just before c) is governed by the config so far, unless it is the previous config
    // block itself (checked already); so is config block c.
    const configBlock = await read(c);
    const checks = c - 1 === steps.at(-1) ? [configBlock] : [pointers.get(c), configBlock];
    for (const checked of checks) {
      const verdict = checked === undefined ? undefined : checkBlockSignatures(checked, config, steps.at(-1));
      if (checked === undefined || verdict?.status !== 'OK') {
        const why = verdict?.status === 'FAILED' ? verdict.reason : 'not available';
        return fail(`block ${checked?.number ?? c} on the config chain: ${why}`, steps);
      }
    }
    if (configBlock?.config === undefined) {
      return fail(`block ${c} is not a config block`, steps);
    }
    config = configBlock.config;
    steps.push(c);
  }
  return { source: chainSource(steps), verified: true, config };
}

export async function anchorsFromSource(read: ReadBlock, block: DecodedBlock): Promise<TrustAnchors> {
  const index = block.lastConfigIndex;
  const source = `the source's own config block ${index ?? '?'} (--trust-peer): NOT VERIFIED`;
  const config = index === undefined ? undefined : (await read(index))?.config;
  return config === undefined ? { source, verified: false, problem: 'the config block the block names is not available' } : { source, verified: false, config };
}

function chainSource(steps: readonly number[]): string {
  return `config chain replayed from the pinned genesis${steps.length > 0 ? ` (config blocks ${steps.join(', ')})` : ''}`;
}
