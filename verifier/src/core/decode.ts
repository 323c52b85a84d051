/**
 * Raw block bytes → plain facts: header, data entries, validation flags, orderer signatures, and for each endorser
 * transaction everything its validity depends on (creator and its signature, endorsements and the bytes they sign,
 * the proposal hash binding, and the read-write set with read versions and range queries). Nothing is judged here.
 */
import { common, ledger, msp, peer } from './protos';
import { concat, fromUtf8 } from './bytes';

export interface Version {
  readonly block: number;
  readonly tx: number;
}
export interface KvRead {
  readonly key: string;
  readonly version?: Version;
}
export interface RangeRead {
  readonly startKey: string;
  readonly endKey: string;
  readonly exhausted: boolean;
  readonly rawReads?: readonly KvRead[];
  readonly merkle?: { readonly maxDegree: number; readonly maxLevel: number; readonly hashes: readonly Uint8Array[] };
}
export interface KvWrite {
  readonly key: string;
  readonly isDelete: boolean;
  readonly value: Uint8Array;
}
export interface NsRwSet {
  readonly namespace: string;
  readonly reads: readonly KvRead[];
  readonly ranges: readonly RangeRead[];
  readonly writes: readonly KvWrite[];
  readonly metadataWrites: number;
  /** Private collections with hashed writes (names only: the data is not on the chain). */
  readonly collectionsWritten: readonly string[];
  readonly collectionReads: number;
}

/** Something signed, and the SerializedIdentity that claims to have signed it. */
export interface Signed {
  readonly identity: Uint8Array;
  readonly mspId: string;
  readonly certificate: Uint8Array;
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
}

export interface EndorserAction {
  readonly invokedChaincode: string;
  readonly actionChaincode: string;
  readonly chaincodeVersion: string;
  readonly proposalHash: Uint8Array;
  /** SHA-256 input that must equal proposalHash: channel header ‖ action signature header ‖ proposal payload. */
  readonly proposalHashInput: Uint8Array;
  readonly endorsements: readonly Signed[];
  readonly namespaces: readonly NsRwSet[];
  readonly functionName?: string;
}

export interface DecodedTx {
  readonly index: number;
  readonly txId: string;
  readonly headerType: number;
  readonly channelId: string;
  /** The client's timestamp, as castAt records it: ISO, milliseconds truncated. */
  readonly timestamp?: string;
  readonly creator?: Signed;
  readonly nonce: Uint8Array;
  readonly action?: EndorserAction;
  /** Why the envelope (or, for an endorser transaction, its action) does not decode; Fabric's code for that. */
  readonly problem?: { readonly code: number; readonly message: string };
}

export interface BlockSignature {
  readonly signature: Uint8Array;
  readonly signedBytes: Uint8Array;
  /** etcdraft: the SignatureHeader's creator; BFT: absent (named by consenter id). */
  readonly creator?: { readonly identity: Uint8Array; readonly mspId: string; readonly certificate: Uint8Array };
  readonly consenterId?: number;
}

export interface DecodedBlock {
  readonly number: number;
  readonly previousHash: Uint8Array;
  readonly dataHash: Uint8Array;
  readonly headerDer: Uint8Array;
  readonly entries: readonly Uint8Array[];
  /** Data emptied by the publisher: header and metadata only. */
  readonly withheld: boolean;
  /** TRANSACTIONS_FILTER: the committing peer's validation code per transaction (not signed by anyone). */
  readonly flags: Uint8Array;
  readonly signatures: readonly BlockSignature[];
  readonly signatureProblem?: string;
  readonly lastConfigIndex?: number;
}

const TX_FILTER = common.BlockMetadataIndex.TRANSACTIONS_FILTER;
const SIGNATURES = common.BlockMetadataIndex.SIGNATURES;

export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  if (header === undefined) throw new Error('the block has no header');
  const fields = { number: header.getNumber(), previousHash: header.getPreviousHash_asU8(), dataHash: header.getDataHash_asU8() };
  const headerDer = blockHeaderDer(fields.number, fields.previousHash, fields.dataHash);
  const entries = block.getData()?.getDataList_asU8() ?? [];
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  return {
    ...fields,
    headerDer,
    entries,
    withheld: entries.length === 0,
    flags: metadata[TX_FILTER] ?? new Uint8Array(0),
    ...decodeSignatures(metadata[SIGNATURES], headerDer),
  };
}

