import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { type ChannelConfigInfo, type ConfigTx, decodeConfigEnvelope } from './channel-config';
import { blockDataHash, blockHeaderDer, blockHeaderHash } from './hash-chain';
import type { SignedBy } from './identities';

/**
 * Raw block bytes → the plain facts the audit needs: header and hashes, each transaction's id, type, validation code
 * and public KV writes, the orderer signatures, and a config block's channel config (channel-config.ts).
 * Nothing here trusts the peer: every hash is recomputed from the bytes.
 */

export interface KvWrite {
  readonly key: string;
  readonly isDelete: boolean;
  readonly value: Buffer;
}

export interface NamespaceWrites {
  readonly namespace: string;
  readonly writes: readonly KvWrite[];
  /** Private data collections written (only their hashes are in the block). */
  readonly collections?: readonly string[];
}

export interface DecodedTransaction {
  /** Position in the block: the "tx number" of Fabric's versions. */
  readonly index: number;
  readonly txId: string;
  readonly headerType: string;
  readonly timestamp?: string;
  readonly creatorMspId?: string;
  readonly validationCode: number;
  readonly validationCodeName: string;
  /** For an endorser transaction: the chaincode that ran, the function called, who endorsed. */
  readonly chaincodeName?: string;
  readonly functionName?: string;
  /** The invocation's arguments after the function name, as the chaincode reads them (UTF-8 text). */
  readonly args?: readonly string[];
  /** The chaincode's response as the endorsers signed it: its status and payload (the transaction's result). */
  readonly response?: ChaincodeResponse;
  /** The chaincode event the endorsers signed, if the transaction set one (Fabric keeps one per transaction). */
  readonly event?: ChaincodeEventBytes;
  readonly endorserMspIds: readonly string[];
  /** The endorsements and the envelope's creator with their signed bytes, kept only for writes to `_lifecycle`. */
  readonly endorsements?: readonly SignedBy[];
  readonly creator?: SignedBy;
  readonly namespaces: readonly NamespaceWrites[];
  /** Set when the envelope could not be decoded; the transaction then contributes nothing. */
  readonly decodeError?: string;
}

export interface ChaincodeEventBytes {
  readonly name: string;
  readonly payload: Buffer;
}

export interface ChaincodeResponse {
  readonly status: number;
  readonly payload: Buffer;
}

/**
 * One orderer signature over the block: the bytes it signs and who claims to have signed them. A BFT signature may
 * name its signer by consenter id only (identifier header); mspId and certificate are then empty.
 */
export interface BlockSignature extends SignedBy {
  readonly consenterId?: number;
}

export interface DecodedBlock {
  readonly number: number;
  readonly previousHash: Buffer;
  readonly dataHash: Buffer;
  /** SHA-256 over the data entries as they are in these bytes. */
  readonly computedDataHash: Buffer;
  /** SHA-256 over this header's DER encoding: what the next block must carry as previous_hash. */
  readonly headerHash: Buffer;
  readonly transactions: readonly DecodedTransaction[];
  readonly signatures: readonly BlockSignature[];
  readonly signatureDecodeError?: string;
  /** The number of the config block in force, from the signed orderer metadata. */
  readonly lastConfigIndex?: number;
  /** For a config block: the channel config it sets, when it decodes, and its transaction's signatures. */
  readonly config?: ChannelConfigInfo;
  readonly configTx?: ConfigTx;
}

/** The bytes are not a block at all; a block with undecodable transactions still decodes. */
export class BlockDecodeError extends Error {
  override readonly name = 'BlockDecodeError';
}

const validationCodeNames = invert(peer.TxValidationCode);
const headerTypeNames = invert(common.HeaderType);
/** The namespace of chaincode definitions (Fabric's new lifecycle). */
export const LIFECYCLE_NAMESPACE = '_lifecycle';
/** Fabric's code for a transaction the committer never marked (a filter shorter than the block). */
const NOT_VALIDATED = peer.TxValidationCode.NOT_VALIDATED;

export function validationCodeName(code: number): string {
  return validationCodeNames.get(code) ?? `CODE_${code}`;
}

