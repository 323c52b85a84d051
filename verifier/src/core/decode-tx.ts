/**
 * A block entry → everything the validity of its transaction depends on: the creator and its signature, the
 * endorsements and the bytes they sign, the proposal hash binding, and the read-write set with read versions and
 * range queries. Read with ./protowire (several times faster than google-protobuf's classes); the messages
 * google-protobuf used to parse whole and the verifier does not need are still checked for their wire types, so a
 * transaction decodes exactly when it did before (test/core/decode-tx.test.ts compares the two on many mutations).
 */
import { common } from './protos';
import { concat } from './bytes';
import { type ChaincodeResponse, Code, type DecodedTx, type EndorserAction, type KvRead, type KvWrite, type NsRwSet, type RangeRead, type Signed, errorText, identityOf } from './decode';
import { MAP_ENTRY, invocationOf } from './decode-invocation';
import { LEN, ProtoReader, STRING, type Shape, VARINT, checkShape } from './protowire';

const EMPTY: Uint8Array = new Uint8Array(0);
const TWO_BYTES: Shape = { 1: LEN, 2: LEN };
const RESPONSE: Shape = { 1: VARINT, 2: STRING, 3: LEN };
const VERSION: Shape = { 1: VARINT, 2: VARINT };
const METADATA_WRITE: Shape = { 1: STRING, 2: MAP_ENTRY };
const HASHED_RWSET: Shape = { 1: { 1: LEN, 2: VERSION }, 2: { 1: LEN, 2: VARINT, 3: LEN, 4: VARINT }, 3: { 1: LEN, 2: MAP_ENTRY } };

/** Reads `bytes` as a message, calling `field` for each field; `field` must consume it (or skip it). */
function each(bytes: Uint8Array, field: (r: ProtoReader) => void): void {
  const r = new ProtoReader(bytes);
  while (r.next()) field(r);
}

/** Both fields of a two-bytes-field message (Envelope, Header, SignatureHeader, TransactionAction, …). */
function pair(bytes: Uint8Array): [Uint8Array, Uint8Array] {
  let first = EMPTY;
  let second = EMPTY;
  each(bytes, (r) => {
    if (r.field === 1) first = r.bytes();
    else if (r.field === 2) second = r.bytes();
    else r.skip();
  });
  return [first, second];
}

interface ChannelHeader {
  type: number;
  channelId: string;
  txId: string;
  extension: Uint8Array;
  timestamp?: { seconds: number; nanos: number };
}

/** common.ChannelHeader { 1 type, 2 version, 3 timestamp { 1 seconds, 2 nanos }, 4 channel_id, 5 tx_id, 6 epoch, 7 extension, 8 tls_cert_hash }. */
function channelHeaderOf(bytes: Uint8Array): ChannelHeader {
  const h: ChannelHeader = { type: 0, channelId: '', txId: '', extension: EMPTY };
  each(bytes, (r) => {
    switch (r.field) {
      case 1: h.type = r.int32(); break;
      case 2: r.int32(); break;
      case 3: {
        const timestamp = { seconds: 0, nanos: 0 };
        each(r.bytes(), (t) => {
          if (t.field === 1) timestamp.seconds = t.int64();
          else if (t.field === 2) timestamp.nanos = t.int32();
          else t.skip();
        });
        h.timestamp = timestamp;
        break;
      }
      case 4: h.channelId = r.string(); break;
      case 5: h.txId = r.string(); break;
      case 6: r.uint(); break;
      case 7: h.extension = r.bytes(); break;
      case 8: r.bytes(); break;
      default: r.skip();
    }
  });
  return h;
}

