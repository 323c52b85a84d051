import { ballotTxFindings } from './ballot-tx';
import { type DecodedBlock, LIFECYCLE_NAMESPACE } from './block-decoder';
import { ChainTracker } from './chain-tracker';
import type { PollTrack } from './poll-track';
import { type ReplayStateJson, STATE_FORMAT } from './replay-state';
import { RuleChangeTracker, refOf } from './rule-changes';
import { SignatureTracker } from './signature-tracker';
import { TransactionLog } from './transaction-log';
import { WorldStateView } from './world-state';

/**
 * Replays decoded blocks in order. Each block goes through five parts, each with its own file:
 *   ChainTracker      where the replay is, and whether the block links to the chain (and to any trusted hash);
 *   SignatureTracker  the orderer signatures, against the config in force (the config chain);
 *   RuleChangeTracker config updates and chaincode definitions, and who approved them;
 *   TransactionLog    every transaction counted by validation code; only VALID ones pass on to
 *   WorldStateView    the chaincode's records per poll, as VALID writes left them, with what each ballot
 *                     transaction's own arguments and result say of its writes (ballot-tx.ts).
 * Every part keeps plain data, so a checkpoint is their state as JSON (replay-state.ts) and a resumed replay
 * continues exactly where it stopped.
 */

export interface ReplayOptions {
  readonly channel: string;
  /** The chaincode name: Fabric's namespace for its world state. */
  readonly namespace: string;
  /** Block number → header hash (hex) obtained from a source the audit trusts more than this peer. */
  readonly trustedHashes?: ReadonlyMap<number, string>;
}

export interface BlockOutcome {
  readonly ballotWrites: number;
  readonly chainOk: boolean;
}

export class LedgerReplay {
  readonly #options: ReplayOptions;
  readonly #chain: ChainTracker;
  readonly #signatures: SignatureTracker;
  readonly #rules: RuleChangeTracker;
  readonly #transactions: TransactionLog;
  readonly #worldState: WorldStateView;

  constructor(options: ReplayOptions, state?: ReplayStateJson) {
    this.#options = options;
    this.#chain = new ChainTracker(options.trustedHashes, state);
    this.#signatures = new SignatureTracker(state);
    this.#rules = new RuleChangeTracker(state);
    this.#transactions = new TransactionLog(state);
    this.#worldState = new WorldStateView(options.namespace, state?.polls);
  }

  get nextBlock(): number {
    return this.#chain.nextBlock;
  }

  get polls(): ReadonlyMap<string, PollTrack> {
    return this.#worldState.polls;
  }

  apply(block: DecodedBlock): BlockOutcome {
    const chainOk = this.#chain.check(block);
    const before = this.#signatures.configInForce;
    const signatures = this.#signatures.check(block);
    if (block.number > 0 && block.transactions.some((t) => t.headerType === 'CONFIG')) {
      const open = this.#worldState.openPollIds();
      this.#worldState.markRuleChange(open, refOf(this.#rules.config(block, before, signatures, open)));
    }
    let ballotWrites = 0;
    for (const tx of block.transactions) {
      const at = this.#transactions.admit(block.number, tx);
      if (at === undefined) {
        continue;
      }
      if (tx.namespaces.some((ns) => ns.namespace === LIFECYCLE_NAMESPACE)) {
        for (const change of this.#rules.lifecycle(block.number, tx, this.#signatures.configInForce, () => this.#worldState.openPollIds())) {
          this.#worldState.markRuleChange(change.openPolls, refOf(change));
        }
      }
      const previousAnswers = (pollId: string, ballotId: string) => this.#worldState.ballotAnswers(pollId, ballotId);
      this.#worldState.addFindings(ballotTxFindings(tx, this.#options.namespace, previousAnswers), at);
      ballotWrites += this.#worldState.apply(tx.namespaces, at);
    }
    this.#chain.advance(block);
    return { ballotWrites, chainOk };
  }

  toJSON(): ReplayStateJson {
    const chain = this.#chain.toJSON();
    const signatures = this.#signatures.toJSON();
    const rules = this.#rules.toJSON();
    const transactions = this.#transactions.toJSON();
    // Spelled out field by field to keep the checkpoint's established field order.
    return {
      format: STATE_FORMAT,
      channel: this.#options.channel,
      namespace: this.#options.namespace,
      nextBlock: chain.nextBlock,
      ...(chain.previousHeaderHash === undefined ? {} : { previousHeaderHash: chain.previousHeaderHash }),
      ...(chain.genesisHash === undefined ? {} : { genesisHash: chain.genesisHash }),
      blocksRead: chain.blocksRead,
      transactions: transactions.transactions,
      chainBreaks: chain.chainBreaks,
      signedBlocks: signatures.signedBlocks,
      signers: signatures.signers,
      signatureFailures: signatures.signatureFailures,
      configs: signatures.configs,
      ruleChanges: rules.ruleChanges,
      definitions: rules.definitions,
      undecodable: transactions.undecodable,
      trustedChecks: chain.trustedChecks,
      invalid: transactions.invalid,
      polls: this.#worldState.toJSON(),
    };
  }
}
