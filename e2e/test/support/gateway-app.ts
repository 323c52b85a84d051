/**
 * The REST gateway's app in this process, against the e2e network's city peer, with a hook on its ledger submits:
 * what a test needs to make a transaction's fate unknown to the gateway (a 202) while it controls that fate itself.
 * Built from the gateway's own modules (gateway/dist), so it is the gateway's code, config schema and error mapping.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Role, ROLES, networkOrg } from '@poll-ledger/protocol';
import { loadConfig } from '@poll-ledger/gateway/dist/config';
import type { LedgerClient } from '@poll-ledger/gateway/dist/domain/ledger';
import { connectLedger } from '@poll-ledger/gateway/dist/fabric/connection';
import { createApp, createPending } from '@poll-ledger/gateway/dist/http/app';
import { createMetrics } from '@poll-ledger/gateway/dist/metrics';
import { memoryState } from '@poll-ledger/gateway/dist/state/memory';
import { postgresState } from '@poll-ledger/gateway/dist/state/postgres';
import { readNetwork } from './network';

type SubmitRequest = Parameters<LedgerClient['submit']>[0];
type Submitted = ReturnType<LedgerClient['submit']>;
/** Decides a submit: pass it on with `next`, or do something else (hold it, fail it). */
export type SubmitHook = (request: SubmitRequest, next: (request: SubmitRequest) => Submitted) => Submitted;

export interface InProcessGateway {
  readonly url: string;
  /** The plaintext API key of each role. */
  readonly keys: Readonly<Record<Role, string>>;
  close(): Promise<void>;
}

const sha256hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface InProcessOptions {
  /** The shared state's PostgreSQL server (replicas give the same one); in memory without it. */
  readonly databaseUrl?: string;
  /** More GATEWAY_* settings. */
  readonly env?: Readonly<Record<string, string>>;
}

const passThrough: SubmitHook = (request, next) => next(request);

/**
 * One gateway replica: the gateway's app, its shared state and its sweeper of adopted (202) transactions, as
 * server.ts runs them, on a port of its own.
 */
export async function startInProcessGateway(hook: SubmitHook = passThrough, options: InProcessOptions = {}): Promise<InProcessGateway> {
  const network = readNetwork();
  const org = networkOrg(network, 'city');
  const keys = Object.fromEntries(ROLES.map((role) => [role, `in-process-${role}-${sha256hex(role).slice(0, 16)}`])) as Record<Role, string>;
  const config = loadConfig({
    GATEWAY_PEER_ENDPOINT: org.peerEndpoint,
    GATEWAY_PEER_HOST_ALIAS: org.peerHostAlias,
    GATEWAY_TLS_CA_CERT: org.tlsCaCert,
    GATEWAY_MSP_ID: org.mspId,
    GATEWAY_CHANNEL: network.channel,
    GATEWAY_CHAINCODE: network.chaincode,
    GATEWAY_IDENTITIES: JSON.stringify(Object.fromEntries(ROLES.map((role) => [role, org.identities[role]]))),
    GATEWAY_API_KEYS: JSON.stringify(ROLES.map((role) => ({ id: role, role, sha256: sha256hex(keys[role]) }))),
    GATEWAY_VOTER_TOKEN_SECRET: sha256hex('the in-process gateway of the e2e tests'),
    GATEWAY_ENDORSE_TIMEOUT_MS: '30000',
    GATEWAY_COMMIT_STATUS_TIMEOUT_MS: '60000',
    ...(options.databaseUrl === undefined ? {} : { GATEWAY_DATABASE_URL: options.databaseUrl }),
    ...options.env,
  });
  const real = connectLedger(config, createMetrics());
  const ledger: LedgerClient = {
    evaluate: (request) => real.evaluate(request),
    submit: (request, submitOptions) => hook(request, (passed) => real.submit(passed, submitOptions)),
    resubmit: (role, envelope, waitMs) => real.resubmit(role, envelope, waitMs),
    commitStatus: (role, txId, waitMs) => real.commitStatus(role, txId, waitMs),
    blockHeight: (role) => real.blockHeight(role),
    events: (role, startBlock) => real.events(role, startBlock),
    close: () => { real.close(); },
  };
  const state = config.databaseUrl === undefined
    ? memoryState({ maxEntries: config.idempotencyMaxEntries })
    : await postgresState({ connectionString: config.databaseUrl, poolMax: 4 });
  // The sweeper works through the real ledger: a hook only decides the first submit of a request.
  const pending = createPending(config, real, state);
  const stopSweeping = pending.start(config.pendingSweepMs);
  const server: Server = createApp({ config, ledger, state, pending }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    keys,
    close: async () => {
      await stopSweeping();
      await new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
      ledger.close();
      await state.close();
    },
  };
}
