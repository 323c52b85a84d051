/**
 * Real-shaped Fabric blocks for the unit tests, built with @hyperledger/fabric-protos: a genesis config block
 * (config-builder.ts), endorser transactions (tx-builder.ts), config update blocks, a TRANSACTIONS_FILTER, and orderer
 * signatures made with the keys of the test PKI generated at load time (pki.ts). Tamper helpers alter copies.
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { randomBytes, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blockDataHash, blockHeaderDer, blockHeaderHash } from '../../src/hash-chain';
import { BallotEvents } from './ballot-events';
import { type ConfigSpec, type UpdateSpec, channelConfig, configEnvelope, defaultConfig, signatureHeader } from './config-builder';
import { type Signer, type TestOrg, impostor, orgs } from './pki';
import { type TxSpec, endorserEnvelope } from './tx-builder';

export { CHANNEL } from './config-builder';
export type { Signer } from './pki';
export { Codes, NAMESPACE, type TxSpec, type WriteSpec, newTxId } from './tx-builder';

/** The ordering organisation of the default config: the city, whose orderer is the one etcdraft consenter. */
export const ORDERER_MSP = orgs.city.mspId;
export const ordererSigner: Signer = orgs.city.orderer;
/** Claims to be the city's orderer, but its certificate comes from another CA. */
export const impostorSigner: Signer = impostor;

/** A block signer; with a consenter id, it signs as BFT does (identifier header instead of signature header). */
export type BlockSigner = Signer & { readonly consenterId?: number };

/** An organisation's orderer signing as BFT consenter `id`, as SmartBFT's signer.go does. */
export const bftSigner = (org: TestOrg, id: number): BlockSigner => ({ ...org.orderer, consenterId: id });

/** Per block: who signs it, and the last-config pointer they sign (default: the latest config block, as Fabric). */
export interface BlockOptions {
  readonly signers?: readonly BlockSigner[];
  readonly lastConfig?: number;
}

export interface LedgerOptions {
  /** Signs every block unless addBlock says otherwise (default: the city's orderer). */
  readonly signers?: readonly BlockSigner[];
  readonly config?: Partial<ConfigSpec>;
}

/** Builds a chain block by block; `blocks` holds each block's bytes. */
export class LedgerBuilder {
  readonly blocks: Uint8Array[] = [];
  readonly signers: readonly BlockSigner[];
  #previousHash: Buffer = Buffer.alloc(0);
  #lastConfig = 0;
  readonly #events = new BallotEvents();

  constructor(options: LedgerOptions | Signer = {}) {
    const opts: LedgerOptions = 'key' in options ? { signers: [options] } : options;
    this.signers = opts.signers ?? [ordererSigner];
    this.#append([configEnvelope(channelConfig({ ...defaultConfig, ...opts.config }), orgs.city.orderer)], [0], []);
  }

  addBlock(txs: readonly TxSpec[], options: BlockOptions = {}): number {
    const withEvents = txs.map((tx) => {
      const spec = { ...tx, event: this.#events.eventOf(tx) };
      this.#events.commit(tx);
      return spec;
    });
    this.#append(
      withEvents.map((tx) => endorserEnvelope(tx)),
      txs.map((tx) => tx.code ?? 0),
      options.signers ?? this.signers,
      options.lastConfig,
    );
    return this.blocks.length - 1;
  }

  /**
   * A config update block: the config `spec` describes, asked for by `update` (none: a bare config, as only a genesis
   * block may be), ordered and signed by `signers`.
   */
  addConfigBlock(spec: Partial<ConfigSpec>, update: UpdateSpec | undefined, options: BlockOptions = {}): number {
    const number = this.blocks.length;
    const signers = options.signers ?? this.signers;
    this.#lastConfig = number;
    this.#append([configEnvelope(channelConfig({ ...defaultConfig, ...spec }), signers[0] ?? ordererSigner, update)], [0], signers, options.lastConfig);
    return number;
  }

  #append(envelopes: Uint8Array[], codes: number[], signers: readonly BlockSigner[], lastConfig = this.#lastConfig): void {
    const number = this.blocks.length;
    // SmartBFT also signs its view metadata there (chain.go, signer.go); the auditor only reads the last-config index.
    const bft = signers.some((s) => s.consenterId !== undefined);
    const value = ordererBlockMetadata(lastConfig, bft ? Buffer.from(`smartbft view 0 sequence ${number}`) : undefined);
    const block = assembleBlock(number, this.#previousHash, envelopes, codes, signers, value);
    this.#previousHash = blockHeaderHash({ number, previousHash: this.#previousHash, dataHash: blockDataHash(envelopes) });
    this.blocks.push(block);
  }
}

function assembleBlock(number: number, previousHash: Uint8Array, envelopes: Uint8Array[], codes: number[], signers: readonly BlockSigner[], value: Uint8Array): Uint8Array {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadataFor(header, codes, signers, value));
  return block.serializeBinary();
}

/** The SIGNATURES metadata value every orderer signature covers: the last-config pointer and the consenter's metadata. */
function ordererBlockMetadata(lastConfigIndex: number, consenterMetadata?: Uint8Array): Uint8Array {
  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(lastConfigIndex);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(lastConfig);
  if (consenterMetadata !== undefined) ordererMetadata.setConsenterMetadata(consenterMetadata);
  return ordererMetadata.serializeBinary();
}

