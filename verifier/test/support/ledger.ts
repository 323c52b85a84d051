/**
 * Builds a chain block by block (genesis config, endorser blocks, config updates), signed as etcdraft or SmartBFT
 * sign, tracking every key's committed version so transactions can record honest reads; plus tamper helpers that
 * alter copies the way someone without (or with) keys could.
 */
import { common } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import { blockHeaderDer } from '../../src/core/decode';
import { type ConfigSpec, configEnvelopeBytes, headers, raftConfig } from './fabric';
import { type Signer, type TestOrg, orgs, sha256, signLowS } from './pki';
import { type BuiltTx, type TxSpec, type Version, endorserTx } from './tx';

/** A block signer; with a consenter id it signs as SmartBFT does (identifier header). */
export type BlockSigner = Signer & { readonly consenterId?: number };
export const bftSigner = (org: TestOrg, id: number): BlockSigner => ({ ...org.orderer, consenterId: id });
export const bftQuorum: readonly BlockSigner[] = [bftSigner(orgs.city, 1), bftSigner(orgs.dept, 2), bftSigner(orgs.observer, 3)];

export class LedgerBuilder {
  readonly blocks: Uint8Array[] = [];
  readonly txs = new Map<string, { block: number; index: number; built: BuiltTx }>();
  readonly #versions = new Map<string, Version>();
  #previousHash: Uint8Array = new Uint8Array(0);
  #lastConfig = 0;

  constructor(
    readonly config: ConfigSpec = raftConfig,
    readonly signers: readonly BlockSigner[] = [orgs.city.orderer],
  ) {
    this.#append([configEnvelopeBytes(config)], [0], [], 0);
  }

  get genesisHash(): string {
    return headerHash(this.blocks[0] ?? new Uint8Array(0)).toString('hex');
  }

  /** The key's committed version (namespace `polls` unless given). */
  version(key: string, namespace = 'polls'): Version | undefined {
    return this.#versions.get(`${namespace}\u0000${key}`);
  }

