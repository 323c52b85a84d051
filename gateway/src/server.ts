import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config';
import { connectLedger } from './fabric/connection';
import type { LedgerClient } from './domain/ledger';
import { createApp } from './http/app';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';

export interface RunningServer {
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish (bounded by the timeout), then closes the ledger. */
  close(): Promise<void>;
}

/**
 * Graceful stop: event streams are ended, idle keep-alive sockets closed, in-flight requests get
 * `timeoutMs` to finish before their sockets are cut; then the Fabric gateways and gRPC client close.
 */
export function stopGracefully(
  server: Server,
  ledger: LedgerClient,
  streams: AbortController,
  timeoutMs: number,
): Promise<void> {
  streams.abort();
  const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
  server.closeIdleConnections();
  const force = setTimeout(() => { server.closeAllConnections(); }, timeoutMs);
  force.unref();
  return closed.finally(() => {
    clearTimeout(force);
    ledger.close();
  });
}

export async function start(config: Config, ledger: LedgerClient, logger: Logger, metrics: Metrics): Promise<RunningServer> {
  const streams = new AbortController();
  const app = createApp({ config, ledger, logger, metrics, shutdown: streams.signal });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, channel: config.channel, chaincode: config.chaincode }, 'gateway listening');
  return { server, close: () => stopGracefully(server, ledger, streams, config.shutdownTimeoutMs) };
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
  // One registry for HTTP and Fabric metrics, so /metrics shows both.
  const metrics = createMetrics({ defaultMetrics: true });
  const ledger = connectLedger(config, metrics);
  const running = await start(config, ledger, logger, metrics);
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
