import type { LedgerClient } from '../fabric/ledger';
import type { Role } from '../roles';
import { decode, query } from './codec';
import type { ResultsService } from './results';
import type { ListPollsQuery, Poll, PollIn, PollList, PollStatus, TallyProgress } from './schemas';

export type PollTransition = 'open' | 'close' | 'cancel';

const TRANSITIONS: Readonly<Record<PollTransition, string>> = { open: 'OpenPoll', close: 'ClosePoll', cancel: 'CancelPoll' };

interface TallyBatch {
  pollId: string;
  processed: number;
  ballotCount: number;
  done: boolean;
  status: PollStatus;
}

export interface PollOptions {
  /** Default ballots per TallyPoll transaction. */
  readonly tallyBatchSize: number;
  /** TallyPoll transactions one request may run before it reports progress instead. */
  readonly tallyMaxBatches: number;
}

export class PollService {
  readonly #ledger: LedgerClient;
  readonly #results: ResultsService;
  readonly #options: PollOptions;

  constructor(ledger: LedgerClient, results: ResultsService, options: PollOptions) {
    this.#ledger = ledger;
    this.#results = results;
    this.#options = options;
  }

  async #submit<T>(role: Role, name: string, ...args: string[]): Promise<T> {
    const { result } = await this.#ledger.submit({ role, name, args });
    return decode<T>(result);
  }

  create(role: Role, poll: PollIn): Promise<Poll> {
    return this.#submit<Poll>(role, 'CreatePoll', JSON.stringify(poll));
  }

  list(role: Role, filter: ListPollsQuery): Promise<PollList> {
    return query<PollList>(this.#ledger, role, 'ListPolls', filter.status ?? '', String(filter.pageSize), filter.bookmark);
  }

  get(role: Role, pollId: string): Promise<Poll> {
    return query<Poll>(this.#ledger, role, 'GetPoll', pollId);
  }

  transition(role: Role, pollId: string, transition: PollTransition): Promise<Poll> {
    return this.#submit<Poll>(role, TRANSITIONS[transition], pollId);
  }

  /** Runs TallyPoll batches until the tally is done or the per-request bound is reached. */
  async tally(role: Role, pollId: string, maxBallots = this.#options.tallyBatchSize): Promise<TallyProgress> {
    let processed = 0;
    let batches = 0;
    let batch: TallyBatch;
    do {
      batch = await this.#submit<TallyBatch>(role, 'TallyPoll', pollId, String(maxBallots));
      processed += batch.processed;
      batches++;
    } while (!batch.done && batches < this.#options.tallyMaxBatches);

    const progress = { pollId, done: batch.done, status: batch.status, batches, processed, ballotCount: batch.ballotCount };
    return batch.done ? { ...progress, results: await this.#results.get(role, pollId) } : progress;
  }
}
