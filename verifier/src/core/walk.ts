/**
 * One pass over the bundle's blocks, in order: the hash chain from the pinned genesis, the config chain, the orderer
 * signatures against the config in force, and every transaction's validity re-derived into the world state.
 * Findings go to the step they belong to; the pass stops at a block that does not decode at all.
 */
import { common, peer } from './protos';
import { bytesEqual, concat, toHex } from './bytes';
import { type ChannelConfig, decodeConfigEnvelope } from './config';
import type { CryptoProvider } from './crypto';
import { type DecodedBlock, type DecodedTx, decodeBlock, errorText } from './decode';
import { decodeTransaction } from './decode-tx';
import { type ChaincodeDefinition, LIFECYCLE, applyLifecycleWrites } from './lifecycle';
import type { SignatureVerifier } from './msp';
import { type OrdererVerdict, checkOrdererSignatures } from './orderer';
import type { Finding, StepName } from './report';
import { WorldState } from './state';
import { type EnvelopeCheck, type TxOutcome, checkEnvelopes, deriveOutcomes } from './transactions';

export class StepLog {
  checked = 0;
  readonly failures: Finding[] = [];
  readonly notes: string[] = [];

  constructor(readonly name: StepName) {}

  fail(message: string, where: { blockNumber?: number; txId?: string } = {}): void {
    this.failures.push({ step: this.name, message, ...where });
  }
}

export interface TxRecord {
  readonly blockNumber: number;
  readonly tx: DecodedTx;
  readonly outcome: TxOutcome;
  readonly onLedger: number;
}

/** The signature checks of one block, started against the config in force when it was prepared. */
interface StartedChecks {
  readonly config: ChannelConfig;
  readonly configBlock: number;
  readonly orderer: Promise<OrdererVerdict>;
  readonly envelopes: Promise<EnvelopeCheck[]>;
}

/** A block decoded by {@link LedgerWalk.prepare}, waiting for {@link LedgerWalk.commit}. */
export interface PreparedBlock {
  readonly expectedNumber: number;
  /** Undefined when the block does not decode (then `problem` says why). */
  readonly block?: DecodedBlock;
  readonly problem?: string;
  readonly txs: readonly DecodedTx[];
  readonly isConfig: boolean;
  /** Blocks after this one are judged by what it sets (genesis, a config block) or never (it does not decode). */
  readonly barrier: boolean;
  readonly headerHash?: Uint8Array;
  readonly dataHash?: Uint8Array;
  readonly checks?: StartedChecks;
}

const codeNames = new Map(Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]));
export const codeName = (code: number | 'UNDETERMINED'): string => (code === 'UNDETERMINED' ? code : (codeNames.get(code) ?? `CODE_${code}`));

export class LedgerWalk {
  readonly chain = new StepLog('chain');
  readonly config = new StepLog('config');
  readonly signatures = new StepLog('orderer-signatures');
  readonly transactions = new StepLog('transactions');
  readonly state = new WorldState();
  readonly definitions = new Map<string, ChaincodeDefinition>();
  /** Every decoded transaction, by "block:index", for the poll and receipt steps. */
  readonly txs = new Map<string, TxRecord>();
  readonly withheld: number[] = [];
  readonly configBlocks: number[] = [];
  readonly signers = new Set<string>();
  /** Each block's header hash (hex), by number. */
  readonly headerHashes: string[] = [];
  transactionCount = 0;
  stopped = false;
  #config: ChannelConfig | undefined;
  #configBlock = 0;
  #previousHash: Uint8Array | undefined;
  readonly #seenTxIds = new Set<string>();

  constructor(
    readonly channel: string,
    readonly genesisHash: string,
    readonly verifier: SignatureVerifier,
  ) {}

  get crypto(): CryptoProvider {
    return this.verifier.crypto;
  }

  get currentConfig(): ChannelConfig | undefined {
    return this.#config;
  }

  /** Checks one block (prepared and committed at once); blocks must come in order from 0. */
  async add(expectedNumber: number, bytes: Uint8Array): Promise<void> {
    await this.commit(this.prepare(expectedNumber, bytes));
  }

