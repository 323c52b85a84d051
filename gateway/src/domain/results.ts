import type { LedgerClient } from '../fabric/ledger';
import type { Role } from '../roles';
import { query } from './codec';
import type { Poll, Results } from './schemas';

type Counts = Results['counts'];

interface LiveResultsPage {
  ballotCount: number;
  counts: Counts;
  bookmark: string;
  done: boolean;
}

export interface ResultsOptions {
  /** Ballots per GetLiveResultsPage query (1..10000). */
  readonly livePageSize: number;
}

// Guards against a chaincode that never reports done; 1000 pages of 10000 is far beyond any poll here.
const MAX_LIVE_PAGES = 1000;

function zeroCounts(poll: Poll): Counts {
  return Object.fromEntries(poll.questions.map((question) => [question.id, Object.fromEntries(question.options.map((option) => [option.id, 0]))]));
}

function addCounts(total: Counts, page: Counts): void {
  for (const [questionId, options] of Object.entries(page)) {
    const into = (total[questionId] ??= {});
    for (const [optionId, count] of Object.entries(options)) into[optionId] = (into[optionId] ?? 0) + count;
  }
}

function showsLiveCount(poll: Poll): boolean {
  return poll.resultsVisibility === 'live' && (poll.status === 'open' || poll.status === 'closed');
}

export class ResultsService {
  readonly #ledger: LedgerClient;
  readonly #options: ResultsOptions;

  constructor(ledger: LedgerClient, options: ResultsOptions) {
    this.#ledger = ledger;
    this.#options = options;
  }

  /**
   * Final results once tallied. A live poll that is not tallied is counted page by page, so a poll
   * larger than the peer's query limit still works; that count has no ballotsRoot.
   */
  async get(role: Role, pollId: string): Promise<Results> {
    const poll = await query<Poll>(this.#ledger, role, 'GetPoll', pollId);
    if (!showsLiveCount(poll)) return query<Results>(this.#ledger, role, 'GetResults', pollId);

    const counts = zeroCounts(poll);
    let ballotCount = 0;
    let bookmark = '';
    for (let pages = 0; pages < MAX_LIVE_PAGES; pages++) {
      const page = await query<LiveResultsPage>(this.#ledger, role, 'GetLiveResultsPage', pollId, String(this.#options.livePageSize), bookmark);
      addCounts(counts, page.counts);
      ballotCount += page.ballotCount;
      bookmark = page.bookmark;
      if (page.done || bookmark === '') break;
    }
    return { pollId, status: poll.status, final: false, ballotCount, counts, ballotsRoot: null };
  }
}
