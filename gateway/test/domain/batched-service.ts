import { BallotBatches } from '../../src/domain/ballot-batches';
import { BallotService, CastOutcomeSchema } from '../../src/domain/ballots';
import { castBallotsRenewer, castBallotsSender } from '../../src/domain/cast-batch';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { PendingTransactions, adoptingLedger, type PendingOptions } from '../../src/domain/pending';
import type { GatewayState } from '../../src/state/state';
import type { FakeLedger } from '../fakes';
import { SECRET } from '../fixtures';

/** The sweeper's options in the domain tests: two resubmits, 1 s apart at first. */
export const PENDING_OPTIONS: PendingOptions = { maxResubmits: 2, retryBaseMs: 1_000, statusWaitMs: 10, leaseMs: 5_000, batch: 10, concurrency: 4 };

/**
 * One gateway's ballot path as createApp wires it with batching on: the coalescer sends CastBallots over the
 * adopting ledger, and the owner of 202s renews a kept CastBallots. `maxInFlight` 1, so concurrent casts gather.
 */
export function batchedGateway(ledger: FakeLedger, state: GatewayState, options: Partial<PendingOptions> & { readonly now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const pending = new PendingTransactions(ledger, state.pending, { CastBallots: castBallotsRenewer(ledger) }, { ...PENDING_OPTIONS, ...options, now });
  const adopting = adoptingLedger(ledger, pending);
  const batches = new BallotBatches(castBallotsSender(adopting, { statusWaitMs: 10, mvccRetries: 2 }), { maxBallots: 10, maxBytes: 65_536, maxInFlight: 1, minIntervalMs: 0, waitMs: 0 });
  const store = new IdempotencyStore(state.idempotency(CastOutcomeSchema), { ttlMs: 600_000, leaseMs: 5_000, now });
  const service = new BallotService(adopting, store, { voterTokenSecret: SECRET, statusWaitMs: 10, now }, pending, batches);
  return { pending, service };
}