  /**
   * Decodes a block and starts the checks that depend only on the config in force (orderer and transaction
   * signatures), so they can run while earlier blocks are committed. Every block after the last committed config
   * block may be prepared ahead; {@link PreparedBlock.barrier} says when later ones must wait for this one.
   */
  prepare(expectedNumber: number, bytes: Uint8Array): PreparedBlock {
    let block: DecodedBlock;
    try {
      block = decodeBlock(bytes);
    } catch (err) {
      return { expectedNumber, problem: errorText(err), txs: [], isConfig: false, barrier: true };
    }
    const txs = block.entries.map((e, i) => decodeTransaction(e, i));
    const isConfig = txs.length === 1 && txs[0]?.headerType === common.HeaderType.CONFIG;
    const claimsConfig = isConfig || (block.withheld && block.lastConfigIndex === block.number);
    const prepared = {
      expectedNumber,
      block,
      txs,
      isConfig,
      barrier: block.number === 0 || claimsConfig,
      headerHash: this.crypto.sha256(block.headerDer),
      ...(block.withheld ? {} : { dataHash: this.crypto.sha256(concat(...block.entries)) }),
    };
    const config = this.#config;
    if (config === undefined || block.number === 0) return prepared;
    return { ...prepared, checks: this.#startChecks(block, txs, config, this.#configBlock, claimsConfig) };
  }

  #startChecks(block: DecodedBlock, txs: readonly DecodedTx[], config: ChannelConfig, configBlock: number, claimsConfig: boolean): StartedChecks {
    const orderer = checkOrdererSignatures(block, config, configBlock, claimsConfig, this.verifier);
    const envelopes = block.withheld ? Promise.resolve([]) : checkEnvelopes(txs, { channel: this.channel, config, verifier: this.verifier });
    // Awaited in commit(); a block never committed (the walk stopped first) must not leave a rejection unhandled.
    orderer.catch(() => undefined);
    envelopes.catch(() => undefined);
    return { config, configBlock, orderer, envelopes };
  }

  /** Judges a prepared block in ledger order: the chain link, signatures, transaction outcomes, config adoption. */
  async commit(prepared: PreparedBlock): Promise<void> {
    const { expectedNumber, block, txs, isConfig } = prepared;
    if (block === undefined) {
      this.chain.fail(`block ${expectedNumber} does not decode (${prepared.problem ?? 'unknown'}); nothing after it can be checked`, { blockNumber: expectedNumber });
      this.stopped = true;
      return;
    }
    this.#checkChain(prepared, block);
    const configEntry = block.entries.length === 1 && expectedNumber === 0 ? block.entries[0] : undefined;
    // Checks started under another config than the one in force now (prepared too early) are started again.
    const checks = prepared.checks?.config === this.#config && prepared.checks?.configBlock === this.#configBlock ? prepared.checks : this.#restart(block, txs, isConfig);
    if (block.number === 0) this.#adoptGenesis(configEntry);
    else await this.#checkSignatures(block, isConfig, checks);
    if (block.withheld) this.#noteWithheld(block);
    else if (block.number === 0) this.#recordGenesis(block, txs);
    else if (checks !== undefined) await this.#validate(block, txs, checks);
    if (isConfig && block.number > 0) this.#adoptConfig(block);
  }