function metadataFor(header: common.BlockHeader, codes: readonly number[], signers: readonly BlockSigner[], value: Uint8Array): common.BlockMetadata {
  const signatures = new common.Metadata();
  signatures.setValue(value);
  signatures.setSignaturesList(signers.map((s) => blockSignature(header, value, s)));
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([signatures.serializeBinary(), new Uint8Array(0), Uint8Array.from(codes), new Uint8Array(0), new Uint8Array(0)]);
  return metadata;
}

function blockSignature(header: common.BlockHeader, value: Uint8Array, signer: BlockSigner): common.MetadataSignature {
  const der = blockHeaderDer({ number: header.getNumber(), previousHash: header.getPreviousHash_asU8(), dataHash: header.getDataHash_asU8() });
  const signature = new common.MetadataSignature();
  let signerBytes: Uint8Array;
  if (signer.consenterId === undefined) {
    signerBytes = signatureHeader(signer);
    signature.setSignatureHeader(signerBytes);
  } else {
    const identifier = new common.IdentifierHeader();
    identifier.setIdentifier(signer.consenterId);
    identifier.setNonce(randomBytes(24));
    signerBytes = identifier.serializeBinary();
    signature.setIdentifierHeader(signerBytes);
  }
  signature.setSignature(sign('sha256', Buffer.concat([value, signerBytes, der]), signer.key));
  return signature;
}

// --- tampering with copies -------------------------------------------------------------------------------------

/** Replaces the value a transaction writes to `key`, re-encoding the envelope (so the block's data hash changes). */
export function tamperWrite(blockBytes: Uint8Array, key: string, edit: (value: string) => string): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  const data = block.getData();
  if (data === undefined) throw new Error('no data');
  let found = 0;
  const entries = data.getDataList_asU8().map((entry) => {
    const env = common.Envelope.deserializeBinary(entry);
    const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    for (const action of transaction.getActionsList()) {
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const endorsed = actionPayload.getAction();
      if (endorsed === undefined) continue;
      const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
      const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
      const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
      for (const ns of rwset.getNsRwsetList()) {
        const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
        for (const write of kv.getWritesList()) {
          if (write.getKey() === key) {
            write.setValue(Buffer.from(edit(Buffer.from(write.getValue_asU8()).toString('utf8')), 'utf8'));
            found += 1;
          }
        }
        ns.setRwset(kv.serializeBinary());
      }
      chaincodeAction.setResults(rwset.serializeBinary());
      responsePayload.setExtension$(chaincodeAction.serializeBinary());
      endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
      actionPayload.setAction(endorsed);
      action.setPayload(actionPayload.serializeBinary());
    }
    payload.setData(transaction.serializeBinary());
    env.setPayload(payload.serializeBinary());
    return env.serializeBinary();
  });
  if (found === 0) throw new Error(`no write to ${key} in this block`);
  data.setDataList(entries);
  return block.serializeBinary();
}

/** Flips one bit of a byte well inside the block (in a transaction's envelope signature, so it still decodes). */
export function flipByteInData(blockBytes: Uint8Array): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  const data = block.getData();
  const first = data?.getDataList_asU8()[0];
  if (data === undefined || first === undefined) throw new Error('no data');
  const env = common.Envelope.deserializeBinary(first);
  const signature = Buffer.from(env.getSignature_asU8());
  signature[10] = (signature[10] ?? 0) ^ 0x01;
  env.setSignature(signature);
  data.setDataList([env.serializeBinary(), ...data.getDataList_asU8().slice(1)]);
  return block.serializeBinary();
}

/**
 * Edits a block's orderer signatures (drops, repeats or reorders them) and leaves the signed value, the header and
 * the data as they are: what anyone can do to a copy without any key.
 */
export function editSignatures(blockBytes: Uint8Array, edit: (signatures: common.MetadataSignature[]) => common.MetadataSignature[]): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  const list = [...(block.getMetadata()?.getMetadataList_asU8() ?? [])];
  const metadata = common.Metadata.deserializeBinary(list[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(0));
  metadata.setSignaturesList(edit(metadata.getSignaturesList()));
  list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
  block.getMetadata()?.setMetadataList(list);
  return block.serializeBinary();
}

/**
 * Makes the chain consistent again from block `from` on (data hashes and previous hashes recomputed), and re-signs
 * with `signer`: what someone holding that key could forge.
 */
export function reseal(blocks: readonly Uint8Array[], from: number, signer: BlockSigner | readonly BlockSigner[]): Uint8Array[] {
  const signers = Array.isArray(signer) ? (signer as readonly BlockSigner[]) : [signer as BlockSigner];
  const out = [...blocks];
  for (let n = from; n < out.length; n += 1) {
    const previous = common.Block.deserializeBinary(out[n - 1] ?? new Uint8Array(0)).getHeader();
    const block = common.Block.deserializeBinary(out[n] ?? new Uint8Array(0));
    const header = block.getHeader();
    const entries = block.getData()?.getDataList_asU8() ?? [];
    if (previous === undefined || header === undefined) throw new Error('no header');
    header.setPreviousHash(
      blockHeaderHash({ number: previous.getNumber(), previousHash: previous.getPreviousHash_asU8(), dataHash: previous.getDataHash_asU8() }),
    );
    header.setDataHash(blockDataHash(entries));
    const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
    const codes = metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0);
    const value = common.Metadata.deserializeBinary(metadata[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(0)).getValue_asU8();
    block.setMetadata(metadataFor(header, [...codes], signers, value));
    out[n] = block.serializeBinary();
  }
  return out;
}

export function writeBlocks(dir: string, blocks: readonly Uint8Array[]): void {
  fs.mkdirSync(dir, { recursive: true });
  blocks.forEach((bytes, n) => {
    fs.writeFileSync(path.join(dir, `${n}.block`), bytes);
  });
}
