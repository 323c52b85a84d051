import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { z } from 'zod';
import type { Config } from '../config';
import { BallotService, type CastOutcome } from '../domain/ballots';
import { IdempotencyStore } from '../domain/idempotency';
import type { LedgerClient } from '../domain/ledger';
import { PollService } from '../domain/polls';
import { ResultsService } from '../domain/results';
import { ApiError } from '../errors';
import { createLogger, requestLogger, type Logger } from '../logger';
import { createMetrics, type Metrics } from '../metrics';
import { buildOpenApiDocument } from '../openapi';
import { ROLES } from '../roles';
import { authenticate, callerOf } from './auth';
import { renderDocsPage } from './docs';
import { errorHandler, notFound } from './error-handler';
import { createHandlers, handlerContext, type HandlerContext, type Reply, type RouteInput } from './handlers';
import { ROUTES, type RouteSpec } from './routes';

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
  | 'tallyBatchSize'
  | 'tallyMaxBatches'
  | 'statusQueryWaitMs'
  | 'sseHeartbeatMs'
>;

export interface AppDeps {
  readonly config: AppConfig;
  readonly ledger: LedgerClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Aborted on shutdown to end open event streams. */
  readonly shutdown?: AbortSignal;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Issues carry paths and rule names, never the offending value (it may be a citizen id).
  const issues = parsed.error.issues.map((issue) => ({ in: where, path: issue.path.join('.'), code: issue.code, message: issue.message }));
  throw new ApiError('INVALID_ARGUMENT', `invalid request ${where}`, { issues });
}

// RouteInput<unknown> (all parts Record<string, never>) fits every handler's input type; the route's
// schemas are what guarantee the real shape at run time.
type UntypedHandler = (input: RouteInput<unknown>, context: HandlerContext) => Promise<Reply | undefined>;

/** Validates every part of the request against the route's schemas, then runs its handler. */
function adapt(spec: RouteSpec, handler: UntypedHandler): RequestHandler {
  return async (req, res) => {
    const input = {
      params: parsePart(spec.params, req.params, 'path'),
      query: parsePart(spec.query, req.query, 'query'),
      headers: parsePart(spec.headers, req.headers, 'headers'),
      body: parsePart(spec.body, req.body ?? {}, 'body'),
    } as RouteInput<unknown>;
    const reply = await handler(input, handlerContext(req, res));
    if (reply) res.status(reply.status).set(reply.headers ?? {}).json(reply.body);
  };
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
  const { config, ledger } = deps;
  const logger = deps.logger ?? createLogger('silent');
  const metrics = deps.metrics ?? createMetrics();
  const results = new ResultsService(ledger);
  const openapi = buildOpenApiDocument();
  const docsPage = renderDocsPage(openapi);
  const handlers = createHandlers({
    ledger,
    results,
    metrics,
    polls: new PollService(ledger, results, config),
    ballots: new BallotService(ledger, new IdempotencyStore<CastOutcome>({ maxEntries: config.idempotencyMaxEntries, ttlMs: config.idempotencyTtlMs }), {
      voterTokenSecret: config.voterTokenSecret,
      statusWaitMs: config.statusQueryWaitMs,
    }),
    openapi: () => openapi,
    docsPage: () => docsPage,
    readyRole: ROLES.find((role) => config.identities[role]) ?? 'auditor',
    statusWaitMs: config.statusQueryWaitMs,
    sseHeartbeatMs: config.sseHeartbeatMs,
    shutdown: deps.shutdown,
  });

  const limiter = rateLimit({
    windowMs: config.rateLimitWindowMs,
    limit: config.rateLimitMax,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => callerOf(res).keyId,
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
  for (const [id, spec] of Object.entries(ROUTES) as [keyof typeof ROUTES, RouteSpec][]) {
    // Authenticate and rate-limit before reading a body, so strangers cannot make us parse one.
    const guards: RequestHandler[] = spec.access === 'public' ? [] : [authenticate(config.apiKeys, spec.access), limiter];
    if (spec.body) guards.push(json);
    app[spec.method](spec.path, ...guards, adapt(spec, handlers[id]));
  }
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
