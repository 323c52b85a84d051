import type { DecodedBlock, DecodedTransaction, KvWrite } from './block-decoder';
import { type OrdererMsps, checkBlockSignatures } from './block-signatures';
import { checkLink } from './hash-chain';
import { type PollRecord, RecordError, parseKey, parsePollRecord } from './records';

/**
 * Replays decoded blocks in order and keeps what the audit needs: the chain's head and its breaks, signature
 * verdicts, transaction counts by validation code, and, per poll, the last VALID write of its poll record, its tally
 * record and each ballot key (last write wins, in block and transaction order). The whole state is plain data, so a
 * checkpoint is this state as JSON and a resumed replay continues exactly where it stopped.
 */

export const STATE_FORMAT = 1;
/** Problems kept per poll in the report; all of them are counted. */
const MAX_PROBLEMS = 50;
/** Non-VALID transactions listed individually; all of them are counted by code. */
const MAX_INVALID_LISTED = 1000;

export interface WriteRef {
  readonly block: number;
  readonly tx: number;
  readonly txId: string;
  /** The writing transaction's timestamp (ISO, milliseconds), which the chaincode stores as a ballot's castAt. */
  readonly timestamp?: string;
}

export interface StoredValue {
  readonly value: string;
  readonly at: WriteRef;
}

export interface PollTrack {
  readonly pollId: string;
  poll?: StoredValue;
  tally?: StoredValue;
  /** ballotId → its last VALID write. */
  readonly ballots: Map<string, StoredValue>;
  /** VALID writes to this poll's ballot keys, re-votes included. */
  ballotWrites: number;
  /** Writes that replaced an earlier ballot of the same voter. */
  replacedBallots: number;
  problems: string[];
  problemCount: number;
}

export interface BlockFault {
  readonly block: number;
  readonly reason: string;
}

/** A transaction that is in a block but changed nothing, and why (its validation code). */
export interface InvalidTransaction {
  readonly block: number;
  readonly tx: number;
  readonly txId: string;
  readonly validationCode: string;
  readonly functionName?: string;
}

export interface UndecodableTransaction {
  readonly block: number;
  readonly tx: number;
  readonly validationCode: string;
  readonly reason: string;
}

/** The replay's whole state as JSON: a checkpoint's content. */
export interface ReplayStateJson {
  readonly format: typeof STATE_FORMAT;
  readonly channel: string;
  readonly namespace: string;
  readonly nextBlock: number;
  readonly previousHeaderHash?: string;
  readonly genesisHash?: string;
  readonly blocksRead: number;
  readonly transactions: Readonly<Record<string, number>>;
  readonly chainBreaks: readonly BlockFault[];
  readonly signedBlocks: number;
  readonly signers: readonly string[];
  readonly signatureFailures: readonly BlockFault[];
  readonly ordererMsps?: OrdererMsps;
  readonly undecodable: readonly UndecodableTransaction[];
  /** The first non-VALID transactions (see MAX_INVALID_LISTED); `transactions` counts all of them. */
  readonly invalid: readonly InvalidTransaction[];
  /** Blocks whose header hash was compared with a trusted hash, and the outcome. */
  readonly trustedChecks: readonly TrustedCheck[];
  readonly polls: readonly PollTrackJson[];
}

export interface TrustedCheck {
  readonly block: number;
  readonly matched: boolean;
}

