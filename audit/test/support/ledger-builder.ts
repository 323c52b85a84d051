/**
 * Real-shaped Fabric blocks for the unit tests, built with @hyperledger/fabric-protos: a genesis config block naming
 * an orderer organisation, then endorser transactions whose read-write sets write to the `polls` namespace, with a
 * TRANSACTIONS_FILTER and an orderer signature made with the test PKI in ../fixtures. Tamper helpers alter copies.
 */
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blockDataHash, blockHeaderDer, blockHeaderHash } from '../../src/hash-chain';

export const CHANNEL = 'polls';
export const NAMESPACE = 'polls';
export const ORDERER_MSP = 'OrdererMSP';

const fixtures = path.join(__dirname, '..', 'fixtures');
const readFixture = (name: string): Buffer => fs.readFileSync(path.join(fixtures, name));

export interface Signer {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly key: Buffer;
}

export const ordererSigner: Signer = { mspId: ORDERER_MSP, certificate: readFixture('orderer0.pem'), key: readFixture('orderer0.key') };
/** Claims to be the orderer organisation, but its certificate comes from another CA. */
export const impostorSigner: Signer = { mspId: ORDERER_MSP, certificate: readFixture('impostor0.pem'), key: readFixture('impostor0.key') };

export interface WriteSpec {
  readonly key: string;
  readonly value?: unknown;
  readonly isDelete?: boolean;
}

export interface TxSpec {
  readonly txId?: string;
  readonly fn?: string;
  /** Fabric's TxValidationCode; 0 (VALID) by default. */
  readonly code?: number;
  readonly timestamp?: string;
  readonly namespace?: string;
  readonly writes: readonly WriteSpec[];
}

export const Codes = { VALID: 0, MVCC_READ_CONFLICT: 11, ENDORSEMENT_POLICY_FAILURE: 10 } as const;

let txCounter = 0;
export function newTxId(): string {
  txCounter += 1;
  return createHash('sha256').update(`tx-${txCounter}-${randomBytes(8).toString('hex')}`).digest('hex');
}

/** Builds a chain block by block; `blocks` holds each block's bytes. */
export class LedgerBuilder {
  readonly blocks: Uint8Array[] = [];
  #previousHash: Buffer = Buffer.alloc(0);

  constructor(readonly signer: Signer = ordererSigner) {
    this.#append([configEnvelope()], [0], { sign: false });
  }

  addBlock(txs: readonly TxSpec[]): number {
    this.#append(
      txs.map((tx) => endorserEnvelope(tx)),
      txs.map((tx) => tx.code ?? Codes.VALID),
      { sign: true },
    );
    return this.blocks.length - 1;
  }

  #append(envelopes: Uint8Array[], codes: number[], options: { sign: boolean }): void {
    const number = this.blocks.length;
    const block = assembleBlock(number, this.#previousHash, envelopes, codes, options.sign ? this.signer : undefined);
    this.#previousHash = blockHeaderHash({ number, previousHash: this.#previousHash, dataHash: blockDataHash(envelopes) });
    this.blocks.push(block);
  }
}

function assembleBlock(number: number, previousHash: Uint8Array, envelopes: Uint8Array[], codes: number[], signer: Signer | undefined): Uint8Array {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadataFor(header, codes, signer));
  return block.serializeBinary();
}

function metadataFor(header: common.BlockHeader, codes: readonly number[], signer: Signer | undefined): common.BlockMetadata {
  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(0);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(lastConfig);
  const signatures = new common.Metadata();
  signatures.setValue(ordererMetadata.serializeBinary());
  if (signer !== undefined) {
    signatures.setSignaturesList([blockSignature(header, signatures.getValue_asU8(), signer)]);
  }
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([signatures.serializeBinary(), new Uint8Array(0), Uint8Array.from(codes), new Uint8Array(0), new Uint8Array(0)]);
  return metadata;
}

function blockSignature(header: common.BlockHeader, value: Uint8Array, signer: Signer): common.MetadataSignature {
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(serializedIdentity(signer.mspId, signer.certificate));
  signatureHeader.setNonce(randomBytes(24));
  const headerBytes = signatureHeader.serializeBinary();
  const der = blockHeaderDer({ number: header.getNumber(), previousHash: header.getPreviousHash_asU8(), dataHash: header.getDataHash_asU8() });
  const signature = new common.MetadataSignature();
  signature.setSignatureHeader(headerBytes);
  signature.setSignature(sign('sha256', Buffer.concat([value, headerBytes, der]), createPrivateKey(signer.key)));
  return signature;
}

function serializedIdentity(mspId: string, certificate: Uint8Array): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(certificate);
  return identity.serializeBinary();
}