  /** Keys of `namespace` starting with `prefix`, sorted, with versions (for range reads). */
  keys(prefix: string, namespace = 'polls'): { key: string; version: Version }[] {
    return [...this.#versions.entries()]
      .filter(([k]) => k.startsWith(`${namespace}\u0000${prefix}`))
      .map(([k, version]) => ({ key: k.slice(namespace.length + 1), version }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  addBlock(specs: readonly (TxSpec | BuiltTx)[], signers: readonly BlockSigner[] = this.signers): number {
    const number = this.blocks.length;
    const built = specs.map((s) => ('envelope' in s ? s : endorserTx(s)));
    built.forEach((tx, index) => {
      this.txs.set(tx.txId, { block: number, index, built: tx });
      if (tx.code !== 0) return;
      const namespace = tx.spec.namespace ?? 'polls';
      for (const w of tx.spec.writes ?? []) {
        if (w.isDelete === true) this.#versions.delete(`${namespace}\u0000${w.key}`);
        else this.#versions.set(`${namespace}\u0000${w.key}`, [number, index]);
      }
    });
    this.#append(built.map((t) => t.envelope), built.map((t) => t.code), signers, this.#lastConfig);
    return number;
  }

  addConfigBlock(spec: ConfigSpec, signers: readonly BlockSigner[] = this.signers): number {
    const number = this.blocks.length;
    this.#lastConfig = number;
    this.#append([configEnvelopeBytes(spec, signers[0])], [0], signers, number);
    return number;
  }

  #append(envelopes: readonly Uint8Array[], codes: readonly number[], signers: readonly BlockSigner[], lastConfig: number): void {
    const number = this.blocks.length;
    const block = assemble(number, this.#previousHash, envelopes, codes, signers, lastConfig);
    this.#previousHash = headerHash(block);
    this.blocks.push(block);
  }
}

function assemble(number: number, previousHash: Uint8Array, envelopes: readonly Uint8Array[], codes: readonly number[], signers: readonly BlockSigner[], lastConfig: number): Uint8Array {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(sha256(Buffer.concat(envelopes)));
  const data = new common.BlockData();
  data.setDataList([...envelopes]);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata(header, codes, signers, lastConfig));
  return block.serializeBinary();
}

function metadata(header: common.BlockHeader, codes: readonly number[], signers: readonly BlockSigner[], lastConfig: number): common.BlockMetadata {
  const pointer = new common.LastConfig();
  pointer.setIndex(lastConfig);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(pointer);
  const value = ordererMetadata.serializeBinary();
  const der = blockHeaderDer(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8());
  const signatures = new common.Metadata();
  signatures.setValue(value);
  signatures.setSignaturesList(signers.map((s) => {
    const signature = new common.MetadataSignature();
    let signerBytes: Uint8Array;
    if (s.consenterId === undefined) {
      signerBytes = headers(common.HeaderType.MESSAGE, s, { nonce: randomBytes(24) }).signatureHeader;
      signature.setSignatureHeader(signerBytes);
    } else {
      const id = new common.IdentifierHeader();
      id.setIdentifier(s.consenterId);
      id.setNonce(randomBytes(24));
      signerBytes = id.serializeBinary();
      signature.setIdentifierHeader(signerBytes);
    }
    signature.setSignature(signLowS(Buffer.concat([value, signerBytes, der]), s.key));
    return signature;
  }));
  const m = new common.BlockMetadata();
  m.setMetadataList([signatures.serializeBinary(), new Uint8Array(0), Uint8Array.from(codes), new Uint8Array(0), new Uint8Array(0)]);
  return m;
}

export function headerHash(blockBytes: Uint8Array): Buffer {
  const header = common.Block.deserializeBinary(blockBytes).getHeader();
  if (header === undefined) throw new Error('no header');
  return sha256(blockHeaderDer(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8()));
}

// --- tampering with copies --------------------------------------------------------------------------------------

function edit(blockBytes: Uint8Array, change: (block: common.Block) => void): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  change(block);
  return block.serializeBinary();
}

/** The data emptied, header and metadata kept: what the service serves for a block it may not show yet. */
export const withhold = (blockBytes: Uint8Array): Uint8Array => edit(blockBytes, (b) => { b.setData(new common.BlockData()); });

/** Sets a transaction's validation flag (unsigned metadata: anyone can). */
export function setFlag(blockBytes: Uint8Array, index: number, code: number): Uint8Array {
  return edit(blockBytes, (b) => {
    const list = [...(b.getMetadata()?.getMetadataList_asU8() ?? [])];
    const flags = Uint8Array.from(list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? []);
    flags[index] = code;
    list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = flags;
    b.getMetadata()?.setMetadataList(list);
  });
}

/** Replaces transaction `index`'s envelope (or removes it), leaving the header as it was. */
export function replaceTx(blockBytes: Uint8Array, index: number, envelope: Uint8Array | undefined): Uint8Array {
  return edit(blockBytes, (b) => {
    const entries = [...(b.getData()?.getDataList_asU8() ?? [])];
    if (envelope === undefined) entries.splice(index, 1);
    else entries[index] = envelope;
    b.getData()?.setDataList(entries);
  });
}

/** Re-seals blocks `from`… (data hashes, links) and re-signs them with `signers`: what holders of those keys can forge. */
export function reseal(blocks: readonly Uint8Array[], from: number, signers: readonly BlockSigner[]): Uint8Array[] {
  const out = [...blocks];
  for (let n = from; n < out.length; n += 1) {
    const block = common.Block.deserializeBinary(out[n] ?? new Uint8Array(0));
    const entries = block.getData()?.getDataList_asU8() ?? [];
    const list = block.getMetadata()?.getMetadataList_asU8() ?? [];
    const codes = [...(list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? [])];
    const lastConfig = common.OrdererBlockMetadata.deserializeBinary(common.Metadata.deserializeBinary(list[0] ?? new Uint8Array(0)).getValue_asU8()).getLastConfig()?.getIndex() ?? 0;
    out[n] = assemble(n, headerHash(out[n - 1] ?? new Uint8Array(0)), entries, codes, signers, lastConfig);
  }
  return out;
}
