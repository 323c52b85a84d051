import { existsSync } from 'node:fs';
import * as path from 'node:path';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { z } from 'zod';
import type { Config } from './config';
import { ServiceFailure } from './errors';
import { createHandlers, type Handler, type RouteInput } from './handlers';
import { createLogger, requestLogger, type Logger } from './logger';
import { buildOpenApiDocument } from './openapi';
import { ROUTES, type RouteSpec } from './routes';
import type { VerificationService } from './service';

export type AppConfig = Pick<Config, 'rateLimitWindowMs' | 'rateLimitMax' | 'trustProxyHops' | 'webDir'>;

export interface AppDeps {
  readonly config: AppConfig;
  readonly service: VerificationService;
  readonly logger?: Logger;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ in: where, path: issue.path.join('.'), message: issue.message }));
  throw new ServiceFailure('BAD_REQUEST', `invalid request ${where}`, { issues });
}

/** Validates the path and query against the route's schemas, then runs its handler. */
function adapt(spec: RouteSpec, handler: Handler<unknown>): RequestHandler {
  return async (req, res) => {
    // RouteInput<unknown> fits every handler; the route's schemas guarantee the real shape at run time.
    const input = { params: parsePart(spec.params, req.params, 'path'), query: parsePart(spec.query, req.query, 'query') } as RouteInput<unknown>;
    await handler(input, res);
  };
}

/** The one place errors become responses: a code, a message, details; never a stack trace. */
function errorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const failure = err instanceof ServiceFailure ? err : new ServiceFailure('INTERNAL', 'internal error', undefined, { cause: err });
  // pino-http logs res.err with the response line, so the cause stays server-side.
  if (failure.httpStatus >= 500) res.err = failure.cause instanceof Error ? failure.cause : failure;
  // An answer that changes when a poll closes or the chain grows must not be cached.
  res.set('Cache-Control', 'no-store').status(failure.httpStatus).json(failure.toBody());
}

/**
 * Only this origin's own scripts, styles, images and API: the citizen page uses no CDN, and a page that verifies
 * must not be able to load code from elsewhere.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'"],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  workerSrc: ["'self'"],
};

/** Builds the Express app; listening is main.ts's job, so tests drive this with supertest. */
export function createApp(deps: AppDeps): Express {
  const { config, service } = deps;
  const logger = deps.logger ?? createLogger('silent');
  const handlers = createHandlers(service, buildOpenApiDocument());

  const app = express();
  app.disable('x-powered-by');
  // Only blocks and bundles carry entity tags, and those are strong ones the handlers set.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxyHops);
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } }));
  app.use(requestLogger(logger));
  app.use(
    rateLimit({
      windowMs: config.rateLimitWindowMs,
      limit: config.rateLimitMax,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, _res, next) => {
        next(new ServiceFailure('RATE_LIMITED', 'too many requests from this address; try again later'));
      },
    }),
  );
  for (const [id, spec] of Object.entries(ROUTES) as [keyof typeof ROUTES, RouteSpec][]) {
    app.get(spec.path, adapt(spec, handlers[id] as Handler<unknown>));
  }
  if (existsSync(path.join(config.webDir, 'index.html'))) {
    app.use(express.static(config.webDir, { index: 'index.html', maxAge: '5m', etag: true }));
  } else {
    logger.warn({ webDir: config.webDir }, 'no citizen page built there; serving the API only');
  }
  app.use((req: Request) => {
    throw new ServiceFailure('NOT_FOUND', `no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}
