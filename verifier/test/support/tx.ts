/**
 * Endorser transactions as Fabric clients and peers make them: the proposal's headers, a read-write set (reads with
 * versions, range queries with their raw results, writes), endorsements signed over response payload ‖ endorser,
 * and the envelope signed by its creator. `forge` lets a test break exactly one part.
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import { headers, serializedIdentity, signedEnvelope, txIdOf } from './fabric';
import { type Signer, orgs, sha256, signLowS } from './pki';

export type Version = readonly [number, number];

export interface TxSpec {
  readonly namespace?: string;
  readonly fn?: string;
  /** Arguments after the function name; with them, the invocation also names its chaincode (as clients send it). */
  readonly args?: readonly string[];
  /** The chaincode's result (response status 200 with this payload), as the endorsers sign it; none by default. */
  readonly result?: string;
  readonly timestamp?: string;
  readonly reads?: readonly { readonly key: string; readonly version?: Version }[];
  readonly ranges?: readonly {
    readonly start: string;
    readonly end: string;
    readonly reads: readonly { readonly key: string; readonly version: Version }[];
    /** Record Fabric's Merkle summary instead of the raw reads. */
    readonly merkle?: { readonly maxDegree: number; readonly maxLevel: number; readonly hashes: readonly Uint8Array[] };
  }[];
  /** Keys whose metadata the transaction writes (key-level endorsement). */
  readonly metadataWrites?: readonly string[];
  readonly writes?: readonly { readonly key: string; readonly value?: string | Uint8Array; readonly isDelete?: boolean }[];
  readonly collections?: readonly string[];
  /** Default: the observer's and the city's peers. */
  readonly endorsers?: readonly Signer[];
  /** Default: the city's ballot-relay. */
  readonly creator?: Signer;
  /** The ledger flag (TRANSACTIONS_FILTER); default 0 (VALID). */
  readonly code?: number;
  /** Reuse a nonce (and so the txId, with the same creator). */
  readonly nonce?: Uint8Array;
  /** Sign endorsement `index` with this key instead of the endorser's own. */
  readonly forgeEndorsement?: { readonly index: number; readonly key: Signer['key'] };
}

export interface BuiltTx {
  readonly txId: string;
  readonly envelope: Uint8Array;
  readonly code: number;
  readonly spec: TxSpec;
}

function version(v: Version): ledger.rwset.kvrwset.Version {
  const out = new ledger.rwset.kvrwset.Version();
  out.setBlockNum(v[0]);
  out.setTxNum(v[1]);
  return out;
}

function kvRead(key: string, v: Version | undefined): ledger.rwset.kvrwset.KVRead {
  const read = new ledger.rwset.kvrwset.KVRead();
  read.setKey(key);
  if (v !== undefined) read.setVersion(version(v));
  return read;
}

function rwset(spec: TxSpec, namespace: string): Uint8Array {
  const kv = new ledger.rwset.kvrwset.KVRWSet();
  kv.setReadsList((spec.reads ?? []).map((r) => kvRead(r.key, r.version)));
  kv.setRangeQueriesInfoList((spec.ranges ?? []).map((q) => {
    const info = new ledger.rwset.kvrwset.RangeQueryInfo();
    info.setStartKey(q.start);
    info.setEndKey(q.end);
    info.setItrExhausted(true);
    if (q.merkle === undefined) {
      const raw = new ledger.rwset.kvrwset.QueryReads();
      raw.setKvReadsList(q.reads.map((r) => kvRead(r.key, r.version)));
      info.setRawReads(raw);
    } else {
      const summary = new ledger.rwset.kvrwset.QueryReadsMerkleSummary();
      summary.setMaxDegree(q.merkle.maxDegree);
      summary.setMaxLevel(q.merkle.maxLevel);
      summary.setMaxLevelHashesList([...q.merkle.hashes]);
      info.setReadsMerkleHashes(summary);
    }
    return info;
  }));
  kv.setMetadataWritesList((spec.metadataWrites ?? []).map((key) => {
    const entry = new ledger.rwset.kvrwset.KVMetadataEntry();
    entry.setName('VALIDATION_PARAMETER');
    entry.setValue(Buffer.from('policy'));
    const write = new ledger.rwset.kvrwset.KVMetadataWrite();
    write.setKey(key);
    write.setEntriesList([entry]);
    return write;
  }));
  kv.setWritesList((spec.writes ?? []).map((w) => {
    const write = new ledger.rwset.kvrwset.KVWrite();
    write.setKey(w.key);
    write.setIsDelete(w.isDelete === true);
    if (w.isDelete !== true) write.setValue(typeof w.value === 'string' ? Buffer.from(w.value) : (w.value ?? new Uint8Array(0)));
    return write;
  }));
  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace(namespace);
  ns.setRwset(kv.serializeBinary());
  ns.setCollectionHashedRwsetList((spec.collections ?? []).map((name) => {
    const hashed = new ledger.rwset.kvrwset.HashedRWSet();
    const write = new ledger.rwset.kvrwset.KVWriteHash();
    write.setKeyHash(randomBytes(32));
    write.setValueHash(randomBytes(32));
    hashed.setHashedWritesList([write]);
    const c = new ledger.rwset.CollectionHashedReadWriteSet();
    c.setCollectionName(name);
    c.setHashedRwset(hashed.serializeBinary());
    return c;
  }));
  const set = new ledger.rwset.TxReadWriteSet();
  set.setNsRwsetList([ns]);
  return set.serializeBinary();
}

