import { Orgs } from '@poll-ledger/protocol';
import { type DecodedBlock, type DecodedTransaction, LIFECYCLE_NAMESPACE } from './block-decoder';
import type { SignatureCheck } from './block-signatures';
import { type ChannelConfigInfo, configDiff } from './channel-config';
import { type SignedBy, type SignerInfo, checkSigner } from './identities';
import { type ChaincodeDefinition, approvingOrgs, committedDefinitions, definitionLines } from './lifecycle';
import type { ReplayStateJson } from './replay-state';

/**
 * Every change of the rules, judged against the adversary being the city administration (City and its departments
 * together): a config update needs a valid signature of an observer organisation's admin, and a new chaincode
 * definition a valid endorsement by an observer organisation. Without one it FAILS the audit, even though the peers
 * marked it VALID: that is exactly the change City and Dept admins could make after weakening the channel policies.
 * Signatures are checked against the config in force before the change, so a change cannot vouch for itself.
 */

export type RuleChangeKind = 'config' | 'chaincode-definition' | 'chaincode-approval';

export interface RuleChange {
  readonly kind: RuleChangeKind;
  readonly block: number;
  readonly tx: number;
  readonly txId: string;
  readonly timestamp?: string;
  /** One line: "config update" or "chaincode polls sequence 2". */
  readonly summary: string;
  /** What changed: modified config paths, or the definition's fields. */
  readonly changes: readonly string[];
  /** Config: the ConfigUpdateEnvelope's signatures; lifecycle: the endorsements. */
  readonly signedBy: readonly SignerInfo[];
  /** Config: the update envelope's creator; lifecycle: the transaction's creator. */
  readonly submittedBy?: SignerInfo;
  /** Config: the CONFIG envelope's creator, the orderer that made the block. */
  readonly envelopeCreator?: SignerInfo;
  /** FAILED: no observer approval, or not accepted; INFO: an approval, which changes nothing yet. */
  readonly verdict: 'OK' | 'FAILED' | 'INFO';
  readonly problems: readonly string[];
  /** Polls whose record said `open` when the change took effect. */
  readonly openPolls: readonly string[];
}

/** What a poll remembers of a rule change made while it was open. */
export type RuleChangeRef = Pick<RuleChange, 'block' | 'txId' | 'kind' | 'summary' | 'verdict'>;

export type RuleChangesJson = Pick<ReplayStateJson, 'ruleChanges' | 'definitions'>;

const OBSERVERS: readonly string[] = Orgs.observers;
/** Approvals are listed up to this many; rule changes proper are all kept. */
const MAX_APPROVALS = 1000;

export class RuleChangeTracker {
  readonly #changes: RuleChange[] = [];
  readonly #definitions = new Map<string, ChaincodeDefinition>();
  #approvals = 0;

