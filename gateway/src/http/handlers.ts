import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { BallotService, Caller } from '../domain/ballots';
import { parseEventId, subscribe } from '../domain/events';
import type { PollService, PollTransition } from '../domain/polls';
import type { ResultsService } from '../domain/results';
import type { LedgerClient } from '../domain/ledger';
import { transactionStatus } from '../domain/transactions';
import { LedgerUnavailableError } from '../errors';
import type { Metrics } from '../metrics';
import type { OpenApiDocument } from '../openapi';
import type { Role } from '../roles';
import { callerOf } from './auth';
import type { ROUTES, RouteId } from './routes';
import { pipeEvents } from './sse';

type Part<R, K extends string> = R extends Record<K, infer S> ? (S extends z.ZodType ? z.output<S> : never) : Record<string, never>;

/** A route's validated input, typed from the schemas in its RouteSpec. */
export interface RouteInput<R> {
  readonly params: Part<R, 'params'>;
  readonly query: Part<R, 'query'>;
  readonly headers: Part<R, 'headers'>;
  readonly body: Part<R, 'body'>;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HandlerContext {
  readonly req: Request;
  readonly res: Response;
  readonly caller: Caller;
}

/** Returns a Reply, or undefined after writing the response itself (streams, HTML, metrics). */
export type Handler<R> = (input: RouteInput<R>, context: HandlerContext) => Promise<Reply | undefined>;
export type Handlers = { readonly [K in RouteId]: Handler<(typeof ROUTES)[K]> };

export interface HandlerDeps {
  readonly ledger: LedgerClient;
  readonly polls: PollService;
  readonly ballots: BallotService;
  readonly results: ResultsService;
  readonly metrics: Metrics;
  readonly openapi: () => OpenApiDocument;
  readonly docsPage: () => string;
  readonly readyRole: Role;
  readonly statusWaitMs: number;
  readonly sseHeartbeatMs: number;
  readonly shutdown?: AbortSignal;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

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
    getResults: async ({ params }, { caller }) => ok(await deps.results.get(caller.role, params.id)),
    castBallot: async ({ params, headers, body }, { caller }) => {
      const { receipt, replayed } = await deps.ballots.cast(caller, params.id, body, headers['idempotency-key']);
      return replayed ? { status: 200, body: receipt, headers: { 'Idempotent-Replayed': 'true' } } : { status: 201, body: receipt };
    },
    getBallot: async ({ params }, { caller }) => ok(await deps.ballots.get(caller.role, params.id, params.ballotId)),
    getTransaction: async ({ params }, { caller }) => ok(await transactionStatus(deps.ledger, caller.role, params.txId, deps.statusWaitMs)),
    streamEvents: async ({ query, headers }, { caller, res }) => {
      const lastEventId = headers['last-event-id'];
      const after = lastEventId === undefined ? undefined : parseEventId(lastEventId);
      const startBlock = query.startBlock === undefined ? undefined : BigInt(query.startBlock);
      const subscription = await subscribe(deps.ledger, caller.role, { after, startBlock });
      await pipeEvents(res, subscription, { heartbeatMs: deps.sseHeartbeatMs, shutdown: deps.shutdown });
      return undefined;
    },
    healthz: () => Promise.resolve(ok({ status: 'ok' })),
    readyz: async () => {
      try {
        return ok({ status: 'ready', blockHeight: await deps.ledger.blockHeight(deps.readyRole) });
      } catch (err) {
        throw new LedgerUnavailableError('the peer is not ready', undefined, { cause: err });
      }
    },
    metrics: async (_input, { res }) => {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
      return undefined;
    },
    openapi: () => Promise.resolve(ok(deps.openapi())),
    docs: (_input, { res }) => {
      res.type('html').send(deps.docsPage());
      return Promise.resolve(undefined);
    },
  };
}

/** The caller is looked up lazily: public routes have none and never ask. */
export function handlerContext(req: Request, res: Response): HandlerContext {
  return {
    req,
    res,
    get caller() {
      return callerOf(res);
    },
  };
}
