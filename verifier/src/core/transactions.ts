/**
 * Every transaction's validity re-derived as Fabric's committing peer derives it, never read from the block's
 * TRANSACTIONS_FILTER: the envelope (creator valid in its MSP and its signature; the txId is SHA-256(nonce ‖ creator);
 * the proposal hash binds the endorsed response to this proposal), duplicate txIds, the endorsement policy of every
 * namespace the transaction writes and of the chaincode it invoked (core/committer/txvalidator/v20), and MVCC against
 * the derived state: each read's version and each range query re-executed (core/ledger/kvledger/txmgmt/validation).
 */
import { common, msp } from './protos';
import { bytesEqual, toHex } from './bytes';
import type { ChannelConfig } from './config';
import { Code, type DecodedTx, type EndorserAction, type NsRwSet } from './decode';
import { type ChaincodeDefinition, LIFECYCLE, LIFECYCLE_POLICY } from './lifecycle';
import type { IdentityCheck, SignatureVerifier } from './msp';
import { type ApplicationPolicy, type PolicySigner, evaluateApplicationPolicy } from './policy';
import type { WorldState } from './state';

/** A code Fabric would assign, or UNDETERMINED: the outcome depends on a withheld block. */
export type Derived = number | 'UNDETERMINED';

export interface TxOutcome {
  readonly derived: Derived;
  readonly reason?: string;
  /** MSP ids of the endorsements whose identity and signature verified. */
  readonly endorsedBy: readonly string[];
}

export interface TxContext {
  readonly channel: string;
  readonly config: ChannelConfig;
  readonly definitions: ReadonlyMap<string, ChaincodeDefinition>;
  readonly state: WorldState;
  /** Every txId of earlier blocks (Fabric's ledger-wide duplicate check); withheld blocks' are unknown. */
  readonly seenTxIds: Set<string>;
  /** The newest withheld block before this one, if any. */
  readonly lastWithheld?: number;
  readonly verifier: SignatureVerifier;
}

/** What the envelope checks found: a code when the transaction already fails, and the endorsers that count. */
export interface EnvelopeCheck {
  readonly code?: number;
  readonly reason?: string;
  readonly signers: readonly PolicySigner[];
}

/** What the envelope checks need: they depend on the config in force only, never on earlier transactions. */
export type EnvelopeContext = Pick<TxContext, 'channel' | 'config' | 'verifier'>;

/**
 * A block's signatures, concurrently (WebCrypto and the CLI's worker threads are asynchronous): the walk starts them
 * while earlier blocks are still being validated.
 */
export function checkEnvelopes(txs: readonly DecodedTx[], ctx: EnvelopeContext): Promise<EnvelopeCheck[]> {
  return Promise.all(txs.map((tx) => checkEnvelope(tx, ctx)));
}

/** Validates a block's transactions in order; valid writes are applied to the state as they pass. */
export async function validateTransactions(blockNumber: number, txs: readonly DecodedTx[], ctx: TxContext): Promise<TxOutcome[]> {
  return deriveOutcomes(blockNumber, txs, await checkEnvelopes(txs, ctx), ctx);
}

/** The ledger-order checks, one transaction after the other, on the envelope checks' findings. */
export function deriveOutcomes(blockNumber: number, txs: readonly DecodedTx[], checked: readonly EnvelopeCheck[], ctx: TxContext): TxOutcome[] {
  const inBlock = new Set<string>();
  return txs.map((tx, i): TxOutcome => {
    const c = checked[i] ?? { signers: [] };
    const endorsedBy = [...new Set(c.signers.map((s) => s.mspId))];
    const duplicate = tx.txId !== '' && inBlock.has(tx.txId);
    if (tx.txId !== '') inBlock.add(tx.txId);
    let outcome: TxOutcome;
    if (c.code !== undefined) outcome = { derived: c.code, ...(c.reason === undefined ? {} : { reason: c.reason }), endorsedBy };
    else if (ctx.seenTxIds.has(tx.txId)) outcome = { derived: Code.DUPLICATE_TXID, reason: 'its txId is already on the ledger', endorsedBy };
    else outcome = { ...ledgerChecks(blockNumber, tx, c.signers, ctx), endorsedBy };
    // Fabric marks a later copy of a txId in the same block as a duplicate, whatever else it found.
    if (duplicate) outcome = { derived: Code.DUPLICATE_TXID, reason: 'its txId appears earlier in the block', endorsedBy };
    return outcome;
  });
}