export function decodeTransaction(entry: Uint8Array, index: number): DecodedTx {
  const base = { index, txId: '', headerType: -1, channelId: '', nonce: EMPTY };
  let payloadBytes: Uint8Array;
  let signature: Uint8Array;
  let header: Uint8Array | undefined;
  let data = EMPTY;
  try {
    [payloadBytes, signature] = pair(entry);
    // common.Payload { 1 header { 1 channel_header, 2 signature_header }, 2 data }
    each(payloadBytes, (r) => {
      if (r.field === 1) checkShape((header = r.bytes()), TWO_BYTES);
      else if (r.field === 2) data = r.bytes();
      else r.skip();
    });
  } catch (err) {
    return { ...base, problem: { code: Code.BAD_PAYLOAD, message: `the payload does not decode: ${errorText(err)}` } };
  }
  let channelHeaderBytes: Uint8Array;
  let channelHeader: ChannelHeader;
  let creatorBytes: Uint8Array;
  let nonce: Uint8Array;
  try {
    if (header === undefined) throw new Error('no header');
    let signatureHeader: Uint8Array;
    [channelHeaderBytes, signatureHeader] = pair(header);
    channelHeader = channelHeaderOf(channelHeaderBytes);
    [creatorBytes, nonce] = pair(signatureHeader);
  } catch (err) {
    return { ...base, problem: { code: Code.BAD_COMMON_HEADER, message: `the header does not decode: ${errorText(err)}` } };
  }
  const timestamp = channelHeader.timestamp;
  // A time outside JavaScript's dates (±275,760 years) is left out rather than stopping the whole verification.
  const date = timestamp === undefined ? undefined : new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6));
  const described = {
    index,
    txId: channelHeader.txId,
    headerType: channelHeader.type,
    channelId: channelHeader.channelId,
    nonce,
    ...(date === undefined || Number.isNaN(date.getTime()) ? {} : { timestamp: date.toISOString() }),
  };
  let creator: Signed | undefined;
  try {
    creator = { ...identityOf(creatorBytes), signedBytes: payloadBytes, signature };
  } catch (err) {
    return { ...described, problem: { code: Code.BAD_COMMON_HEADER, message: `the creator does not decode: ${errorText(err)}` } };
  }
  if (described.headerType !== common.HeaderType.ENDORSER_TRANSACTION) return { ...described, creator };
  try {
    return { ...described, creator, action: decodeAction(data, channelHeader, channelHeaderBytes) };
  } catch (err) {
    return { ...described, creator, problem: { code: Code.INVALID_ENDORSER_TRANSACTION, message: `the transaction does not decode: ${errorText(err)}` } };
  }
}

/** A ChaincodeID's name and version (peer.ChaincodeID { 1 path, 2 name, 3 version }). */
function chaincodeIdOf(bytes: Uint8Array): { name: string; version: string } {
  const id = { name: '', version: '' };
  each(bytes, (r) => {
    if (r.field === 2) id.name = r.string();
    else if (r.field === 3) id.version = r.string();
    else if (r.field === 1) r.string();
    else r.skip();
  });
  return id;
}

interface EndorsedAction {
  readonly responseBytes: Uint8Array;
  readonly endorsements: readonly [Uint8Array, Uint8Array][];
}

/** peer.ChaincodeEndorsedAction { 1 proposal_response_payload, repeated 2 endorsements: Endorsement { 1 endorser, 2 signature } }. */
function endorsedActionOf(bytes: Uint8Array): EndorsedAction {
  let responseBytes = EMPTY;
  const endorsements: [Uint8Array, Uint8Array][] = [];
  each(bytes, (r) => {
    if (r.field === 1) responseBytes = r.bytes();
    else if (r.field === 2) endorsements.push(pair(r.bytes()));
    else r.skip();
  });
  return { responseBytes, endorsements };
}

