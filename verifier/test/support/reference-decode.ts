/**
 * The verifier's first transaction decoder, on google-protobuf's generated classes: the oracle the faster decoder
 * (src/core/decode-tx.ts) is compared with in test/core/decode-tx.test.ts.
 */
import { common, ledger, msp, peer } from '../../src/core/protos';
import { concat, fromUtf8 } from '../../src/core/bytes';
import { type DecodedTx, type EndorserAction, type KvRead, type NsRwSet, type RangeRead, type Signed, errorText } from '../../src/core/decode';

function identityOf(serialized: Uint8Array): { identity: Uint8Array; mspId: string; certificate: Uint8Array } {
  const identity = msp.SerializedIdentity.deserializeBinary(serialized);
  return { identity: serialized, mspId: identity.getMspid(), certificate: identity.getIdBytes_asU8() };
}

/** google-protobuf ships no typings for Timestamp here; only these members are used. */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

/** Fabric's codes for envelopes that do not decode (core/common/validation/msgvalidation.go). */
const Code = peer.TxValidationCode;

export function referenceDecodeTransaction(entry: Uint8Array, index: number): DecodedTx {
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
  const answer = chaincodeAction.getResponse();
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
    ...invocationOf(proposalPayload),
    ...(answer === undefined ? {} : { response: { status: answer.getStatus(), payload: answer.getPayload_asU8() } }),
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

function invocationOf(proposalPayload: Uint8Array): Pick<EndorserAction, 'functionName' | 'args'> {
  try {
    const input = peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload).getInput_asU8();
    const args = peer.ChaincodeInvocationSpec.deserializeBinary(input).getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [];
    const [first, ...rest] = args.map(fromUtf8);
    return first === undefined ? {} : { functionName: first, args: rest };
  } catch {
    return {};
  }
}

