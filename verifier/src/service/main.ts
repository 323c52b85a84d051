import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectAs, waitForReady } from '@poll-ledger/fabric-client';
import { networkOrg, readNetworkFile } from '@poll-ledger/protocol';
import { createApp } from './app';
import { ChainIndex, followChain } from './chain';
import { ConfigError, type Config, envName, loadConfig } from './config';
import { PollDirectory } from './disclosure';
import { FabricObserverLedger } from './fabric-ledger';
import { createLogger } from './logger';
import { VerificationService } from './service';
import { newStatementSigner } from './signer';

export const USAGE = `Usage: poll-ledger-verification-service

The public verification service of an observer organisation: read-only HTTP over its own peer, as its auditor.
Settings come from the environment (see docs/verification.md):
  ${envName('networkJson')}   network.json (required)
  ${envName('org')}            org key in network.json (default observer)
  ${envName('port')} / ${envName('host')}   where to listen (default 0.0.0.0:8090)
  ${envName('rateLimitMax')} per ${envName('rateLimitWindowMs')}   requests per client address (default 300 per 60000 ms)`;

export interface RunningService {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Connects to the org's own peer as its auditor, reads the chain, and serves. */
export async function start(config: Config): Promise<RunningService> {
  const logger = createLogger(config.logLevel);
  const network = readNetworkFile(config.networkJson);
  const org = networkOrg(network, config.org, config.networkJson);
  const files = { mspId: org.mspId, peerEndpoint: org.peerEndpoint, ...org.identities.auditor };
  // The statements are signed with the same auditor identity that reads the peer.
  const signer = newStatementSigner(files.mspId, readFileSync(files.certPath, 'utf8'), readFileSync(files.keyPath, 'utf8'));
  const connection = connectAs(network, config.org, 'auditor', { deadlines: { evaluateMs: config.peerTimeoutMs } });
  try {
    await waitForReady(connection.client, config.peerTimeoutMs);
  } catch (err) {
    connection.close();
    throw new Error(`cannot reach the ${config.org} peer at ${files.peerEndpoint}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ledger = new FabricObserverLedger(connection, network.channel, network.chaincode);
  const chain = new ChainIndex(network.chaincode);
  const polls = new PollDirectory(ledger, logger);
  await polls.refresh();
  chain.onBlock((facts) => {
    // A poll changed, or ballots of a poll not seen yet: statuses decide what is public, so re-read them.
    if (facts.touchesPolls || [...facts.ballotPolls].some((id) => polls.poll(id) === undefined)) polls.refreshInBackground();
  });
  const timer = setInterval(() => {
    polls.refreshInBackground();
  }, config.pollRefreshMs);
  timer.unref();
  const stop = new AbortController();
  const following = followChain(chain, ledger, { logger, signal: stop.signal });

  const service = new VerificationService({ channel: network.channel, chaincode: network.chaincode, chain, polls, ledger, signer, headersPageMax: config.headersPageMax });
  const server = createApp({ config, service, logger }).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ host: config.host, port, org: config.org, mspId: files.mspId, peer: files.peerEndpoint, channel: network.channel }, `verification service listening on ${config.host}:${port}`);

  return {
    server,
    port,
    close: async () => {
      clearInterval(timer);
      stop.abort();
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      server.closeIdleConnections();
      const force = setTimeout(() => { server.closeAllConnections(); }, config.shutdownTimeoutMs);
      force.unref();
      await closed;
      clearTimeout(force);
      await following;
      ledger.close();
      logger.info('stopped');
    },
  };
}

/** The launcher's entry point (bin/poll-ledger-verification-service.js). */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.length > 0) throw new Error(`unexpected argument '${argv[0] ?? ''}': settings come from the environment (--help)`);
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message, { cause: err });
    throw err;
  }
  const running = await start(config);
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      void running.close().then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