function decodeAction(data: Uint8Array, channelHeader: ChannelHeader, channelHeaderBytes: Uint8Array): EndorserAction {
  // peer.Transaction { repeated 1 actions: TransactionAction { 1 header, 2 payload } }
  const actions: [Uint8Array, Uint8Array][] = [];
  each(data, (r) => {
    if (r.field === 1) actions.push(pair(r.bytes()));
    else r.skip();
  });
  const [action] = actions;
  if (action === undefined || actions.length !== 1) throw new Error(`${actions.length} actions; Fabric supports exactly one`);
  const [actionHeader, actionPayload] = action;
  // peer.ChaincodeActionPayload { 1 chaincode_proposal_payload, 2 action: ChaincodeEndorsedAction }
  let proposalPayload = EMPTY;
  let endorsed: EndorsedAction | undefined;
  each(actionPayload, (r) => {
    if (r.field === 1) proposalPayload = r.bytes();
    else if (r.field === 2) endorsed = endorsedActionOf(r.bytes());
    else r.skip();
  });
  if (endorsed === undefined) throw new Error('no endorsed action');
  const { responseBytes, endorsements } = endorsed;
  const [proposalHash, extension] = pair(responseBytes);
  // peer.ChaincodeAction { 1 results, 2 events, 3 response, 4 chaincode_id }
  let results = EMPTY;
  let actionChaincode = { name: '', version: '' };
  let response: ChaincodeResponse | undefined;
  each(extension, (r) => {
    if (r.field === 1) results = r.bytes();
    else if (r.field === 2) r.bytes();
    else if (r.field === 3) response = responseOf(r.bytes());
    else if (r.field === 4) actionChaincode = chaincodeIdOf(r.bytes());
    else r.skip();
  });
  // peer.ChaincodeHeaderExtension { 2 chaincode_id }
  let invoked = '';
  each(channelHeader.extension, (r) => {
    if (r.field === 2) invoked = chaincodeIdOf(r.bytes()).name;
    else r.skip();
  });
  const namespaces = txRwSetOf(results);
  const invocation = invocationOf(proposalPayload);
  return {
    invokedChaincode: invoked,
    actionChaincode: actionChaincode.name,
    chaincodeVersion: actionChaincode.version,
    proposalHash,
    proposalHashInput: concat(channelHeaderBytes, actionHeader, proposalPayload),
    endorsements: endorsements.map(([endorser, signature]) => ({ ...identityOf(endorser), signedBytes: concat(responseBytes, endorser), signature })),
    namespaces,
    ...invocation,
    ...(response === undefined ? {} : { response }),
  };
}

/** peer.Response { 1 status, 2 message, 3 payload }; the last one counts when the field repeats (as the chaincode id). */
function responseOf(bytes: Uint8Array): ChaincodeResponse {
  checkShape(bytes, RESPONSE);
  const response = { status: 0, payload: EMPTY };
  each(bytes, (r) => {
    if (r.field === 1) response.status = r.int32();
    else if (r.field === 3) response.payload = r.bytes();
    else r.skip();
  });
  return response;
}

/** ledger.rwset.TxReadWriteSet { 1 data_model, repeated 2 ns_rwset: NsReadWriteSet { 1 namespace, 2 rwset, repeated 3 collection_hashed_rwset } }. */
function txRwSetOf(bytes: Uint8Array): NsRwSet[] {
  const sets: { namespace: string; rwset: Uint8Array; collections: { name: string; hashed: Uint8Array }[] }[] = [];
  each(bytes, (r) => {
    if (r.field === 1) r.int32();
    else if (r.field !== 2) r.skip();
    else {
      const set = { namespace: '', rwset: EMPTY, collections: [] as { name: string; hashed: Uint8Array }[] };
      each(r.bytes(), (n) => {
        if (n.field === 1) set.namespace = n.string();
        else if (n.field === 2) set.rwset = n.bytes();
        else if (n.field === 3) set.collections.push(collectionOf(n.bytes()));
        else n.skip();
      });
      sets.push(set);
    }
  });
  return sets.map((set) => namespaceOf(set.namespace, set.rwset, set.collections));
}

/** CollectionHashedReadWriteSet { 1 collection_name, 2 hashed_rwset, 3 pvt_rwset_hash }. */
function collectionOf(bytes: Uint8Array): { name: string; hashed: Uint8Array } {
  const c = { name: '', hashed: EMPTY };
  each(bytes, (r) => {
    if (r.field === 1) c.name = r.string();
    else if (r.field === 2) c.hashed = r.bytes();
    else if (r.field === 3) r.bytes();
    else r.skip();
  });
  return c;
}

