import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config';
import { connectLedger } from './fabric/connection';
import type { LedgerClient } from './domain/ledger';
import { createApp, createPending } from './http/app';
import { REPLAY_ROLES } from './http/routes';
import { RunningCounts, followRunningCounts } from './domain/running-counts';
import { createOpsApp } from './http/ops';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { memoryState } from './state/memory';
import { postgresState } from './state/postgres';
import type { GatewayState } from './state/state';

export interface RunningServer {
  readonly server: Server;
  /** The operations listener: /healthz, /readyz and /metrics. */
  readonly opsServer: Server;
  /** Stops accepting, lets in-flight requests finish (bounded by the timeout), then closes the ledger. */
  close(): Promise<void>;
}

/**
 * Graceful stop: event streams are ended, idle keep-alive sockets closed, in-flight requests get
 * `timeoutMs` to finish before their sockets are cut; then the Fabric gateways and gRPC client close.
 */
export function stopGracefully(
  servers: readonly Server[],
  ledger: LedgerClient,
  streams: AbortController,
  timeoutMs: number,
): Promise<void> {
  streams.abort();
  const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); })))).then(() => undefined);
  for (const server of servers) server.closeIdleConnections();
  const force = setTimeout(() => { for (const server of servers) server.closeAllConnections(); }, timeoutMs);
  force.unref();
  return closed.finally(() => {
    clearTimeout(force);
    ledger.close();
  });
}

async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}

/** The shared state: PostgreSQL when GATEWAY_DATABASE_URL is set, else this process's memory (and it says so). */
export async function openState(config: Config, logger: Logger): Promise<GatewayState> {
  if (config.databaseUrl === undefined) {
    logger.warn(
      'no GATEWAY_DATABASE_URL: idempotency records, transactions answered 202 and rate-limit counters are kept in this ' +
        'process only; they do not survive a restart and replicas would not share them (development only)',
    );
    return memoryState({ maxEntries: config.idempotencyMaxEntries });
  }
  const state = await postgresState({ connectionString: config.databaseUrl, poolMax: config.databasePoolMax });
  logger.info({ migrationsApplied: state.migrated, unresolved202s: await state.pending.countUnresolved() }, 'gateway state on PostgreSQL');
  return state;
}

/**
 * Live results from the chain's events (GATEWAY_LIVE_RESULTS=running-count): followed from genesis with an identity
 * that may replay, until shutdown. Undefined when recounts were chosen or no such identity is configured.
 */
function followCounts(config: Config, ledger: LedgerClient, logger: Logger, signal: AbortSignal): RunningCounts | undefined {
  if (config.liveResults !== 'running-count') return undefined;
  const role = REPLAY_ROLES.find((candidate) => config.identities[candidate] !== undefined);
  if (role === undefined) {
    logger.warn(`no identity of ${REPLAY_ROLES.join(' or ')}: live results are recounted by the chaincode on every request`);
    return undefined;
  }
  const counts = new RunningCounts({ minSnapshotMs: config.liveResultsSnapshotMs });
  void followRunningCounts(ledger, counts, {
    role,
    signal,
    retryMs: 1_000,
    onError: (err) => {
      logger.warn({ err, resumeBlock: counts.resumeBlock.toString() }, 'running counts: the event stream failed; reopening it');
    },
  });
  logger.info({ role }, 'running counts of live polls: following the chain’s ballot events from genesis');
  return counts;
}

export async function start(
  config: Config,
  ledger: LedgerClient,
  logger: Logger,
  metrics: Metrics,
  state: GatewayState = memoryState({ maxEntries: config.idempotencyMaxEntries }),
): Promise<RunningServer> {
  const streams = new AbortController();
  // Every replica sweeps the transactions answered 202 (each leased to one at a time) until they resolve.
  const pending = createPending(config, ledger, state);
  const stopSweeping = pending.start(config.pendingSweepMs, {
    resolved: (txId, resolution) => {
      logger.info({ txId, outcome: resolution.outcome, ...(resolution.outcome === 'failed' ? { code: resolution.code } : {}) }, 'transaction answered 202 resolved');
    },
    failedToWork: (txId, err) => {
      logger.warn({ txId, err }, 'could not work a transaction answered 202 yet; it will be tried again');
    },
  });
  const counts = followCounts(config, ledger, logger, streams.signal);
  const app = createApp({ config, ledger, logger, metrics, shutdown: streams.signal, state, pending, ...(counts && { counts }) });
  const server = await listen(app, config.port, config.host).catch(async (err: unknown) => {
    // Stops following the running counts too, or a failed start would keep the process alive.
    streams.abort();
    await stopSweeping();
    throw err;
  });
  const opsServer = await listen(createOpsApp({ config, ledger, logger, metrics }), config.opsPort, config.opsHost).catch(async (err: unknown) => {
    server.close();
    streams.abort();
    await stopSweeping();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  const { port: opsPort } = opsServer.address() as AddressInfo;
  logger.info({ port, host: config.host, opsPort, opsHost: config.opsHost, channel: config.channel, chaincode: config.chaincode }, 'gateway listening');
  const close = async () => {
    await stopSweeping();
    await stopGracefully([server, opsServer], ledger, streams, config.shutdownTimeoutMs);
    await state.close();
  };
  return { server, opsServer, close };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  // One registry for HTTP and Fabric metrics, so the operations listener's /metrics shows both.
  const metrics = createMetrics({ defaultMetrics: true });
  const ledger = connectLedger(config, metrics);
  const state = await openState(config, logger);
  const running = await start(config, ledger, logger, metrics, state);
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    void running.close().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
