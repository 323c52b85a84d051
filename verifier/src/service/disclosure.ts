import type { Logger } from 'pino';
import type { Poll } from '@poll-ledger/protocol';
import type { BlockFacts } from './blocks';
import type { ObserverLedger } from './ledger';

/**
 * The disclosure rule, in one place. A poll's ballots (and so its results) may be public when the poll is `live`,
 * or once it has left draft and open (closed, tallied, cancelled). A block is public unless it carries ballots of a
 * poll whose ballots may not be public yet; config blocks always are. Fail closed: a poll the service does not know
 * (yet) counts as hidden, and so does a block it could not read.
 */

export type PollVisibility = Pick<Poll, 'id' | 'status' | 'resultsVisibility'>;

export const resultsPublic = (poll: PollVisibility): boolean =>
  poll.resultsVisibility === 'live' || (poll.status !== 'draft' && poll.status !== 'open');

export interface HiddenPoll {
  readonly pollId: string;
  readonly status?: string;
  readonly resultsVisibility?: string;
  readonly reason: string;
}

export type Disclosure = { readonly public: true } | { readonly public: false; readonly hiddenPolls: readonly HiddenPoll[]; readonly reason: string };

const PUBLIC: Disclosure = { public: true };

/** Poll statuses as the observer's peer reports them, refreshed on demand and on a timer. */
export class PollDirectory {
  readonly #ledger: ObserverLedger;
  readonly #logger: Logger | undefined;
  #polls = new Map<string, Poll>();
  #refreshing: Promise<void> | undefined;
  /** Bumped by every refresh() call, so a running refresh knows when it was asked again meanwhile. */
  #asked = 0;

  constructor(ledger: ObserverLedger, logger?: Logger) {
    this.#ledger = ledger;
    this.#logger = logger;
  }

  get polls(): readonly Poll[] {
    return [...this.#polls.values()];
  }

  poll(pollId: string): Poll | undefined {
    return this.#polls.get(pollId);
  }

  /**
   * Re-reads every poll. Calls during a refresh join it and trigger one more afterwards, so a status change seen in
   * a block is never answered from a read that started before it.
   */
  refresh(): Promise<void> {
    this.#asked += 1;
    if (this.#refreshing) return this.#refreshing;
    this.#refreshing = (async () => {
      try {
        for (let done = 0; done < this.#asked; ) {
          done = this.#asked;
          const polls = await this.#ledger.listPolls();
          this.#polls = new Map(polls.map((p) => [p.id, p]));
        }
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** refresh() for callers that only log a failure (block listeners, timers): the old statuses stay, fail-closed. */
  refreshInBackground(): void {
    this.refresh().catch((err: unknown) => this.#logger?.warn({ err }, 'could not re-read poll statuses'));
  }

  /** Why a poll's ballots are hidden, or undefined when they may be public. */
  hidden(pollId: string): HiddenPoll | undefined {
    const poll = this.#polls.get(pollId);
    if (poll === undefined) return { pollId, reason: 'the poll is not known to the service yet' };
    if (resultsPublic(poll)) return undefined;
    return { pollId, status: poll.status, resultsVisibility: poll.resultsVisibility, reason: `results are shown after close and the poll is ${poll.status}` };
  }

  disclosure(facts: BlockFacts): Disclosure {
    if (facts.isConfig) return PUBLIC;
    if (facts.undecodable) return { public: false, hiddenPolls: [], reason: 'the block holds a transaction the service cannot read' };
    const hiddenPolls = [...facts.ballotPolls].flatMap((id) => this.hidden(id) ?? []);
    return hiddenPolls.length === 0 ? PUBLIC : { public: false, hiddenPolls, reason: 'the block holds ballots of a poll whose results are not public yet' };
  }
}