export interface PollTrackJson {
  readonly pollId: string;
  readonly poll?: StoredValue;
  readonly tally?: StoredValue;
  readonly ballots: readonly (readonly [string, StoredValue])[];
  readonly ballotWrites: number;
  readonly replacedBallots: number;
  readonly problems: readonly string[];
  readonly problemCount: number;
}

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
  #nextBlock = 0;
  #previousHeaderHash: string | undefined;
  #genesisHash: string | undefined;
  #blocksRead = 0;
  readonly #transactions = new Map<string, number>();
  readonly #chainBreaks: BlockFault[] = [];
  #signedBlocks = 0;
  readonly #signers = new Set<string>();
  readonly #signatureFailures: BlockFault[] = [];
  #ordererMsps: OrdererMsps | undefined;
  readonly #undecodable: UndecodableTransaction[] = [];
  readonly #trustedChecks: TrustedCheck[] = [];
  readonly #invalid: InvalidTransaction[] = [];
  readonly #polls = new Map<string, PollTrack>();
  /** Parsed poll records, so a ballot's poll status check does not re-parse; derived, never checkpointed. */
  readonly #parsedPolls = new Map<string, PollRecord | undefined>();

  constructor(options: ReplayOptions, state?: ReplayStateJson) {
    this.#options = options;
    if (state !== undefined) {
      this.#restore(state);
    }
  }

  get nextBlock(): number {
    return this.#nextBlock;
  }

  get polls(): ReadonlyMap<string, PollTrack> {
    return this.#polls;
  }

  apply(block: DecodedBlock): BlockOutcome {
    const chainOk = this.#checkChain(block);
    this.#checkSignatures(block);
    if (block.config !== undefined) {
      this.#ordererMsps = block.config.ordererMsps;
    }
    let ballotWrites = 0;
    for (const tx of block.transactions) {
      ballotWrites += this.#applyTransaction(block.number, tx);
    }
    if (block.number === 0) {
      this.#genesisHash = block.headerHash.toString('hex');
    }
    this.#previousHeaderHash = block.headerHash.toString('hex');
    this.#nextBlock = block.number + 1;
    this.#blocksRead += 1;
    return { ballotWrites, chainOk };
  }

  toJSON(): ReplayStateJson {
    return {
      format: STATE_FORMAT,
      channel: this.#options.channel,
      namespace: this.#options.namespace,
      nextBlock: this.#nextBlock,
      ...(this.#previousHeaderHash === undefined ? {} : { previousHeaderHash: this.#previousHeaderHash }),
      ...(this.#genesisHash === undefined ? {} : { genesisHash: this.#genesisHash }),
      blocksRead: this.#blocksRead,
      transactions: Object.fromEntries(this.#transactions),
      chainBreaks: [...this.#chainBreaks],
      signedBlocks: this.#signedBlocks,
      signers: [...this.#signers],
      signatureFailures: [...this.#signatureFailures],
      ...(this.#ordererMsps === undefined ? {} : { ordererMsps: this.#ordererMsps }),
      undecodable: [...this.#undecodable],
      trustedChecks: [...this.#trustedChecks],
      invalid: [...this.#invalid],
      polls: [...this.#polls.values()].map((track) => ({
        pollId: track.pollId,
        ...(track.poll === undefined ? {} : { poll: track.poll }),
        ...(track.tally === undefined ? {} : { tally: track.tally }),
        ballots: [...track.ballots.entries()],
        ballotWrites: track.ballotWrites,
        replacedBallots: track.replacedBallots,
        problems: [...track.problems],
        problemCount: track.problemCount,
      })),
    };
  }

  #restore(state: ReplayStateJson): void {
    this.#nextBlock = state.nextBlock;
    this.#previousHeaderHash = state.previousHeaderHash;
    this.#genesisHash = state.genesisHash;
    this.#blocksRead = state.blocksRead;
    for (const [name, count] of Object.entries(state.transactions)) {
      this.#transactions.set(name, count);
    }
    this.#chainBreaks.push(...state.chainBreaks);
    this.#signedBlocks = state.signedBlocks;
    state.signers.forEach((s) => this.#signers.add(s));
    this.#signatureFailures.push(...state.signatureFailures);
    this.#ordererMsps = state.ordererMsps;
    this.#undecodable.push(...state.undecodable);
    this.#trustedChecks.push(...state.trustedChecks);
    this.#invalid.push(...state.invalid);
    for (const track of state.polls) {
      this.#polls.set(track.pollId, {
        pollId: track.pollId,
        ...(track.poll === undefined ? {} : { poll: track.poll }),
        ...(track.tally === undefined ? {} : { tally: track.tally }),
        ballots: new Map(track.ballots),
        ballotWrites: track.ballotWrites,
        replacedBallots: track.replacedBallots,
        problems: [...track.problems],
        problemCount: track.problemCount,
      });
    }
  }

  #checkChain(block: DecodedBlock): boolean {
    const reasons: string[] = [];
    if (block.number !== this.#nextBlock) {
      reasons.push(`the header says block ${block.number} where block ${this.#nextBlock} was expected`);
    }
    const previous = this.#previousHeaderHash === undefined ? undefined : Buffer.from(this.#previousHeaderHash, 'hex');
    for (const fault of checkLink(block, block.computedDataHash, previous)) {
      reasons.push(
        fault === 'DATA_HASH'
          ? 'data_hash does not match the SHA-256 of the block data'
          : 'previous_hash does not match the hash of the previous block header',
      );
    }
    const trusted = this.#options.trustedHashes?.get(block.number);
    if (trusted !== undefined) {
      const matched = trusted.toLowerCase() === block.headerHash.toString('hex');
      this.#trustedChecks.push({ block: block.number, matched });
      if (!matched) {
        reasons.push(`the header hash differs from the trusted hash ${trusted}`);
      }
    }
    for (const reason of reasons) {
      this.#chainBreaks.push({ block: block.number, reason });
    }
    return reasons.length === 0;
  }

  #checkSignatures(block: DecodedBlock): void {
    const verdict = checkBlockSignatures(block, this.#ordererMsps);
    if (verdict.status === 'FAILED') {
      this.#signatureFailures.push({ block: block.number, reason: verdict.reason });
    } else if (verdict.status === 'OK') {
      this.#signedBlocks += 1;
      verdict.signers.forEach((s) => this.#signers.add(s));
    }
  }

  #applyTransaction(blockNumber: number, tx: DecodedTransaction): number {
    this.#transactions.set(tx.validationCodeName, (this.#transactions.get(tx.validationCodeName) ?? 0) + 1);
    if (tx.decodeError !== undefined) {
      this.#undecodable.push({
        block: blockNumber,
        tx: tx.index,
        validationCode: tx.validationCodeName,
        reason: tx.decodeError,
      });
      return 0;
    }
    // Invalid transactions are in the block but wrote nothing: only VALID ones change the state.
    if (tx.validationCodeName !== 'VALID') {
      if (this.#invalid.length < MAX_INVALID_LISTED) {
        this.#invalid.push({
          block: blockNumber,
          tx: tx.index,
          txId: tx.txId,
          validationCode: tx.validationCodeName,
          ...(tx.functionName === undefined ? {} : { functionName: tx.functionName }),
        });
      }
      return 0;
    }
    const at: WriteRef = {
      block: blockNumber,
      tx: tx.index,
      txId: tx.txId,
      ...(tx.timestamp === undefined ? {} : { timestamp: tx.timestamp }),
    };
    let ballotWrites = 0;
    for (const ns of tx.namespaces) {
      if (ns.namespace !== this.#options.namespace) {
        continue;
      }
      for (const write of ns.writes) {
        ballotWrites += this.#applyWrite(write, at);
      }
    }
    return ballotWrites;
  }

  #applyWrite(write: KvWrite, at: WriteRef): number {
    const key = parseKey(write.key);
    if (key.kind === 'other') {
      return 0;
    }
    const track = this.#track(key.pollId);
    const stored: StoredValue = { value: write.value.toString('utf8'), at };
    const where = `block ${at.block} tx ${at.tx} (${at.txId})`;
    if (key.kind === 'poll') {
      this.#parsedPolls.delete(key.pollId);
      if (write.isDelete) {
        delete track.poll;
        addProblem(track, `the poll record was deleted at ${where}`);
      } else {
        track.poll = stored;
      }
      return 0;
    }
    if (key.kind === 'tally') {
      if (write.isDelete) {
        delete track.tally;
        addProblem(track, `the tally record was deleted at ${where}`);
      } else {
        track.tally = stored;
      }
      return 0;
    }
    const poll = this.#parsedPoll(track);
    if (poll !== undefined && poll.status !== 'open') {
      addProblem(track, `ballot ${key.ballotId} was written while the poll was ${poll.status}, at ${where}`);
    }
    if (poll === undefined) {
      addProblem(track, `ballot ${key.ballotId} was written for a poll with no valid poll record, at ${where}`);
    }
    if (write.isDelete) {
      track.ballots.delete(key.ballotId);
      addProblem(track, `ballot ${key.ballotId} was deleted at ${where}`);
      return 0;
    }
    if (track.ballots.has(key.ballotId)) {
      track.replacedBallots += 1;
      if (poll?.revotePolicy !== 'last-counts') {
        addProblem(track, `ballot ${key.ballotId} was replaced under re-vote policy ${poll?.revotePolicy ?? '?'}, at ${where}`);
      }
    }
    track.ballots.set(key.ballotId, stored);
    track.ballotWrites += 1;
    return 1;
  }

  #track(pollId: string): PollTrack {
    let track = this.#polls.get(pollId);
    if (track === undefined) {
      track = { pollId, ballots: new Map(), ballotWrites: 0, replacedBallots: 0, problems: [], problemCount: 0 };
      this.#polls.set(pollId, track);
    }
    return track;
  }

  #parsedPoll(track: PollTrack): PollRecord | undefined {
    if (!this.#parsedPolls.has(track.pollId)) {
      let parsed: PollRecord | undefined;
      try {
        parsed = track.poll === undefined ? undefined : parsePollRecord(track.poll.value);
      } catch (err) {
        if (!(err instanceof RecordError)) {
          throw err;
        }
        parsed = undefined;
      }
      this.#parsedPolls.set(track.pollId, parsed);
    }
    return this.#parsedPolls.get(track.pollId);
  }
}

export function addProblem(track: PollTrack, problem: string): void {
  track.problemCount += 1;
  if (track.problems.length < MAX_PROBLEMS) {
    track.problems.push(problem);
  }
}
