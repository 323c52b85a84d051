import type { Response } from 'express';
import type { BallotService } from '../domain/ballots';
import { ApiError } from '../errors';
import { parseEventId, subscribe, type ReplayPolicy } from '../domain/events';
import type { LedgerClient } from '../domain/ledger';
import type { PendingTransactions } from '../domain/pending';
import type { PollService, PollTransition } from '../domain/polls';
import type { ResultsService } from '../domain/results';
import { transactionStatus } from '../domain/transactions';
import type { OpenApiDocument } from '../openapi';
import type { Handler, HandlersOf, Reply } from './mount';
import type { ROUTES } from './routes';
import { serveEvents, type StreamSlots } from './sse';

export type Handlers = HandlersOf<typeof ROUTES>;

export interface HandlerDeps {
  readonly ledger: LedgerClient;
  readonly polls: PollService;
  readonly ballots: BallotService;
  readonly results: ResultsService;
  readonly pending?: PendingTransactions;
  readonly openapi: () => OpenApiDocument;
  /** Sends the documentation page. */
  readonly docsPage: (res: Response) => void;
  readonly statusWaitMs: number;
  readonly sseHeartbeatMs: number;
  readonly streams: StreamSlots;
  readonly replay: ReplayPolicy;
  readonly shutdown?: AbortSignal;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

/** Liveness, on the public and the operations listener alike. */
export const healthz = (): Promise<Reply> => Promise.resolve(ok({ status: 'ok' }));

export function createHandlers(deps: HandlerDeps): Handlers {
  const transition =
    (action: PollTransition): Handler<(typeof ROUTES)['openPoll']> =>
    async ({ params }, { caller }) =>
      ok(await deps.polls.transition(caller.role, params.id, action));

  return {
    createPoll: async ({ body }, { caller }) => ({ status: 201, body: await deps.polls.create(caller.role, body) }),
    listPolls: async ({ query }, { caller }) => ok(await deps.polls.list(caller.role, query)),
    getPoll: async ({ params }, { caller }) => ok(await deps.polls.get(caller.role, params.id)),
    openPoll: transition('open'),
    closePoll: transition('close'),
    cancelPoll: transition('cancel'),
    tallyPoll: async ({ params, body }, { caller }) => ok(await deps.polls.tally(caller.role, params.id, body.maxBallots)),
    getResults: async ({ params, query }, { caller }) => {
      // A recount reads every ballot: only for the roles that may also replay the chain.
      if (query.recount && !deps.replay.replayRoles.includes(caller.role)) {
        throw new ApiError('FORBIDDEN', `role ${caller.role} may not ask for a recount; the running count is free`);
      }
      return ok(await deps.results.get(caller.role, params.id, { recount: query.recount }));
    },
    castBallot: async ({ params, headers, body }, { caller }) => {
      const { receipt, replayed } = await deps.ballots.cast(caller, params.id, body, headers['idempotency-key']);
      return replayed ? { status: 200, body: receipt, headers: { 'Idempotent-Replayed': 'true' } } : { status: 201, body: receipt };
    },
    getBallot: async ({ params }, { caller }) => ok(await deps.ballots.get(caller.role, params.id, params.ballotId)),
    getTransaction: async ({ params, query }, { caller }) =>
      ok(await transactionStatus(deps.ledger, deps.pending, caller.role, params.txId, deps.statusWaitMs, query.position)),
    streamEvents: async ({ query, headers }, { caller, res, closed }) => {
      const lastEventId = headers['last-event-id'];
      const from = { after: lastEventId === undefined ? undefined : parseEventId(lastEventId), startBlock: query.startBlock };
      // The slot is the client's: freed when it leaves, even if the ledger stream is slow to wind down.
      const release = await deps.streams.take(caller.keyId);
      closed.addEventListener('abort', release, { once: true });
      // A client gone while the slot was being taken gives it back now (an aborted signal fires no more).
      if (closed.aborted) release();
      try {
        await serveEvents(res, closed, () => subscribe(deps.ledger, caller.role, from, deps.replay), {
          heartbeatMs: deps.sseHeartbeatMs,
          shutdown: deps.shutdown,
        });
      } finally {
        closed.removeEventListener('abort', release);
        release();
      }
      return undefined;
    },
    healthz,
    openapi: () => Promise.resolve(ok(deps.openapi())),
    docs: (_input, { res }) => {
      deps.docsPage(res);
      return Promise.resolve(undefined);
    },
  };
}