export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(bytes);
  } catch (err) {
    throw new BlockDecodeError(`not a block: ${errorText(err)}`, { cause: err });
  }
  const header = block.getHeader();
  if (header === undefined) {
    throw new BlockDecodeError('the block has no header');
  }
  const fields = {
    number: header.getNumber(),
    previousHash: Buffer.from(header.getPreviousHash_asU8()),
    dataHash: Buffer.from(header.getDataHash_asU8()),
  };
  const entries = block.getData()?.getDataList_asU8() ?? [];
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const filter = metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0);
  const transactions = entries.map((entry, index) => decodeTransaction(entry, index, filter[index] ?? NOT_VALIDATED));
  const signatures = decodeSignatures(metadata[common.BlockMetadataIndex.SIGNATURES], blockHeaderDer(fields));
  const [first] = entries;
  const configEnvelope = entries.length === 1 && first !== undefined && transactions[0]?.headerType === 'CONFIG' ? decodeConfigEnvelope(first) : undefined;
  return {
    ...fields,
    computedDataHash: blockDataHash(entries),
    headerHash: blockHeaderHash(fields),
    transactions,
    ...signatures,
    ...(configEnvelope?.config === undefined ? {} : { config: configEnvelope.config }),
    ...(configEnvelope === undefined ? {} : { configTx: configEnvelope.tx }),
  };
}

function decodeTransaction(entry: Uint8Array, index: number, validationCode: number): DecodedTransaction {
  const base = { index, validationCode, validationCodeName: validationCodeName(validationCode) };
  try {
    const envelope = common.Envelope.deserializeBinary(entry);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const header = payload.getHeader();
    if (header === undefined) {
      throw new Error('the payload has no header');
    }
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const headerType = headerTypeNames.get(channelHeader.getType()) ?? `TYPE_${channelHeader.getType()}`;
    const stamp: unknown = channelHeader.getTimestamp();
    const timestamp = isProtoTimestamp(stamp) ? stamp : undefined;
    const described = {
      ...base,
      txId: channelHeader.getTxId(),
      headerType,
      ...(timestamp === undefined ? {} : { timestamp: isoMillis(timestamp.getSeconds(), timestamp.getNanos()) }),
      creatorMspId: mspIdOf(signatureHeader.getCreator_asU8()),
    };
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
      return { ...described, endorserMspIds: [], namespaces: [] };
    }
    const endorser = decodeEndorserTransaction(payload.getData_asU8());
    if (endorser.endorsements === undefined) {
      return { ...described, ...endorser };
    }
    const creator = msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8());
    const signedBy: SignedBy = {
      mspId: creator.getMspid(),
      certificate: Buffer.from(creator.getIdBytes_asU8()),
      signedBytes: Buffer.from(envelope.getPayload_asU8()),
      signature: Buffer.from(envelope.getSignature_asU8()),
    };
    return { ...described, ...endorser, creator: signedBy };
  } catch (err) {
    return { ...base, txId: '', headerType: 'UNKNOWN', endorserMspIds: [], namespaces: [], decodeError: errorText(err) };
  }
}

/** envelope → transaction → chaincode action payload → proposal response payload → chaincode action → rwset. */
function decodeEndorserTransaction(
  data: Uint8Array,
): Pick<DecodedTransaction, 'chaincodeName' | 'functionName' | 'args' | 'response' | 'event' | 'endorserMspIds' | 'endorsements' | 'namespaces'> {
  const transaction = peer.Transaction.deserializeBinary(data);
  const namespaces: NamespaceWrites[] = [];
  const endorserMspIds: string[] = [];
  const endorsements: SignedBy[] = [];
  let chaincodeName: string | undefined;
  let invocation: Invocation | undefined;
  let response: ChaincodeResponse | undefined;
  let event: ChaincodeEventBytes | undefined;
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    invocation ??= invocationOf(actionPayload.getChaincodeProposalPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (endorsed === undefined) {
      throw new Error('the chaincode action payload has no endorsed action');
    }
    const responseBytes = endorsed.getProposalResponsePayload_asU8();
    for (const endorsement of endorsed.getEndorsementsList()) {
      const endorser = endorsement.getEndorser_asU8();
      const identity = msp.SerializedIdentity.deserializeBinary(endorser);
      endorserMspIds.push(identity.getMspid());
      endorsements.push({
        mspId: identity.getMspid(),
        certificate: Buffer.from(identity.getIdBytes_asU8()),
        signedBytes: Buffer.concat([responseBytes, endorser]),
        signature: Buffer.from(endorsement.getSignature_asU8()),
      });
    }
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(responseBytes);
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    chaincodeName ??= chaincodeAction.getChaincodeId()?.getName();
    const answer = chaincodeAction.getResponse();
    response ??= answer === undefined ? undefined : { status: answer.getStatus(), payload: Buffer.from(answer.getPayload_asU8()) };
    const eventBytes = chaincodeAction.getEvents_asU8();
    if (event === undefined && eventBytes.length > 0) {
      const decoded = peer.ChaincodeEvent.deserializeBinary(eventBytes);
      // The peer may fill in chaincode and transaction ids around an event the chaincode never named: none, then.
      if (decoded.getEventName() !== '') event = { name: decoded.getEventName(), payload: Buffer.from(decoded.getPayload_asU8()) };
    }
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of rwset.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      const collections = ns.getCollectionHashedRwsetList().map((c) => c.getCollectionName());
      namespaces.push({
        namespace: ns.getNamespace(),
        writes: kv.getWritesList().map((w) => ({
          key: w.getKey(),
          isDelete: w.getIsDelete(),
          value: Buffer.from(w.getValue_asU8()),
        })),
        ...(collections.length === 0 ? {} : { collections }),
      });
    }
  }
  // Endorsements are verified only for rule changes; a ballot transaction does not keep them.
  const lifecycle = namespaces.some((ns) => ns.namespace === LIFECYCLE_NAMESPACE);
  return {
    ...(chaincodeName === undefined ? {} : { chaincodeName }),
    ...(invocation === undefined ? {} : invocation),
    ...(response === undefined ? {} : { response }),
    ...(event === undefined ? {} : { event }),
    endorserMspIds,
    ...(lifecycle ? { endorsements } : {}),
    namespaces,
  };
}

