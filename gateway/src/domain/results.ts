import type { Role } from '../roles';
import { Chaincode } from './chaincode';
import type { LedgerClient } from './ledger';
import type { Results } from './schemas';

/**
 * Results come from the chaincode's GetResults as they are: final once tallied, a complete running count of a
 * live poll (which the chaincode reads page by page itself) with its ballotsRoot. The chaincode decides who sees
 * what, so an after-close poll before its tally is its INVALID_STATE.
 */
export class ResultsService {
  readonly #chaincode: Chaincode;

  constructor(ledger: LedgerClient) {
    this.#chaincode = new Chaincode(ledger);
  }

  get(role: Role, pollId: string): Promise<Results> {
    return this.#chaincode.query(role, 'GetResults', [pollId]);
  }
}
