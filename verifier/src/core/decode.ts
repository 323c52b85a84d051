/**
 * Raw block bytes → plain facts: header, data entries, validation flags, orderer signatures; and the shapes of the
 * transactions ./decode-tx reads from its entries. Nothing is judged here.
 */
import { common, peer } from './protos';
import { concat } from './bytes';
import { ProtoReader } from './protowire';

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
  /** The invocation's arguments after the function name (UTF-8), present with functionName. */
  readonly args?: readonly string[];
  /** The chaincode's response as its endorsers signed it (peer.Response): status and payload, the call's result. */
  readonly response?: ChaincodeResponse;
}

export interface ChaincodeResponse {
  readonly status: number;
  readonly payload: Uint8Array;
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

/** msp.SerializedIdentity: { 1 mspid, 2 id_bytes }. */
export function identityOf(serialized: Uint8Array): { identity: Uint8Array; mspId: string; certificate: Uint8Array } {
  const r = new ProtoReader(serialized);
  let mspId = '';
  let certificate: Uint8Array = new Uint8Array(0);
  while (r.next()) {
    if (r.field === 1) mspId = r.string();
    else if (r.field === 2) certificate = r.bytes();
    else r.skip();
  }
  return { identity: serialized, mspId, certificate };
}

/** Fabric's codes for envelopes that do not decode (core/common/validation/msgvalidation.go). */
export const Code = peer.TxValidationCode;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