/** protoutil.BlockHeaderBytes: DER SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }. */
export function blockHeaderDer(number: number, previousHash: Uint8Array, dataHash: Uint8Array): Uint8Array {
  const n: number[] = [];
  let rest = BigInt(number);
  do {
    n.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (rest > 0n);
  if ((n[0] ?? 0) & 0x80) n.unshift(0);
  const tlv = (tag: number, content: Uint8Array): Uint8Array => concat(Uint8Array.from([tag, ...derLength(content.length)]), content);
  return tlv(0x30, concat(tlv(0x02, Uint8Array.from(n)), tlv(0x04, previousHash), tlv(0x04, dataHash)));
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** Fabric signs value ‖ signature header (etcdraft) or identifier header (BFT) ‖ header DER. */
function decodeSignatures(bytes: Uint8Array | undefined, headerDer: Uint8Array): Pick<DecodedBlock, 'signatures' | 'signatureProblem' | 'lastConfigIndex'> {
  if (bytes === undefined || bytes.length === 0) return { signatures: [] };
  try {
    const metadata = common.Metadata.deserializeBinary(bytes);
    const value = metadata.getValue_asU8();
    const signatures = metadata.getSignaturesList().map((s): BlockSignature => {
      const signatureHeader = s.getSignatureHeader_asU8();
      const identifier = s.getIdentifierHeader_asU8();
      if (signatureHeader.length === 0 && identifier.length > 0) {
        return {
          signature: s.getSignature_asU8(),
          signedBytes: concat(value, identifier, headerDer),
          consenterId: common.IdentifierHeader.deserializeBinary(identifier).getIdentifier(),
        };
      }
      const creator = common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8();
      return { signature: s.getSignature_asU8(), signedBytes: concat(value, signatureHeader, headerDer), creator: identityOf(creator) };
    });
    const lastConfig = common.OrdererBlockMetadata.deserializeBinary(value).getLastConfig();
    return { signatures, ...(lastConfig === undefined ? {} : { lastConfigIndex: lastConfig.getIndex() }) };
  } catch (err) {
    return { signatures: [], signatureProblem: `signature metadata does not decode: ${errorText(err)}` };
  }
}

export function identityOf(serialized: Uint8Array): { identity: Uint8Array; mspId: string; certificate: Uint8Array } {
  const identity = msp.SerializedIdentity.deserializeBinary(serialized);
  return { identity: serialized, mspId: identity.getMspid(), certificate: identity.getIdBytes_asU8() };
}

/** google-protobuf ships no typings for Timestamp here; only these members are used. */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

/** Fabric's codes for envelopes that do not decode (core/common/validation/msgvalidation.go). */
export const Code = peer.TxValidationCode;

export function decodeTransaction(entry: Uint8Array, index: number): DecodedTx {
  const base = { index, txId: '', headerType: -1, channelId: '', nonce: new Uint8Array(0) };
  let envelope: common.Envelope;
  let payload: common.Payload;
  let channelHeaderBytes: Uint8Array;
  let channelHeader: common.ChannelHeader;
  let signatureHeader: common.SignatureHeader;
  try {
    envelope = common.Envelope.deserializeBinary(entry);
    payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  } catch (err) {
    return { ...base, problem: { code: Code.BAD_PAYLOAD, message: `the payload does not decode: ${errorText(err)}` } };
  }
  try {
    const header = payload.getHeader();
    if (header === undefined) throw new Error('no header');
    channelHeaderBytes = header.getChannelHeader_asU8();
    channelHeader = common.ChannelHeader.deserializeBinary(channelHeaderBytes);
    signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  } catch (err) {
    return { ...base, problem: { code: Code.BAD_COMMON_HEADER, message: `the header does not decode: ${errorText(err)}` } };
  }
  const timestamp = channelHeader.getTimestamp() as unknown as ProtoTimestamp | undefined;
  const creatorBytes = signatureHeader.getCreator_asU8();
  const described = {
    index,
    txId: channelHeader.getTxId(),
    headerType: channelHeader.getType(),
    channelId: channelHeader.getChannelId(),
    nonce: signatureHeader.getNonce_asU8(),
    ...(timestamp === undefined ? {} : { timestamp: new Date(timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6)).toISOString() }),
  };
  let creator: Signed | undefined;
  try {
    creator = { ...identityOf(creatorBytes), signedBytes: envelope.getPayload_asU8(), signature: envelope.getSignature_asU8() };
  } catch (err) {
    return { ...described, problem: { code: Code.BAD_COMMON_HEADER, message: `the creator does not decode: ${errorText(err)}` } };
  }
  if (described.headerType !== common.HeaderType.ENDORSER_TRANSACTION) return { ...described, creator };
  try {
    return { ...described, creator, action: decodeAction(payload.getData_asU8(), channelHeader, channelHeaderBytes) };
  } catch (err) {
    return { ...described, creator, problem: { code: Code.INVALID_ENDORSER_TRANSACTION, message: `the transaction does not decode: ${errorText(err)}` } };
  }
}

function decodeAction(data: Uint8Array, channelHeader: common.ChannelHeader, channelHeaderBytes: Uint8Array): EndorserAction {
  const actions = peer.Transaction.deserializeBinary(data).getActionsList();
  const [action] = actions;
  if (action === undefined || actions.length !== 1) throw new Error(`${actions.length} actions; Fabric supports exactly one`);
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction();
  if (endorsed === undefined) throw new Error('no endorsed action');
  const proposalPayload = actionPayload.getChaincodeProposalPayload_asU8();
  const responseBytes = endorsed.getProposalResponsePayload_asU8();
  const response = peer.ProposalResponsePayload.deserializeBinary(responseBytes);
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
  const extension = peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8());
  const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
  const functionName = functionNameOf(proposalPayload);
  return {
    invokedChaincode: extension.getChaincodeId()?.getName() ?? '',
    actionChaincode: chaincodeAction.getChaincodeId()?.getName() ?? '',
    chaincodeVersion: chaincodeAction.getChaincodeId()?.getVersion() ?? '',
    proposalHash: response.getProposalHash_asU8(),
    proposalHashInput: concat(channelHeaderBytes, action.getHeader_asU8(), proposalPayload),
    endorsements: endorsed.getEndorsementsList().map((e) => {
      const endorser = e.getEndorser_asU8();
      return { ...identityOf(endorser), signedBytes: concat(responseBytes, endorser), signature: e.getSignature_asU8() };
    }),
    namespaces: rwset.getNsRwsetList().map(decodeNamespace),
    ...(functionName === undefined ? {} : { functionName }),
  };
}

