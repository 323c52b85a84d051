/**
 * The channel config in force at one block, from the pinned genesis block and the config blocks alone, without the
 * blocks in between (what a citizen's page can fetch while a poll's ballots are sealed). Each config block is found
 * through the orderer-signed last-config pointer of the block just before it, and adopted only when its data hashes
 * to its header and its orderer signatures verify under the config before it, as the walk adopts config blocks.
 * The block asked about must carry valid orderer signatures under the config so derived.
 */
import { common } from './protos';
import { bytesEqual, concat, toHex } from './bytes';
import { type ChannelConfig, decodeConfigEnvelope } from './config';
import { type DecodedBlock, decodeBlock, errorText } from './decode';
import { decodeTransaction } from './decode-tx';
import type { SignatureVerifier } from './msp';
import { checkOrdererSignatures } from './orderer';

/** Where the blocks come from (the verification service's routes); nothing it returns is trusted. */
export interface BlockSource {
  /** The block as stored (genesis and config blocks are always public). */
  block(n: number): Promise<Uint8Array>;
  /** The block with its data emptied: header and metadata (orderer signatures, last-config pointer). */
  headerOnly(n: number): Promise<Uint8Array>;
}

export type ConfigAtBlock =
  | {
      readonly ok: true;
      readonly config: ChannelConfig;
      /** The config blocks followed from genesis, genesis first. */
      readonly configBlocks: readonly number[];
      /** Lowercase hex header hash of the block asked about. */
      readonly headerHash: string;
      /** Who signed the block asked about, as "MSP:CN". */
      readonly signers: readonly string[];
    }
  | { readonly ok: false; readonly problem: string };

class ChainProblem extends Error {}

/** Follows the config chain from the pinned genesis to block `number`; the first problem ends it. */
export async function configAtBlock(number: number, genesisHash: string, source: BlockSource, verifier: SignatureVerifier): Promise<ConfigAtBlock> {
  try {
    return await follow(number, genesisHash.toLowerCase(), source, verifier);
  } catch (err) {
    if (err instanceof ChainProblem) return { ok: false, problem: err.message };
    return { ok: false, problem: `the ledger data could not be read (${errorText(err)})` };
  }
}

async function fetchBlock(what: string, load: () => Promise<Uint8Array>, number: number): Promise<DecodedBlock> {
  let bytes: Uint8Array;
  try {
    bytes = await load();
  } catch (err) {
    throw new ChainProblem(`the service did not send ${what} ${number} (${errorText(err)})`);
  }
  let block: DecodedBlock;
  try {
    block = decodeBlock(bytes);
  } catch (err) {
    throw new ChainProblem(`${what} ${number} does not decode (${errorText(err)})`);
  }
  if (block.number !== number) throw new ChainProblem(`the service sent block ${block.number} for block ${number}`);
  return block;
}

/** The config a full config block sets, after checking that its data is what its header commits to. */
function configOf(block: DecodedBlock, verifier: SignatureVerifier): ChannelConfig {
  const [entry] = block.entries;
  if (entry === undefined || block.entries.length !== 1) throw new ChainProblem(`block ${block.number} is not a config block (it holds ${block.entries.length} envelopes)`);
  if (!bytesEqual(verifier.crypto.sha256(concat(...block.entries)), block.dataHash)) {
    throw new ChainProblem(`block ${block.number}'s data does not hash to its header's data_hash: it was altered`);
  }
  if (decodeTransaction(entry, 0).headerType !== common.HeaderType.CONFIG) throw new ChainProblem(`block ${block.number} is not a config block`);
  try {
    return decodeConfigEnvelope(entry);
  } catch (err) {
    throw new ChainProblem(`config block ${block.number} does not decode (${errorText(err)})`);
  }
}

async function signed(block: DecodedBlock, config: ChannelConfig, configBlock: number, isConfig: boolean, verifier: SignatureVerifier): Promise<readonly string[]> {
  const verdict = await checkOrdererSignatures(block, config, configBlock, isConfig, verifier);
  if (!verdict.ok) throw new ChainProblem(`block ${block.number}: ${verdict.problem ?? 'its orderer signatures do not verify'}`);
  return verdict.signers;
}

async function follow(number: number, genesisHash: string, source: BlockSource, verifier: SignatureVerifier): Promise<ConfigAtBlock> {
  const hashOf = (block: DecodedBlock): string => toHex(verifier.crypto.sha256(block.headerDer));
  const genesis = await fetchBlock('block', () => source.block(0), 0);
  if (hashOf(genesis) !== genesisHash) throw new ChainProblem(`block 0's header hash is ${hashOf(genesis)}, not the pinned genesis hash ${genesisHash}`);
  let config = configOf(genesis, verifier);
  if (number === 0) return { ok: true, config, configBlocks: [0], headerHash: genesisHash, signers: [] };

  const target = await fetchBlock('block', () => source.headerOnly(number), number);
  if (target.lastConfigIndex === undefined) throw new ChainProblem(`block ${number} carries no last-config pointer`);
  // Backwards through the signed pointers: block c − 1 names the config block before config block c.
  const pointers = new Map<number, DecodedBlock>();
  const chain: number[] = [];
  for (let c = target.lastConfigIndex; c > 0; ) {
    if (c > number) throw new ChainProblem(`block ${number}'s last-config pointer names a later block, ${c}`);
    chain.unshift(c);
    const before = await fetchBlock('block', () => source.headerOnly(c - 1), c - 1);
    const previous = before.lastConfigIndex ?? -1;
    if (previous < 0 || previous >= c) throw new ChainProblem(`block ${c - 1}'s last-config pointer names ${previous < 0 ? 'no block' : `block ${previous}`}, not an earlier config block`);
    pointers.set(c, before);
    c = previous;
  }

  let configBlock = 0;
  let signers: readonly string[] = [];
  for (const c of chain) {
    const before = pointers.get(c);
    // The pointer block, unless it is the previous config block itself (already checked) or genesis (pinned).
    if (before !== undefined && before.number !== configBlock) await signed(before, config, configBlock, false, verifier);
    const block = await fetchBlock('config block', () => source.block(c), c);
    if (c === number && hashOf(block) !== hashOf(target)) throw new ChainProblem(`the service sent two different headers for block ${c}`);
    signers = await signed(block, config, configBlock, true, verifier);
    config = configOf(block, verifier);
    configBlock = c;
  }
  // A config block asked about was checked in the loop (under the config before it); any other block now.
  if (configBlock !== number) signers = await signed(target, config, configBlock, false, verifier);
  return { ok: true, config, configBlocks: [0, ...chain], headerHash: hashOf(target), signers };
}
