import type { ResultOf } from '@poll-ledger/protocol';
import type { Role } from '../roles';
import { Chaincode } from './chaincode';
import type { LedgerClient } from './ledger';
import type { ResultsService } from './results';
import type { ListPollsQuery, Poll, PollIn, PollList, TallyProgress } from './schemas';

export type PollTransition = 'open' | 'close' | 'cancel';

const TRANSITIONS = { open: 'OpenPoll', close: 'ClosePoll', cancel: 'CancelPoll' } as const satisfies Record<PollTransition, string>;

export interface PollOptions {
  /** Default ballots per TallyPoll transaction. */
  readonly tallyBatchSize: number;
  /** TallyPoll transactions one request may run before it reports progress instead. */
  readonly tallyMaxBatches: number;
}

export class PollService {
  readonly #chaincode: Chaincode;
  readonly #results: ResultsService;
  readonly #options: PollOptions;

  constructor(ledger: LedgerClient, results: ResultsService, options: PollOptions) {
    this.#chaincode = new Chaincode(ledger);
    this.#results = results;
    this.#options = options;
  }

  async create(role: Role, poll: PollIn): Promise<Poll> {
    return (await this.#chaincode.submit(role, 'CreatePoll', [JSON.stringify(poll)])).result;
  }

  list(role: Role, filter: ListPollsQuery): Promise<PollList> {
    return this.#chaincode.query(role, 'ListPolls', [filter.status ?? '', String(filter.pageSize), filter.bookmark]);
  }

  get(role: Role, pollId: string): Promise<Poll> {
    return this.#chaincode.query(role, 'GetPoll', [pollId]);
  }

  async transition(role: Role, pollId: string, transition: PollTransition): Promise<Poll> {
    return (await this.#chaincode.submit(role, TRANSITIONS[transition], [pollId])).result;
  }

  /** Runs TallyPoll batches until the tally is done or the per-request bound is reached. */
  async tally(role: Role, pollId: string, maxBallots = this.#options.tallyBatchSize): Promise<TallyProgress> {
    let processed = 0;
    let batches = 0;
    let batch: ResultOf<'TallyPoll'>;
    do {
      batch = (await this.#chaincode.submit(role, 'TallyPoll', [pollId, String(maxBallots)])).result;
      processed += batch.processed;
      batches++;
    } while (!batch.done && batches < this.#options.tallyMaxBatches);

    const progress = { pollId, done: batch.done, status: batch.status, batches, processed, ballotCount: batch.ballotCount };
    return batch.done ? { ...progress, results: await this.#results.final(role, pollId) } : progress;
  }
}