function decodeNamespace(ns: ledger.rwset.NsReadWriteSet): NsRwSet {
  const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
  const collections = ns.getCollectionHashedRwsetList().map((c) => ({
    name: c.getCollectionName(),
    set: ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8()),
  }));
  return {
    namespace: ns.getNamespace(),
    reads: kv.getReadsList().map(readOf),
    ranges: kv.getRangeQueriesInfoList().map((q): RangeRead => {
      const merkle = q.getReadsMerkleHashes();
      return {
        startKey: q.getStartKey(),
        endKey: q.getEndKey(),
        exhausted: q.getItrExhausted(),
        ...(q.hasRawReads() ? { rawReads: q.getRawReads()?.getKvReadsList().map(readOf) ?? [] } : {}),
        ...(merkle === undefined ? {} : { merkle: { maxDegree: merkle.getMaxDegree(), maxLevel: merkle.getMaxLevel(), hashes: merkle.getMaxLevelHashesList_asU8() } }),
      };
    }),
    writes: kv.getWritesList().map((w) => ({ key: w.getKey(), isDelete: w.getIsDelete(), value: w.getValue_asU8() })),
    metadataWrites: kv.getMetadataWritesList().length,
    collectionsWritten: collections.filter((c) => c.set.getHashedWritesList().length + c.set.getMetadataWritesList().length > 0).map((c) => c.name),
    collectionReads: collections.reduce((n, c) => n + c.set.getHashedReadsList().length, 0),
  };
}

function readOf(read: ledger.rwset.kvrwset.KVRead): KvRead {
  const version = read.getVersion();
  return { key: read.getKey(), ...(version === undefined ? {} : { version: { block: version.getBlockNum(), tx: version.getTxNum() } }) };
}

function functionNameOf(proposalPayload: Uint8Array): string | undefined {
  try {
    const input = peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload).getInput_asU8();
    const first = peer.ChaincodeInvocationSpec.deserializeBinary(input).getChaincodeSpec()?.getInput()?.getArgsList_asU8()[0];
    return first === undefined ? undefined : fromUtf8(first);
  } catch {
    return undefined;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