function configEnvelope(): Uint8Array {
  const fabricMsp = new msp.FabricMSPConfig();
  fabricMsp.setName(ORDERER_MSP);
  fabricMsp.setRootCertsList([readFixture('orderer-ca.pem')]);
  const mspConfig = new msp.MSPConfig();
  mspConfig.setType(0);
  mspConfig.setConfig(fabricMsp.serializeBinary());
  const mspValue = new common.ConfigValue();
  mspValue.setValue(mspConfig.serializeBinary());
  const org = new common.ConfigGroup();
  mapOf<common.ConfigValue>(org.getValuesMap()).set('MSP', mspValue);
  const orderer = new common.ConfigGroup();
  mapOf<common.ConfigGroup>(orderer.getGroupsMap()).set(ORDERER_MSP, org);
  const channelGroup = new common.ConfigGroup();
  mapOf<common.ConfigGroup>(channelGroup.getGroupsMap()).set('Orderer', orderer);
  const config = new common.Config();
  config.setChannelGroup(channelGroup);
  const configEnvelopeMessage = new common.ConfigEnvelope();
  configEnvelopeMessage.setConfig(config);
  return envelope(common.HeaderType.CONFIG, '', '2026-01-01T00:00:00.000Z', configEnvelopeMessage.serializeBinary(), ORDERER_MSP);
}

/** jspb.Map has no typings here (google-protobuf ships none); only `set` is used. */
function mapOf<V>(map: unknown): ProtoMapSetter<V> {
  return map as ProtoMapSetter<V>;
}

interface ProtoMapSetter<V> {
  set(key: string, value: V): void;
}

function endorserEnvelope(tx: TxSpec): Uint8Array {
  const kv = new ledger.rwset.kvrwset.KVRWSet();
  kv.setWritesList(
    tx.writes.map((w) => {
      const write = new ledger.rwset.kvrwset.KVWrite();
      write.setKey(w.key);
      write.setIsDelete(w.isDelete === true);
      if (w.isDelete !== true) {
        write.setValue(Buffer.from(typeof w.value === 'string' ? w.value : JSON.stringify(w.value ?? {}), 'utf8'));
      }
      return write;
    }),
  );
  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace(tx.namespace ?? NAMESPACE);
  ns.setRwset(kv.serializeBinary());
  const rwset = new ledger.rwset.TxReadWriteSet();
  rwset.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  rwset.setNsRwsetList([ns]);

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(NAMESPACE);
  const chaincodeAction = new peer.ChaincodeAction();
  chaincodeAction.setResults(rwset.serializeBinary());
  chaincodeAction.setChaincodeId(chaincodeId);
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(randomBytes(32));
  responsePayload.setExtension$(chaincodeAction.serializeBinary());

  const endorsements = ['ObserverMSP', 'CityMSP'].map((mspId) => {
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(serializedIdentity(mspId, Buffer.from(`${mspId} peer certificate`)));
    endorsement.setSignature(randomBytes(70));
    return endorsement;
  });
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  endorsed.setEndorsementsList(endorsements);

  const input = new peer.ChaincodeInput();
  input.setArgsList([Buffer.from(tx.fn ?? 'CastBallot')]);
  const spec = new peer.ChaincodeSpec();
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());

  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  return envelope(
    common.HeaderType.ENDORSER_TRANSACTION,
    tx.txId ?? newTxId(),
    tx.timestamp ?? '2026-06-01T12:00:00.000Z',
    transaction.serializeBinary(),
    'CityMSP',
  );
}

function envelope(type: number, txId: string, timestamp: string, data: Uint8Array, creatorMsp: string): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setChannelId(CHANNEL);
  channelHeader.setTxId(txId);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(serializedIdentity(creatorMsp, Buffer.from(`${creatorMsp} client certificate`)));
  signatureHeader.setNonce(randomBytes(24));
  const header = new common.Header();
  header.setChannelHeader(withTimestamp(channelHeader.serializeBinary(), timestamp));
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  env.setSignature(randomBytes(70));
  return env.serializeBinary();
}

/**
 * Appends ChannelHeader.timestamp (field 3) as raw protobuf bytes: google-protobuf's Timestamp ships no typings here.
 * The nanoseconds carry sub-millisecond digits on purpose: castAt is the timestamp truncated to milliseconds.
 */
function withTimestamp(channelHeader: Uint8Array, iso: string): Uint8Array {
  const millis = Date.parse(iso);
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1_000_000 + 654_321;
  const timestamp = Buffer.concat([Buffer.from([0x08]), varint(seconds), Buffer.from([0x10]), varint(nanos)]);
  return Buffer.concat([channelHeader, Buffer.from([0x1a]), varint(timestamp.length), timestamp]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
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
 * Makes the chain consistent again from block `from` on (data hashes and previous hashes recomputed), and re-signs
 * with `signer`: what someone holding that key could forge.
 */
export function reseal(blocks: readonly Uint8Array[], from: number, signer: Signer): Uint8Array[] {
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
    const codes = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0);
    block.setMetadata(metadataFor(header, [...codes], signer));
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