/** kvrwset.KVRWSet { repeated 1 reads, 2 range_queries_info, 3 writes, 4 metadata_writes }, and the collections' HashedRWSets. */
function namespaceOf(namespace: string, rwset: Uint8Array, collections: readonly { name: string; hashed: Uint8Array }[]): NsRwSet {
  const reads: KvRead[] = [];
  const ranges: RangeRead[] = [];
  const writes: KvWrite[] = [];
  let metadataWrites = 0;
  each(rwset, (r) => {
    switch (r.field) {
      case 1: reads.push(readOf(r.bytes())); break;
      case 2: ranges.push(rangeOf(r.bytes())); break;
      case 3: writes.push(writeOf(r.bytes())); break;
      case 4: checkShape(r.bytes(), METADATA_WRITE); metadataWrites += 1; break;
      default: r.skip();
    }
  });
  const collectionsWritten: string[] = [];
  let collectionReads = 0;
  for (const c of collections) {
    // HashedRWSet { repeated 1 hashed_reads, 2 hashed_writes, 3 metadata_writes }
    checkShape(c.hashed, HASHED_RWSET);
    let written = 0;
    each(c.hashed, (r) => {
      if (r.field === 1) collectionReads += 1;
      else if (r.field === 2 || r.field === 3) written += 1;
      r.skip();
    });
    if (written > 0) collectionsWritten.push(c.name);
  }
  return { namespace, reads, ranges, writes, metadataWrites, collectionsWritten, collectionReads };
}

/** kvrwset.KVRead { 1 key, 2 version: Version { 1 block_num, 2 tx_num } }. */
function readOf(bytes: Uint8Array): KvRead {
  let key = '';
  let version: { block: number; tx: number } | undefined;
  each(bytes, (r) => {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) {
      const v = { block: 0, tx: 0 };
      each(r.bytes(), (f) => {
        if (f.field === 1) v.block = f.uint();
        else if (f.field === 2) v.tx = f.uint();
        else f.skip();
      });
      version = v;
    } else r.skip();
  });
  return version === undefined ? { key } : { key, version };
}

/** kvrwset.KVWrite { 1 key, 2 is_delete, 3 value }. */
function writeOf(bytes: Uint8Array): KvWrite {
  const w = { key: '', isDelete: false, value: EMPTY };
  each(bytes, (r) => {
    if (r.field === 1) w.key = r.string();
    else if (r.field === 2) w.isDelete = r.bool();
    else if (r.field === 3) w.value = r.bytes();
    else r.skip();
  });
  return w;
}

/**
 * kvrwset.RangeQueryInfo { 1 start_key, 2 end_key, 3 itr_exhausted, oneof { 4 raw_reads: QueryReads { repeated 1
 * kv_reads }, 5 reads_merkle_hashes: QueryReadsMerkleSummary { 1 max_degree, 2 max_level, repeated 3 hashes } } }.
 */
function rangeOf(bytes: Uint8Array): RangeRead {
  let startKey = '';
  let endKey = '';
  let exhausted = false;
  let rawReads: KvRead[] | undefined;
  let merkle: RangeRead['merkle'];
  each(bytes, (r) => {
    switch (r.field) {
      case 1: startKey = r.string(); break;
      case 2: endKey = r.string(); break;
      case 3: exhausted = r.bool(); break;
      case 4: {
        const reads: KvRead[] = [];
        each(r.bytes(), (q) => {
          if (q.field === 1) reads.push(readOf(q.bytes()));
          else q.skip();
        });
        // One of the two: the later one replaces the other, as google-protobuf's oneof does.
        rawReads = reads;
        merkle = undefined;
        break;
      }
      case 5: {
        const summary = { maxDegree: 0, maxLevel: 0, hashes: [] as Uint8Array[] };
        each(r.bytes(), (m) => {
          if (m.field === 1) summary.maxDegree = m.uint() >>> 0;
          else if (m.field === 2) summary.maxLevel = m.uint() >>> 0;
          else if (m.field === 3) summary.hashes.push(m.bytes());
          else m.skip();
        });
        merkle = summary;
        rawReads = undefined;
        break;
      }
      default: r.skip();
    }
  });
  return { startKey, endKey, exhausted, ...(rawReads === undefined ? {} : { rawReads }), ...(merkle === undefined ? {} : { merkle }) };
}