async function checkEnvelope(tx: DecodedTx, ctx: EnvelopeContext): Promise<EnvelopeCheck> {
  const fail = (code: number, reason: string): EnvelopeCheck => ({ code, reason, signers: [] });
  if (tx.problem !== undefined) return fail(tx.problem.code, tx.problem.message);
  if (tx.channelId !== ctx.channel) return fail(Code.TARGET_CHAIN_NOT_FOUND, `it names channel '${tx.channelId}'`);
  if (tx.creator === undefined) return fail(Code.BAD_COMMON_HEADER, 'no creator');
  const creator = await ctx.verifier.verifySigned(ctx.config.msps.get(tx.creator.mspId), tx.creator);
  if (!creator.valid) return fail(Code.BAD_CREATOR_SIGNATURE, `creator: ${creator.problem ?? 'invalid'}`);
  if (tx.headerType === common.HeaderType.CONFIG) return { signers: [] };
  if (tx.headerType !== common.HeaderType.ENDORSER_TRANSACTION || tx.action === undefined) return fail(Code.UNSUPPORTED_TX_PAYLOAD, `header type ${tx.headerType}`);
  const crypto = ctx.verifier.crypto;
  if (toHex(crypto.sha256(concatIdentity(tx))) !== tx.txId) return fail(Code.BAD_PROPOSAL_TXID, 'its txId is not SHA-256(nonce ‖ creator)');
  if (!bytesEqual(crypto.sha256(tx.action.proposalHashInput), tx.action.proposalHash)) {
    return fail(Code.INVALID_ENDORSER_TRANSACTION, 'the endorsed response is not for this proposal (proposal hash)');
  }
  return { signers: await endorsers(tx.action, ctx) };
}

function concatIdentity(tx: DecodedTx): Uint8Array {
  const creator = tx.creator?.identity ?? new Uint8Array(0);
  const out = new Uint8Array(tx.nonce.length + creator.length);
  out.set(tx.nonce);
  out.set(creator, tx.nonce.length);
  return out;
}