  constructor(state?: RuleChangesJson) {
    if (state !== undefined) {
      this.#changes.push(...state.ruleChanges);
      Object.entries(state.definitions).forEach(([name, d]) => this.#definitions.set(name, d));
      this.#approvals = state.ruleChanges.filter((c) => c.kind === 'chaincode-approval').length;
    }
  }

  /** A config block after genesis, against `before` (the config in force until it) and its signature verdict. */
  config(block: DecodedBlock, before: ChannelConfigInfo | undefined, signatures: SignatureCheck, openPolls: readonly string[]): RuleChange {
    const tx = block.transactions.find((t) => t.headerType === 'CONFIG') ?? block.transactions[0];
    const msps = before?.msps ?? {};
    const check = (s: SignedBy): SignerInfo => checkSigner(s, msps).info;
    const update = block.configTx?.update;
    const signedBy = (update?.signatures ?? []).map(check);
    const problems: string[] = [];
    if (block.configTx === undefined) {
      problems.push('a CONFIG transaction among other transactions: Fabric orders a config update alone in its block');
    } else if (block.config === undefined) {
      problems.push(`the config does not decode: ${block.configTx.error ?? '?'}`);
    }
    if (signatures.status === 'FAILED') {
      problems.push(`not accepted as the config in force: the block's orderer signatures fail (${signatures.reason})`);
    }
    if (block.configTx !== undefined && update === undefined) {
      problems.push('no config update inside: only a genesis block may set a config without one');
    }
    if (!signedBy.some((s) => s.verified && s.role === 'admin' && OBSERVERS.includes(s.mspId))) {
      problems.push(`no valid signature of an observer organisation's admin (${OBSERVERS.join(', ')}): the city administration could have made it alone`);
    }
    const changes = before !== undefined && block.config !== undefined ? configDiff(before, block.config) : [];
    const change: RuleChange = {
      kind: 'config',
      block: block.number,
      tx: tx?.index ?? 0,
      txId: tx?.txId ?? '',
      ...(tx?.timestamp === undefined ? {} : { timestamp: tx.timestamp }),
      summary: `config update (${changes.length} element${changes.length === 1 ? '' : 's'} changed)`,
      changes,
      signedBy,
      ...(update?.submitter === undefined ? {} : { submittedBy: check(update.submitter) }),
      ...(block.configTx?.creator === undefined ? {} : { envelopeCreator: check(block.configTx.creator) }),
      verdict: problems.length === 0 ? 'OK' : 'FAILED',
      problems,
      openPolls: [...openPolls],
    };
    this.#changes.push(change);
    return change;
  }

  /** A VALID transaction's writes to `_lifecycle`: a committed definition (a rule change) or an approval. */
  lifecycle(block: number, tx: DecodedTransaction, config: ChannelConfigInfo | undefined, openPolls: () => readonly string[]): RuleChange[] {
    const found: RuleChange[] = [];
    for (const ns of tx.namespaces.filter((n) => n.namespace === LIFECYCLE_NAMESPACE)) {
      const signedBy = (tx.endorsements ?? []).map((e) => checkSigner(e, config?.msps ?? {}).info);
      const base = {
        block,
        tx: tx.index,
        txId: tx.txId,
        ...(tx.timestamp === undefined ? {} : { timestamp: tx.timestamp }),
        signedBy,
        ...(tx.creator === undefined ? {} : { submittedBy: checkSigner(tx.creator, config?.msps ?? {}).info }),
      };
      if (ns.writes.length > 0) {
        found.push(this.#definition(base, ns.writes, signedBy, openPolls()));
      } else if (ns.collections !== undefined && this.#approvals < MAX_APPROVALS) {
        this.#approvals += 1;
        const orgs = approvingOrgs(ns);
        found.push({
          ...base,
          kind: 'chaincode-approval',
          summary: `approval by ${orgs.join(', ') || '?'}${tx.functionName === undefined ? '' : ` (${tx.functionName})`}`,
          changes: [],
          verdict: 'INFO',
          problems: [],
          openPolls: [],
        });
      }
    }
    this.#changes.push(...found);
    return found;
  }

  #definition(
    base: Pick<RuleChange, 'block' | 'tx' | 'txId' | 'timestamp' | 'submittedBy'>,
    writes: Parameters<typeof committedDefinitions>[0],
    signedBy: readonly SignerInfo[],
    openPolls: readonly string[],
  ): RuleChange {
    const definitions = committedDefinitions(writes);
    const changes: string[] = [];
    for (const d of definitions) {
      changes.push(...definitionLines(d, this.#definitions.get(d.name)).map((line) => `${d.name}: ${line}`));
      this.#definitions.set(d.name, { ...this.#definitions.get(d.name), ...d });
    }
    const endorsedByObserver = signedBy.some((s) => s.verified && OBSERVERS.includes(s.mspId));
    const problems = endorsedByObserver
      ? []
      : [`not endorsed by an observer organisation (${OBSERVERS.join(', ')}): the city administration could have made it alone`];
    const names = definitions.map((d) => `${d.name}${d.sequence === undefined ? '' : ` sequence ${d.sequence}`}`);
    return {
      ...base,
      kind: 'chaincode-definition',
      summary: `chaincode ${names.join(', ')}`,
      changes,
      signedBy,
      verdict: problems.length === 0 ? 'OK' : 'FAILED',
      problems,
      openPolls: [...openPolls],
    };
  }

  toJSON(): RuleChangesJson {
    return { ruleChanges: [...this.#changes], definitions: Object.fromEntries(this.#definitions) };
  }
}

export function refOf(change: RuleChange): RuleChangeRef {
  return { block: change.block, txId: change.txId, kind: change.kind, summary: change.summary, verdict: change.verdict };
}
