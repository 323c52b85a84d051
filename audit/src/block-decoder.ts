import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderDer, blockHeaderHash } from './hash-chain';

/**
 * Raw block bytes → the plain facts the audit needs: header and hashes, each transaction's id, type, validation code
 * and public KV writes, the orderer signatures, and the orderer organisations of a config block.
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
  readonly endorserMspIds: readonly string[];
  readonly namespaces: readonly NamespaceWrites[];
  /** Set when the envelope could not be decoded; the transaction then contributes nothing. */
  readonly decodeError?: string;
}

/** One orderer signature over the block: the bytes it signs and who claims to have signed them. */
export interface BlockSignature {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly signedBytes: Buffer;
  readonly signature: Buffer;
}

/** An MSP's trust anchors, as a channel config states them (PEM). */
export interface MspAnchors {
  readonly rootCerts: readonly string[];
  readonly intermediateCerts: readonly string[];
}

/** The part of a channel config the audit uses: who may sign blocks. */
export interface ChannelConfigInfo {
  readonly ordererMsps: Readonly<Record<string, MspAnchors>>;
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
  readonly config?: ChannelConfigInfo;
}

/** The bytes are not a block at all; a block with undecodable transactions still decodes. */
export class BlockDecodeError extends Error {
  override readonly name = 'BlockDecodeError';
}

const validationCodeNames = invert(peer.TxValidationCode);
const headerTypeNames = invert(common.HeaderType);
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
  const config = entries.length === 1 && first !== undefined && transactions[0]?.headerType === 'CONFIG' ? decodeConfig(first) : undefined;
  return {
    ...fields,
    computedDataHash: blockDataHash(entries),
    headerHash: blockHeaderHash(fields),
    transactions,
    ...signatures,
    ...(config === undefined ? {} : { config }),
  };
}

function decodeTransaction(entry: Uint8Array, index: number, validationCode: number): DecodedTransaction {
  const base = { index, validationCode, validationCodeName: validationCodeName(validationCode) };
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8());
    const header = payload.getHeader();
    if (header === undefined) {
      throw new Error('the payload has no header');
    }
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const headerType = headerTypeNames.get(channelHeader.getType()) ?? `TYPE_${channelHeader.getType()}`;
    const timestamp = channelHeader.getTimestamp() as unknown as ProtoTimestamp | undefined;
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
    return { ...described, ...decodeEndorserTransaction(payload.getData_asU8()) };
  } catch (err) {
    return { ...base, txId: '', headerType: 'UNKNOWN', endorserMspIds: [], namespaces: [], decodeError: errorText(err) };
  }
}

/** envelope → transaction → chaincode action payload → proposal response payload → chaincode action → rwset. */
function decodeEndorserTransaction(
  data: Uint8Array,
): Pick<DecodedTransaction, 'chaincodeName' | 'functionName' | 'endorserMspIds' | 'namespaces'> {
  const transaction = peer.Transaction.deserializeBinary(data);
  const namespaces: NamespaceWrites[] = [];
  const endorserMspIds: string[] = [];
  let chaincodeName: string | undefined;
  let functionName: string | undefined;
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    functionName ??= functionNameOf(actionPayload.getChaincodeProposalPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (endorsed === undefined) {
      throw new Error('the chaincode action payload has no endorsed action');
    }
    for (const endorsement of endorsed.getEndorsementsList()) {
      endorserMspIds.push(mspIdOf(endorsement.getEndorser_asU8()));
    }
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    chaincodeName ??= chaincodeAction.getChaincodeId()?.getName();
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of rwset.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      namespaces.push({
        namespace: ns.getNamespace(),
        writes: kv.getWritesList().map((w) => ({
          key: w.getKey(),
          isDelete: w.getIsDelete(),
          value: Buffer.from(w.getValue_asU8()),
        })),
      });
    }
  }
  return {
    ...(chaincodeName === undefined ? {} : { chaincodeName }),
    ...(functionName === undefined ? {} : { functionName }),
    endorserMspIds,
    namespaces,
  };
}

function functionNameOf(proposalPayload: Uint8Array): string | undefined {
  const input = peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload).getInput_asU8();
  const args = peer.ChaincodeInvocationSpec.deserializeBinary(input).getChaincodeSpec()?.getInput()?.getArgsList_asU8();
  const first = args?.[0];
  return first === undefined ? undefined : Buffer.from(first).toString('utf8');
}

/** The orderer's signatures sign metadata value ‖ signature header ‖ header DER (Fabric's block verification). */
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
    const signatures = metadata.getSignaturesList().map((s) => {
      const signatureHeaderBytes = s.getSignatureHeader_asU8();
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

/** A config block's Orderer group: which MSPs may sign blocks, with their root and intermediate certificates. */
function decodeConfig(entry: Uint8Array): ChannelConfigInfo | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8());
    const channelGroup = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()?.getChannelGroup();
    const orderer = channelGroup === undefined ? undefined : groupsOf(channelGroup).get('Orderer');
    if (orderer === undefined) {
      return undefined;
    }
    const ordererMsps: Record<string, MspAnchors> = {};
    groupsOf(orderer).forEach((group) => {
      const value = valuesOf(group).get('MSP');
      if (value === undefined) {
        return;
      }
      const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
      const fabric = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
      ordererMsps[fabric.getName()] = {
        rootCerts: fabric.getRootCertsList_asU8().map(utf8),
        intermediateCerts: fabric.getIntermediateCertsList_asU8().map(utf8),
      };
    });
    return { ordererMsps };
  } catch {
    return undefined;
  }
}

/** google-protobuf ships no typings here, so the few members used are declared. */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

interface ProtoMap<V> {
  get(key: string): V | undefined;
  forEach(callback: (value: V, key: string) => void): void;
}

function groupsOf(group: common.ConfigGroup): ProtoMap<common.ConfigGroup> {
  const map: unknown = group.getGroupsMap();
  return map as ProtoMap<common.ConfigGroup>;
}

function valuesOf(group: common.ConfigGroup): ProtoMap<common.ConfigValue> {
  const map: unknown = group.getValuesMap();
  return map as ProtoMap<common.ConfigValue>;
}

/** As the chaincode turns a tx timestamp into castAt: milliseconds, truncated. */
function isoMillis(seconds: number, nanos: number): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}

function mspIdOf(serializedIdentity: Uint8Array): string {
  return msp.SerializedIdentity.deserializeBinary(serializedIdentity).getMspid();
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function invert(map: object): Map<number, string> {
  return new Map(Object.entries(map as Record<string, number>).map(([name, code]) => [code, name]));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