/** Distinct endorsers whose identity is valid in their MSP and whose signature verifies; the rest do not count. */
async function endorsers(action: EndorserAction, ctx: EnvelopeContext): Promise<PolicySigner[]> {
  const checks = await Promise.all(action.endorsements.map((e) => ctx.verifier.verifySigned(ctx.config.msps.get(e.mspId), e)));
  const seen = new Set<string>();
  const signers: PolicySigner[] = [];
  checks.forEach((check: IdentityCheck, i) => {
    const e = action.endorsements[i];
    if (e === undefined || !check.valid || check.certificate === undefined) return;
    const key = `${e.mspId}|${check.certificate.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    signers.push({ mspId: e.mspId, check });
  });
  return signers;
}

function ledgerChecks(blockNumber: number, tx: DecodedTx, signers: readonly PolicySigner[], ctx: TxContext): Omit<TxOutcome, 'endorsedBy'> {
  const action = tx.action;
  if (action === undefined) return { derived: Code.VALID }; // a config transaction: judged by its block's orderer signatures
  const policyFailure = endorsementProblem(action, signers, ctx);
  if (policyFailure !== undefined) return policyFailure;
  const mvcc = mvccProblem(action.namespaces, ctx);
  const version = { block: blockNumber, tx: tx.index };
  if (mvcc !== undefined && mvcc.derived !== 'UNDETERMINED') return mvcc;
  for (const ns of action.namespaces) ctx.state.apply(ns.namespace, ns.writes, version, mvcc !== undefined);
  return mvcc ?? { derived: Code.VALID };
}

const IMPLICIT_COLLECTION = /^_implicit_org_(.+)$/;

/** The policies Fabric's v20 dispatcher and builtin plugin evaluate for this action, and the first that fails. */
function endorsementProblem(action: EndorserAction, signers: readonly PolicySigner[], ctx: TxContext): Omit<TxOutcome, 'endorsedBy'> | undefined {
  if (action.invokedChaincode === '' || action.invokedChaincode !== action.actionChaincode || action.chaincodeVersion === '') {
    return { derived: Code.INVALID_CHAINCODE, reason: `invoked '${action.invokedChaincode}', response of '${action.actionChaincode}' version '${action.chaincodeVersion}'` };
  }
  const names = action.namespaces.map((ns) => ns.namespace);
  if (new Set(names).size !== names.length) return { derived: Code.ILLEGAL_WRITESET, reason: 'a namespace appears twice in the read-write set' };
  const required: { what: string; policy: ApplicationPolicy | undefined }[] = [];
  const byName = new Map(action.namespaces.map((ns) => [ns.namespace, ns]));
  for (const name of new Set([action.invokedChaincode, ...action.namespaces.filter(writes).map((ns) => ns.namespace)])) {
    const ns = byName.get(name);
    const collections = ns?.collectionsWritten ?? [];
    const definition = ctx.definitions.get(name);
    if (name !== LIFECYCLE && definition === undefined) return { derived: Code.INVALID_CHAINCODE, reason: `chaincode '${name}' has no definition on the chain` };
    if (name !== LIFECYCLE && definition?.validationPlugin !== 'vscc') {
      return { derived: Code.INVALID_OTHER_REASON, reason: `chaincode '${name}' uses validation plugin '${definition?.validationPlugin ?? '?'}', which the verifier cannot evaluate` };
    }
    const own = name === LIFECYCLE ? LIFECYCLE_POLICY : definition?.policy;
    // Public writes, or nothing written at all, are judged by the namespace's policy; collection writes by theirs.
    if (ns === undefined || ns.writes.length + ns.metadataWrites > 0 || collections.length === 0) required.push({ what: name, policy: own });
    for (const collection of collections) required.push({ what: `${name}/${collection}`, policy: collectionPolicy(name, collection, ctx.config) ?? own });
  }
  for (const { what, policy } of required) {
    if (policy === undefined || !evaluateApplicationPolicy(policy, ctx.config, signers)) {
      const by = signers.length === 0 ? 'no valid endorsement' : `valid endorsements by ${[...new Set(signers.map((s) => s.mspId))].join(', ')}`;
      return { derived: Code.ENDORSEMENT_POLICY_FAILURE, reason: `the endorsement policy of ${what} is not satisfied (${by})` };
    }
  }
  return undefined;
}

const writes = (ns: NsRwSet): boolean => ns.writes.length + ns.metadataWrites + ns.collectionsWritten.length > 0;

/** `_lifecycle`'s implicit collection of an org: that org's Endorsement policy, else any member of it (Fabric 2.x). */
function collectionPolicy(namespace: string, collection: string, config: ChannelConfig): ApplicationPolicy | undefined {
  const mspId = namespace === LIFECYCLE ? IMPLICIT_COLLECTION.exec(collection)?.[1] : undefined;
  if (mspId === undefined) return undefined;
  const orgName = [...config.applicationOrgs].find(([, id]) => id === mspId)?.[0];
  if (orgName === undefined) return { kind: 'reference', path: `/Channel/Application/?${mspId}/Endorsement` };
  const path = `/Channel/Application/${orgName}/Endorsement`;
  return config.policies.has(path) ? { kind: 'reference', path } : memberOf(mspId);
}

function memberOf(mspId: string): ApplicationPolicy {
  const role = new msp.MSPRole();
  role.setMspIdentifier(mspId);
  role.setRole(msp.MSPRole.MSPRoleType.MEMBER);
  const principal = new msp.MSPPrincipal();
  principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
  principal.setPrincipal(role.serializeBinary());
  const rule = new common.SignaturePolicy();
  rule.setSignedBy(0);
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setRule(rule);
  envelope.setIdentitiesList([principal]);
  return { kind: 'signature', envelope };
}

/** MVCC against the derived state; a mismatch a withheld block could explain is UNDETERMINED, not a conflict. */
function mvccProblem(namespaces: readonly NsRwSet[], ctx: TxContext): Omit<TxOutcome, 'endorsedBy'> | undefined {
  const withheld = ctx.lastWithheld;
  for (const ns of namespaces) {
    for (const read of ns.reads) {
      const committed = ctx.state.get(ns.namespace, read.key);
      if (committed?.tainted === true) return { derived: 'UNDETERMINED', reason: `it read ${read.key}, last written by a transaction whose validity depends on a withheld block` };
      if (ctx.state.readMatches(ns.namespace, read)) continue;
      if (withheld !== undefined && withheld > (committed?.version.block ?? -1)) {
        return { derived: 'UNDETERMINED', reason: `its read of ${read.key} may have been written in withheld block ${withheld}` };
      }
      return { derived: Code.MVCC_READ_CONFLICT, reason: `it read ${read.key} at ${versionText(read.version)}, but the committed version is ${versionText(committed?.version)}` };
    }
    for (const range of ns.ranges) {
      if (ctx.state.rangeTainted(ns.namespace, range)) return { derived: 'UNDETERMINED', reason: `its range read [${range.startKey}, ${range.endKey}] sees keys that depend on a withheld block` };
      if (ctx.state.rangeMatches(ns.namespace, range, ctx.verifier.crypto)) continue;
      if (withheld !== undefined) return { derived: 'UNDETERMINED', reason: `its range read [${range.startKey}, ${range.endKey}] may include writes in withheld blocks` };
      return { derived: Code.PHANTOM_READ_CONFLICT, reason: `its range read [${range.startKey}, ${range.endKey}] gives other results on the derived state` };
    }
  }
  return undefined;
}

const versionText = (v: { block: number; tx: number } | undefined): string => (v === undefined ? 'none (absent)' : `${v.block}:${v.tx}`);
