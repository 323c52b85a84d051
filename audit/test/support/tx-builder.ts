/**
 * Endorser transactions for the unit tests: read-write sets in a namespace, endorsements signed with the endorsing
 * peers' real keys (signature over proposal response payload ‖ endorser), and `_lifecycle` writes as Fabric's
 * lifecycle makes them (a commit's public definition fields; an approval's implicit-collection hashes).
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { createHash, randomBytes, sign } from 'node:crypto';
import { type Rule, serializedIdentity, signaturePolicyEnvelope, signedEnvelope } from './config-builder';
import { type Signer, orgs } from './pki';

export const NAMESPACE = 'polls';
export const LIFECYCLE = '_lifecycle';

export interface WriteSpec {
  readonly key: string;
  /** Bytes as they are; anything else as JSON (a string as it is). */
  readonly value?: unknown;
  readonly isDelete?: boolean;
}

export interface TxSpec {
  readonly txId?: string;
  readonly fn?: string;
  /** The invocation's arguments after the function name. */
  readonly args?: readonly string[];
  /** The chaincode's result (status 200), as JSON; none by default. */
  readonly result?: unknown;
  /** Fabric's TxValidationCode; 0 (VALID) by default. */
  readonly code?: number;
  readonly timestamp?: string;
  readonly namespace?: string;
  readonly writes: readonly WriteSpec[];
  /** Private collections written (their hashed write sets). */
  readonly collections?: readonly string[];
  /** Default: the observer's and the city's peers, as the polls chaincode's policy needs. */
  readonly endorsers?: readonly Signer[];
  /** Default: the city's ballot-relay client. */
  readonly creator?: Signer;
  /**
   * The chaincode event. Left out, LedgerBuilder sets the one the chaincode sets for a CastBallot or CastBallots
   * (ballot-events.ts); null: none.
   */
  readonly event?: { readonly name: string; readonly payload: unknown } | null;
}

export const Codes = { VALID: 0, MVCC_READ_CONFLICT: 11, ENDORSEMENT_POLICY_FAILURE: 10 } as const;

let txCounter = 0;
export function newTxId(): string {
  txCounter += 1;
  return createHash('sha256').update(`tx-${txCounter}-${randomBytes(8).toString('hex')}`).digest('hex');
}

export function endorserEnvelope(tx: TxSpec): Uint8Array {
  const namespace = tx.namespace ?? NAMESPACE;
  const kv = new ledger.rwset.kvrwset.KVRWSet();
  kv.setWritesList(tx.writes.map((w) => {
    const write = new ledger.rwset.kvrwset.KVWrite();
    write.setKey(w.key);
    write.setIsDelete(w.isDelete === true);
    if (w.isDelete !== true) {
      write.setValue(w.value instanceof Uint8Array ? w.value : Buffer.from(typeof w.value === 'string' ? w.value : JSON.stringify(w.value ?? {}), 'utf8'));
    }
    return write;
  }));
  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace(namespace);
  ns.setRwset(kv.serializeBinary());
  ns.setCollectionHashedRwsetList((tx.collections ?? []).map((name) => {
    const collection = new ledger.rwset.CollectionHashedReadWriteSet();
    collection.setCollectionName(name);
    collection.setHashedRwset(randomBytes(32));
    return collection;
  }));
  const rwset = new ledger.rwset.TxReadWriteSet();
  rwset.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  rwset.setNsRwsetList([ns]);

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(namespace);
  const chaincodeAction = new peer.ChaincodeAction();
  chaincodeAction.setResults(rwset.serializeBinary());
  chaincodeAction.setChaincodeId(chaincodeId);
  if (tx.event !== undefined && tx.event !== null) {
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(namespace);
    event.setTxId(tx.txId ?? '');
    event.setEventName(tx.event.name);
    event.setPayload(Buffer.from(JSON.stringify(tx.event.payload), 'utf8'));
    chaincodeAction.setEvents(event.serializeBinary());
  }
  if (tx.result !== undefined) {
    const response = new peer.Response();
    response.setStatus(200);
    response.setPayload(Buffer.from(JSON.stringify(tx.result), 'utf8'));
    chaincodeAction.setResponse(response);
  }
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(randomBytes(32));
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  const responseBytes = responsePayload.serializeBinary();

  const endorsements = (tx.endorsers ?? [orgs.observer.peer, orgs.city.peer]).map((signer) => {
    const endorser = serializedIdentity(signer.mspId, signer.certificate);
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(endorser);
    endorsement.setSignature(sign('sha256', Buffer.concat([responseBytes, endorser]), signer.key));
    return endorsement;
  });
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responseBytes);
  endorsed.setEndorsementsList(endorsements);

  const input = new peer.ChaincodeInput();
  input.setArgsList([tx.fn ?? 'CastBallot', ...(tx.args ?? [])].map((a) => Buffer.from(a, 'utf8')));
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
  return signedEnvelope(
    common.HeaderType.ENDORSER_TRANSACTION,
    tx.txId ?? newTxId(),
    transaction.serializeBinary(),
    tx.creator ?? orgs.city.client,
    tx.timestamp ?? '2026-06-01T12:00:00.000Z',
  );
}

// --- _lifecycle -------------------------------------------------------------------------------------------------

function stateData(set: (data: peer.lifecycle.StateData) => void): Uint8Array {
  const data = new peer.lifecycle.StateData();
  set(data);
  return data.serializeBinary();
}

/** CommitChaincodeDefinition: the public definition of `name` at `sequence`, endorsed by `endorsers`. */
export function commitTx(name: string, sequence: number, policy: Rule, endorsers: readonly Signer[]): TxSpec {
  const endorsement = new peer.lifecycle.ChaincodeEndorsementInfo();
  endorsement.setVersion(`1.${sequence}`);
  endorsement.setEndorsementPlugin('escc');
  const applicationPolicy = new peer.ApplicationPolicy();
  applicationPolicy.setSignaturePolicy(signaturePolicyEnvelope(policy));
  const validation = new peer.lifecycle.ChaincodeValidationInfo();
  validation.setValidationPlugin('vscc');
  validation.setValidationParameter(applicationPolicy.serializeBinary());
  const metadata = new peer.lifecycle.StateMetadata();
  metadata.setDatatype('ChaincodeDefinition');
  metadata.setFieldsList(['EndorsementInfo', 'ValidationInfo', 'Collections', 'Sequence']);
  const field = (f: string): string => `namespaces/fields/${name}/${f}`;
  return {
    fn: 'CommitChaincodeDefinition',
    namespace: LIFECYCLE,
    endorsers,
    creator: endorsers[0] ?? orgs.city.admin,
    writes: [
      { key: `namespaces/metadata/${name}`, value: metadata.serializeBinary() },
      { key: field('EndorsementInfo'), value: stateData((d) => { d.setBytes(endorsement.serializeBinary()); }) },
      { key: field('ValidationInfo'), value: stateData((d) => { d.setBytes(validation.serializeBinary()); }) },
      { key: field('Collections'), value: stateData((d) => { d.setBytes(new peer.CollectionConfigPackage().serializeBinary()); }) },
      { key: field('Sequence'), value: stateData((d) => { d.setInt64(sequence); }) },
    ],
  };
}

/** ApproveChaincodeDefinitionForMyOrg by `org`'s peer: only its implicit collection is written. */
export function approveTx(org: Signer): TxSpec {
  return {
    fn: 'ApproveChaincodeDefinitionForMyOrg',
    namespace: LIFECYCLE,
    endorsers: [org],
    creator: org,
    writes: [],
    collections: [`_implicit_org_${org.mspId}`],
  };
}