interface Invocation {
  readonly functionName: string;
  readonly args: readonly string[];
}

/** The function called (the first argument) and the arguments after it. */
function invocationOf(proposalPayload: Uint8Array): Invocation | undefined {
  const input = peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload).getInput_asU8();
  const args = peer.ChaincodeInvocationSpec.deserializeBinary(input).getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [];
  const [first, ...rest] = args.map((arg) => Buffer.from(arg).toString('utf8'));
  return first === undefined ? undefined : { functionName: first, args: rest };
}

/**
 * The orderer's signatures sign metadata value ‖ signer header ‖ header DER (Fabric's BlockSignatureVerifier). The
 * value is an OrdererBlockMetadata, whose last-config index is read here. When the value is empty Fabric falls back
 * to the LAST_CONFIG metadata entry, which no orderer signs; the auditor does not, so such a block names no config.
 */
function decodeSignatures(
  bytes: Uint8Array | undefined,
  headerDer: Buffer,
): Pick<DecodedBlock, 'signatures' | 'signatureDecodeError' | 'lastConfigIndex'> {
  if (bytes === undefined || bytes.length === 0) {
    return { signatures: [] };
  }
  try {
    const metadata = common.Metadata.deserializeBinary(bytes);
    const value = metadata.getValue_asU8();
    const signatures = metadata.getSignaturesList().map((s): BlockSignature => {
      const signatureHeaderBytes = s.getSignatureHeader_asU8();
      const identifierBytes = s.getIdentifierHeader_asU8();
      if (signatureHeaderBytes.length === 0 && identifierBytes.length > 0) {
        // BFT: the signer is named by its consenter id; Fabric signs value ‖ identifier header ‖ header DER.
        return {
          mspId: '',
          certificate: Buffer.alloc(0),
          consenterId: common.IdentifierHeader.deserializeBinary(identifierBytes).getIdentifier(),
          signedBytes: Buffer.concat([value, identifierBytes, headerDer]),
          signature: Buffer.from(s.getSignature_asU8()),
        };
      }
      const creator = common.SignatureHeader.deserializeBinary(signatureHeaderBytes).getCreator_asU8();
      const identity = msp.SerializedIdentity.deserializeBinary(creator);
      return {
        mspId: identity.getMspid(),
        certificate: Buffer.from(identity.getIdBytes_asU8()),
        signedBytes: Buffer.concat([value, signatureHeaderBytes, headerDer]),
        signature: Buffer.from(s.getSignature_asU8()),
      };
    });
    const lastConfig = common.OrdererBlockMetadata.deserializeBinary(value).getLastConfig();
    return { signatures, ...(lastConfig === undefined ? {} : { lastConfigIndex: lastConfig.getIndex() }) };
  } catch (err) {
    return { signatures: [], signatureDecodeError: errorText(err) };
  }
}

/** google-protobuf ships no typings here, so the few members used are declared. */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

/** google-protobuf's Timestamp has no typings here: checked by the members used. */
function isProtoTimestamp(value: unknown): value is ProtoTimestamp {
  return typeof value === 'object' && value !== null && 'getSeconds' in value && typeof value.getSeconds === 'function' && 'getNanos' in value && typeof value.getNanos === 'function';
}

/** As the chaincode turns a tx timestamp into castAt: milliseconds, truncated. */
function isoMillis(seconds: number, nanos: number): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}

function mspIdOf(serializedIdentity: Uint8Array): string {
  return msp.SerializedIdentity.deserializeBinary(serializedIdentity).getMspid();
}

function invert(map: object): Map<number, string> {
  return new Map(Object.entries(map as Record<string, number>).map(([name, code]) => [code, name]));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