  #restart(block: DecodedBlock, txs: readonly DecodedTx[], isConfig: boolean): StartedChecks | undefined {
    const config = this.#config;
    if (config === undefined || block.number === 0) return undefined;
    return this.#startChecks(block, txs, config, this.#configBlock, isConfig || (block.withheld && block.lastConfigIndex === block.number));
  }

  #checkChain(prepared: PreparedBlock, block: DecodedBlock): void {
    const expected = prepared.expectedNumber;
    this.chain.checked += 1;
    const where = { blockNumber: expected };
    if (block.number !== expected) this.chain.fail(`block ${expected} carries number ${block.number}`, where);
    const headerHash = prepared.headerHash ?? this.crypto.sha256(block.headerDer);
    if (expected === 0 && toHex(headerHash) !== this.genesisHash.toLowerCase()) {
      this.chain.fail(`block 0's header hash is ${toHex(headerHash)}, not the pinned genesis hash ${this.genesisHash}`, where);
    }
    const previous = this.#previousHash ?? new Uint8Array(0);
    if (!bytesEqual(block.previousHash, previous)) this.chain.fail(`block ${expected}'s previous_hash does not link to block ${expected - 1}'s header`, where);
    if (prepared.dataHash !== undefined && !bytesEqual(prepared.dataHash, block.dataHash)) {
      this.chain.fail(`block ${expected}'s data does not hash to its header's data_hash: its contents were altered`, where);
    }
    this.#previousHash = headerHash;
    this.headerHashes[expected] = toHex(headerHash);
  }

  #adoptGenesis(entry: Uint8Array | undefined): void {
    this.config.checked += 1;
    try {
      if (entry === undefined) throw new Error('it does not hold exactly one envelope');
      this.#config = decodeConfigEnvelope(entry);
      this.configBlocks.push(0);
    } catch (err) {
      this.config.fail(`block 0 is not a config block (${errorText(err)}): no orderer or organisation is known`, { blockNumber: 0 });
    }
  }

  #adoptConfig(block: DecodedBlock): void {
    this.config.checked += 1;
    const signed = !this.signatures.failures.some((f) => f.blockNumber === block.number);
    try {
      const config = decodeConfigEnvelope(block.entries[0] ?? new Uint8Array(0));
      if (!signed) {
        this.config.fail(`config block ${block.number} is not adopted: its orderer signatures do not verify`, { blockNumber: block.number });
        return;
      }
      this.#config = config;
      this.#configBlock = block.number;
      this.configBlocks.push(block.number);
    } catch (err) {
      this.config.fail(`config block ${block.number} does not decode: ${errorText(err)}`, { blockNumber: block.number });
    }
  }

  async #checkSignatures(block: DecodedBlock, isConfig: boolean, checks: StartedChecks | undefined): Promise<void> {
    this.signatures.checked += 1;
    if (checks === undefined) {
      this.signatures.fail(`block ${block.number}: no channel config, so no orderer is known`, { blockNumber: block.number });
      return;
    }
    // A withheld block cannot show whether it is a config block; its signed pointer naming itself says it is.
    const claimsConfig = isConfig || (block.withheld && block.lastConfigIndex === block.number);
    const verdict = await checks.orderer;
    verdict.signers.forEach((s) => this.signers.add(s));
    if (!verdict.ok) this.signatures.fail(`block ${block.number}: ${verdict.problem ?? 'invalid'}`, { blockNumber: block.number });
    if (block.withheld && claimsConfig) this.config.fail(`block ${block.number} is a config block, but its data was withheld`, { blockNumber: block.number });
  }

  #noteWithheld(block: DecodedBlock): void {
    this.withheld.push(block.number);
    this.transactionCount += block.flags.length;
  }

  /** The genesis block is the trust anchor (pinned by hash): peers commit it as it is, unvalidated. */
  #recordGenesis(block: DecodedBlock, txs: readonly DecodedTx[]): void {
    txs.forEach((tx, i) => {
      this.txs.set(`0:${i}`, { blockNumber: 0, tx, outcome: { derived: 0, endorsedBy: [] }, onLedger: block.flags[i] ?? 0 });
      this.transactionCount += 1;
      if (tx.txId !== '') this.#seenTxIds.add(tx.txId);
    });
  }

  async #validate(block: DecodedBlock, txs: readonly DecodedTx[], checks: StartedChecks): Promise<void> {
    const lastWithheld = this.withheld.at(-1);
    const outcomes = deriveOutcomes(block.number, txs, await checks.envelopes, {
      channel: this.channel,
      config: checks.config,
      definitions: this.definitions,
      state: this.state,
      seenTxIds: this.#seenTxIds,
      ...(lastWithheld === undefined ? {} : { lastWithheld }),
      verifier: this.verifier,
    });
    txs.forEach((tx, i) => {
      const outcome = outcomes[i] as TxOutcome;
      const onLedger = block.flags[i] ?? peer.TxValidationCode.NOT_VALIDATED;
      this.txs.set(`${block.number}:${i}`, { blockNumber: block.number, tx, outcome, onLedger });
      this.transactionCount += 1;
      this.transactions.checked += 1;
      if (tx.txId !== '') this.#seenTxIds.add(tx.txId);
      if (outcome.derived === 'UNDETERMINED') return;
      if (outcome.derived !== onLedger) {
        this.transactions.fail(
          `block ${block.number} tx ${i}: the ledger flag says ${codeName(onLedger)}, re-derived ${codeName(outcome.derived)}${outcome.reason === undefined ? '' : ` (${outcome.reason})`}`,
          { blockNumber: block.number, txId: tx.txId },
        );
      }
      const lifecycle = tx.action?.namespaces.find((ns) => ns.namespace === LIFECYCLE);
      if (outcome.derived === 0 && lifecycle !== undefined) {
        applyLifecycleWrites(this.definitions, lifecycle.writes, { blockNumber: block.number, txId: tx.txId });
      }
    });
  }
}
