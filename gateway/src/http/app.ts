import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Config } from '../config';
import { BallotBatches } from '../domain/ballot-batches';
import { BallotService, CastOutcomeSchema, castBallotRenewer } from '../domain/ballots';
import { castBallotsRenewer, castBallotsSender } from '../domain/cast-batch';
import { IdempotencyStore } from '../domain/idempotency';
import type { LedgerClient } from '../domain/ledger';
import { PendingTransactions, adoptingLedger } from '../domain/pending';
import { memoryState } from '../state/memory';
import type { GatewayState } from '../state/state';
import { PollService } from '../domain/polls';
import { ResultsService } from '../domain/results';
import type { RunningCounts } from '../domain/running-counts';
import { ApiError } from '../errors';
import { createLogger, requestLogger, type Logger } from '../logger';
import { createMetrics, type Metrics } from '../metrics';
import { buildOpenApiDocument } from '../openapi';
import { authenticate, callerOf } from './auth';
import { docsAssets, sendDocsPage } from './docs';
import { errorHandler, notFound } from './error-handler';
import { createHandlers } from './handlers';
import { mountRoutes } from './mount';
import { REPLAY_ROLES, ROUTES } from './routes';
import { StreamSlots } from './sse';

export type AppConfig = Pick<
  Config,
  | 'apiKeys'
  | 'identities'
  | 'voterTokenSecret'
  | 'bodyLimit'
  | 'rateLimitWindowMs'
  | 'rateLimitMax'
  | 'idempotencyMaxEntries'
  | 'idempotencyTtlMs'
  | 'idempotencyLeaseMs'
  | 'pendingMaxResubmits'
  | 'pendingRetryBaseMs'
  | 'mvccRetries'
  | 'ballotBatchMax'
  | 'ballotBatchMaxBytes'
  | 'ballotBatchInFlight'
  | 'ballotBatchIntervalMs'
  | 'ballotBatchWaitMs'
  | 'tallyBatchSize'
  | 'tallyMaxBatches'
  | 'statusQueryWaitMs'
  | 'sseHeartbeatMs'
  | 'sseMaxStreamsPerKey'
  | 'sseResumeMaxBlocks'
>;

export interface AppDeps {
  readonly config: AppConfig;
  readonly ledger: LedgerClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Aborted on shutdown to end open event streams. */
  readonly shutdown?: AbortSignal;
  /** The state replicas share (default: in this process's memory). */
  readonly state?: GatewayState;
  /** The owner of transactions answered 202 (default: one over `state`); server.ts sweeps it. */
  readonly pending?: PendingTransactions;
  /** Running counts of live polls kept from the chain's events (server.ts follows them); without them, recounts. */
  readonly counts?: RunningCounts;
}

/** The owner of every transaction answered 202 for, over the shared state (domain/pending.ts). */
export function createPending(config: AppConfig, ledger: LedgerClient, state: GatewayState): PendingTransactions {
  const renewers = { CastBallot: castBallotRenewer(ledger, config.statusQueryWaitMs), CastBallots: castBallotsRenewer(ledger) };
  return new PendingTransactions(ledger, state.pending, renewers, {
    maxResubmits: config.pendingMaxResubmits,
    retryBaseMs: config.pendingRetryBaseMs,
    // A short look: a transaction not committed yet is simply looked at again on a later sweep.
    statusWaitMs: Math.min(config.statusQueryWaitMs, 500),
    leaseMs: config.idempotencyLeaseMs,
    batch: 256,
    concurrency: 64,
  });
}

/**
 * The coalescer of concurrent ballots into CastBallots transactions, over the adopting ledger; none when
 * GATEWAY_BALLOT_BATCH_MAX is 1 (every ballot its own CastBallot, as before CastBallots).
 */
function ballotBatches(config: AppConfig, ledger: LedgerClient, metrics: Metrics): BallotBatches | undefined {
  if (config.ballotBatchMax <= 1) return undefined;
  const send = castBallotsSender(ledger, { statusWaitMs: config.statusQueryWaitMs, mvccRetries: config.mvccRetries, instruments: metrics.batches });
  const limits = { maxBallots: config.ballotBatchMax, maxBytes: config.ballotBatchMaxBytes, maxInFlight: config.ballotBatchInFlight, minIntervalMs: config.ballotBatchIntervalMs, waitMs: config.ballotBatchWaitMs };
  return new BallotBatches(send, limits, metrics.batches);
}

function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('close', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.observeHttp(route, req.method, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}

/** Builds the Express app; listening is server.ts's job, so tests drive this with supertest. */
export function createApp(deps: AppDeps): Express {
  const { config } = deps;
  const state = deps.state ?? memoryState({ maxEntries: config.idempotencyMaxEntries });
  const pending = deps.pending ?? createPending(config, deps.ledger, state);
  // Every submit whose outcome is unknown is kept and seen through before its 202 is answered.
  const ledger = adoptingLedger(deps.ledger, pending);
  const logger = deps.logger ?? createLogger('silent');
  const metrics = deps.metrics ?? createMetrics();
  const results = new ResultsService(ledger, deps.counts);
  const openapi = buildOpenApiDocument();
  const handlers = createHandlers({
    ledger,
    results,
    polls: new PollService(ledger, results, config),
    ballots: new BallotService(
      ledger,
      new IdempotencyStore(state.idempotency(CastOutcomeSchema), { ttlMs: config.idempotencyTtlMs, leaseMs: config.idempotencyLeaseMs }),
      { voterTokenSecret: config.voterTokenSecret, statusWaitMs: config.statusQueryWaitMs },
      pending,
      ballotBatches(config, ledger, metrics),
    ),
    pending,
    openapi: () => openapi,
    docsPage: sendDocsPage,
    statusWaitMs: config.statusQueryWaitMs,
    sseHeartbeatMs: config.sseHeartbeatMs,
    streams: new StreamSlots(state.streams, config.sseMaxStreamsPerKey),
    replay: { replayRoles: REPLAY_ROLES, maxResumeBlocks: config.sseResumeMaxBlocks },
    shutdown: deps.shutdown,
  });

  const limiter = rateLimit({
    windowMs: config.rateLimitWindowMs,
    limit: config.rateLimitMax,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => callerOf(res).keyId,
    ...(state.rateLimit ? { store: state.rateLimit } : {}),
    handler: (_req, _res, next) => {
      next(new ApiError('RATE_LIMITED', 'too many requests for this API key'));
    },
  });
  const json = express.json({ limit: config.bodyLimit });

  const app = express();
  app.disable('x-powered-by');
  // Default CSP except upgrade-insecure-requests: the gateway is often reached over plain HTTP
  // inside the city network, where upgrading /docs links to https would break them.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestLogger(logger));
  app.use(httpMetrics(metrics));
  mountRoutes(app, ROUTES, handlers, (spec) => {
    // Authenticate and rate-limit before reading a body, so strangers cannot make us parse one.
    const guards: RequestHandler[] = spec.access === 'public' ? [] : [authenticate(config.apiKeys, spec.access), limiter];
    if (spec.body) guards.push(json);
    return guards;
  });
  app.use('/docs', docsAssets());
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
