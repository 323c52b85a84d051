import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';
import type { LedgerClient } from '../domain/ledger';
import { LedgerUnavailableError } from '../errors';
import { createLogger, requestLogger, type Logger } from '../logger';
import type { Metrics } from '../metrics';
import { ROLES } from '../roles';
import { errorHandler, notFound } from './error-handler';
import { healthz } from './handlers';
import { mountRoutes, type HandlersOf } from './mount';
import { OPS_ROUTES } from './routes';

/**
 * Runs `check` at most once per `ttlMs`: callers during a check, or within `ttlMs` after it settled, share its
 * outcome (failures too, so a peer that is down is not asked by every probe).
 */
export class CachedCheck<T> {
  readonly #check: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #last: { readonly outcome: Promise<T>; settledAt?: number } | undefined;

  constructor(check: () => Promise<T>, ttlMs: number, now: () => number = Date.now) {
    this.#check = check;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  run(): Promise<T> {
    const last = this.#last;
    if (last && (last.settledAt === undefined || this.#now() - last.settledAt < this.#ttlMs)) return last.outcome;
    const outcome = Promise.resolve().then(this.#check);
    const entry: { readonly outcome: Promise<T>; settledAt?: number } = { outcome };
    const settle = () => {
      entry.settledAt = this.#now();
    };
    outcome.then(settle, settle);
    this.#last = entry;
    return outcome;
  }
}

export type OpsConfig = Pick<Config, 'identities' | 'readyCacheMs'>;

export interface OpsDeps {
  readonly config: OpsConfig;
  readonly ledger: LedgerClient;
  readonly metrics: Metrics;
  readonly logger?: Logger;
  /** The clock of the readiness cache. */
  readonly now?: () => number;
}

/**
 * The operations listener's app: liveness, readiness and metrics, for the orchestrator and Prometheus. It
 * listens apart from the public API (by default on loopback), so neither ballot volume nor peer calls are open
 * to anyone who can reach the API.
 */
export function createOpsApp(deps: OpsDeps): Express {
  const readyRole = ROLES.find((role) => deps.config.identities[role]) ?? 'auditor';
  const ready = new CachedCheck(() => deps.ledger.blockHeight(readyRole), deps.config.readyCacheMs, deps.now);
  const handlers: HandlersOf<typeof OPS_ROUTES> = {
    healthz,
    readyz: async () => {
      try {
        return { status: 200, body: { status: 'ready', blockHeight: await ready.run() } };
      } catch (err) {
        throw new LedgerUnavailableError('the peer is not ready', undefined, { cause: err });
      }
    },
    metrics: async (_input, { res }) => {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
      return undefined;
    },
  };

  // Probes and scrapes come every few seconds: only what goes wrong is logged (never more than the base logger).
  const base = deps.logger ?? createLogger('silent');
  const logger = base.child({ listener: 'ops' }, base.isLevelEnabled('info') ? { level: 'warn' } : {});
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(requestLogger(logger));
  mountRoutes(app, OPS_ROUTES, handlers, () => []);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
