import type { Role } from '../roles';
import { Chaincode } from './chaincode';
import type { LedgerClient } from './ledger';
import type { RunningCounts } from './running-counts';
import type { Results, RunningResults } from './schemas';

/**
 * Results. A tallied poll's final result, an after-close poll's refusal (INVALID_STATE) and a recount come from the
 * chaincode's GetResults as they are: the chaincode decides who sees what. A live poll's running count comes from
 * the counts this process keeps from the chain's events, when it keeps them: one GetPoll, whatever the ballots.
 */
export class ResultsService {
  readonly #chaincode: Chaincode;
  readonly #counts: RunningCounts | undefined;

  constructor(ledger: LedgerClient, counts?: RunningCounts) {
    this.#chaincode = new Chaincode(ledger);
    this.#counts = counts;
  }

  /** `recount`: the chaincode reads every ballot of a live poll (the check of the running count). */
  async get(role: Role, pollId: string, options: { readonly recount?: boolean } = {}): Promise<Results | RunningResults> {
    if (this.#counts === undefined || options.recount === true) return this.final(role, pollId);
    const poll = await this.#chaincode.query(role, 'GetPoll', [pollId]);
    if (poll.status === 'tallied' || poll.resultsVisibility !== 'live') return this.final(role, pollId);
    const running = await this.#counts.resultOf(poll);
    return { pollId: poll.id, status: poll.status, final: false, ...running, source: 'running-count' };
  }

  /** The chaincode's GetResults: final once tallied, else its own full count of a live poll. */
  final(role: Role, pollId: string): Promise<Results> {
    return this.#chaincode.query(role, 'GetResults', [pollId]);
  }
}