export function endorserTx(spec: TxSpec): BuiltTx {
  const namespace = spec.namespace ?? 'polls';
  const creator = spec.creator ?? orgs.city.client;
  const nonce = spec.nonce ?? randomBytes(24);
  const txId = txIdOf(nonce, creator);
  const h = headers(common.HeaderType.ENDORSER_TRANSACTION, creator, { nonce, txId, chaincode: namespace, ...(spec.timestamp === undefined ? {} : { timestamp: spec.timestamp }) });
  const input = new peer.ChaincodeInput();
  input.setArgsList([spec.fn ?? 'CastBallot', ...(spec.args ?? [])].map((a) => Buffer.from(a)));
  const ccSpec = new peer.ChaincodeSpec();
  ccSpec.setInput(input);
  if (spec.args !== undefined) {
    const invoked = new peer.ChaincodeID();
    invoked.setName(namespace);
    ccSpec.setChaincodeId(invoked);
  }
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(ccSpec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());
  const proposalPayloadBytes = proposalPayload.serializeBinary();

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(namespace);
  chaincodeId.setVersion('1.0');
  const action = new peer.ChaincodeAction();
  action.setResults(rwset(spec, namespace));
  action.setChaincodeId(chaincodeId);
  if (spec.result !== undefined) {
    const answer = new peer.Response();
    answer.setStatus(200);
    answer.setPayload(Buffer.from(spec.result));
    action.setResponse(answer);
  }
  const response = new peer.ProposalResponsePayload();
  response.setProposalHash(sha256(Buffer.concat([h.channelHeader, h.signatureHeader, proposalPayloadBytes])));
  response.setExtension$(action.serializeBinary());
  const responseBytes = response.serializeBinary();
  const endorsements = (spec.endorsers ?? [orgs.observer.peer, orgs.city.peer]).map((signer, i) => {
    const endorser = serializedIdentity(signer);
    const e = new peer.Endorsement();
    e.setEndorser(endorser);
    const key = spec.forgeEndorsement?.index === i ? spec.forgeEndorsement.key : signer.key;
    e.setSignature(signLowS(Buffer.concat([responseBytes, endorser]), key));
    return e;
  });
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responseBytes);
  endorsed.setEndorsementsList(endorsements);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayloadBytes);
  actionPayload.setAction(endorsed);
  const txAction = new peer.TransactionAction();
  txAction.setHeader(h.signatureHeader);
  txAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([txAction]);
  return { txId, envelope: signedEnvelope(h.channelHeader, h.signatureHeader, transaction.serializeBinary(), creator), code: spec.code ?? 0, spec };
}

/** CommitChaincodeDefinition's public writes: `name`'s definition at `sequence` with endorsement policy `policy`. */
export function commitWrites(name: string, sequence: number, policy: common.SignaturePolicyEnvelope): TxSpec['writes'] {
  const stateData = (set: (d: peer.lifecycle.StateData) => void): Uint8Array => {
    const d = new peer.lifecycle.StateData();
    set(d);
    return d.serializeBinary();
  };
  const endorsement = new peer.lifecycle.ChaincodeEndorsementInfo();
  endorsement.setVersion('1.0');
  endorsement.setEndorsementPlugin('escc');
  const application = new peer.ApplicationPolicy();
  application.setSignaturePolicy(policy);
  const validation = new peer.lifecycle.ChaincodeValidationInfo();
  validation.setValidationPlugin('vscc');
  validation.setValidationParameter(application.serializeBinary());
  const field = (f: string): string => `namespaces/fields/${name}/${f}`;
  return [
    { key: `namespaces/metadata/${name}`, value: 'ChaincodeDefinition' },
    { key: field('EndorsementInfo'), value: stateData((d) => { d.setBytes(endorsement.serializeBinary()); }) },
    { key: field('ValidationInfo'), value: stateData((d) => { d.setBytes(validation.serializeBinary()); }) },
    { key: field('Sequence'), value: stateData((d) => { d.setInt64(sequence); }) },
  ];
}
